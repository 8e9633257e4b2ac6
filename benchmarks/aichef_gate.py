"""Speed of the last safety gate (``aichef.knowledge.gate.inspect``), one process.

Run: .venv/bin/python benchmarks/aichef_gate.py
  1. building the word vocabulary (every food name and allergen word as one trie pattern): once
     per process, on the first call;
  2. one inspect of a served recipe whose texts were never seen (cold text cache), and again with
     the texts already scanned (warm: the generator checks the same library steps for many
     profiles), over every library recipe adapted for a profile with three allergies.
"""

from __future__ import annotations

import platform
import statistics
import time

from aichef.knowledge import gate
from aichef.knowledge.generator import GeneratedRecipe, adapt_recipe
from aichef.knowledge.recipes import load_library
from aichef.models import Profile


def main() -> None:
    print(f"python {platform.python_version()} on {platform.machine()} ({platform.system()})")
    profile = Profile(target="diet", allergies=["대두", "밀", "새우"])
    served = []
    for recipe in load_library():
        result = adapt_recipe(recipe, profile)
        if isinstance(result, GeneratedRecipe):
            served.append((result.recipe, [(line.ingredient, line.grams) for line in result.lines]))
    start = time.perf_counter()
    gate._vocabulary()
    print(f"vocabulary: {(time.perf_counter() - start) * 1000:.0f} ms (once per process)")
    for label in ("cold texts", "warm texts"):
        if label == "cold texts":
            gate._mentions.cache_clear()
        samples = []
        for recipe, lines in served:
            start = time.perf_counter()
            gate.inspect(recipe, lines, profile)
            samples.append((time.perf_counter() - start) * 1e6)
        samples.sort()
        p99 = samples[int(len(samples) * 0.99) - 1]
        print(
            f"inspect, {label}: median {statistics.median(samples):.0f} us, p99 {p99:.0f} us "
            f"over {len(samples)} served recipes"
        )


if __name__ == "__main__":
    main()
