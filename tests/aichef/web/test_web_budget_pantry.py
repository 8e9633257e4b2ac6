"""The API reads Korean money and the pantry choice, refuses what it cannot read (422 naming the field),
and its summary sentences are the ones the CLI prints."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from aichef.render import render_result

pytestmark = pytest.mark.anyio


async def finish(client: httpx.AsyncClient, session_id: str) -> None:
    async with client.stream("GET", f"/api/sessions/{session_id}/events") as response:
        async for line in response.aiter_lines():
            if line.startswith("data: ") and json.loads(line.removeprefix("data: ")).get("progress") == 100:
                return


async def cook(client: httpx.AsyncClient, profile: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/api/sessions", json={"profile": profile})
    assert response.status_code == 202, response.text
    session_id = response.json()["sessionId"]
    await finish(client, session_id)
    result = await client.get(f"/api/sessions/{session_id}/result")
    assert result.status_code == 200
    data: dict[str, Any] = result.json()
    return data


async def test_korean_money_and_pantry_none(client: httpx.AsyncClient) -> None:
    result = await cook(client, {"target": "keto", "budget": "3만 5천원", "pantry": "none"})
    pricing = result["pricing"]
    assert pricing["budget"] == 35000 and pricing["assumedInPantry"] == []
    summary = pricing["summary"]
    assert summary["budget"] == 35000 and summary["purchase"] == pricing["bestTotal"]
    # The CLI prints the same sentences the API answers.
    text = render_result(result)
    assert all(line in text for line in summary["lines"])


async def test_default_pantry_is_shown_and_not_bought(client: httpx.AsyncClient) -> None:
    result = await cook(client, {"target": "keto", "budget": "₩30,000"})
    pricing = result["pricing"]
    bought = {item["ingredientKey"] for item in pricing["items"]}
    assert not bought & {
        "salt",
        "black_pepper",
        "sesame_oil",
        "soy_sauce",
        "vegetable_oil",
        "garlic",
        "sugar",
    }
    if pricing["assumedInPantry"]:
        assert pricing["summary"]["lines"][-1].startswith("집에 있다고 가정한 재료: ")


@pytest.mark.parametrize(
    ("profile", "field"),
    [
        ({"target": "keto", "budget": "삼만원"}, "profile.budget"),
        ({"target": "keto", "budget": True}, "profile.budget"),
        ({"target": "keto", "budget": 50_000_000}, "profile.budget"),
        ({"target": "keto", "pantry": "소금, 유니콘"}, "profile.pantry"),
        ({"target": "keto", "pantry": 3}, "profile.pantry"),
    ],
)
async def test_unreadable_budget_or_pantry_is_422_naming_the_field(
    client: httpx.AsyncClient, profile: dict[str, Any], field: str
) -> None:
    response = await client.post("/api/sessions", json={"profile": profile})
    assert response.status_code == 422
    fields = [f["field"] for f in response.json()["error"]["fields"]]
    assert fields == [field]
    assert "Traceback" not in response.text
