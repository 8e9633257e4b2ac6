"""The cheapest covering set of packages, checked against a brute force written here."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from aichef.knowledge.ingredients import get
from aichef.knowledge.prices import PriceQuote, ReferencePriceSource, load_reference_table
from aichef.knowledge.purchase import cheapest_cover
from aichef.knowledge.shopping import build_plan, estimate_purchase


def brute_force(sizes: list[tuple[float, int]], need: float) -> int:
    """Least money for whole packages weighing at least `need` (at least one package): every count of
    every size but one up to what alone would cover the need; the remaining size then needs exactly
    enough packages to cover what is left (more would only cost more)."""
    *others, (last_grams, last_price) = sorted(sizes, reverse=True)
    best: int | None = None
    for counts in itertools.product(*(range(math.ceil(need / grams) + 1) for grams, _ in others)):
        weight = sum(n * grams for n, (grams, _) in zip(counts, others, strict=True))
        rest = max(0, math.ceil((need - weight) / last_grams - 1e-9))
        if rest == 0 and sum(counts) == 0:
            rest = 1
        cost = sum(n * price for n, (_, price) in zip(counts, others, strict=True)) + rest * last_price
        best = cost if best is None else min(best, cost)
    assert best is not None
    return best


def quote(grams: float, price: int, vendor: str = "가게") -> PriceQuote:
    return PriceQuote("x", f"x {grams:g}g", vendor, price, grams, f"{grams:g}g", "naver", False, "2026-11-22")


NEEDS = (1, 2, 15, 60, 100, 150, 200, 250, 300, 450, 600, 850, 1000, 1200, 1600, 2100, 3100)


def test_every_reference_purchase_is_the_cheapest_covering_set() -> None:
    table = load_reference_table()
    source = ReferencePriceSource()
    checked = 0
    for key, sizes in table.sizes.items():
        if len(sizes) < 2:
            continue
        ingredient = get(key)
        quotes = source.quotes(ingredient)
        known = [(s.package_grams, s.price_krw) for s in sizes]
        for need in NEEDS:
            purchase = cheapest_cover(quotes, need)
            assert purchase.bought_grams + 1e-6 >= need
            assert purchase.cost == brute_force(known, need), (key, need)
            checked += 1
    assert checked > 1500


def test_random_shops_against_the_brute_force() -> None:
    rng = random.Random(13)
    for _ in range(400):
        grams = [50, 100, 150, 200, 300, 500, 750, 1000, 2000]
        sizes = [(float(rng.choice(grams)), rng.randint(5, 300) * 100) for _ in range(rng.randint(1, 4))]
        sizes = list({grams: (grams, price) for grams, price in sizes}.values())
        need = rng.uniform(0.5, 2500)
        purchase = cheapest_cover([quote(g, p) for g, p in sizes], need)
        assert purchase.cost == brute_force(sizes, need), (sizes, need)


def test_a_small_pack_beats_a_bulk_bag_for_a_little() -> None:
    # 300 g of pork belly: one 300 g pack, not the 1 kg box (the complaint).
    purchase = cheapest_cover(ReferencePriceSource().quotes(get("pork_belly")), 300)
    assert [(q.package_grams, n) for q, n in purchase.packs] == [(300.0, 1)]
    pear = cheapest_cover(ReferencePriceSource().quotes(get("asian_pear")), 60)
    assert pear.bought_grams < 3000


def test_used_and_left_over_add_up_to_what_was_paid() -> None:
    purchase = cheapest_cover([quote(500, 2000), quote(200, 1000)], 650)
    assert purchase.cost == 3000 and purchase.bought_grams == 700
    assert purchase.leftover_grams == pytest.approx(50)
    assert purchase.value_used + purchase.value_left == purchase.cost
    assert purchase.value_used == round(3000 * 650 / 700)


def test_a_tiny_need_still_buys_one_package() -> None:
    purchase = cheapest_cover([quote(500, 2000), quote(100, 900)], 1e-9)
    assert purchase.count == 1 and purchase.cost == 900


def test_the_plan_buys_each_shops_cheapest_set_and_estimate_purchase_agrees() -> None:
    lines = [
        (get(key), grams) for key, grams in [("pork_belly", 850), ("onion", 50), ("egg", 200), ("tofu", 450)]
    ]
    plan = build_plan(lines, ReferencePriceSource(), servings=2)
    table = load_reference_table()
    for item in plan.items:
        known = [(s.package_grams, s.price_krw) for s in table.sizes[item.ingredient_key]]
        assert item.purchase_cost == brute_force(known, item.needed_grams)
    assert estimate_purchase(lines, frozenset()) == plan.total_estimated_cost
