"""Many clients at once (the load benchmark's shape, small): no session lost, stuck or mixed up."""

from __future__ import annotations

import asyncio

import httpx
import pytest

pytestmark = pytest.mark.anyio

PROFILES = [
    {"profile": {"target": "keto", "servings": 2}},
    {"profile": {"target": "diet", "servings": 1}, "constraints": {"maxCalories": 600}},
    {"profile": {"target": "baby_food", "babyAgeMonths": 9, "servings": 1}},
    {"profile": {"target": "diet", "servings": 1}, "constraints": {"maxCookingTime": 1}},  # ends FAILED
]


def _browser(n: int) -> dict[str, str]:
    return {"X-AIChef-Client": f"browser-{n:04d}-0123456789abcdef"}


async def test_concurrent_clients_each_see_their_own_sessions_end(client: httpx.AsyncClient) -> None:
    async def one_client(n: int) -> list[tuple[str, str, int]]:
        seen = []
        for k in range(4):
            which = (n + k) % len(PROFILES)
            body = {**PROFILES[which], "sessionId": f"c{n}-{k}"}
            response = await client.post("/api/sessions", json=body, headers=_browser(n))
            assert response.status_code == 202
            session_id = response.json()["sessionId"]
            for _ in range(2000):
                status = (await client.get(f"/api/sessions/{session_id}")).json()
                if status["status"] in ("completed", "failed"):
                    break
                await asyncio.sleep(0.005)
            seen.append((session_id, status["status"], which))
        return seen

    results = [row for rows in await asyncio.gather(*(one_client(n) for n in range(12))) for row in rows]
    assert len(results) == 48 and len({session_id for session_id, _, _ in results}) == 48
    assert {status for _, status, _ in results} == {"completed", "failed"}
    for session_id, status, which in results:
        assert status == ("failed" if which == 3 else "completed"), session_id
        if status == "completed":
            result = (await client.get(f"/api/sessions/{session_id}/result")).json()
            assert result["sessionId"] == session_id
            assert result["target"] == PROFILES[which]["profile"]["target"]
    for n in range(12):  # each browser lists its own four sessions, newest first, and no one else's
        listed = (await client.get("/api/sessions", params={"limit": 100}, headers=_browser(n))).json()
        assert [s["sessionId"] for s in listed["sessions"]] == [f"c{n}-{k}" for k in (3, 2, 1, 0)]
    anonymous = (await client.get("/api/sessions", params={"limit": 100})).json()
    assert anonymous == {"sessions": []}
