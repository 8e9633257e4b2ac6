"""Soak: thousands of sessions on a short retention; both store files must level off, not grow for ever.

Run: .venv/bin/python benchmarks/soak_stores.py [--rounds 8] [--sessions 250]
A durable kitchen on a temporary folder cooks ``--sessions`` offline sessions per round. After each
round it does what time would do on a long-running server, at once:
  - the executions store purges every closed execution (``AICHEF_EXECUTION_RETENTION_DAYS=0``),
    which gives the space back to the file system;
  - the tables store's clock is moved past the results' and sessions' TTL (7 and 8 days) for the
    TTL sweep, so every item of the round expires, and the sweep gives the space back too.
It prints the two files' sizes (with their write-ahead logs) per round. Without the purges, each
session adds about 100 KB to executions.sqlite and a few KB to tables.sqlite, for ever.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

from aichef_cook import PROFILES, one

_TEN_DAYS = 10 * 86400.0


def _size(path: Path) -> int:
    wal = Path(f"{path}-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


async def soak(folder: Path, rounds: int, sessions: int) -> list[tuple[int, int, int]]:
    from aichef.service import Kitchen

    kitchen = Kitchen(folder, task_threads=False)
    sizes: list[tuple[int, int, int]] = []
    limit = asyncio.Semaphore(20)

    async def bounded(i: int) -> float:
        async with limit:
            return await one(kitchen, PROFILES[i % len(PROFILES)])

    store: Any = kitchen.store
    real_clock = store.clock
    for number in range(1, rounds + 1):
        await asyncio.gather(*(bounded(i) for i in range(sessions)))
        kitchen.purge_executions()
        # Ten days pass for the TTL sweep only; the kitchen reads its tables on the real clock again.
        store.clock = lambda: real_clock() + _TEN_DAYS
        store.purge_expired()
        store.clock = real_clock
        files = _size(folder / "executions.sqlite"), _size(folder / "tables.sqlite")
        sizes.append((number * sessions, *files))
    await kitchen.close()
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--sessions", type=int, default=250)
    args = parser.parse_args()
    os.environ["AICHEF_EXECUTION_RETENTION_DAYS"] = "0"
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        sizes = asyncio.run(soak(Path(folder), args.rounds, args.sessions))
        print(f"{args.rounds * args.sessions} sessions in {time.perf_counter() - started:.1f} s")
    print(f"{'sessions':>9} {'executions.sqlite':>18} {'tables.sqlite':>14}")
    for done, executions, tables in sizes:
        print(f"{done:>9} {executions / 1024:>15.0f} KB {tables / 1024:>11.0f} KB")


if __name__ == "__main__":
    main()
