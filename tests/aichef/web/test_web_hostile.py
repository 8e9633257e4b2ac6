"""Hostile requests at `aichef serve`'s boundary (issue findings F4, F6, F10, F12-F16, F19), each
reproduced small: every one is answered in plain words, quickly, and leaves nothing behind."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect
from web_support import FakeService

from aichef.service import Kitchen
from aichef.web import create_app

pytestmark = pytest.mark.anyio

JSON = {"content-type": "application/json"}
DIET: dict[str, Any] = {"profile": {"target": "diet", "servings": 1}}
# Step Functions' execution naming rules, written out here independently of the product's module.
REFUSED_IDS = [
    "a" * 81,
    "has space",
    "<x>",
    "a/b",
    "a:b",
    "a$b",
    "nul\x00",
    "tab\t",
    ".",
    "..",
    "q?",
    "\x85x",
]


@pytest.mark.parametrize("session_id", REFUSED_IDS)
async def test_an_id_step_functions_would_refuse_is_422_and_leaves_no_session(
    client: httpx.AsyncClient, kitchen: Kitchen, session_id: str
) -> None:
    response = await client.post("/api/sessions", json={**DIET, "sessionId": session_id})
    assert response.status_code == 422
    field = response.json()["error"]["fields"][0]
    assert field["field"] == "sessionId"
    assert "Traceback" not in field["message"] and len(field["message"]) < 200
    assert kitchen.get_session(session_id) is None if len(session_id) <= 80 else True
    assert kitchen.list_all_sessions(100) == []  # nothing half-made


async def test_the_longest_allowed_id_runs_to_the_end(client: httpx.AsyncClient, kitchen: Kitchen) -> None:
    session_id = "k-" + "9" * 78
    response = await client.post("/api/sessions", json={**DIET, "sessionId": session_id})
    assert response.status_code == 202
    assert (await kitchen.wait(session_id, timeout=30))["status"] == "completed"


async def test_an_oversized_id_in_a_url_is_refused_before_any_lookup(fake_client: httpx.AsyncClient) -> None:
    huge = "x" * 2100
    for path in (f"/api/sessions/{huge}", f"/api/sessions/{huge}/result", f"/api/sessions/{huge}/events"):
        response = await fake_client.get(path)
        assert response.status_code == 422, path
        assert "80 characters" in response.json()["error"]["fields"][0]["message"]


async def test_a_5000_digit_number_is_422_not_500(fake_client: httpx.AsyncClient) -> None:
    body = b'{"profile": {"target": "diet", "servings": ' + b"9" * 5000 + b"}}"
    response = await fake_client.post("/api/sessions", content=body, headers=JSON)
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "(body)"


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("servings", "2"),
        ("servings", True),
        ("servings", 2.5),
        ("servings", 13),
        ("babyAgeMonths", "9"),
        ("spicyLevel", False),
        ("maxCalories", "600"),
        ("maxCalories", 10**30),
        ("maxCookingTime", 10**6),
    ],
)
async def test_numbers_are_strict_and_bounded(fake_client: httpx.AsyncClient, where: str, value: Any) -> None:
    profile: dict[str, Any] = {"target": "baby_food" if where == "babyAgeMonths" else "diet"}
    body: dict[str, Any] = {"profile": profile}
    if where in ("maxCalories", "maxCookingTime"):
        body["constraints"] = {where: value}
    elif where == "spicyLevel":
        profile["preferences"] = {where: value}
    else:
        profile[where] = value
    if where != "babyAgeMonths" and profile["target"] == "baby_food":
        profile["babyAgeMonths"] = 9
    response = await fake_client.post("/api/sessions", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["fields"][0]["field"].endswith(where)


async def test_a_long_fridge_list_is_judged_at_once(
    fake_client: httpx.AsyncClient, fake: FakeService
) -> None:
    # 2,500 distinct words (about 50 KB): refused by the list's bound without per-word work on the loop
    words = [f"재료{n:05d}" for n in range(2500)]
    started = time.perf_counter()
    response = await fake_client.post(
        "/api/sessions", json={"profile": {"target": "fridge", "fridgeIngredients": words}}
    )
    assert response.status_code == 422 and time.perf_counter() - started < 2
    assert "fridgeIngredients" in response.json()["error"]["fields"][0]["field"]
    # within the bound, repeats go in linear time and the first order is kept
    many = ["두부", "계란", "두부", " 계란 ", "애호박"] * 20
    ok = await fake_client.post(
        "/api/sessions", json={"profile": {"target": "fridge", "fridgeIngredients": many}}
    )
    assert ok.status_code == 202


def _post_scope(*headers: tuple[bytes, bytes]) -> dict[str, Any]:
    """The ASGI scope of a POST /api/sessions from loopback, with JSON and these headers."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "path": "/api/sessions",
        "raw_path": b"/api/sessions",
        "query_string": b"",
        "headers": [(b"host", b"localhost"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8000),
        "scheme": "http",
    }


