"""The form's choices come from the models: every value offered is accepted, every accepted value offered."""

from __future__ import annotations

import httpx
import pytest

from aichef import models
from aichef.errors import InvalidInput
from aichef.knowledge import allergens
from aichef.models import parse_session

pytestmark = pytest.mark.anyio


async def options(client: httpx.AsyncClient) -> dict[str, object]:
    response = await client.get("/api/options")
    assert response.status_code == 200
    data: dict[str, object] = response.json()
    return data


def values(choices: object) -> list[str]:
    assert isinstance(choices, list)
    return [choice["value"] for choice in choices]


async def test_choices_are_exactly_the_models_values(fake_client: httpx.AsyncClient) -> None:
    data = await options(fake_client)
    assert values(data["targets"]) == list(models.TARGETS)
    assert values(data["cookingLevels"]) == list(models.COOKING_LEVELS)
    assert values(data["cuisines"]) == list(models.CUISINES)
    assert values(data["healthConditions"]) == list(models.HEALTH_CONDITIONS)
    assert values(data["allergens"]) == list(allergens.ALLERGENS)
    assert values(data["languages"]) == ["ko", "en"]


async def test_every_choice_has_a_korean_and_an_english_label(fake_client: httpx.AsyncClient) -> None:
    data = await options(fake_client)
    for key in ("targets", "cookingLevels", "cuisines", "healthConditions", "allergens"):
        choices = data[key]
        assert isinstance(choices, list)
        for choice in choices:
            assert choice["label"]["ko"] and choice["label"]["en"], (key, choice)
    targets = {c["value"]: c["label"] for c in data["targets"]}  # type: ignore[attr-defined]
    assert targets["baby_food"]["ko"] == "이유식"


async def test_limits_match_what_validation_enforces(fake_client: httpx.AsyncClient) -> None:
    limits = (await options(fake_client))["limits"]
    assert isinstance(limits, dict)
    base = {"target": "baby_food", "babyAgeMonths": 6}
    for name, where in [
        ("servings", "profile"),
        ("babyAgeMonths", "profile"),
        ("maxCalories", "constraints"),
    ]:
        low, high = limits[name]["min"], limits[name]["max"]
        for value, ok in [(low, True), (high, True), (low - 1, False), (high + 1, False)]:
            body: dict[str, object] = {"sessionId": "x", "profile": dict(base)}
            if where == "profile":
                body["profile"] = {**base, name: value}
            else:
                body["constraints"] = {name: value}
            try:
                parse_session(body)
                accepted = True
            except InvalidInput:
                accepted = False
            assert accepted is ok, (name, value)


async def test_every_allergen_and_condition_offered_is_accepted(fake_client: httpx.AsyncClient) -> None:
    data = await options(fake_client)
    request = parse_session(
        {
            "sessionId": "all",
            "profile": {
                "target": "diet",
                "allergies": values(data["allergens"]),
                "healthConditions": values(data["healthConditions"]),
            },
        }
    )
    assert request.profile.allergen_keys() == frozenset(allergens.ALLERGENS)
    assert request.profile.healthConditions == list(models.HEALTH_CONDITIONS)
