"""The shopping plan: cheapest package per ingredient, vendor grouping, consolidation and budget."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from aichef.knowledge.ingredients import Ingredient, get
from aichef.knowledge.prices import REFERENCE_VENDOR, PriceQuote, ReferencePriceSource
from aichef.knowledge.shopping import build_plan

ONION, TOFU, PORK, SOY = get("onion"), get("tofu"), get("pork_belly"), get("soy_sauce")


def offer(key: str, vendor: str, price: int, grams: float) -> PriceQuote:
    return PriceQuote(
        key, f"{key} {grams:g}g", vendor, price, grams, f"{grams:g}g", "naver", False, "2026-11-22"
    )


class FakeShop:
    """A PriceSource with fixed listings per ingredient key."""

    name = "fake"

    def __init__(self, listings: Mapping[str, list[PriceQuote]]) -> None:
        self.listings = listings
        self.asked: list[str] = []

    def quotes(self, ingredient: Ingredient) -> list[PriceQuote]:
        self.asked.append(ingredient.key)
        return list(self.listings.get(ingredient.key, []))


LISTINGS: dict[str, list[PriceQuote]] = {
    "onion": [offer("onion", "A마트", 3000, 1000), offer("onion", "B농장", 2000, 500)],
    "tofu": [offer("tofu", "A마트", 2200, 300), offer("tofu", "C몰", 1500, 300)],
    "pork_belly": [offer("pork_belly", "A마트", 16000, 600), offer("pork_belly", "B농장", 15000, 600)],
}
SHOP = FakeShop(LISTINGS)


def test_cheapest_purchase_not_cheapest_unit_price() -> None:
    plan = build_plan([(ONION, 300)], SHOP, servings=2)
    item = plan.items[0]
    assert (item.quote.vendor, item.purchase_cost, item.packages) == ("B농장", 2000, 1)
    assert item.alternatives[0].main.vendor == "A마트"
    assert item.cost_of_needed == 1200  # 300 g of a 500 g bag at 2,000 won


def test_more_than_one_package_when_needed() -> None:
    item = build_plan([(ONION, 1200)], SHOP, servings=1).items[0]
    # 3 × 500 g = 6,000 vs 2 × 1 kg = 6,000: tie broken by price per 100 g (1 kg bag is cheaper per gram)
    assert (item.quote.vendor, item.packages, item.purchase_cost) == ("A마트", 2, 6000)


def test_duplicate_lines_merge_and_owned_items_are_skipped() -> None:
    shop = FakeShop(LISTINGS)
    plan = build_plan(
        [(ONION, 200), (ONION, 200), (TOFU, 300), (SOY, 15)], shop, servings=2, owned=frozenset({"soy_sauce"})
    )
    assert [i.ingredient_key for i in plan.items] == ["onion", "tofu"]
    assert plan.items[0].needed_grams == 400
    assert plan.owned == ("soy_sauce",)
    assert shop.asked == ["onion", "tofu"]


def test_totals_breakdown_and_shipping() -> None:
    plan = build_plan([(ONION, 300), (TOFU, 300), (PORK, 600)], SHOP, servings=3, shipping_fee=3000)
    assert plan.total_estimated_cost == 2000 + 1500 + 15000
    breakdown = plan.vendor_breakdown()
    assert breakdown["B농장"]["subtotal"] == 17000 and breakdown["C몰"]["subtotal"] == 1500
    assert breakdown["B농장"]["items"] == [ONION.name_ko, PORK.name_ko]
    assert plan.shipping == 2 * 3000
    assert plan.cost_per_serving == round((1200 + 1500 + 15000) / 3)


def test_one_vendor_saves_shipping_when_it_carries_everything() -> None:
    plan = build_plan([(ONION, 300), (TOFU, 300), (PORK, 600)], SHOP, servings=3, shipping_fee=3000)
    assert plan.optimal is not None
    # B농장 for onion and pork, tofu from C몰: 18,500 + 6,000 shipping = 24,500.
    # Everything at A마트: 3,000 + 2,200 + 16,000 + 3,000 = 24,200 -> saves 300.
    assert plan.optimal.vendor == "A마트"
    assert plan.optimal.covered == ("onion", "tofu", "pork_belly")
    assert plan.same_vendor_savings == 300
    assert plan.best_total == 24200
    assert [o.vendor for o in plan.alternatives][:1] == ["B농장"]


def test_savings_never_negative_when_consolidating_costs_more() -> None:
    plan = build_plan([(ONION, 300), (TOFU, 300)], SHOP, servings=2, shipping_fee=0)
    assert plan.same_vendor_savings == 0
    assert plan.best_total == plan.total_estimated_cost == 3500


@pytest.mark.parametrize(("budget", "within"), [(30000, True), (20000, False), (None, None)])
def test_budget(budget: int | None, within: bool | None) -> None:
    plan = build_plan([(ONION, 300), (TOFU, 300), (PORK, 600)], SHOP, servings=3, budget=budget)
    assert plan.within_budget is within
    assert plan.to_dict()["withinBudget"] is within


def test_reference_only_plan_is_an_estimate_without_shipping() -> None:
    plan = build_plan([(ONION, 300), (TOFU, 300)], ReferencePriceSource(), servings=2, budget=10000)
    data = plan.to_dict()
    assert data["isEstimate"] is True and data["estimatedShipping"] == 0
    assert data["optimalVendor"] == REFERENCE_VENDOR
    assert all(item["source"] == "reference" and item["isEstimate"] for item in data["items"])
    assert data["sameVendorSavings"] == 0


def test_plan_has_the_seed_shape() -> None:
    data = build_plan([(ONION, 300), (PORK, 600)], SHOP, servings=2, budget=50000).to_dict()
    for key in (
        "totalEstimatedCost",
        "optimalVendor",
        "vendorBreakdown",
        "sameVendorSavings",
        "alternatives",
        "costPerServing",
        "withinBudget",
    ):
        assert key in data
    item = data["items"][0]
    for key in (
        "ingredient",
        "neededGrams",
        "package",
        "packagePrice",
        "costOfAmountNeeded",
        "source",
        "isEstimate",
    ):
        assert key in item


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="servings"):
        build_plan([(ONION, 100)], SHOP, servings=0)
    with pytest.raises(ValueError, match="no quote"):
        build_plan([(ONION, 100)], FakeShop({}), servings=1)