async def test_a_client_hanging_up_mid_body_is_one_debug_line(caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(FakeService())
    sent: list[dict[str, Any]] = []
    messages = iter(
        [{"type": "http.request", "body": b'{"profile"', "more_body": True}, {"type": "http.disconnect"}]
    )

    async def receive() -> dict[str, Any]:
        return next(messages)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = _post_scope()
    with caplog.at_level(logging.DEBUG, logger="aichef.web"):
        await app(scope, receive, send)
    records = [r for r in caplog.records if r.name == "aichef.web"]
    assert [r.levelno for r in records] == [logging.DEBUG]
    assert records[0].exc_info is None and "went away" in records[0].getMessage()


async def test_a_slow_body_is_answered_408() -> None:
    app = create_app(FakeService(), body_seconds=0.2)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(3600)  # a client that sends headers, then nothing
        raise AssertionError

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = _post_scope((b"content-length", b"40"))
    await asyncio.wait_for(app(scope, receive, send), 5)
    assert sent[0]["status"] == 408


async def test_another_host_name_is_refused_dns_rebinding(fake: FakeService) -> None:
    transport = httpx.ASGITransport(app=create_app(fake))
    async with httpx.AsyncClient(transport=transport, base_url="http://attacker.example") as http:
        response = await http.get("/api/health")
        assert response.status_code == 400 and response.json()["error"]["code"] == "host_not_allowed"
    for allowed in ("http://localhost:8000", "http://127.0.0.1:8000", "http://[::1]:8000"):
        async with httpx.AsyncClient(transport=transport, base_url=allowed) as http:
            assert (await http.get("/api/health")).status_code == 200, allowed


async def test_a_proxy_name_can_be_allowed(fake: FakeService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AICHEF_ALLOWED_HOSTS", "chef.example.org")
    transport = httpx.ASGITransport(app=create_app(fake))
    async with httpx.AsyncClient(transport=transport, base_url="https://chef.example.org") as http:
        assert (await http.get("/api/health")).status_code == 200


async def test_a_session_list_without_the_browser_id_is_empty(client: httpx.AsyncClient) -> None:
    mine = {"X-AIChef-Client": "my-browser-0123456789"}
    theirs = {"X-AIChef-Client": "their-browser-0123456789"}
    started = (await client.post("/api/sessions", json=DIET, headers=mine)).json()["sessionId"]
    assert len(started) == 32 and int(started, 16) >= 0  # 128 random bits, hex
    assert (await client.get("/api/sessions")).json() == {"sessions": []}
    assert (await client.get("/api/sessions", headers=theirs)).json() == {"sessions": []}
    listed = (await client.get("/api/sessions", headers=mine)).json()["sessions"]
    assert [s["sessionId"] for s in listed] == [started]
    assert "owner" not in listed[0] and "steps" not in listed[0]
    bad = await client.get("/api/sessions", headers={"X-AIChef-Client": "short"})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "X-AIChef-Client"


def _watched(fake: FakeService) -> threading.Event:
    """Set when the fake's subscription to a session is closed (the stream let go of it)."""
    ended = threading.Event()
    original = fake.subscribe

    async def watched(session_id: str) -> AsyncIterator[dict[str, Any]]:
        try:
            async for status in original(session_id):
                yield status
        finally:
            ended.set()

    fake.subscribe = watched  # type: ignore[method-assign]
    return ended


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
def test_a_closed_websocket_on_a_session_that_never_changes_leaves_nothing_behind(anyio_backend: str) -> None:
    fake = FakeService()
    fake.put("stuck", "processing", 10)
    ended = _watched(fake)
    with TestClient(create_app(fake, keepalive=0.05)) as http:
        with http.websocket_connect("ws://localhost/api/sessions/stuck/ws") as ws:
            assert ws.receive_json()["type"] == "status"
            assert ws.receive_json() == {"type": "keepalive"}  # nothing changes; the socket is kept alive
        assert ended.wait(5), "the subscription outlived its closed socket"


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
def test_a_websocket_from_another_site_is_refused(anyio_backend: str) -> None:
    fake = FakeService()
    fake.put("s1", "completed", 100, phase="finished")
    with TestClient(create_app(fake)) as http:
        with (
            pytest.raises(WebSocketDisconnect) as refused,
            http.websocket_connect(
                "ws://localhost/api/sessions/s1/ws", headers={"origin": "http://evil.example"}
            ) as ws,
        ):
            ws.receive_json()
        assert refused.value.code == 4403
        with http.websocket_connect(
            "ws://localhost:8000/api/sessions/s1/ws", headers={"origin": "http://localhost:8000"}
        ) as ws:
            assert ws.receive_json()["type"] == "status"
