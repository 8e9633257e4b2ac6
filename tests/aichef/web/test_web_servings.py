"""POST /api/sessions/{id}/servings: the session's dish recomputed for another number of servings."""

from __future__ import annotations

import httpx
import pytest

from aichef.service import Kitchen

pytestmark = pytest.mark.anyio


async def _cooked(client: httpx.AsyncClient, kitchen: Kitchen, profile: dict[str, object]) -> str:
    started = await client.post("/api/sessions", json={"profile": profile})
    assert started.status_code == 202
    session_id = str(started.json()["sessionId"])
    await kitchen.wait(session_id, timeout=30)
    return session_id


async def test_more_servings_scale_amounts_nutrition_and_prices_but_not_the_dish(
    client: httpx.AsyncClient, kitchen: Kitchen
) -> None:
    session_id = await _cooked(client, kitchen, {"target": "diet", "servings": 2, "budget": 40000})
    original = (await client.get(f"/api/sessions/{session_id}/result")).json()
    answer = await client.post(f"/api/sessions/{session_id}/servings", json={"servings": 4})
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    four = answer.json()
    assert four["recipe"]["recipeName"] == original["recipe"]["recipeName"]
    assert four["recipe"]["servings"] == 4 and four["nutrition"]["servings"] == 4
    grams = {i["name"]: i["grams"] for i in original["recipe"]["ingredients"]}
    doubled = {i["name"]: i["grams"] for i in four["recipe"]["ingredients"]}
    main = max(grams, key=lambda name: grams[name] or 0)
    assert doubled[main] == pytest.approx(2 * grams[main], rel=0.15)  # rounded to kitchen units
    # Per serving stays about the same; the whole dish about doubles.
    per, per4 = original["nutrition"]["perServing"]["kcal"], four["nutrition"]["perServing"]["kcal"]
    assert per4 == pytest.approx(per, rel=0.15)
    assert four["nutrition"]["total"]["kcal"] == pytest.approx(
        2 * original["nutrition"]["total"]["kcal"], rel=0.15
    )
    assert four["pricing"]["totalEstimatedCost"] >= original["pricing"]["totalEstimatedCost"]
    # Nothing stored: the session's own result is unchanged.
    assert (await client.get(f"/api/sessions/{session_id}/result")).json() == original


async def test_the_same_dish_comes_back_in_english(client: httpx.AsyncClient, kitchen: Kitchen) -> None:
    session_id = await _cooked(client, kitchen, {"target": "keto", "servings": 2})
    english = (
        await client.post(f"/api/sessions/{session_id}/servings", json={"servings": 2, "language": "en"})
    ).json()
    assert english["language"] == "en"
    assert all(not any("가" <= ch <= "힣" for ch in i["name"]) for i in english["recipe"]["ingredients"])


@pytest.mark.parametrize(
    ("body", "field"),
    [({"servings": 0}, "servings"), ({"servings": 13}, "servings"), ({"servings": "two"}, "servings"),
     ({"servings": 2, "language": "fr"}, "language"), ({}, "servings")],
)  # fmt: skip
async def test_bad_servings_name_the_field(
    client: httpx.AsyncClient, kitchen: Kitchen, body: dict[str, object], field: str
) -> None:
    session_id = await _cooked(client, kitchen, {"target": "diet", "servings": 1})
    answer = await client.post(f"/api/sessions/{session_id}/servings", json=body)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid_input" and [f["field"] for f in error["fields"]] == [field]


async def test_unknown_and_failed_sessions_have_no_servings(
    client: httpx.AsyncClient, kitchen: Kitchen
) -> None:
    missing = await client.post("/api/sessions/nobody/servings", json={"servings": 2})
    assert missing.status_code == 404
    started = await client.post(
        "/api/sessions", json={"profile": {"target": "diet"}, "constraints": {"maxCookingTime": 1}}
    )
    session_id = started.json()["sessionId"]
    await kitchen.wait(session_id, timeout=30)
    failed = await client.post(f"/api/sessions/{session_id}/servings", json={"servings": 2})
    assert failed.status_code == 409 and failed.json()["error"]["code"] == "servings_not_available"
    assert failed.json()["error"]["message"] == "이 레시피는 인분을 바꿔 다시 계산할 수 없습니다."


async def test_the_glossary_names_every_ingredient_in_both_languages(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/ingredients")
    names = {row["key"]: row for row in answer.json()["ingredients"]}
    assert names["chicken_breast"] == {"key": "chicken_breast", "ko": "닭가슴살", "en": "chicken breast"}
    assert len(names) > 400 and "max-age" in answer.headers["cache-control"]
