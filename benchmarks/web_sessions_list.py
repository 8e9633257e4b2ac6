"""`GET /api/sessions` with 50,000 stored sessions: one browser's list reads a bounded number of items.

Run: .venv/bin/python benchmarks/web_sessions_list.py [--sessions 50000] [--owners 500] [--calls 300]
Fills a kitchen's folder (in a temporary directory) with ``--sessions`` session items spread over
``--owners`` browsers, each with its owner-index entry as the kitchen writes them, then times
``--calls`` listings (limit 20 and 100) of one browser through the whole app (in process, httpx's
ASGI transport: no sockets), and one listing without the browser header. Goal (issue: session
listing that stays fast): p99 under 10 ms with 50,000 sessions.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from aichef.service import Kitchen
from aichef.sessions import owner_hash
from aichef.tables import owners_table, sessions_table
from aichef.web import create_app


def fill(kitchen: Kitchen, sessions: int, owners: int) -> None:
    start = datetime(2026, 12, 1, tzinfo=UTC)
    expires = int(time.time()) + 8 * 86400
    batch = 5000
    for first in range(0, sessions, batch):
        with kitchen.store.transaction():
            for n in range(first, min(first + batch, sessions)):
                created = (
                    (start + timedelta(seconds=n)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
                )
                owner = owner_hash(f"browser-{n % owners:06d}-benchmark")
                session_id = f"{n:032x}"
                sessions_table().put_item(
                    Item={
                        "sessionId": session_id,
                        "status": "completed",
                        "phase": "finished",
                        "progress": 100,
                        "createdAt": created,
                        "updatedAt": created,
                        "target": "diet",
                        "language": "ko",
                        "owner": owner,
                        "expiresAt": expires,
                    }
                )
                owners_table().put_item(
                    Item={
                        "owner": owner,
                        "recent": f"{created}#{session_id}",
                        "sessionId": session_id,
                        "expiresAt": expires,
                    }
                )


async def measure(kitchen: Kitchen, calls: int, limit: int) -> tuple[list[float], float]:
    transport = httpx.ASGITransport(app=create_app(kitchen))
    headers = {"X-AIChef-Client": "browser-000007-benchmark"}
    times: list[float] = []
    cpu = time.process_time()
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
        for _ in range(calls):
            started = time.perf_counter()
            response = await http.get("/api/sessions", params={"limit": limit}, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200 and len(response.json()["sessions"]) == limit
        cpu = (time.process_time() - cpu) * 1000 / calls
        started = time.perf_counter()
        empty = await http.get("/api/sessions")
        assert empty.json() == {"sessions": []}
        print(f"  without the header: {(time.perf_counter() - started) * 1000:.2f} ms, empty list")
    return times, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=50000)
    parser.add_argument("--owners", type=int, default=500)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()

    async def run() -> int:
        with tempfile.TemporaryDirectory() as folder:
            kitchen = Kitchen(Path(folder))
            try:
                started = time.perf_counter()
                fill(kitchen, args.sessions, args.owners)
                took = time.perf_counter() - started
                print(f"{args.sessions} sessions of {args.owners} browsers stored in {took:.1f} s")
                worst = 0.0
                for limit in (20, 100):
                    measured, cpu = await measure(kitchen, args.calls, limit)
                    times = sorted(measured)
                    p50, p99 = statistics.median(times), times[int(len(times) * 0.99) - 1]
                    worst = max(worst, p99) if limit == 20 else worst
                    print(
                        f"GET /api/sessions?limit={limit}: p50 {p50:.2f} ms, p99 {p99:.2f} ms, "
                        f"max {times[-1]:.2f} ms; CPU {cpu:.2f} ms a call (steadier on a shared machine)"
                    )
                print("goal (limit 20, p99 < 10 ms):", "met" if worst < 10 else "NOT met")
                return 0 if worst < 10 else 1
            finally:
                await kitchen.close()

    return asyncio.run(run())


if __name__ == "__main__":
    raise SystemExit(main())
