"""Live progress: Server-Sent Events in order, keep-alives while quiet, and results only when ready."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from web_support import FakeService

from aichef.web._events import follow, sse_stream

pytestmark = pytest.mark.anyio


async def read_events(response: httpx.Response, limit: int = 100) -> list[tuple[str, str]]:
    """(event name, data) pairs; comments come back as ("comment", text)."""
    events: list[tuple[str, str]] = []
    name, data = "message", ""
    async for line in response.aiter_lines():
        if line.startswith(":"):
            events.append(("comment", line[1:].strip()))
        elif line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data = line.removeprefix("data: ")
        elif line == "" and data:
            events.append((name, data))
            name, data = "message", ""
        if len(events) >= limit:
            break
    return events


async def test_stream_sends_now_then_each_change_then_end(
    fake_client: httpx.AsyncClient, fake: FakeService
) -> None:
    fake.put("s1", "processing", 10)

    async def progress() -> None:
        await asyncio.sleep(0.01)
        for status, phase, value in [
            ("processing", "recipe_generation", 10),  # same as now: must not be sent twice
            ("processing", "price_lookup", 60),
            ("processing", "combining_results", 90),
            ("completed", "finished", 100),
        ]:
            await fake.updates.put(
                {**fake.sessions["s1"], "status": status, "phase": phase, "progress": value}
            )

    # Fed before the request: httpx's ASGI transport hands the response over once the app is done.
    feeder = asyncio.create_task(progress())
    async with fake_client.stream("GET", "/api/sessions/s1/events") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [e for e in await read_events(response) if e[0] != "comment"]
    await feeder
    names = [name for name, _ in events]
    assert names == ["status", "status", "status", "status", "end"]
    statuses = [json.loads(data) for _, data in events]
    assert [s["progress"] for s in statuses[:4]] == [10, 60, 90, 100]
    assert statuses[-1]["status"] == "completed"


async def test_the_model_writing_is_sent_as_news_of_the_same_step(
    fake_client: httpx.AsyncClient, fake: FakeService
) -> None:
    fake.put("w1", "processing", 10)

    async def progress() -> None:
        await asyncio.sleep(0.01)
        now = fake.sessions["w1"]
        for update in [
            {"writing": {"pieces": 3, "at": "t1"}},
            {"writing": {"pieces": 3, "at": "t1"}},  # nothing new: not sent again
            {"writing": {"pieces": 9, "at": "t2"}},
            {"phase": "recipe_completed", "progress": 50},
            {"status": "completed", "phase": "finished", "progress": 100},
        ]:
            now = {key: value for key, value in now.items() if key != "writing"} | update
            await fake.updates.put(now)

    feeder = asyncio.create_task(progress())
    async with fake_client.stream("GET", "/api/sessions/w1/events") as response:
        events = [json.loads(data) for name, data in await read_events(response) if name == "status"]
    await feeder
    assert [(s["progress"], s.get("writing", {}).get("pieces")) for s in events] == [
        (10, None), (10, 3), (10, 9), (50, None), (100, None)
    ]  # fmt: skip


async def test_a_finished_session_streams_its_state_once_and_ends(
    fake_client: httpx.AsyncClient, fake: FakeService
) -> None:
    fake.put("done", "failed", 100, phase="finished", error={"code": "ConstraintNotMet", "message": "no fit"})
    async with fake_client.stream("GET", "/api/sessions/done/events") as response:
        events = [e for e in await read_events(response) if e[0] != "comment"]
    assert [name for name, _ in events] == ["status", "end"]
    assert json.loads(events[0][1])["error"]["message"] == "no fit"


async def test_a_quiet_stream_sends_keepalive_comments_until_the_end(fake: FakeService) -> None:
    fake.put("slow", "processing", 10)
    stream = sse_stream(fake, "slow", keepalive=0.01)
    chunks = [await anext(stream) for _ in range(4)]
    assert chunks[0] == "retry: 2000\n\n"
    assert chunks[1].startswith("event: status\n")
    assert chunks[2:] == [": keepalive\n\n", ": keepalive\n\n"]
    await fake.updates.put(
        {**fake.sessions["slow"], "status": "completed", "phase": "finished", "progress": 100}
    )
    rest = [chunk async for chunk in stream if chunk != ": keepalive\n\n"]
    assert [chunk.split("\n")[0] for chunk in rest] == ["event: status", "event: end"]
    assert json.loads(rest[-1].split("data: ")[1])["status"] == "completed"


async def test_a_lost_subscription_still_ends_with_the_final_state(fake: FakeService) -> None:
    """If subscribe() stops early, the stream reads the session once more rather than hang or lie."""
    fake.put("gone", "processing", 50)

    async def ends_at_once(session_id: str) -> AsyncIterator[dict[str, Any]]:
        fake.put(session_id, "completed", 100, phase="finished")
        return
        yield {}

    fake.subscribe = ends_at_once  # type: ignore[method-assign]
    seen = [status async for status in follow(fake, "gone", keepalive=1)]
    # subscribe() gave nothing (not even the replay): the final read is what the client hears
    assert [s["progress"] for s in seen if s is not None] == [100]


async def test_the_result_of_a_running_session_is_409_not_ready(
    fake_client: httpx.AsyncClient, fake: FakeService
) -> None:
    fake.put("busy", "processing", 60, phase="price_lookup")
    response = await fake_client.get("/api/sessions/busy/result")
    assert response.status_code == 409
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == "not_ready" and error["sessionStatus"] == "processing" and error["progress"] == 60


async def test_a_completed_session_answers_its_stored_result(
    fake_client: httpx.AsyncClient, fake: FakeService
) -> None:
    fake.put("ok", "completed", 100, phase="finished")
    fake.results["ok"] = {"sessionId": "ok", "recipe": {"recipeName": "두부조림"}}
    response = await fake_client.get("/api/sessions/ok/result")
    assert response.status_code == 200 and response.json()["recipe"]["recipeName"] == "두부조림"
    # Byte for byte the stored text, as JSON, never decoded and encoded again on the way.
    assert response.text == fake.get_result_text("ok")
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
