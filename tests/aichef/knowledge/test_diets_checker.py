"""Cheap screening: diets.Checker agrees with the full check, nutrition without sources with the full one."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from aichef.knowledge import diets
from aichef.knowledge.ingredients import Nutrients, all_ingredients
from aichef.knowledge.nutrition import compute
from aichef.models import Constraints, Profile

TABLE = all_ingredients()
ALLERGIES = ("달걀", "milk", "nuts", "seafood", "돼지고기", "beef", "soy", "wheat", "shrimp", "닭고기")
TEXTURES = (None, "puree", "mashed", "soft_chunks", "finger_food", "regular")
FIXED = {"constraint.max_cooking_time", "baby.texture"}  # what no change to the lines can fix


@st.composite
def profiles(draw: st.DrawFn) -> tuple[Profile, Constraints]:
    target = draw(st.sampled_from(["keto", "baby_food", "diabetes", "diet", "fridge"]))
    fields: dict[str, Any] = {
        "target": target,
        "servings": draw(st.integers(1, 6)),
        "allergies": draw(st.lists(st.sampled_from(ALLERGIES), max_size=2, unique=True)),
        "healthConditions": draw(
            st.lists(st.sampled_from(["hypertension", "diabetes", "kidney_disease", "obesity"]), max_size=2)
        ),
        "preferences": {"spicyLevel": draw(st.integers(0, 3))},
    }
    if target == "baby_food":
        fields["babyAgeMonths"] = draw(st.integers(6, 36))
    if target == "fridge":
        fields["fridgeIngredients"] = [i.name_ko for i in draw(st.lists(st.sampled_from(TABLE), min_size=1))]
    limits = Constraints(
        maxCalories=draw(st.sampled_from([None, 300, 500, 800])),
        maxCookingTime=draw(st.sampled_from([None, 15, 30])),
    )
    return Profile.model_validate(fields), limits


lines_st = st.lists(st.tuples(st.sampled_from(TABLE), st.floats(0, 400)), max_size=8)


@settings(max_examples=150, deadline=None)
@given(profiles(), lines_st, st.integers(5, 90), st.sampled_from(TEXTURES))
def test_screen_gives_the_blocking_results_and_warning_count_of_check(
    profile_and_limits: tuple[Profile, Constraints],
    lines: list[tuple[Any, float]],
    cooking_time: int,
    texture: str | None,
) -> None:
    profile, limits = profile_and_limits
    report = compute(lines, profile.servings)
    full = diets.check(profile, lines, report, cooking_time, constraints=limits, texture=texture)
    checker = diets.checker(profile, limits)
    blocking, warnings = checker.screen(lines, report, cooking_time, texture)
    assert blocking == [replace(r, explanation="") for r in diets.hard_failures(full)]
    assert warnings == sum(1 for r in full if r.verdict == "warn")
    assert checker.check(lines, report, cooking_time, texture) == full
    fixed = checker.fixed_failures(cooking_time, texture)
    assert fixed == [r.id for r in full if r.id in FIXED and r.blocking]


def test_fixed_failures_name_a_cooking_time_over_the_limit() -> None:
    checker = diets.checker(Profile(target="diet"), Constraints(maxCookingTime=20))
    assert checker.fixed_failures(30) == ["constraint.max_cooking_time"]
    assert checker.fixed_failures(20) == []


def test_fixed_failures_name_a_texture_wrong_for_the_babys_stage() -> None:
    checker = diets.checker(Profile(target="baby_food", babyAgeMonths=6))
    assert checker.fixed_failures(10, "soft_chunks") == ["baby.texture"]
    assert checker.fixed_failures(10, None) == ["baby.texture"]
    assert checker.fixed_failures(10, "puree") == []


def test_without_a_time_limit_or_a_baby_nothing_is_fixed() -> None:
    checker = diets.checker(Profile(target="keto"), Constraints(maxCalories=400))
    assert checker.fixed == ()
    assert checker.fixed_failures(600, None) == []


def test_a_checker_holds_the_rules_for_its_profile() -> None:
    profile = Profile(target="diabetes", healthConditions=["hypertension"], allergies=["nuts"])
    checker = diets.checker(profile, Constraints(maxCookingTime=30), on_hand=frozenset({"egg"}))
    expected = diets.rules_for(profile, Constraints(maxCookingTime=30))
    assert [r.id for r in checker.rules] == [r.id for r in expected]
    assert [r.id for r in checker.fixed] == ["constraint.max_cooking_time"]
    assert checker.on_hand == {"egg"}
    assert checker.avoid == profile.allergen_keys() and "walnut" in checker.avoid


@given(lines_st, st.integers(1, 8))
def test_nutrition_without_sources_has_the_same_figures(
    lines: list[tuple[Any, float]], servings: int
) -> None:
    full, bare = compute(lines, servings), compute(lines, servings, with_sources=False)
    assert bare.sources == [] and len(full.sources) == len(lines)
    assert (bare.total, bare.per_serving, bare.energy_share) == (
        full.total,
        full.per_serving,
        full.energy_share,
    )


@settings(max_examples=150, deadline=None)
@given(profiles(), lines_st, st.lists(st.floats(0, 1), min_size=8, max_size=8))
def test_lasting_warnings_go_on_warning_for_any_served_recipe_cut_down(
    profile_and_limits: tuple[Profile, Constraints], lines: list[tuple[Any, float]], cuts: list[float]
) -> None:
    """Cut every line to a fraction of its grams: the warnings counted at the whole recipe's figures
    are a floor for the cut recipe's, unless it is blocked."""
    profile, limits = profile_and_limits
    checker = diets.checker(profile, limits)
    whole = compute(lines, profile.servings)
    cut = [(item, grams * cuts[i]) for i, (item, grams) in enumerate(lines)]
    report = compute(cut, profile.servings)
    blocking, warnings = checker.screen(cut, report, 10)
    if not blocking:
        assert warnings >= checker.lasting_warnings(whole.per_serving)


def test_only_a_minimum_on_a_summed_figure_is_sure_to_go_on_warning() -> None:
    dieter = diets.checker(Profile(target="diet"))
    assert [rule.id for rule, _ in dieter.floors] == ["diet.kcal_floor", "diet.protein", "diet.fiber"]
    assert dieter.lasting_warnings(Nutrients(kcal=450, protein_g=25, fiber_g=5)) == 1
    assert dieter.lasting_warnings(Nutrients(kcal=450, protein_g=25, fiber_g=6.96)) == 0  # shown as 7.0 g
    # The diabetic's fibre is per 1,000 kcal and the whole-grain share a share: cutting may raise both.
    assert diets.checker(Profile(target="diabetes")).floors == ()
    # Keto's minimum is a share of energy, which cutting may raise; its net carbs are no summed figure.
    keto = diets.checker(Profile(target="keto", healthConditions=["kidney_disease"]))
    assert keto.floors == () and keto.lasting_warnings(Nutrients()) == 0
