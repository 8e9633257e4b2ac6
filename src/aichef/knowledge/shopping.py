"""The costed shopping plan: cheapest package per ingredient, grouped by vendor, against a budget."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from aichef.knowledge.purchase import Purchase, cheapest_cover, cover_counts

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
    """One ingredient to buy: the cheapest covering packages and what the recipe uses of them."""

    ingredient_key: str
    name: str
    needed_grams: float
    purchase: Purchase
    alternatives: tuple[Purchase, ...]

    @property
    def quote(self) -> PriceQuote:
        """The largest package bought: names the product and vendor in one line."""
        return self.purchase.main

    @property
    def packages(self) -> int:
        return self.purchase.count

    @property
    def purchase_cost(self) -> int:
        return self.purchase.cost

    @property
    def cost_of_needed(self) -> int:
        return self.purchase.value_used

    def to_dict(self) -> dict[str, Any]:
        purchase = self.purchase
        return {
            "ingredient": self.name,
            "ingredientKey": self.ingredient_key,
            "neededGrams": round(self.needed_grams, 1),
            **_purchase_dict(purchase),
            "packages": purchase.count,
            "costOfAmountNeeded": purchase.value_used,
            "alternatives": [_purchase_dict(p) for p in self.alternatives],
        }


def _purchase_dict(purchase: Purchase) -> dict[str, Any]:
    quote = purchase.main
    return {
        "product": quote.product_name,
        "vendor": quote.vendor,
        "package": " + ".join(
            q.package_label if n == 1 else f"{q.package_label} × {n}" for q, n in purchase.packs
        ),
        "packageGrams": round(quote.package_grams, 1),
        "packagePrice": quote.price_krw,
        "packs": [
            {
                "product": q.product_name,
                "package": q.package_label,
                "packageGrams": round(q.package_grams, 1),
                "packagePrice": q.price_krw,
                "count": n,
                "link": q.link,
            }
            for q, n in purchase.packs
        ],
        "purchaseCost": purchase.cost,
        "boughtGrams": round(purchase.bought_grams, 1),
        "leftoverGrams": round(purchase.leftover_grams, 1),
        "valueUsed": purchase.value_used,
        "valueLeftover": purchase.value_left,
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
    owned_names: tuple[str, ...] = ()
    assumed: tuple[str, ...] = ()  # names of pantry items the recipe uses, not bought
    language: str = "ko"

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

    @property
    def value_left(self) -> int:
        return sum(item.purchase.value_left for item in self.items)

    def to_dict(self) -> dict[str, Any]:
        from aichef.knowledge.summary import purchase_summary

        data = {
            "currency": "KRW",
            "items": [item.to_dict() for item in self.items],
            "alreadyOwned": list(self.owned_names or self.owned),
            "assumedInPantry": list(self.assumed),
            "leftovers": [
                {
                    "ingredient": item.name,
                    "ingredientKey": item.ingredient_key,
                    "leftoverGrams": round(item.purchase.leftover_grams, 1),
                    "valueLeftover": item.purchase.value_left,
                }
                for item in self.items
                if item.purchase.leftover_grams >= 0.5
            ],
            "valueLeftover": self.value_left,
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
            "bestTotal": self.best_total,
            "isEstimate": self.is_estimate,
        }
        data["summary"] = purchase_summary(data, self.language)
        return data


def _merge(lines: Iterable[tuple[Ingredient, float]]) -> list[tuple[Ingredient, float]]:
    grams: dict[str, float] = {}
    by_key: dict[str, Ingredient] = {}
    for ingredient, amount in lines:
        if amount > 0:
            by_key.setdefault(ingredient.key, ingredient)
            grams[ingredient.key] = grams.get(ingredient.key, 0.0) + amount
    return [(by_key[key], total) for key, total in grams.items()]


def _cheapest(quotes: Sequence[PriceQuote], grams: float) -> list[Purchase]:
    """Each vendor's cheapest covering set of its own packages (one parcel per shop), cheapest first."""
    by_vendor: dict[str, list[PriceQuote]] = {}
    for quote in quotes:
        by_vendor.setdefault(quote.vendor, []).append(quote)
    purchases = [cheapest_cover(offers, grams) for offers in by_vendor.values()]
    return sorted(purchases, key=lambda p: (p.cost, p.cost / p.bought_grams, p.main.vendor))


def _vendor_option(
    vendor: str, needs: Sequence[tuple[str, float, list[Purchase]]], shipping_fee: int
) -> VendorOption:
    covered: list[str] = []
    goods = 0
    shipped_from: set[str] = set()
    for key, _grams, ranked in needs:
        here = [p for p in ranked if p.main.vendor == vendor]
        chosen = here[0] if here else ranked[0]
        if here:
            covered.append(key)
        goods += chosen.cost
        if chosen.main.source == "naver":
            shipped_from.add(chosen.main.vendor)
    shipping = shipping_fee * len(shipped_from)
    return VendorOption(vendor, tuple(covered), goods, shipping)


