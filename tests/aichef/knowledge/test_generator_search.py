"""The generator's search: skipping dishes that cannot win and explaining only what is shown serve exactly
what adapting every candidate, explained, and taking the first best in library order would."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aichef.knowledge import _ranking, diets, generator, nutrition
from aichef.knowledge._adapt import (
    Attempt,
    Needs,
    adapt,
    cut_only_report,
    explained,
    needs_for,
    share_bound,
)
from aichef.knowledge.generator import FRIDGE_GOAL, GeneratedRecipe, Unmet, generate
from aichef.knowledge.ingredients import all_ingredients
from aichef.knowledge.recipes import LibraryRecipe, load_library
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
        profile["babyAgeMonths"] = draw(st.integers(6, 36))
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
    served = [(_ranking.score(a, needs, request.sessionId), a) for a in attempts if not a.blocking]
    if not served:
        ids, text = generator._explain([a for a in attempts if a.blocking], needs)
        return "unmet", (ids, text)

    def rank(pair: tuple[float, Attempt]) -> tuple[bool, float]:
        reached = profile.target != "fridge" or _ranking.on_hand_share(pair[1], needs) >= FRIDGE_GOAL
        return reached, pair[0]

    return "served", generator._serve(max(served, key=rank)[1], needs).as_dict()


def _generated(request: SessionRequest) -> tuple[str, Any]:
    result = generate(request)
    if isinstance(result, Unmet) and result.closest is None:
        return "unmet", (result.constraints, result.explanation)
    dish = result.closest if isinstance(result, Unmet) else result
    assert isinstance(dish, GeneratedRecipe)
    return "served", dish.as_dict()


@settings(max_examples=150, deadline=None)
@given(requests())
def test_generate_serves_what_the_exhaustive_search_serves(request: SessionRequest) -> None:
    assert _generated(request) == _exhaustive(request)


@settings(max_examples=150, deadline=None)
@given(requests())
def test_no_adapted_dish_ranks_above_its_ceiling(request: SessionRequest) -> None:
    needs = needs_for(request.profile, request.constraints)
    for recipe in generator._candidates(request.profile):
        attempt = adapt(recipe, needs)
        if not attempt.blocking:
            score = _ranking.score(attempt, needs, request.sessionId)
            assert _ranking.rank(attempt, score, needs) <= _ranking.ceiling(recipe, needs, request.sessionId)


@settings(max_examples=40, deadline=None)
@given(requests())
def test_a_ceiling_is_the_score_of_the_dish_as_it_stands(request: SessionRequest) -> None:
    """With nothing adapting cannot take away: no share (outside fridge mode), no change, no warning and
    no penalty unless adapting only cuts down. The ceiling is summed apart from score, yet is its value."""
    needs = needs_for(request.profile, request.constraints)
    for recipe in generator._candidates(request.profile):
        reach, ceiling = _ranking.ceiling(recipe, needs, request.sessionId)
        if request.profile.target == "fridge":
            assert reach == (share_bound(recipe, needs) >= FRIDGE_GOAL)
            continue
        report = cut_only_report(recipe, needs)
        warnings = 0 if report is None else needs.checker.lasting_warnings(report.per_serving)
        as_is = Attempt(recipe, (), (), report, (), warnings=warnings)
        assert reach and ceiling == _ranking.score(as_is, needs, request.sessionId)


@settings(max_examples=40, deadline=None)
@given(requests())
def test_dishes_come_best_ceiling_first_each_with_its_ceiling(request: SessionRequest) -> None:
    needs = needs_for(request.profile, request.constraints)
    candidates = generator._candidates(request.profile)
    ceilings = [_ranking.ceiling(recipe, needs, request.sessionId) for recipe in candidates]
    expected = sorted(range(len(candidates)), key=ceilings.__getitem__, reverse=True)
    given = list(_ranking.by_ceiling(candidates, needs, request.sessionId))
    assert given == [(index, ceilings[index]) for index in expected]


@settings(max_examples=60, deadline=None)
@given(requests(), st.sampled_from(["fridge", "fridge", "keto", "baby_food"]))
def test_no_adapted_dish_has_more_on_hand_than_its_share_bound(request: SessionRequest, target: str) -> None:
    """Blocked attempts too, and other targets' steps (keto stand-ins, baby-food drops), with a fridge."""
    foods = request.profile.fridgeIngredients or FRIDGE_FOODS[:: 7 + len(request.sessionId)]
    profile = request.profile.model_copy(
        update={
            "target": target,
            "fridgeIngredients": foods,
            "babyAgeMonths": 9 if target == "baby_food" else None,
        }
    )
    needs = needs_for(profile, request.constraints)
    bounded = 0
    for recipe in load_library():
        attempt = adapt(recipe, needs)
        if attempt.report is not None:
            bound = share_bound(recipe, needs)
            assert _ranking.on_hand_share(attempt, needs) <= bound, recipe.id
            bounded += bound < 100.0
    assert bounded > 0  # the bound is not merely 100 %


@pytest.mark.parametrize(
    "body",
    [
        # Few of the three foods' dishes can reach the fridge goal (share_bound).
        {"profile": {"target": "fridge", "fridgeIngredients": ["계란", "두부", "대파"]}},
        # Most dishes warn for fibre or are light; adapting cannot undo either (cut_only_report).
        {"profile": {"target": "diabetes"}},
        {"profile": {"target": "diet", "servings": 1}, "constraints": {"maxCalories": 600}},
    ],
    ids=["fridge", "diabetes", "diet"],
)
def test_a_request_adapts_only_dishes_that_may_win(
    body: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    request = SessionRequest.model_validate({"sessionId": "s", **body})
    adapted: list[str] = []

    def counting(recipe: LibraryRecipe, needs: Needs) -> Attempt:
        adapted.append(recipe.id)
        return adapt(recipe, needs)

    monkeypatch.setattr(generator, "adapt", counting)
    assert _generated(request) == _exhaustive(request)
    assert 0 < len(adapted) <= len(generator._candidates(request.profile)) // 4


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
