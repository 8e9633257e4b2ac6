"""Speed of the ingredient table, amount parsing and nutrition. Prints figures.

Run: .venv/bin/python benchmarks/aichef_ingredients.py
Measures, in one process:
  1. loading data/ingredients.json into the table (milliseconds, cold, once);
  2. ingredients.lookup on Korean/English names and aliases, hits and misses (microseconds per call);
  3. units.parse_amount on typical amounts (microseconds per call);
  4. units.weigh on written recipe lines (microseconds per line);
  5. nutrition.compute on a 10-line recipe (microseconds per recipe).
"""

from __future__ import annotations

import platform
import statistics
import time
from collections.abc import Callable

from aichef.knowledge import ingredients, nutrition, units

NAMES = [
    "대파",
    "green onion",
    "다진 마늘",
    "계란",
    "SOY SAUCE",
    "냉동 새우",
    "onion, chopped",
    "유니콘",
    "밥",
    "고춧가루",
]
AMOUNTS = ["2", "1/2", "1½", "200g", "1컵", "약간", "1과 1/2컵", "2~3개", "3 Tbsp", "1,000g"]
LINES = [
    ("양파", "1/2개"),
    ("간장", "2큰술"),
    ("달걀", "2개"),
    ("두부", "반 모"),
    ("소금", "약간"),
    ("설탕", "1 tsp"),
]
RECIPE = [
    ("pork_belly", 300.0), ("napa_cabbage", 200.0), ("onion", 100.0), ("green_onion", 30.0), ("garlic", 10.0),
    ("gochugaru", 5.0), ("soy_sauce", 15.0), ("sesame_oil", 5.0), ("sugar", 3.0), ("tofu", 150.0),
]  # fmt: skip


def per_call_us(fn: Callable[[], object], calls: int, repeats: int = 5) -> tuple[float, float]:
    """Median and spread (min..max as +-half range) of microseconds per call over ``repeats`` runs."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(samples), (max(samples) - min(samples)) / 2


def main() -> None:
    print(f"python {platform.python_version()} on {platform.machine()} ({platform.system()})")
    start = time.perf_counter()
    table = ingredients.all_ingredients()
    print(
        f"load table: {(time.perf_counter() - start) * 1000:.1f} ms for {len(table)} ingredients (cold, once)"
    )

    median, spread = per_call_us(lambda: [ingredients.lookup(n) for n in NAMES], 2000)
    print(f"lookup: {median / len(NAMES):.2f} us per name (+-{spread / len(NAMES):.2f})")

    median, spread = per_call_us(lambda: [units.parse_amount(a) for a in AMOUNTS], 1000)
    print(f"parse_amount: {median / len(AMOUNTS):.2f} us per amount (+-{spread / len(AMOUNTS):.2f})")

    median, spread = per_call_us(lambda: [units.weigh(name, amount) for name, amount in LINES], 1000)
    print(f"weigh: {median / len(LINES):.2f} us per line (+-{spread / len(LINES):.2f})")

    lines = [(ingredients.get(key), grams) for key, grams in RECIPE]
    median, spread = per_call_us(lambda: nutrition.compute(lines, 2), 2000)
    print(f"nutrition.compute: {median:.2f} us per 10-line recipe (+-{spread:.2f})")


if __name__ == "__main__":
    main()