def build_plan(
    lines: Iterable[tuple[Ingredient, float]],
    source: PriceSource,
    *,
    servings: int,
    budget: int | None = None,
    owned: frozenset[str] = frozenset(),
    pantry: frozenset[str] = frozenset(),
    also_assumed: Iterable[Ingredient] = (),
    also_owned: Iterable[Ingredient] = (),
    language: str = "ko",
    shipping_fee: int = DEFAULT_SHIPPING_KRW,
    max_alternatives: int = 3,
) -> ShoppingPlan:
    """Price every ingredient (grams for the whole recipe) not owned and not in the pantry, and
    assemble the plan: per ingredient the cheapest covering set of packages one shop sells.

    `owned` holds keys the cook already has (fridge items), listed under `alreadyOwned`; `pantry`
    the keys assumed at home (see :mod:`aichef.knowledge.pantry`), listed under `assumedInPantry`
    together with `also_assumed` (pantry items the recipe uses that the caller left out already;
    `also_owned` likewise for owned items).
    Neither is bought; water never is.
    """
    if servings < 1:
        raise ValueError(f"servings must be at least 1, got {servings}")

    def name_of(ingredient: Ingredient) -> str:
        return ingredient.name_ko if language == "ko" else ingredient.name_en

    items: list[ShoppingItem] = []
    skipped: list[Ingredient] = []
    assumed: dict[str, str] = {}
    needs: list[tuple[str, float, list[Purchase]]] = []
    for ingredient, grams in _merge(lines):
        if ingredient.key == "water":
            continue
        if ingredient.key in owned:
            skipped.append(ingredient)
            continue
        if ingredient.key in pantry:
            assumed.setdefault(ingredient.key, name_of(ingredient))
            continue
        ranked = _cheapest(source.quotes(ingredient), grams)
        if not ranked:  # a PriceSource must never do this; fail loudly rather than price at zero
            raise ValueError(f"price source {source.name!r} returned no quote for {ingredient.key!r}")
        needs.append((ingredient.key, grams, ranked))
        items.append(
            ShoppingItem(
                ingredient.key, name_of(ingredient), grams, ranked[0], tuple(ranked[1 : 1 + max_alternatives])
            )
        )
    for ingredient in also_assumed:
        assumed.setdefault(ingredient.key, name_of(ingredient))
    skipped += [i for i in also_owned if i.key not in {s.key for s in skipped}]
    # Online malls compete for consolidation; with no live listing at all, the reference table is the shop.
    vendors = {p.main.vendor for _, _, ranked in needs for p in ranked if p.main.source == "naver"} or {
        p.main.vendor for _, _, ranked in needs for p in ranked
    }
    options = sorted(
        (_vendor_option(vendor, needs, shipping_fee) for vendor in vendors),
        key=lambda o: (o.total, -len(o.covered), o.vendor),
    )
    return ShoppingPlan(
        items=tuple(items),
        owned=tuple(i.key for i in skipped),
        servings=servings,
        budget=budget,
        shipping_fee=shipping_fee,
        optimal=options[0] if options else None,
        alternatives=tuple(options[1 : 1 + max_alternatives]),
        owned_names=tuple(name_of(i) for i in skipped),
        assumed=tuple(assumed.values()),
        language=language,
    )


@lru_cache(maxsize=4096)
def _reference_sizes(key: str, category: str) -> tuple[tuple[float, int], ...]:
    """The reference table's sizes for an ingredient as (grams, price), largest first."""
    from aichef.knowledge.prices import load_reference_table

    table = load_reference_table()
    fallback = table.categories.get(category) or table.categories["other"]
    entries = table.sizes.get(key, (table.items.get(key, fallback),))
    return tuple(sorted(((e.package_grams, e.price_krw) for e in entries), key=lambda s: (-s[0], s[1])))


def estimate_purchase(lines: Sequence[tuple[Ingredient, float]], pantry: frozenset[str]) -> int:
    """KRW of the cheapest covering packages from the reference table for the whole recipe's lines,
    leaving out pantry items and water: what the shopper would pay at a shop, no delivery.

    The same choice as :func:`build_plan` over the reference table, without building quotes, so a
    dish search can call it for every candidate.
    """
    total = 0
    for ingredient, grams in _merge(lines):
        if ingredient.key in pantry or ingredient.key == "water":
            continue
        sizes = _reference_sizes(ingredient.key, ingredient.category)
        counts = cover_counts(sizes, grams)
        total += sum(count * price for count, (_, price) in zip(counts, sizes, strict=True))
    return total
