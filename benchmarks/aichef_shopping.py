"""The shopping plan's cost per session: pricing a served recipe's lines and writing its summary.

Run: .venv/bin/python benchmarks/aichef_shopping.py [--repeat 3]
  1. build_plan over the reference table (every size, cheapest covering set per item) plus
     to_dict (which writes the purchase summary): CPU per plan over the five profiles' recipes;
  2. estimate_purchase (the figure a dish search can ask for every candidate): CPU per call.
Each figure is the best of ``--repeat`` runs. Recipes come from the offline generator once, outside
the timing. Compare with benchmarks/aichef_cook.py, whose sessions include this work.
"""

from __future__ import annotations

import argparse
import platform
import time

from aichef.knowledge.generator import GeneratedRecipe, generate
from aichef.knowledge.ingredients import Ingredient
from aichef.knowledge.pantry import on_hand
from aichef.knowledge.prices import ReferencePriceSource
from aichef.knowledge.shopping import build_plan, estimate_purchase
from aichef.models import parse_session
from aichef_cook import PROFILES

CALLS = 2000
Case = tuple[list[tuple[Ingredient, float]], frozenset[str], int]


def recipes() -> list[Case]:
    out: list[Case] = []
    for i, body in enumerate(PROFILES):
        request = parse_session({"sessionId": f"bench-{i}", **body})
        served = generate(request)
        assert isinstance(served, GeneratedRecipe), served
        lines = [(x.ingredient, x.grams) for x in served.lines]
        out.append((lines, on_hand(request.profile), request.profile.servings))
    return out


def plan_cpu(cases: list[Case]) -> float:
    source = ReferencePriceSource()
    started = time.process_time()
    for i in range(CALLS):
        lines, pantry, servings = cases[i % len(cases)]
        build_plan(lines, source, servings=servings, budget=30000, pantry=pantry).to_dict()
    return (time.process_time() - started) / CALLS


def estimate_cpu(cases: list[Case]) -> float:
    started = time.process_time()
    for i in range(CALLS):
        lines, pantry, _ = cases[i % len(cases)]
        estimate_purchase(lines, pantry)
    return (time.process_time() - started) / CALLS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is shown")
    repeat = max(1, parser.parse_args().repeat)
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    cases = recipes()
    plan_cpu(cases)  # warm the caches (tables, cover search)
    plan = min(plan_cpu(cases) for _ in range(repeat))
    estimate = min(estimate_cpu(cases) for _ in range(repeat))
    print(
        f"shopping plan + summary: {plan * 1e6:.0f} us CPU per session"
        f" ({CALLS:,} plans over the five profiles)"
    )
    print(f"estimate_purchase: {estimate * 1e6:.1f} us CPU per call")


if __name__ == "__main__":
    main()
