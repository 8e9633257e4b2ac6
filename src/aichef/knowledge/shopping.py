"""The costed shopping plan: cheapest package per ingredient, grouped by vendor, against a budget."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aichef.knowledge.ingredients import Ingredient
    from aichef.knowledge.prices import PriceQuote, PriceSource

__all__ = [
    "DEFAULT_SHIPPING_KRW",
    "ShoppingItem",
    "ShoppingPlan",
    "VendorOption",
    "build_plan",
    "estimate_purchase",
]

# Typical Korean online grocery delivery fee per order, an assumption stated in every plan;
# reference (offline) prices are a shop visit and carry none.
DEFAULT_SHIPPING_KRW = 3000


@dataclass(frozen=True)
class ShoppingItem:
    """One ingredient to buy: the chosen quote and what it costs for the amount needed."""

    ingredient_key: str
    name: str
    needed_grams: float
    quote: PriceQuote
    alternatives: tuple[PriceQuote, ...]

    @property
    def packages(self) -> int:
        return self.quote.packages_for(self.needed_grams)

    @property
    def purchase_cost(self) -> int:
        return self.quote.purchase_cost(self.needed_grams)

    @property
    def cost_of_needed(self) -> int:
        return self.quote.cost_of(self.needed_grams)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ingredient": self.name,
            "ingredientKey": self.ingredient_key,
            "neededGrams": round(self.needed_grams, 1),
            **_quote_dict(self.quote, self.needed_grams),
            "packages": self.packages,
            "purchaseCost": self.purchase_cost,
            "costOfAmountNeeded": self.cost_of_needed,
            "alternatives": [_quote_dict(q, self.needed_grams) for q in self.alternatives],
        }


def _quote_dict(quote: PriceQuote, grams: float) -> dict[str, Any]:
    return {
        "product": quote.product_name,
        "vendor": quote.vendor,
        "package": quote.package_label,
        "packageGrams": round(quote.package_grams, 1),
        "packagePrice": quote.price_krw,
        "purchaseCost": quote.purchase_cost(grams),
        "source": quote.source,
        "isEstimate": quote.is_estimate,
        "asOf": quote.as_of,
        "link": quote.link,
        "note": quote.note,
    }


@dataclass(frozen=True)
class VendorOption:
    """Buying everything a vendor carries there, the rest at the cheapest other vendors."""

    vendor: str
    covered: tuple[str, ...]  # ingredient keys bought at this vendor
    goods_cost: int
    shipping: int

    @property
    def total(self) -> int:
        return self.goods_cost + self.shipping

    def to_dict(self) -> dict[str, Any]:
        return {
            "vendor": self.vendor,
            "itemsCovered": len(self.covered),
            "ingredients": list(self.covered),
            "goodsCost": self.goods_cost,
            "shipping": self.shipping,
            "totalCost": self.total,
        }


@dataclass(frozen=True)
class ShoppingPlan:
    """The plan in the seeds' shape (see `to_dict`); all money in KRW."""

    items: tuple[ShoppingItem, ...]
    owned: tuple[str, ...]
    servings: int
    budget: int | None
    shipping_fee: int
    optimal: VendorOption | None
    alternatives: tuple[VendorOption, ...]

    @property
    def total_estimated_cost(self) -> int:
        """Whole packages, cheapest product per ingredient, goods only."""
        return sum(item.purchase_cost for item in self.items)

    @property
    def shipping(self) -> int:
        return self.shipping_fee * len({i.quote.vendor for i in self.items if i.quote.source == "naver"})

    @property
    def cost_of_amounts_used(self) -> int:
        return sum(item.cost_of_needed for item in self.items)

    @property
    def cost_per_serving(self) -> int:
        return round(self.cost_of_amounts_used / self.servings)

    @property
    def same_vendor_savings(self) -> int:
        """What consolidating at the optimal vendor saves against the mixed plan (never negative)."""
        if self.optimal is None:
            return 0
        return max(0, self.total_estimated_cost + self.shipping - self.optimal.total)

    @property
    def best_total(self) -> int:
        mixed = self.total_estimated_cost + self.shipping
        return mixed if self.optimal is None else min(mixed, self.optimal.total)

    @property
    def within_budget(self) -> bool | None:
        return None if self.budget is None else self.best_total <= self.budget

    @property
    def is_estimate(self) -> bool:
        return any(item.quote.is_estimate for item in self.items)

    def vendor_breakdown(self) -> dict[str, dict[str, Any]]:
        groups: dict[str, dict[str, Any]] = {}
        for item in self.items:
            group = groups.setdefault(
                item.quote.vendor, {"items": [], "subtotal": 0, "source": item.quote.source}
            )
            group["items"].append(item.name)
            group["subtotal"] += item.purchase_cost
        return groups

    def to_dict(self) -> dict[str, Any]:
        return {
            "currency": "KRW",
            "items": [item.to_dict() for item in self.items],
            "alreadyOwned": list(self.owned),
            "totalEstimatedCost": self.total_estimated_cost,
            "estimatedShipping": self.shipping,
            "shippingAssumption": self.shipping_fee,
            "costOfAmountsUsed": self.cost_of_amounts_used,
            "costPerServing": self.cost_per_serving,
            "optimalVendor": None if self.optimal is None else self.optimal.vendor,
            "optimalVendorPlan": None if self.optimal is None else self.optimal.to_dict(),
            "vendorBreakdown": self.vendor_breakdown(),
            "sameVendorSavings": self.same_vendor_savings,
            "alternatives": [option.to_dict() for option in self.alternatives],
            "budget": self.budget,
            "withinBudget": self.within_budget,
            "isEstimate": self.is_estimate,
        }


