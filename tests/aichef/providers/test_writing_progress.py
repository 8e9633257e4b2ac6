"""While a model streams its recipe, the session shows how far it has written: ``writing.pieces`` on
the item grows, the steps stay 10, 50, 60, 80, 90, 100, and status/phase/progress are untouched."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from fake_llm_servers import KETO_OK, quick_backoff

from aichef import sessions
from aichef.handlers import recipe as recipe_handler
from aichef.providers import ModelProvider
from aichef.providers.openai_compat import HttpReply, OpenAIChat, OpenAISettings
from aichef.tables import sessions_table, use_store


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Data in tmp, local tables, reference prices; the process's table store forgotten after."""
    for name in ("AICHEF_BACKEND", "NAVER_CLIENT_ID", "NAVER_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    yield
    use_store(None)


def _sse(*pieces: str) -> list[bytes]:
    chunks = [{"choices": [{"index": 0, "delta": {"content": piece}}]} for piece in pieces]
    return [f"data: {json.dumps(c, ensure_ascii=False)}\n".encode() for c in chunks] + [b"data: [DONE]\n"]


def test_a_streaming_model_shows_its_pieces_without_touching_the_steps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from aichef.service import Kitchen

    whole = json.dumps(KETO_OK, ensure_ascii=False)
    pieces = [whole[i : i + 40] for i in range(0, len(whole), 40)]
    session_id: list[str] = []
    heard_by_subscriber = threading.Event()
    items: list[dict[str, Any]] = []  # the session item as the stream goes on

    def stream(
        url: str, headers: Mapping[str, str], body: bytes, timeout: float, on_line: Callable[[bytes], None]
    ) -> HttpReply:
        for number, line in enumerate(_sse(*pieces)):
            on_line(line)
            items.append(sessions_table().get_item(Key={"sessionId": session_id[0]})["Item"])
            if number == 2:  # halfway through: let the subscriber hear the model writing
                assert heard_by_subscriber.wait(10), "the subscriber never saw the writing progress"
        return HttpReply(200, {}, b"")

    def no_plain_call(url: str, headers: Mapping[str, str], body: bytes, timeout: float) -> HttpReply:
        raise AssertionError("the recipe handler must ask the model to stream")

    settings = OpenAISettings(model="m", base_url="http://127.0.0.1:1/writing", mode="json_object")
    provider = ModelProvider(OpenAIChat(settings, no_plain_call, stream), backoff=quick_backoff()[0])
    monkeypatch.setenv("AICHEF_PROVIDER", "openai")
    monkeypatch.setattr(recipe_handler, "_providers", {"openai": provider})
    monkeypatch.setattr(sessions, "WRITING_INTERVAL", 0.0)  # every piece written: the test never sleeps

    async def cook() -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        kitchen = Kitchen(in_memory=True, poll_seconds=0.005)
        try:
            view = await kitchen.start_session(
                {"profile": {"target": "keto", "allergies": ["새우"], "servings": 2}}
            )
            session_id.append(view["sessionId"])
            events = []
            async for event in kitchen.subscribe(view["sessionId"]):
                events.append(event)
                if "writing" in event:
                    heard_by_subscriber.set()
            final = sessions_table().get_item(Key={"sessionId": view["sessionId"]})["Item"]
            assert sorted(int(n) for n in final["steps"]) == [10, 50, 60, 80, 90, 100]
            return events, kitchen.get_result(view["sessionId"])
        finally:
            await kitchen.close()

    events, result = asyncio.run(cook())
    assert result is not None and result["provider"] == "openai (model)"

    # The item: pieces grow while the model writes; nothing else about the session moves.
    written = [item["writing"]["pieces"] for item in items if "writing" in item]
    assert len(written) >= len(pieces) - 1 and written == sorted(written) and written[-1] == len(pieces)
    assert sorted(set(written)) == list(range(1, len(pieces) + 1))  # each piece seen as it came
    for item in items:
        assert (item["status"], item["phase"], int(item["progress"])) == (
            "processing",
            "recipe_generation",
            10,
        )
        assert {int(n) for n in item["steps"]} == {10}
        assert set(item.get("writing", {})) <= {"pieces", "at"}  # never the text itself

    # The stream: the steps in order, exactly once each; writing only ever on step 10.
    progress = [event["progress"] for event in events if event["progress"]]  # 0: created, before step 10
    assert [p for i, p in enumerate(progress) if i == 0 or p != progress[i - 1]] == [10, 50, 60, 80, 90, 100]
    writing = [event for event in events if "writing" in event]
    assert writing and all(e["phase"] == "recipe_generation" and e["progress"] == 10 for e in writing)
    assert all(e["status"] == "processing" for e in writing)
    assert events[-1]["status"] == "completed" and "writing" not in events[-1]


def test_the_cook_command_shows_the_model_writing_on_its_progress_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from aichef import cli

    whole = json.dumps(KETO_OK, ensure_ascii=False)
    shown = threading.Event()
    bar = cli.progress_bar

    def watched_bar(*args: Any, **kwargs: Any) -> str:
        line = bar(*args, **kwargs)
        if "모델이 쓰는 중" in line:
            shown.set()
        return line

    def stream(
        url: str, headers: Mapping[str, str], body: bytes, timeout: float, on_line: Callable[[bytes], None]
    ) -> HttpReply:
        lines = _sse(*(whole[i : i + 40] for i in range(0, len(whole), 40)))
        for number, line in enumerate(lines):
            on_line(line)
            if number == 2:
                assert shown.wait(10), "the progress line never showed the model writing"
        return HttpReply(200, {}, b"")

    def no_plain_call(url: str, headers: Mapping[str, str], body: bytes, timeout: float) -> HttpReply:
        raise AssertionError("the recipe handler must ask the model to stream")

    settings = OpenAISettings(model="m", base_url="http://127.0.0.1:1/cli", mode="json_object")
    provider = ModelProvider(OpenAIChat(settings, no_plain_call, stream), backoff=quick_backoff()[0])
    monkeypatch.setenv("AICHEF_PROVIDER", "openai")
    monkeypatch.setattr(recipe_handler, "_providers", {"openai": provider})
    monkeypatch.setattr(sessions, "WRITING_INTERVAL", 0.0)
    monkeypatch.setattr(cli, "progress_bar", watched_bar)
    code = cli.main(["cook", "--target", "keto", "--servings", "2"])
    err = capsys.readouterr().err
    assert code == 0, err
    lines = [line for line in err.splitlines() if "%" in line]
    writing = [line for line in lines if "모델이 쓰는 중" in line]
    assert writing and all(" 10% recipe_generation · 모델이 쓰는 중 " in line for line in writing)
    assert [line for line in lines if "모델이 쓰는 중" not in line][-1].rstrip().endswith("100% finished")


def test_the_recorder_writes_at_most_once_a_second_only_while_generating(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from asl.dynamodb import TableStore

    store = TableStore(":memory:")
    store.create_table("sessions", partition_key=("sessionId", "S"))
    table = store.table("sessions")
    table.put_item(
        Item={"sessionId": "a", "status": "processing", "phase": "recipe_generation", "progress": 10}
    )
    now = [100.0]
    record = sessions.writing_recorder(table, "a", clock=lambda: now[0])
    for pieces, later in ((1, 0.0), (2, 0.5), (3, 0.5), (4, 0.25)):
        now[0] += later
        record(pieces, "secret text the model wrote")
        seen = table.get_item(Key={"sessionId": "a"})["Item"]
        assert int(seen["writing"]["pieces"]) == {1: 1, 2: 1, 3: 3, 4: 3}[pieces]  # 1 s apart at most
    assert "secret" not in json.dumps(table.get_item(Key={"sessionId": "a"})["Item"], default=str)
    now[0] += 1
    record(2, "")  # a repair's answer starts again at 1, 2, ...: the count goes on from 4
    assert int(table.get_item(Key={"sessionId": "a"})["Item"]["writing"]["pieces"]) == 6

    # A later phase, or a session gone: nothing written, nothing raised, one DEBUG line.
    table.update_item(
        Key={"sessionId": "a"},
        UpdateExpression="SET #p = :p, progress = :n",
        ExpressionAttributeNames={"#p": "phase"},
        ExpressionAttributeValues={":p": "recipe_completed", ":n": 50},
    )
    now[0] += 5
    with caplog.at_level("DEBUG", logger="aichef.sessions"):
        record(9, "")
        sessions.writing_recorder(table, "gone", interval=0)(1, "")
    item = table.get_item(Key={"sessionId": "a"})["Item"]
    assert int(item["writing"]["pieces"]) == 6 and item["phase"] == "recipe_completed"
    assert table.get_item(Key={"sessionId": "gone"}).get("Item") is None
    assert len([r for r in caplog.records if r.name == "aichef.sessions"]) == 2
    assert "writing" not in sessions.session_view(item)
