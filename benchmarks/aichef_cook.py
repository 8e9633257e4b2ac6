"""End-to-end cooking speed, offline providers, one process.

Run: .venv/bin/python benchmarks/aichef_cook.py
  1. latency of one cook (start a session, wait for COMPLETED): p50 and p99 over 200 sessions,
     one after another;
  2. sessions per second with 50 in flight at once (500 sessions).
Goals (issue #5): p50 at most 30 ms; at least 100 sessions per second on one core.
"""

from __future__ import annotations

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
    assert final["status"] in ("COMPLETED", "FAILED"), final
    return time.perf_counter() - started


async def measure(threads: bool) -> tuple[float, float, float]:
    from aichef.service import Kitchen

    kitchen = Kitchen(in_memory=True, task_threads=threads)
    for body in PROFILES:  # warm the caches (ingredient table, recipe library)
        await one(kitchen, body)
    latencies = [await one(kitchen, PROFILES[i % 5]) for i in range(200)]
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
    return p50, p99, rate


def main() -> None:
    os.environ.setdefault("AICHEF_DATA_DIR", tempfile.mkdtemp(prefix="aichef-bench-"))
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} cores")
    for threads in (True, False):
        p50, p99, rate = asyncio.run(measure(threads))
        label = "handlers on threads" if threads else "handlers inline    "
        print(
            f"{label}: one cook p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms; "
            f"50 at once: {rate:.0f} sessions/s"
        )


if __name__ == "__main__":
    main()
