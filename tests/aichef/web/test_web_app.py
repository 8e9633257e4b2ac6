"""The JSON API over a real in-memory kitchen: start, status, result, list, health, OpenAPI."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from aichef.models import TARGETS

pytestmark = pytest.mark.anyio

KETO = {"profile": {"target": "keto", "servings": 2, "allergies": ["견과류"]}}


async def finish(client: httpx.AsyncClient, session_id: str) -> dict[str, Any]:
    """Follow the event stream to the end; answers the last status event."""
    last: dict[str, Any] = {}
    async with client.stream("GET", f"/api/sessions/{session_id}/events") as response:
        assert response.status_code == 200
        event = ""
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == "status":
                last = json.loads(line.removeprefix("data: "))
    return last


async def test_post_answers_202_with_id_links_and_location(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/sessions", json=KETO)
    assert response.status_code == 202
    body = response.json()
    session_id = body["sessionId"]
    assert session_id and body["status"] == "processing"
    assert response.headers["location"] == f"/api/sessions/{session_id}"
    assert body["links"] == {
        "self": f"/api/sessions/{session_id}",
        "result": f"/api/sessions/{session_id}/result",
        "events": f"/api/sessions/{session_id}/events",
        "websocket": f"/api/sessions/{session_id}/ws",
    }
    await finish(client, session_id)


async def test_session_runs_to_a_result_with_recipe_and_prices(client: httpx.AsyncClient) -> None:
    session_id = (await client.post("/api/sessions", json=KETO)).json()["sessionId"]
    final = await finish(client, session_id)
    assert final["status"] == "completed" and final["progress"] == 100

    status = (await client.get(f"/api/sessions/{session_id}")).json()
    assert status["status"] == "completed" and status["phase"] == "finished" and status["error"] is None

    result = await client.get(f"/api/sessions/{session_id}/result")
    assert result.status_code == 200
    data = result.json()
    assert data["sessionId"] == session_id
    assert data["recipe"]["instructions"] and data["recipe"]["ingredients"]
    assert data["pricing"]["currency"] == "KRW" and data["pricing"]["totalEstimatedCost"] > 0
    assert {rule["verdict"] for rule in data["compliance"]} <= {"pass", "warn"}


async def test_given_session_id_is_kept_and_a_second_use_is_refused(client: httpx.AsyncClient) -> None:
    first = await client.post("/api/sessions", json={**KETO, "sessionId": "family-dinner-1"})
    assert first.status_code == 202 and first.json()["sessionId"] == "family-dinner-1"
    again = await client.post("/api/sessions", json={**KETO, "sessionId": "family-dinner-1"})
    assert again.status_code == 422
    assert [f["field"] for f in again.json()["error"]["fields"]] == ["sessionId"]
    await finish(client, "family-dinner-1")


async def test_a_profile_no_recipe_fits_ends_failed_and_result_says_why(client: httpx.AsyncClient) -> None:
    body = {"profile": {"target": "diet", "servings": 1}, "constraints": {"maxCookingTime": 1}}
    session_id = (await client.post("/api/sessions", json=body)).json()["sessionId"]
    final = await finish(client, session_id)
    assert final["status"] == "failed" and final["error"]["message"]
    result = await client.get(f"/api/sessions/{session_id}/result")
    assert result.status_code == 409
    error = result.json()["error"]
    assert error["code"] == "session_failed" and error["message"] == final["error"]["message"]


async def test_bad_values_answer_422_naming_every_field_and_what_is_allowed(
    client: httpx.AsyncClient,
) -> None:
    body = {"profile": {"target": "ketoo", "servings": 40, "cookingLevel": "chef"}, "colour": "blue"}
    response = await client.post("/api/sessions", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    fields = {f["field"]: f for f in error["fields"]}
    assert set(fields) == {"profile.target", "profile.servings", "profile.cookingLevel", "colour"}
    assert fields["profile.target"]["allowed"] == list(TARGETS)
    assert fields["profile.cookingLevel"]["allowed"] == ["beginner", "intermediate", "advanced"]
    assert "12" in fields["profile.servings"]["message"]
    assert (await client.get("/api/sessions")).json()["sessions"] == []  # nothing half-created


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{not json", "is not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b"\xff\xfe", "is not valid JSON"),
        (b"[" * 30000 + b"]" * 30000, "is not valid JSON (RecursionError)"),  # nested past the stack
    ],
)
async def test_a_body_that_is_not_a_json_object_is_422(
    client: httpx.AsyncClient, content: bytes, problem: str
) -> None:
    response = await client.post(
        "/api/sessions", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    [field] = response.json()["error"]["fields"]
    assert field["field"] == "(body)" and field["message"].startswith(problem)


async def test_a_body_that_is_not_json_typed_is_415(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/sessions", content=json.dumps(KETO), headers={"content-type": "text/plain"}
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


async def test_unknown_session_is_404_everywhere(client: httpx.AsyncClient) -> None:
    for path in ("/api/sessions/nope", "/api/sessions/nope/result", "/api/sessions/nope/events"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
        assert "nope" in response.json()["error"]["message"]


async def test_unknown_routes_and_methods_answer_the_same_json_shape(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/recipes")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "not_found", "message": "no such resource", "fields": []}}
    wrong = await client.delete("/api/sessions")
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "method_not_allowed"


BROWSER = {"X-AIChef-Client": "browser-one-0123456789abcdef"}


async def test_list_is_newest_first_and_limited(client: httpx.AsyncClient) -> None:
    ids = []
    for n in range(3):
        response = await client.post(
            "/api/sessions", json={**KETO, "sessionId": f"list-{n}"}, headers=BROWSER
        )
        ids.append(response.json()["sessionId"])
        await finish(client, ids[-1])
    listed = (await client.get("/api/sessions", params={"limit": 2}, headers=BROWSER)).json()["sessions"]
    assert [s["sessionId"] for s in listed] == ["list-2", "list-1"]
    assert listed[0]["links"]["self"] == "/api/sessions/list-2"
    bad = await client.get("/api/sessions", params={"limit": 0})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "limit"


async def test_health_and_openapi(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/health")).json() == {"status": "ok"}
    document = (await client.get("/api/openapi.json")).json()
    assert {"/api/sessions", "/api/sessions/{session_id}", "/api/sessions/{session_id}/result"} <= set(
        document["paths"]
    )
    body = document["paths"]["/api/sessions"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/SessionRequest"}
    profile = document["components"]["schemas"]["Profile"]
    assert profile["properties"]["target"]["enum"] == list(TARGETS)
    assert "202" in document["paths"]["/api/sessions"]["post"]["responses"]
