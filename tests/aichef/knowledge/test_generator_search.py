"""The generator's search: skipping dishes that cannot win and explaining only what is shown serve exactly
what adapting every candidate, explained, and taking the first best in library order would."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from aichef.knowledge import diets, generator, nutrition
from aichef.knowledge._adapt import Attempt, adapt, explained, needs_for
from aichef.knowledge.generator import FRIDGE_GOAL, GeneratedRecipe, Unmet, generate
from aichef.knowledge.ingredients import all_ingredients
from aichef.knowledge.recipes import load_library
from aichef.models import CUISINES, SessionRequest

ALLERGIES = ("달걀", "milk", "nuts", "seafood", "돼지고기", "beef", "soy", "wheat", "새우", "chicken", "참깨")
FRIDGE_FOODS = [i.name_ko for i in all_ingredients() if "staple" not in i.tags]


@st.composite
def requests(draw: st.DrawFn) -> SessionRequest:
    target = draw(st.sampled_from(["keto", "baby_food", "diabetes", "diet", "fridge"]))
    profile: dict[str, Any] = {
        "target": target,
        "allergies": draw(st.lists(st.sampled_from(ALLERGIES), max_size=3, unique=True)),
        "healthConditions": draw(st.sampled_from([[], [], ["hypertension"], ["diabetes"], ["obesity"]])),
        "cookingLevel": draw(st.sampled_from(["beginner", "intermediate", "advanced"])),
        "servings": draw(st.integers(1, 8)),
        "preferences": {"cuisine": draw(st.sampled_from(CUISINES)), "spicyLevel": draw(st.integers(0, 5))},
        "language": draw(st.sampled_from(["ko", "en"])),
    }
    if target == "baby_food":
        profile["babyAgeMonths"] = draw(st.integers(4, 18))
    if target == "fridge":
        profile["fridgeIngredients"] = draw(st.lists(st.sampled_from(FRIDGE_FOODS), min_size=1, max_size=8))
    constraints = {
        "maxCalories": draw(st.sampled_from([None, None, 300, 500, 800])),
        "maxCookingTime": draw(st.sampled_from([None, None, 10, 20, 45])),
    }
    session = draw(st.text("abc123", min_size=1, max_size=8))
    return SessionRequest.model_validate(
        {"sessionId": session, "profile": profile, "constraints": constraints}
    )


def _exhaustive(request: SessionRequest) -> tuple[str, Any]:
    """The plain search: every candidate adapted and explained; the first best in library order wins."""
    profile = request.profile
    needs = needs_for(profile, request.constraints)
    attempts = [explained(adapt(recipe, needs), needs) for recipe in generator._candidates(profile)]
    served = [(generator._score(a, needs, request.sessionId), a) for a in attempts if not a.blocking]
    if not served:
        ids, text = generator._explain([a for a in attempts if a.blocking], needs)
        return "unmet", (ids, text)

    def rank(pair: tuple[float, Attempt]) -> tuple[bool, float]:
        reached = profile.target != "fridge" or generator._share(pair[1], needs) >= FRIDGE_GOAL
        return reached, pair[0]

    return "served", generator._serve(max(served, key=rank)[1], needs).as_dict()


def _generated(request: SessionRequest) -> tuple[str, Any]:
    result = generate(request)
    if isinstance(result, Unmet) and result.closest is None:
        return "unmet", (result.constraints, result.explanation)
    dish = result.closest if isinstance(result, Unmet) else result
    assert isinstance(dish, GeneratedRecipe)
    return "served", dish.as_dict()


@settings(max_examples=60, deadline=None)
@given(requests())
def test_generate_serves_what_the_exhaustive_search_serves(request: SessionRequest) -> None:
    assert _generated(request) == _exhaustive(request)


@settings(max_examples=40, deadline=None)
@given(requests())
def test_no_adapted_dish_scores_above_its_ceiling(request: SessionRequest) -> None:
    needs = needs_for(request.profile, request.constraints)
    for recipe in generator._candidates(request.profile):
        attempt = adapt(recipe, needs)
        if not attempt.blocking:
            ceiling = generator._ceiling(recipe, needs, request.sessionId)
            assert generator._score(attempt, needs, request.sessionId) <= ceiling


def test_explained_results_are_the_full_check_of_the_lines_checked() -> None:
    request = SessionRequest.model_validate(
        {"sessionId": "s", "profile": {"target": "keto", "servings": 2, "language": "en"}}
    )
    needs = needs_for(request.profile, None)
    checked = 0
    for recipe in load_library()[:30]:
        attempt = adapt(recipe, needs)
        if attempt.report is None:
            continue
        assert attempt.results == () and attempt.report.sources == []  # screening builds neither
        shown = explained(attempt, needs)
        report = nutrition.compute(attempt.checked, 2)
        full = diets.check(request, attempt.checked, report, recipe.cooking_time, texture=recipe.texture)
        assert shown.report == report and report.sources
        assert list(shown.results) == full and all(r.explanation for r in full)
        assert shown.warnings == sum(1 for r in full if r.verdict == "warn")
        assert shown.blocking == tuple(sorted(r.id for r in diets.hard_failures(full)))
        checked += 1
    assert checked > 10
