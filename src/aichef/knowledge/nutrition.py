"""Nutrition of a recipe: totals, per serving, net carbs, each macro's share of energy, and sources.

Every figure is the row's per-100 g value (SR28's, or a published Korean figure the row names)
times the edible grams of the line: a line weighed as purchased with bones or shell (a whole
chicken) counts only its edible share. ``sources`` keeps the ``NDB_No``, the row's source, the
edible grams and any approximation of each line so a number can be traced back.

>>> from aichef.knowledge.ingredients import get
>>> report = compute([(get("egg"), 100.0)], servings=2)
>>> report.per_serving.kcal
71.5
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypedDict

from aichef.knowledge.ingredients import Ingredient, Nutrients

__all__ = ["ENERGY_FACTORS", "NutritionReport", "Source", "compute", "energy_share"]

# kcal per gram used for the shares of energy: the general Atwater factors for protein, fat
# and available (net) carbohydrate, and 2 kcal/g for fibre (FAO 2003, Food energy: methods of
# analysis and conversion factors). Shares are of the sum of these parts, so they add to 100.
ENERGY_FACTORS: dict[str, float] = {"protein": 4.0, "fat": 9.0, "net_carbohydrate": 4.0, "fiber": 2.0}


class Source(TypedDict):
    """Where one line's figures come from."""

    key: str
    ndb_no: str
    grams: float
    edibleGrams: float
    source: str
    approximation: str | None


@dataclass(frozen=True)
class NutritionReport:
    """A recipe's nutrition. ``energy_share`` maps protein/fat/carbohydrate to percent of energy."""

    total: Nutrients
    per_serving: Nutrients
    servings: int
    net_carbs_g: float
    net_carbs_total_g: float
    energy_share: dict[str, float]
    sources: list[Source] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view, rounded for display."""
        return {
            "servings": self.servings,
            "perServing": self.per_serving.as_dict(),
            "total": self.total.as_dict(),
            "energyShare": {k: round(v, 1) for k, v in self.energy_share.items()},
            "sources": [dict(s) for s in self.sources],
        }


def energy_share(nutrients: Nutrients) -> dict[str, float]:
    """Percent of energy from protein, fat and carbohydrate (net carbs plus fibre); zeros if none."""
    parts = {
        "protein": nutrients.protein_g * ENERGY_FACTORS["protein"],
        "fat": nutrients.fat_g * ENERGY_FACTORS["fat"],
        "carbohydrate": nutrients.net_carbs_g * ENERGY_FACTORS["net_carbohydrate"]
        + min(nutrients.fiber_g, nutrients.carbohydrate_g) * ENERGY_FACTORS["fiber"],
    }
    total = sum(parts.values())
    # Under a millionth of a kcal there is nothing to share out, and with such tiny (subnormal)
    # floats a part divided by the total can come out above 100 %.
    if total < 1e-6:
        return {name: 0.0 for name in parts}
    # A share that is the whole total can come out a rounding step above 100 (x / sum([x]) in floats).
    return {name: min(100.0, 100.0 * value / total) for name, value in parts.items()}


def compute(
    lines: Iterable[tuple[Ingredient, float]], servings: int, *, with_sources: bool = True
) -> NutritionReport:
    """Add up ``(ingredient, grams)`` lines and divide by ``servings`` (at least 1).

    ``grams`` are as the recipe weighs the line; a row bought with refuse counts its edible share.
    Lines that could not be weighed are the caller's to report; they are not passed here.
    ``with_sources=False`` leaves ``sources`` empty: the generator weighs dozens of candidates
    and shows the sources of one.
    """
    if servings < 1:
        raise ValueError(f"servings must be at least 1, got {servings}")
    # Summed field by field in plain floats (same order of additions as Nutrients.__add__):
    # the generator runs this for every candidate recipe it considers.
    kcal = protein = fat = carbohydrate = fiber = sugar = sodium = 0.0
    sources: list[Source] = []
    for ingredient, grams in lines:
        if grams < 0:
            raise ValueError(f"grams for {ingredient.key} must not be negative, got {grams}")
        row, factor = ingredient.per_100g, grams * ingredient.edible_share / 100.0
        kcal += row.kcal * factor
        protein += row.protein_g * factor
        fat += row.fat_g * factor
        carbohydrate += row.carbohydrate_g * factor
        fiber += row.fiber_g * factor
        sugar += row.sugar_g * factor
        sodium += row.sodium_mg * factor
        if with_sources:
            sources.append(
                Source(
                    key=ingredient.key,
                    ndb_no=ingredient.ndb_no,
                    grams=round(grams, 2),
                    edibleGrams=round(grams * ingredient.edible_share, 2),
                    source=ingredient.source,
                    approximation=ingredient.approximation,
                )
            )
    total = Nutrients(kcal, protein, fat, carbohydrate, fiber, sugar, sodium)
    per_serving = total.scaled(1.0 / servings)
    return NutritionReport(
        total=total,
        per_serving=per_serving,
        servings=servings,
        net_carbs_g=per_serving.net_carbs_g,
        net_carbs_total_g=total.net_carbs_g,
        energy_share=energy_share(per_serving),
        sources=sources,
    )
