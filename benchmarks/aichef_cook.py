"""End-to-end cooking speed, offline providers, one process.

Run: .venv/bin/python benchmarks/aichef_cook.py [--repeat 1]
  1. latency of one cook (start a session, wait for completed): p50 and p99 over 200 sessions,
     one after another, and this process's CPU time per session over them;
  2. sessions per second with 50 in flight at once (500 sessions);
  3. the recipe handler alone (GenerateRecipe, offline generator): CPU time per call over 1,000
     calls cycling through the five profiles below.
Each figure is the best of ``--repeat`` runs (CPU time is steadier than wall time on a busy machine).
Goals (issue #5): p50 at most 30 ms; at least 100 sessions per second on one core.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
from typing import Any

PROFILES: list[dict[str, Any]] = [
    {"profile": {"target": "keto", "allergies": ["nuts"], "servings": 2}},
    {"profile": {"target": "diabetes", "servings": 2}},
    {"profile": {"target": "diet", "servings": 1}, "constraints": {"maxCalories": 600}},
    {"profile": {"target": "baby_food", "babyAgeMonths": 9, "servings": 1}},
    {"profile": {"target": "fridge", "fridgeIngredients": ["계란", "두부", "대파"], "servings": 2}},
]


async def one(kitchen: Any, body: dict[str, Any]) -> float:
    started = time.perf_counter()
    session = await kitchen.start_session(body)
    final = await kitchen.wait(session["sessionId"], timeout=60)
    assert final["status"] in ("completed", "failed"), final
    return time.perf_counter() - started


async def measure(threads: bool) -> tuple[float, float, float, float]:
    """p50 and p99 latency (s), CPU time per sequential session (s), sessions per second at 50 at once."""
    from aichef.service import Kitchen

    kitchen = Kitchen(in_memory=True, task_threads=threads)
    for body in PROFILES:  # warm the caches (ingredient table, recipe library)
        await one(kitchen, body)
    started_cpu = time.process_time()
    latencies = [await one(kitchen, PROFILES[i % 5]) for i in range(200)]
    cpu = (time.process_time() - started_cpu) / 200
    latencies.sort()
    p50, p99 = statistics.median(latencies), latencies[int(len(latencies) * 0.99) - 1]
    limit = asyncio.Semaphore(50)

    async def bounded(i: int) -> float:
        async with limit:
            return await one(kitchen, PROFILES[i % 5])

    started = time.perf_counter()
    await asyncio.gather(*(bounded(i) for i in range(500)))
    rate = 500 / (time.perf_counter() - started)
    await kitchen.close()
    return p50, p99, cpu, rate


def handler_cpu() -> float:
    """CPU seconds per call of the recipe handler, 1,000 calls over the five profiles."""
    from aichef.handlers.recipe import handler

    events = [{"request": {"sessionId": f"bench-{i}", **PROFILES[i % 5]}} for i in range(1000)]
    for event in events[:5]:  # warm the caches
        handler(event, None)
    started = time.process_time()
    for event in events:
        handler(event, None)
    return (time.process_time() - started) / len(events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; the best is shown")
    repeat = max(1, parser.parse_args().repeat)
    os.environ.setdefault("AICHEF_DATA_DIR", tempfile.mkdtemp(prefix="aichef-bench-"))
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} cores")
    for threads in (True, False):
        runs = [asyncio.run(measure(threads)) for _ in range(repeat)]
        p50, p99, cpu = (min(run[k] for run in runs) for k in range(3))
        rate = max(run[3] for run in runs)
        label = "handlers on threads" if threads else "handlers inline    "
        print(
            f"{label}: one cook p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
            f"CPU {cpu * 1000:.2f} ms a session; 50 at once: {rate:.0f} sessions/s"
        )
    per_call = min(handler_cpu() for _ in range(repeat))
    print(f"recipe handler alone: {per_call * 1e6:.0f} us CPU per call (1,000 calls over the five profiles)")


if __name__ == "__main__":
    main()
