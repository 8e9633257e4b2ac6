"""A session survives its process being killed: the next kitchen on the folder finishes it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from aichef.service import Kitchen

# Runs in a child process: start a session whose price lookups hang, say so, then wait to be killed.
CHILD = textwrap.dedent(
    """
    import asyncio, sys, time
    import aichef.handlers as handlers
    real = handlers.local_handlers

    def hanging_price(event, context):
        print("PRICING", flush=True)
        time.sleep(3600)

    handlers.local_handlers = lambda: {**real(), "aichef-price": hanging_price}
    from aichef.service import Kitchen

    async def main():
        kitchen = Kitchen(sys.argv[1])
        await kitchen.start_session({"sessionId": "survivor", "profile": {"target": "diet", "servings": 2}})
        await asyncio.sleep(3600)

    asyncio.run(main())
    """
)


def test_a_killed_kitchen_s_session_is_finished_by_the_next_one(tmp_path: Path) -> None:
    folder = tmp_path / "kitchen"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(folder)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "AICHEF_PROVIDER": "offline"},
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().startswith("PRICING")  # the recipe is done, prices are under way
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()

    async def finish() -> tuple[dict[str, object], list[dict[str, object]], dict[str, object] | None]:
        kitchen = Kitchen(folder)
        before = kitchen.get_session("survivor")
        assert before is not None and before["status"] == "processing"
        resumed = await kitchen.resume()
        final = await kitchen.wait("survivor", timeout=60)
        history = kitchen.history("survivor")
        result = kitchen.get_result("survivor")
        await kitchen.close()
        return final, history, result if resumed else None

    final, history, result = asyncio.run(finish())
    assert final["status"] == "completed"
    assert result is not None and result["sessionId"] == "survivor"
    scheduled = [
        e["taskScheduledEventDetails"]["parameters"] for e in history if e["type"] == "TaskScheduled"
    ]
    # the recipe was generated once, before the kill; it was not generated again after it
    assert sum('"aichef-recipe"' in str(p) for p in scheduled) == 1
    ids = [e["id"] for e in history]
    assert ids == list(range(1, len(ids) + 1))


def test_warm_up_loads_the_knowledge_before_the_first_session() -> None:
    # a fresh process: in this one, other tests have loaded the tables already
    probe = textwrap.dedent(
        """
        from aichef.knowledge import ingredients, prices, recipes
        from aichef.service import Kitchen

        loaders = (ingredients._table, recipes.load_library, prices.load_reference_table)
        before = [f.cache_info().currsize for f in loaders]
        Kitchen(in_memory=True).warm_up()
        print(before, [f.cache_info().currsize for f in loaders])
        """
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["[0,", "0,", "0]", "[1,", "1,", "1]"]
