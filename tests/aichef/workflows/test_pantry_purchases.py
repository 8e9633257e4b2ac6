"""No purchase includes a pantry item unless the pantry is none: recipe and combine handlers, every target."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aichef.handlers import combine, price, recipe, validator

# The Korean basics, written here independently of data/pantry.json.
KOREAN_BASICS = {"salt", "black_pepper", "sugar", "vegetable_oil", "sesame_oil", "soy_sauce", "gochugaru",
                 "garlic", "sesame_seeds", "vinegar"}  # fmt: skip
PROFILES: list[dict[str, Any]] = [
    {"target": "keto"},
    {"target": "diet", "servings": 4},
    {"target": "diabetes", "servings": 1},
    {"target": "baby_food", "babyAgeMonths": 10},
    {"target": "fridge", "fridgeIngredients": ["계란", "두부", "대파", "애호박"]},
    {"target": "fridge", "fridgeIngredients": ["돼지고기", "김치", "양파", "대파", "두부"]},
]


def cooked(profile: dict[str, Any], session: str) -> dict[str, Any]:
    """The combined result as the workflow makes it, priced from the reference table."""
    request = validator.handler({"request": {"sessionId": session, "profile": profile}}, None)
    generated = recipe.handler({"request": request}, None)
    quotes = [
        price.handler({"ingredient": item, "language": "ko", "mode": "reference"}, None)
        for item in generated["toBuy"]
    ]
    state = {**request, "generated": generated, "prices": {"quotes": quotes}}
    out = combine.handler({"request": state, "generatedAt": "2026-11-22T00:00:00+09:00"}, None)
    result: dict[str, Any] = json.loads(out["result"]["json"])
    return result


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p["target"])
@pytest.mark.parametrize("session", ["s1", "s2", "s3"])
def test_default_pantry_is_never_bought_and_is_shown(profile: dict[str, Any], session: str) -> None:
    result = cooked(profile, session)
    pricing = result["pricing"]
    bought = {item["ingredientKey"] for item in pricing["items"]}
    assert not bought & KOREAN_BASICS
    assert "water" not in bought
    if pricing["assumedInPantry"]:
        assert any(line.startswith("집에 있다고 가정한 재료") for line in pricing["summary"]["lines"])


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p["target"])
def test_pantry_none_buys_the_basics_the_dish_uses(profile: dict[str, Any]) -> None:
    result = cooked({**profile, "pantry": "none"}, "s1")
    pricing = result["pricing"]
    assert pricing["assumedInPantry"] == []
    assert not any("집에 있다고" in line for line in pricing["summary"]["lines"])
    default = cooked(profile, "s1")
    same_dish = result["recipe"]["recipeName"] == default["recipe"]["recipeName"]
    # Fridge mode today takes every staple as owned whatever the pantry (the generator's rule).
    if default["pricing"]["assumedInPantry"] and same_dish and profile["target"] != "fridge":
        assert pricing["totalEstimatedCost"] > default["pricing"]["totalEstimatedCost"]


def test_own_pantry_list_leaves_out_exactly_those() -> None:
    for session in ("s1", "s2", "s3", "s4"):
        pricing = cooked({"target": "keto", "pantry": "소금, 후추"}, session)["pricing"]
        bought = {item["ingredientKey"] for item in pricing["items"]}
        assert not bought & {"salt", "black_pepper"}
        assert set(pricing["assumedInPantry"]) <= {"소금", "후추"}
