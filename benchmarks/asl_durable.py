"""Durable executions: STANDARD executions and history events persisted per second, beside in-memory.

Run: .venv/bin/python benchmarks/asl_durable.py [executions]
Measures, in one process and one event loop, the 5-state workflow of asl_runtime.py
(two inline Python Lambda handlers, VirtualClock), N executions started at once:
  1. in memory: StateMachine.execute (no store);
  2. EXPRESS executions through asl.Runtime (in memory, no history API);
  3. STANDARD executions through asl.Runtime on a SQLite file (WAL, group commit):
     executions/s from the first start to the last end, and history events/s written;
  4. the same on ":memory:" SQLite (the cost of the SQL without the file);
  5. resume: a new Runtime replaying N half-done executions (events replayed per second).
Goal (issue #7): >= 2,000 STANDARD executions/s and >= 20,000 events/s on one core.
"""

from __future__ import annotations

import asyncio
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from asl import ExecutionStore, Runtime, StateMachine, VirtualClock

sys.path.insert(0, str(Path(__file__).parent))
from asl_runtime import FIVE_STATES, HANDLERS


async def in_memory(count: int) -> float:
    machine = StateMachine(FIVE_STATES, HANDLERS, clock=VirtualClock(), task_threads=False)
    started = time.perf_counter()
    results = await asyncio.gather(*(machine.execute({"id": i, "n": i}) for i in range(count)))
    elapsed = time.perf_counter() - started
    assert all(r.status == "SUCCEEDED" for r in results)
    return count / elapsed


async def through_runtime(path: str, count: int, kind: str) -> tuple[float, float, int, int]:
    """(executions/s, events/s, events, flushes)."""
    store = ExecutionStore(path)
    runtime = Runtime(store, handlers=HANDLERS, clock=VirtualClock(), task_threads=False)
    arn = runtime.create_state_machine("Bench", FIVE_STATES, type=kind)["stateMachineArn"]
    flushes_before = store.flushes
    started = time.perf_counter()
    runs = await asyncio.gather(
        *(runtime.start_execution(arn, {"id": i, "n": i}, name=f"b{i}") for i in range(count))
    )
    results = [await runtime.wait(run["executionArn"]) for run in runs]
    store.flush()
    elapsed = time.perf_counter() - started
    assert all(r["status"] == "SUCCEEDED" for r in results), results[0]
    events = 0
    if kind == "STANDARD":
        events = store._db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    flushes = store.flushes - flushes_before
    await runtime.close()
    return count / elapsed, events / elapsed, events, flushes


async def resume_speed(folder: Path, count: int) -> tuple[float, float]:
    """Start executions whose second task never returns, 'crash', and time the resume."""
    path = str(folder / "resume.sqlite")

    async def never(event: Any, context: Any) -> Any:
        await asyncio.Event().wait()

    first = Runtime(
        ExecutionStore(path), handlers={"double": HANDLERS["double"], "label": never}, clock=VirtualClock()
    )
    arn = first.create_state_machine("Bench", FIVE_STATES)["stateMachineArn"]
    await asyncio.gather(*(first.start_execution(arn, {"id": i, "n": i}, name=f"r{i}") for i in range(count)))
    await asyncio.sleep(0.2)
    await first.close()
    second = Runtime(ExecutionStore(path), handlers=HANDLERS, clock=VirtualClock(), task_threads=False)
    second.create_state_machine("Bench", FIVE_STATES)
    started = time.perf_counter()
    resumed = await second.resume()
    elapsed = time.perf_counter() - started
    events = second.store._db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    for execution in resumed:
        assert (await second.wait(execution))["status"] == "SUCCEEDED"
    await second.close()
    return len(resumed) / elapsed, events / elapsed


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    print(
        f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}"
    )
    print(f"{count} executions of the 5-state workflow started at once, handlers inline, one event loop")
    asyncio.run(in_memory(200))  # warm up
    print(f"  in memory (StateMachine.execute)     : {asyncio.run(in_memory(count)):8.0f} exec/s")
    rate, _, _, _ = asyncio.run(through_runtime(":memory:", count, "EXPRESS"))
    print(f"  EXPRESS through Runtime (in memory)  : {rate:8.0f} exec/s")
    with tempfile.TemporaryDirectory() as folder:
        for label, path in (
            ("SQLite file (WAL)", str(Path(folder) / "bench.sqlite")),
            ("SQLite :memory:", ":memory:"),
        ):
            rate, events_rate, events, flushes = asyncio.run(through_runtime(path, count, "STANDARD"))
            print(
                f"  STANDARD, {label:<18}        : {rate:8.0f} exec/s, {events_rate:8.0f} events/s "
                f"({events} events in {flushes} transactions)"
            )
        resumed, replayed = asyncio.run(resume_speed(Path(folder), min(count, 1000)))
        print(
            f"  resume after a crash (replay)        : {resumed:8.0f} exec/s, "
            f"{replayed:8.0f} events/s replayed"
        )


if __name__ == "__main__":
    main()