def _merge(lines: Iterable[tuple[Ingredient, float]]) -> list[tuple[Ingredient, float]]:
    grams: dict[str, float] = {}
    by_key: dict[str, Ingredient] = {}
    for ingredient, amount in lines:
        if amount > 0:
            by_key.setdefault(ingredient.key, ingredient)
            grams[ingredient.key] = grams.get(ingredient.key, 0.0) + amount
    return [(by_key[key], total) for key, total in grams.items()]


def _cheapest(quotes: Sequence[PriceQuote], grams: float) -> list[PriceQuote]:
    return sorted(quotes, key=lambda q: (q.purchase_cost(grams), q.krw_per_100g, q.vendor))


def _vendor_option(
    vendor: str, needs: Sequence[tuple[str, float, list[PriceQuote]]], shipping_fee: int
) -> VendorOption:
    covered: list[str] = []
    goods = 0
    shipped_from: set[str] = set()
    for key, grams, ranked in needs:
        here = [q for q in ranked if q.vendor == vendor]
        chosen = here[0] if here else ranked[0]
        if here:
            covered.append(key)
        goods += chosen.purchase_cost(grams)
        if chosen.source == "naver":
            shipped_from.add(chosen.vendor)
    shipping = shipping_fee * len(shipped_from)
    return VendorOption(vendor, tuple(covered), goods, shipping)


def build_plan(
    lines: Iterable[tuple[Ingredient, float]],
    source: PriceSource,
    *,
    servings: int,
    budget: int | None = None,
    owned: frozenset[str] = frozenset(),
    language: str = "ko",
    shipping_fee: int = DEFAULT_SHIPPING_KRW,
    max_alternatives: int = 3,
) -> ShoppingPlan:
    """Price every ingredient (grams for the whole recipe) not in `owned` and assemble the plan.

    `owned` holds ingredient keys the cook already has (fridge items, assumed staples); they are
    listed under `alreadyOwned` and not bought.
    """
    if servings < 1:
        raise ValueError(f"servings must be at least 1, got {servings}")
    items: list[ShoppingItem] = []
    skipped: list[str] = []
    needs: list[tuple[str, float, list[PriceQuote]]] = []
    for ingredient, grams in _merge(lines):
        if ingredient.key in owned:
            skipped.append(ingredient.key)
            continue
        ranked = _cheapest(source.quotes(ingredient), grams)
        if not ranked:  # a PriceSource must never do this; fail loudly rather than price at zero
            raise ValueError(f"price source {source.name!r} returned no quote for {ingredient.key!r}")
        needs.append((ingredient.key, grams, ranked))
        name = ingredient.name_ko if language == "ko" else ingredient.name_en
        items.append(
            ShoppingItem(ingredient.key, name, grams, ranked[0], tuple(ranked[1 : 1 + max_alternatives]))
        )
    # Online malls compete for consolidation; with no live listing at all, the reference table is the shop.
    vendors = {q.vendor for _, _, ranked in needs for q in ranked if q.source == "naver"} or {
        q.vendor for _, _, ranked in needs for q in ranked
    }
    options = sorted(
        (_vendor_option(vendor, needs, shipping_fee) for vendor in vendors),
        key=lambda o: (o.total, -len(o.covered), o.vendor),
    )
    return ShoppingPlan(
        items=tuple(items),
        owned=tuple(skipped),
        servings=servings,
        budget=budget,
        shipping_fee=shipping_fee,
        optimal=options[0] if options else None,
        alternatives=tuple(options[1 : 1 + max_alternatives]),
    )


def estimate_purchase(lines: Sequence[tuple[Ingredient, float]], pantry: frozenset[str]) -> int:
    """KRW of the cheapest covering packages from the reference table for the whole recipe's lines,
    leaving out pantry items and water (what the shopper would pay at a shop, no delivery)."""
    from aichef.knowledge.prices import ReferencePriceSource

    source = ReferencePriceSource()
    total = 0
    for ingredient, grams in _merge(lines):
        if ingredient.key in pantry or ingredient.key == "water":
            continue
        total += source.quote(ingredient).purchase_cost(grams)
    return total
