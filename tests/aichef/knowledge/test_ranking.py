"""The generator's ranking: no adapted dish ranks above its ceiling, and dishes come best ceiling first."""

from __future__ import annotations

from typing import Any

import pytest

from aichef.knowledge import _ranking
from aichef.knowledge._adapt import Attempt, adapt, needs_for
from aichef.knowledge.generator import _candidates
from aichef.models import SessionRequest

BODIES: list[dict[str, Any]] = [
    {"profile": {"target": "diabetes", "healthConditions": ["hypertension"],
                 "preferences": {"spicyLevel": 0}}, "constraints": {"maxCalories": 300}},
    {"profile": {"target": "diet", "servings": 1, "healthConditions": ["kidney_disease", "diabetes"]}},
    {"profile": {"target": "diet", "servings": 5, "cookingLevel": "advanced"},
     "constraints": {"maxCalories": 350}},
    {"profile": {"target": "baby_food", "babyAgeMonths": 6, "preferences": {"cuisine": "korean"}}},
    {"profile": {"target": "keto", "allergies": ["egg", "milk"], "preferences": {"cuisine": "western"}}},
    {"profile": {"target": "diabetes", "allergies": ["soy", "wheat", "seafood"], "servings": 3}},
    {"profile": {"target": "fridge", "fridgeIngredients": ["계란", "두부", "애호박", "돼지고기", "양파"],
                 "allergies": ["pork"]}},
]  # fmt: skip


@pytest.mark.parametrize("body", BODIES, ids=lambda b: str(b["profile"]["target"]))
@pytest.mark.parametrize("session", ["a", "b7", "session-3"])
def test_no_adapted_dish_ranks_above_its_ceiling(body: dict[str, Any], session: str) -> None:
    request = SessionRequest.model_validate({"sessionId": session, **body})
    needs = needs_for(request.profile, request.constraints)
    served = 0
    for recipe in _candidates(request.profile):
        attempt = adapt(recipe, needs)
        if attempt.blocking:
            continue
        value = _ranking.score(attempt, needs, session)
        assert _ranking.rank(attempt, value, needs) <= _ranking.ceiling(recipe, needs, session), recipe.id
        served += 1
    assert served > 0


@pytest.mark.parametrize("body", BODIES, ids=lambda b: str(b["profile"]["target"]))
def test_dishes_come_best_ceiling_first(body: dict[str, Any]) -> None:
    request = SessionRequest.model_validate({"sessionId": "s", **body})
    needs = needs_for(request.profile, request.constraints)
    candidates = _candidates(request.profile)
    ceilings = [_ranking.ceiling(recipe, needs, "s") for recipe in candidates]
    given = list(_ranking.by_ceiling(candidates, needs, "s"))
    assert sorted(index for index, _ in given) == list(range(len(candidates)))
    assert [ceiling for _, ceiling in given] == sorted(ceilings, reverse=True)
    assert all(ceilings[index] == ceiling for index, ceiling in given)


def test_a_dish_as_it_stands_scores_its_whole_number_terms_plus_its_jitter() -> None:
    request = SessionRequest.model_validate(
        {"sessionId": "s", "profile": {"target": "keto", "preferences": {"cuisine": "any", "spicyLevel": 0}}}
    )
    needs = needs_for(request.profile, None)
    for recipe in _candidates(request.profile):
        expected = (
            (40 if "keto" in recipe.targets else 0)
            + (6 if recipe.cuisine == "korean" else 0)
            - 20 * {"easy": 0, "medium": 1, "hard": 2}[recipe.difficulty]
            - 5 * recipe.spicy_level
        )
        as_is = _ranking.score(Attempt(recipe, (), (), None, ()), needs, "s")
        assert as_is == expected + _ranking.jitter("s", recipe)
        assert 0 <= _ranking.jitter("s", recipe) <= 6
