"""Speed of the diet rules, the offline shopping plan and package-size parsing. Prints figures.

Run: .venv/bin/python benchmarks/aichef_rules_and_prices.py
Measures, in one process with the shipped tables already loaded:
  1. diets.check on a 10-ingredient recipe for each target (microseconds per check);
  2. shopping.build_plan with reference prices for the same recipe (microseconds per plan);
  3. packages.parse_package on typical Naver titles (microseconds per title).
"""

from __future__ import annotations

import platform
import statistics
import time
from collections.abc import Callable

from aichef.knowledge import diets, nutrition, packages, shopping
from aichef.knowledge.ingredients import get
from aichef.knowledge.prices import ReferencePriceSource
from aichef.models import Constraints, Profile

RECIPE = [
    ("pork_belly", 300),
    ("napa_cabbage", 200),
    ("onion", 100),
    ("green_onion", 30),
    ("garlic", 10),
    ("gochugaru", 5),
    ("soy_sauce", 15),
    ("sesame_oil", 5),
    ("sugar", 3),
    ("tofu", 150),
]
TITLES = [
    "국산 <b>양파</b> 3kg 특품",
    "찌개두부 300g x 3개",
    "특란 30구 1+1",
    "서울우유 1L",
    "사과 5kg (1과 250g) 16-20과",
    "<b>대파</b> 1단 산지직송",
    "총 1.2kg (300g x 4)",
    "맛있는 감자",
]


def per_call_us(func: Callable[[], object], repeat: int = 5, number: int = 2000) -> tuple[float, float]:
    """Median and best microseconds per call over `repeat` rounds of `number` calls."""
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            func()
        rounds.append((time.perf_counter() - start) / number * 1e6)
    return statistics.median(rounds), min(rounds)


def main() -> None:
    lines = [(get(key), grams) for key, grams in RECIPE]
    report = nutrition.compute(lines, 2)
    constraints = Constraints(maxCalories=700, maxCookingTime=40)
    profiles = {
        "keto": Profile(target="keto", servings=2, healthConditions=["hypertension"]),
        "diabetes": Profile(target="diabetes", servings=2),
        "baby_food": Profile(target="baby_food", babyAgeMonths=9, servings=2),
        "diet": Profile(target="diet", servings=2),
        "fridge": Profile(target="fridge", fridgeIngredients=["양파", "두부", "배추"], servings=2),
    }
    print(f"python {platform.python_version()} on {platform.machine()}")
    for target, profile in profiles.items():
        median, best = per_call_us(
            lambda p=profile: diets.check(
                p, lines, report, 30, constraints=constraints, texture="soft_chunks"
            )
        )
        print(f"diets.check {target:<10} median {median:7.1f} us  best {best:7.1f} us")
    source = ReferencePriceSource()
    median, best = per_call_us(
        lambda: shopping.build_plan(lines, source, servings=2, budget=30000), number=500
    )
    print(f"shopping.build_plan (reference, 10 items) median {median:7.1f} us  best {best:7.1f} us")
    median, best = per_call_us(lambda: [packages.parse_package(t) for t in TITLES], number=1000)
    print(f"parse_package per title median {median / len(TITLES):7.2f} us  best {best / len(TITLES):7.2f} us")


if __name__ == "__main__":
    main()
