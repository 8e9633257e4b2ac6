"""Every target's rules at their thresholds: just under, at and just over.

The thresholds are written here, from the published guidance each rule names, and not read from the
rule table: a changed number in the table must show up as a failing test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from aichef.knowledge.diets import RuleResult, check
from aichef.knowledge.ingredients import Ingredient, Nutrients, get
from aichef.models import Profile


@dataclass(frozen=True)
class Report:
    per_serving: Nutrients


def results(
    nutrients: Nutrients | None = None,
    lines: list[tuple[Ingredient, float]] | None = None,
    texture: str | None = None,
    **profile: Any,
) -> dict[str, RuleResult]:
    fields = {"servings": 1, **profile}
    found = check(
        Profile.model_validate(fields), lines or [], Report(nutrients or Nutrients()), 20, texture=texture
    )
    return {r.id: r for r in found}


def verdict(rule: str, nutrients: Nutrients | None = None, **kwargs: Any) -> str:
    return results(nutrients, **kwargs)[rule].verdict


def with_fat_share(share: float, fat_g: float = 30.0) -> Nutrients:
    """Fat and protein only, fat giving ``share`` percent of the energy (9 kcal/g fat, 4 kcal/g protein)."""
    protein = 9 * fat_g * (100 - share) / (4 * share)
    return Nutrients(kcal=500, fat_g=fat_g, protein_g=protein)


def with_protein_share(share: float, protein_g: float = 30.0) -> Nutrients:
    fat = 4 * protein_g * (100 - share) / (9 * share)
    return Nutrients(kcal=500, fat_g=fat, protein_g=protein_g)


# (value just under, at, just over) -> verdicts, for a rule that warns above WARN and fails above FAIL.
def _max_cases(warn: float, fail: float | None, step: float = 0.1) -> list[tuple[float, str]]:
    cases = [(warn - step, "pass"), (warn, "pass"), (warn + step, "warn")]
    if fail is not None:
        cases += [(fail - step, "warn"), (fail, "warn"), (fail + step, "fail")]
    return cases


def _min_cases(warn: float, fail: float | None, step: float = 0.1) -> list[tuple[float, str]]:
    cases = [(warn + step, "pass"), (warn, "pass"), (warn - step, "fail" if fail == warn else "warn")]
    if fail is not None:
        cases += [(fail + step, "warn"), (fail, "warn"), (fail - step, "fail")]
    return cases


# --- weight loss: 2,000 kcal maintenance − 500 kcal deficit = 1,500 kcal a day, 500 kcal a meal ---


@pytest.mark.parametrize(("kcal", "expected"), _max_cases(500, 550))
def test_diet_energy_per_meal_warns_above_500_and_fails_above_550(kcal: float, expected: str) -> None:
    result = results(Nutrients(kcal=kcal), target="diet")["diet.kcal"]
    assert result.verdict == expected and result.hard


@pytest.mark.parametrize(("kcal", "expected"), _min_cases(400, None))
def test_diet_energy_floor_is_400_kcal(kcal: float, expected: str) -> None:
    assert verdict("diet.kcal_floor", Nutrients(kcal=kcal), target="diet") == expected


@pytest.mark.parametrize(("protein", "expected"), _min_cases(20, None))
def test_diet_protein_floor_is_20_g(protein: float, expected: str) -> None:
    assert verdict("diet.protein", Nutrients(kcal=450, protein_g=protein), target="diet") == expected


@pytest.mark.parametrize(("fiber", "expected"), _min_cases(7, None))
def test_diet_fibre_floor_is_7_g(fiber: float, expected: str) -> None:
    assert verdict("diet.fiber", Nutrients(kcal=450, fiber_g=fiber), target="diet") == expected


@pytest.mark.parametrize(("sodium", "expected"), _max_cases(667, None))
def test_diet_sodium_is_a_third_of_2000_mg(sodium: float, expected: str) -> None:
    assert verdict("diet.sodium", Nutrients(sodium_mg=sodium), target="diet") == expected


def test_diet_soft_rules_never_block() -> None:
    found = results(Nutrients(kcal=300, protein_g=5, fiber_g=1, sodium_mg=2000), target="diet")
    soft = ("diet.kcal_floor", "diet.protein", "diet.fiber", "diet.sodium")
    assert all(found[rule].verdict == "warn" and not found[rule].hard for rule in soft)


@pytest.mark.parametrize(("kcal", "expected"), _max_cases(500, None))
def test_obesity_condition_uses_the_same_500_kcal_meal(kcal: float, expected: str) -> None:
    assert verdict("condition.kcal", Nutrients(kcal=kcal), target="fridge", fridgeIngredients=["두부"],
                   healthConditions=["비만"]) == expected  # fmt: skip


# --- diabetes: ADA Standards of Care ---


@pytest.mark.parametrize(("carbs", "expected"), _max_cases(45, 60))
def test_diabetes_carbohydrate_per_meal_45_warn_60_fail(carbs: float, expected: str) -> None:
    assert verdict("diabetes.carbohydrate", Nutrients(carbohydrate_g=carbs), target="diabetes") == expected


@pytest.mark.parametrize(
    ("sugar", "expected"), [(0, "pass"), (0.1, "warn"), (9.9, "warn"), (10, "warn"), (10.1, "fail")]
)
def test_diabetes_added_sugar_warns_from_any_and_fails_above_10_g(sugar: float, expected: str) -> None:
    lines = [(get("sugar"), sugar), (get("onion"), 100)] if sugar else [(get("onion"), 100)]
    assert verdict("diabetes.added_sugar", lines=lines, target="diabetes") == expected


@pytest.mark.parametrize(("grams", "expected"), [(0, "pass"), (1, "fail"), (60, "fail")])
def test_glutinous_rice_is_no_diabetes_dish(grams: float, expected: str) -> None:
    lines = [(get("cooked_rice"), 150), (get("chicken_whole"), 300)]
    if grams:
        lines.append((get("glutinous_rice"), grams))
    found = results(lines=lines, target="diabetes")["diabetes.glutinous_rice"]
    assert found.verdict == expected and found.hard
    condition = results(lines=lines, target="diet", healthConditions=["당뇨"])["diabetes.glutinous_rice"]
    assert condition.verdict == expected


@pytest.mark.parametrize(("whole", "expected"), [(49.9, "warn"), (50.0, "pass"), (50.1, "pass")])
def test_diabetes_whole_grains_at_least_half_of_the_grains(whole: float, expected: str) -> None:
    lines = [(get("brown_rice_cooked"), whole), (get("cooked_rice"), 100 - whole)]
    found = results(lines=lines, target="diabetes")["diabetes.whole_grain"]
    assert found.verdict == expected and not found.hard
    assert found.value == pytest.approx(whole)
    assert found.items == ("cooked_rice",)  # the refined grain is named


@pytest.mark.parametrize(("fiber", "expected"), _min_cases(14, None))
def test_diabetes_fibre_at_least_14_g_per_1000_kcal(fiber: float, expected: str) -> None:
    # 1,000 kcal a serving so the grams are the grams per 1,000 kcal; half the energy, half the fibre.
    assert verdict("diabetes.fiber", Nutrients(kcal=1000, fiber_g=fiber), target="diabetes") == expected
    assert verdict("diabetes.fiber", Nutrients(kcal=500, fiber_g=fiber / 2), target="diabetes") == expected


@pytest.mark.parametrize(("sodium", "expected"), _max_cases(767, None))
def test_diabetes_sodium_is_a_third_of_2300_mg(sodium: float, expected: str) -> None:
    assert verdict("diabetes.sodium", Nutrients(sodium_mg=sodium), target="diabetes") == expected


# --- keto: 20-50 g net carbohydrate a day over three meals; 70-80 % fat; 10-20 % protein ---


@pytest.mark.parametrize(("net", "expected"), _max_cases(10, 16))
def test_keto_net_carbs_10_warn_16_fail(net: float, expected: str) -> None:
    found = results(with_fat_share(75) + Nutrients(carbohydrate_g=net), target="keto")["keto.net_carbs"]
    assert found.verdict == expected
    assert f"하루 세 끼면 {net * 3:.0f}g" in found.explanation and "20–50g" in found.explanation


def test_three_keto_meals_at_the_failing_line_stay_within_50_g_a_day() -> None:
    fail = results(Nutrients(carbohydrate_g=16.0), target="keto")["keto.net_carbs"].threshold
    assert fail is not None and 3 * fail <= 50


@pytest.mark.parametrize(("share", "expected"), _min_cases(70, 60))
def test_keto_fat_share_70_warn_60_fail(share: float, expected: str) -> None:
    assert verdict("keto.fat_share", with_fat_share(share), target="keto") == expected


@pytest.mark.parametrize(("share", "expected"), _max_cases(30, None))
def test_keto_protein_share_warns_above_30_percent(share: float, expected: str) -> None:
    found = results(with_protein_share(share), target="keto")["keto.protein_share"]
    assert found.verdict == expected and not found.hard


# --- hypertension: WHO 2,000 mg sodium a day; potassium-rich foods ---


@pytest.mark.parametrize(("sodium", "expected"), _max_cases(500, 667))
def test_hypertension_sodium_500_warn_667_fail(sodium: float, expected: str) -> None:
    found = results(Nutrients(sodium_mg=sodium), target="diet", healthConditions=["고혈압"])[
        "condition.sodium"
    ]
    assert found.verdict == expected and found.hard


@pytest.mark.parametrize(("grams", "expected"), _min_cases(70, None))
def test_hypertension_favours_70_g_of_potassium_rich_food(grams: float, expected: str) -> None:
    lines = [(get("spinach"), grams), (get("onion"), 50)]
    found = results(lines=lines, target="diet", healthConditions=["hypertension"])[
        "condition.potassium_foods"
    ]
    assert found.verdict == expected and not found.hard and found.items == ("spinach",)


# --- babies and toddlers ---


@pytest.mark.parametrize(
    ("age", "kcal"), [(6, 100), (8, 100), (9, 100), (11, 100), (12, 185), (23, 185), (24, 225), (36, 225)]
)
def test_baby_meal_energy_by_age(age: int, kcal: float) -> None:
    for value, expected in _max_cases(kcal, None):
        found = results(Nutrients(kcal=value), target="baby_food", babyAgeMonths=age)["baby.portion"]
        assert (found.verdict, found.hard) == (expected, False), (age, value)


@pytest.mark.parametrize(("sodium", "expected"), _max_cases(400, None))
def test_toddler_sodium_a_third_of_1200_mg_from_12_months(sodium: float, expected: str) -> None:
    for age in (12, 36):
        assert (
            verdict("baby.sodium", Nutrients(sodium_mg=sodium), target="baby_food", babyAgeMonths=age)
            == expected
        )
    assert "baby.sodium" not in results(Nutrients(sodium_mg=sodium), target="baby_food", babyAgeMonths=11)


@pytest.mark.parametrize(
    ("rule", "key"),
    [("baby.no_honey", "honey"), ("baby.no_added_salt", "soy_sauce"), ("baby.no_added_sugar", "sugar"),
     ("baby.no_cow_milk", "milk")],
)  # fmt: skip
def test_under_12_month_rules_block_at_11_months_and_end_at_12(rule: str, key: str) -> None:
    lines = [(get(key), 5), (get("zucchini"), 30)]
    eleven = results(lines=lines, target="baby_food", babyAgeMonths=11)[rule]
    assert eleven.blocking and eleven.items == (key,)
    assert rule not in results(lines=lines, target="baby_food", babyAgeMonths=12)


@pytest.mark.parametrize(("sugar", "expected"), [(0, "pass"), (0.1, "warn"), (5, "warn")])
def test_added_sugar_from_12_months_warns(sugar: float, expected: str) -> None:
    lines = [(get("zucchini"), 30)] + ([(get("sugar"), sugar)] if sugar else [])
    found = results(lines=lines, target="baby_food", babyAgeMonths=12)["baby.added_sugar"]
    assert found.verdict == expected and not found.hard


@pytest.mark.parametrize(("count", "expected"), [(0, "warn"), (1, "pass"), (2, "pass")])
def test_iron_rich_food_needed_in_a_baby_meal(count: int, expected: str) -> None:
    foods = [get("beef_round"), get("egg_yolk")][:count]
    lines = [(get("cooked_rice"), 70)] + [(food, 20) for food in foods]
    found = results(lines=lines, target="baby_food", babyAgeMonths=9)["baby.iron_rich"]
    assert found.verdict == expected and not found.hard
    if count == 0:
        assert "고기·생선·달걀·두부·콩" in found.explanation


@pytest.mark.parametrize("age", [6, 12, 24, 36])
def test_whole_nuts_and_grapes_block_at_every_age_to_36_months(age: int) -> None:
    for key in ("walnut", "peanut", "grapes"):
        assert results(lines=[(get(key), 10)], target="baby_food", babyAgeMonths=age)["baby.choking"].blocking


@pytest.mark.parametrize(
    ("age", "fits", "misfits"),
    [(6, ("puree", "mashed"), ("soft_chunks",)),
     (8, ("puree", "mashed"), ("soft_chunks",)),
     (9, ("mashed", "soft_chunks"), ("puree", "finger_food")),
     (11, ("mashed", "soft_chunks"), ("finger_food",)),
     (12, ("soft_chunks", "finger_food"), ("mashed", "regular")),
     (23, ("soft_chunks", "finger_food"), ("regular",)),
     (24, ("soft_chunks", "finger_food", "regular"), ("mashed",)),
     (36, ("regular",), ("puree",))],
)  # fmt: skip
def test_texture_stage_edges(age: int, fits: tuple[str, ...], misfits: tuple[str, ...]) -> None:
    for texture in fits:
        assert verdict("baby.texture", target="baby_food", babyAgeMonths=age, texture=texture) == "pass"
    for texture in misfits:
        assert verdict("baby.texture", target="baby_food", babyAgeMonths=age, texture=texture) == "fail"


@pytest.mark.parametrize(("age", "ok"), [(5, False), (6, True), (36, True), (37, False)])
def test_baby_age_range_is_6_to_36_months(age: int, ok: bool) -> None:
    from aichef.errors import InvalidInput
    from aichef.models import parse_profile

    if ok:
        assert parse_profile({"target": "baby_food", "babyAgeMonths": age}).babyAgeMonths == age
        return
    with pytest.raises(InvalidInput) as caught:
        parse_profile({"target": "baby_food", "babyAgeMonths": age})
    assert "6..36" in str(caught.value)
