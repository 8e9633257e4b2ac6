"""Whole sessions priced by the local fake Naver: the day's prices are kept, the next session asks nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from naver_server import CLIENT_ID, CLIENT_SECRET, FakeNaver, item, running

from aichef.cli import main
from aichef.handlers import price


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeNaver]:
    catalog = {
        "소고기 양지": [item("한우 <b>소고기 양지</b> 국거리 500g", 19000, "정육몰", "9001",
                              category2="축산물", category3="소고기", category4="국거리")],
    }  # fmt: skip
    with running(FakeNaver(catalog=catalog)) as server:
        monkeypatch.setenv("AICHEF_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("AICHEF_PROVIDER", "offline")
        monkeypatch.delenv("AICHEF_BACKEND", raising=False)
        monkeypatch.setenv("NAVER_CLIENT_ID", CLIENT_ID)
        monkeypatch.setenv("NAVER_CLIENT_SECRET", CLIENT_SECRET)
        monkeypatch.setenv("NAVER_API_BASE_URL", server.base_url)
        monkeypatch.setattr(price, "_sources", {})
        yield server
    from aichef.tables import use_store

    use_store(None)


def cook_json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["cook", "--target", "keto", "--servings", "2", "--json"]) == 0
    result: dict[str, object] = json.loads(capsys.readouterr().out)
    return result


def test_the_second_session_makes_no_request(fake: FakeNaver, capsys: pytest.CaptureFixture[str]) -> None:
    # Sessions vary the dish; cook until one repeats: that session must ask Naver nothing.
    seen: dict[str, object] = {}
    for _ in range(12):
        before = len(fake.requests)
        result = cook_json(capsys)
        price._sources.clear()  # a new process: only the local table remembers
        name = str(result["recipe"]["recipeName"])  # type: ignore[index]
        if name in seen:
            assert len(fake.requests) == before
            assert result["pricing"] == seen[name]
            break
        seen[name] = result["pricing"]
    else:
        pytest.fail("no dish repeated in 12 sessions")
    queries = [r["params"]["query"] for r in fake.requests]
    assert len(queries) == len(set(queries))  # nothing is ever asked twice
    assert not set(queries) & {"소금", "간장", "참기름", "식용유", "후추"}  # the pantry is not priced
