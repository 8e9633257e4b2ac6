"""The page while a model streams its recipe: the count of pieces under the bar, steps unchanged."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx
from browser_support import SCRIPT, ScriptedServer
from test_web_browser import NARROW_PHONE, Opener, _watch_progress, browser, open_page  # noqa: F401 (shared fixtures)
from web_support import LiveServer


class WritingService:
    """The scripted steps with the model's pieces reported twice during step 10."""

    def __init__(self, server: ScriptedServer) -> None:
        self.server = server

    async def subscribe(self, session_id: str, *_: Any, **__: Any) -> AsyncIterator[dict[str, Any]]:
        service = self.server.service
        for status, phase, progress in SCRIPT:
            await asyncio.sleep(0.005)
            yield service.put(session_id, status, progress, phase=phase)
            if progress == 10:
                for pieces in (5, 12):
                    await asyncio.sleep(0.05)
                    writing = {"pieces": pieces, "at": "2026-11-22T00:00:01.000Z"}
                    yield service.put(session_id, status, progress, phase=phase, writing=writing)


def test_the_page_shows_the_model_writing_under_the_bar(open_page: Opener, live_server: LiveServer) -> None:  # noqa: F811
    started = httpx.post(f"{live_server.url}/api/sessions", json={"profile": {"target": "diet"}}, timeout=10)
    session_id = started.json()["sessionId"]
    httpx.get(f"{live_server.url}/api/sessions/{session_id}/events", timeout=30)  # returns at the end
    result: Mapping[str, Any] = httpx.get(
        f"{live_server.url}/api/sessions/{session_id}/result", timeout=10
    ).json()
    with ScriptedServer(result) as scripted:
        scripted.service.subscribe = WritingService(scripted).subscribe  # type: ignore[method-assign]
        page = open_page(scripted.url, NARROW_PHONE)
        _watch_progress(page)
        page.evaluate(
            """() => {
              window.notes = [];
              const note = document.getElementById('writing-note');
              new MutationObserver(() => window.notes.push(note.hidden ? '' : note.textContent))
                .observe(note, {childList: true, characterData: true, subtree: true, attributes: true});
            }"""
        )
        page.get_by_role("button", name="레시피 만들기").click()
        page.locator("#recipe-name").wait_for()
        notes = [text for text in page.evaluate("window.notes") if text]
        assert "AI 모델이 레시피를 쓰는 중… (조각 12개)" in notes, notes
        assert set(notes) <= {
            "AI 모델이 레시피를 쓰는 중… (조각 5개)",
            "AI 모델이 레시피를 쓰는 중… (조각 12개)",
        }
        seen = [s["progress"] for s in page.evaluate("window.seen") if s["progress"] > 0]
        assert seen == [10, 50, 60, 80, 90, 100]
        assert page.locator("#writing-note").is_hidden()  # gone once the recipe is written
