"""Diet rules: thresholds, hard vs soft, age gates, fridge share, conditions and constraints."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import pytest

from aichef.knowledge import _diet_rules
from aichef.knowledge.diets import RuleResult, baby_stage, check, hard_failures, rules_for
from aichef.knowledge.ingredients import Ingredient, Nutrients
from aichef.models import Constraints, Profile, parse_session


def ing(
    key: str, name_ko: str, *tags: str, allergens: tuple[str, ...] = (), category: str = "other"
) -> Ingredient:
    return Ingredient(
        key=key,
        name_ko=name_ko,
        name_en=key.replace("_", " "),
        aliases=(),
        category=category,
        ndb_no="0",
        usda_description="test food",
        approximation=None,
        per_100g=Nutrients(),
        allergens=frozenset(allergens),
        tags=frozenset(tags),
        unit_grams=MappingProxyType({}),
    )


HONEY = ing("honey", "꿀", "honey", "added_sugar")
SUGAR = ing("sugar", "설탕", "added_sugar", "staple")
RICE = ing("rice", "쌀", "starch_staple")
SOY_SAUCE = ing("soy_sauce", "간장", "salty_seasoning", "staple", allergens=("soy", "wheat"))
EGG = ing("egg", "달걀", allergens=("egg",), category="egg")
WALNUT = ing("walnut", "호두", "whole_nut", allergens=("walnut",))
CHILI = ing("chili_powder", "고춧가루", "spicy")
ONION = ing("onion", "양파")
TOFU = ing("tofu", "두부", allergens=("soy",), category="tofu")
PORK = ing("pork", "돼지고기", "meat", allergens=("pork",))
SALT = ing("salt", "소금", "salty_seasoning", "staple")


@dataclass(frozen=True)
class Report:
    per_serving: Nutrients


def run(
    nutrients: Nutrients | None = None,
    lines: list[tuple[Ingredient, float]] | None = None,
    cooking_time: int = 20,
    constraints: Constraints | None = None,
    texture: str | None = None,
    **profile: Any,
) -> dict[str, RuleResult]:
    fields = {"target": "diet", "servings": 1, **profile}
    results = check(
        Profile.model_validate(fields),
        lines or [],
        Report(nutrients or Nutrients()),
        cooking_time,
        frozenset(profile.get("fridgeIngredients", ())),
        constraints=constraints,
        texture=texture,
    )
    return {r.id: r for r in results}


def keto_nutrients(carbs: float, fiber: float = 0.0, fat: float = 40.0, protein: float = 20.0) -> Nutrients:
    return Nutrients(kcal=600, protein_g=protein, fat_g=fat, carbohydrate_g=carbs, fiber_g=fiber)


@pytest.mark.parametrize(
    ("carbs", "fiber", "verdict"),
    [
        (9.9, 0, "pass"),
        (10.0, 0, "pass"),
        (12, 0, "warn"),
        (16.0, 0, "warn"),
        (16.1, 0, "fail"),
        (25, 10, "warn"),
    ],
)
def test_keto_net_carbs_thresholds(carbs: float, fiber: float, verdict: str) -> None:
    result = run(keto_nutrients(carbs, fiber), target="keto")["keto.net_carbs"]
    assert result.verdict == verdict
    assert result.value == pytest.approx(carbs - fiber)
    assert result.hard and result.blocking == (verdict == "fail")


def test_keto_fat_share_of_energy() -> None:
    # 40 g fat = 360 kcal of 360 + 80 + 20 = 460 kcal from macros -> 78 %
    high = run(keto_nutrients(5, fat=40, protein=20), target="keto")["keto.fat_share"]
    assert high.verdict == "pass" and high.value == pytest.approx(100 * 360 / 460)
    low = run(keto_nutrients(5, fat=10, protein=40), target="keto")["keto.fat_share"]
    assert low.verdict == "fail" and low.blocking


def test_keto_forbids_sugar_and_starch_staples_by_name() -> None:
    result = run(keto_nutrients(5), [(RICE, 100), (SUGAR, 5), (ONION, 50)], target="keto")
    rule = result["keto.no_sugar_or_starch"]
    assert rule.verdict == "fail" and set(rule.items) == {"rice", "sugar"}
    assert "쌀" in rule.explanation and "설탕" in rule.explanation
    assert run(keto_nutrients(5), [(ONION, 50)], target="keto")["keto.no_sugar_or_starch"].verdict == "pass"


@pytest.mark.parametrize(
    ("carbs", "verdict"), [(44, "pass"), (45, "pass"), (50, "warn"), (60, "warn"), (61, "fail")]
)
def test_diabetes_carbohydrate(carbs: float, verdict: str) -> None:
    assert run(Nutrients(carbohydrate_g=carbs), target="diabetes")["diabetes.carbohydrate"].verdict == verdict


def test_diabetes_added_sugar_is_flagged_and_fails_above_10g_per_serving() -> None:
    warn = run(Nutrients(), [(SUGAR, 10), (ONION, 100)], target="diabetes", servings=2)[
        "diabetes.added_sugar"
    ]
    assert (warn.verdict, warn.value, warn.items) == ("warn", 5, ("sugar",))
    fail = run(Nutrients(), [(SUGAR, 10), (HONEY, 14)], target="diabetes", servings=2)["diabetes.added_sugar"]
    assert fail.verdict == "fail" and fail.value == 12
    assert run(Nutrients(), [(ONION, 100)], target="diabetes")["diabetes.added_sugar"].verdict == "pass"


def test_diabetes_fiber_and_sodium_are_soft() -> None:
    results = run(Nutrients(kcal=500, fiber_g=2, sodium_mg=1500), target="diabetes")
    assert results["diabetes.fiber"].verdict == "warn" and not results["diabetes.fiber"].hard
    assert results["diabetes.sodium"].verdict == "warn" and not results["diabetes.sodium"].hard
    assert hard_failures(results.values()) == []


def test_baby_under_12_months_no_honey_salt_or_sugar() -> None:
    lines = [(HONEY, 5), (SOY_SAUCE, 5), (SALT, 1), (ONION, 30)]
    results = run(Nutrients(), lines, target="baby_food", babyAgeMonths=8, texture="mashed")
    assert results["baby.no_honey"].blocking
    assert set(results["baby.no_added_salt"].items) == {"soy_sauce", "salt"}
    assert results["baby.no_added_sugar"].items == ("honey",)
    assert results["baby.texture"].verdict == "pass"


def test_baby_rules_for_12_months_and_older_drop_the_under_12_gates() -> None:
    results = run(Nutrients(), [(HONEY, 5), (SOY_SAUCE, 2)], target="baby_food", babyAgeMonths=12)
    assert "baby.no_honey" not in results and "baby.no_added_salt" not in results
    assert "baby.choking" in results and "baby.texture" in results


def test_baby_choking_and_spicy_fail_at_every_age() -> None:
    for age in (6, 18):
        results = run(Nutrients(), [(WALNUT, 10), (CHILI, 1)], target="baby_food", babyAgeMonths=age)
        assert results["baby.choking"].items == ("walnut",) and results["baby.choking"].blocking
        assert results["baby.not_spicy"].blocking


@pytest.mark.parametrize(
    ("age", "texture", "verdict"),
    [
        (6, "puree", "pass"),
        (6, "mashed", "pass"),
        (6, "soft_chunks", "fail"),
        (8, "mashed", "pass"),
        (9, "puree", "fail"),
        (11, "soft_chunks", "pass"),
        (12, "finger_food", "pass"),
        (12, "mashed", "fail"),
        (23, "regular", "fail"),
        (24, "regular", "pass"),
        (36, "finger_food", "pass"),
        (10, None, "fail"),
    ],
)
def test_baby_texture_fits_stage(age: int, texture: str | None, verdict: str) -> None:
    result = run(Nutrients(), [(ONION, 30)], target="baby_food", babyAgeMonths=age, texture=texture)
    assert result["baby.texture"].verdict == verdict


def test_baby_stages_cover_6_to_36_months_without_gaps() -> None:
    assert [baby_stage(m).name_ko for m in (6, 8, 9, 11, 12, 23, 24, 36)] == [
        "초기·중기", "초기·중기", "후기", "후기", "완료기", "완료기", "유아식", "유아식",
    ]  # fmt: skip
    for outside in (5, 37):
        with pytest.raises(ValueError, match=r"6\.\.36"):
            baby_stage(outside)


def test_common_allergens_are_offered_not_penalised_unless_declared() -> None:
    lines = [(EGG, 20), (TOFU, 20), (ONION, 10)]
    result = run(Nutrients(), lines, target="baby_food", babyAgeMonths=10, texture="soft_chunks")
    assert "baby.allergens" not in result
    assert [r.id for r in result.values() if r.verdict != "pass"] == []
    declared = run(Nutrients(), lines, target="baby_food", babyAgeMonths=10, allergies=["달걀"])
    assert declared["allergy.declared"].items == ("egg",) and declared["allergy.declared"].blocking


def test_diet_kcal_uses_max_calories_or_a_deficit_meal() -> None:
    assert run(Nutrients(kcal=540))["diet.kcal"].verdict == "warn"
    assert run(Nutrients(kcal=560))["diet.kcal"].verdict == "fail"
    assert run(Nutrients(kcal=480))["diet.kcal"].verdict == "pass"
    limited = run(Nutrients(kcal=500), constraints=Constraints(maxCalories=450))
    assert limited["diet.kcal"].verdict == "fail" and limited["diet.kcal"].threshold == 450
    assert "constraint.max_calories" not in limited  # the diet rule already enforces it


def test_fridge_share_ignores_staples_and_names_missing_items() -> None:
    lines = [(ONION, 100), (TOFU, 200), (PORK, 100), (SOY_SAUCE, 10), (SALT, 2)]
    results = run(Nutrients(), lines, target="fridge", fridgeIngredients=["onion", "tofu"])
    share = results["fridge.on_hand_share"]
    assert share.value == pytest.approx(200 / 3) and share.verdict == "warn"
    assert share.items == ("pork",) and "돼지고기" in share.explanation
    full = run(Nutrients(), lines, target="fridge", fridgeIngredients=["onion", "tofu", "pork"])
    assert full["fridge.on_hand_share"].verdict == "pass"
    poor = run(Nutrients(), lines, target="fridge", fridgeIngredients=["garlic"])
    assert poor["fridge.on_hand_share"].blocking


def test_health_conditions_add_rules_once() -> None:
    results = run(
        Nutrients(sodium_mg=1100, carbohydrate_g=70, protein_g=30),
        target="keto",
        healthConditions=["고혈압", "신장질환", "당뇨"],
    )
    assert results["condition.sodium"].blocking
    assert results["condition.protein"].verdict == "warn" and not results["condition.protein"].hard
    assert results["diabetes.carbohydrate"].blocking
    ids = [
        r.id for r in rules_for(Profile(target="keto", healthConditions=["hypertension", "kidney_disease"]))
    ]
    assert ids.count("condition.sodium") == 1


def test_constraints_cooking_time_and_calories() -> None:
    constraints = Constraints(maxCalories=500, maxCookingTime=30)
    results = run(Nutrients(kcal=550), cooking_time=40, constraints=constraints, target="keto")
    assert results["constraint.max_cooking_time"].blocking
    assert results["constraint.max_calories"].blocking
    ok = run(Nutrients(kcal=450), cooking_time=30, constraints=constraints, target="keto")
    assert hard_failures([ok["constraint.max_cooking_time"], ok["constraint.max_calories"]]) == []


def test_session_request_brings_its_constraints() -> None:
    session = parse_session(
        {"sessionId": "s", "profile": {"target": "diet"}, "constraints": {"maxCookingTime": 10}}
    )
    results = check(session, [], Report(Nutrients()), 15, frozenset())
    assert [r.id for r in hard_failures(results)] == ["constraint.max_cooking_time"]


def test_declared_allergies_always_block() -> None:
    results = run(Nutrients(), [(TOFU, 100), (EGG, 50)], target="diet", allergies=["대두"])
    assert results["allergy.declared"].items == ("tofu",)
    assert [r.id for r in hard_failures(results.values())] == ["allergy.declared"]


def test_spicy_preference_zero_warns() -> None:
    assert run(Nutrients(), [(CHILI, 2)], preferences={"spicyLevel": 0})["preference.spicy"].verdict == "warn"
    assert "preference.spicy" not in run(Nutrients(), [(CHILI, 2)], preferences={"spicyLevel": 3})


def test_english_explanations() -> None:
    result = run(keto_nutrients(20), target="keto", language="en")["keto.net_carbs"]
    assert result.explanation.startswith("Net carbs per serving 20g: should be at most 16g (fails)")
    assert "three such meals make 60 g a day (keto: 20-50 g a day)" in result.explanation
    assert result.as_dict()["title"] == {"ko": "순탄수화물(1인분)", "en": "Net carbs per serving"}


def test_every_rule_has_titles_a_source_and_a_threshold() -> None:
    tables = [
        _diet_rules.KETO,
        _diet_rules.DIABETES,
        _diet_rules.BABY_FOOD,
        _diet_rules.FRIDGE,
        _diet_rules.DIET,
    ]
    rules = [r for table in tables for r in table] + [r for t in _diet_rules.CONDITIONS.values() for r in t]
    rules += [_diet_rules.ALLERGY, _diet_rules.SPICY_PREFERENCE]
    rules += [_diet_rules.diet_kcal_rule(500), _diet_rules.diet_kcal_rule(None)]
    rules += [_diet_rules.baby_portion_rule(stage) for stage in _diet_rules.BABY_STAGES]
    for rule in rules:
        assert rule.title_ko and rule.title_en and len(rule.source) > 10, rule.id
        assert rule.warn is not None or rule.fail is not None, rule.id
        # Sources are shown to users: published guidance by name, never the project's own tracker.
        assert "issue" not in rule.source.lower() and "#" not in rule.source, rule.id


def test_real_table_tags_drive_the_baby_rules() -> None:
    from aichef.knowledge.ingredients import get
    from aichef.knowledge.nutrition import compute

    lines = [(get(k), g) for k, g in [("honey", 5), ("soy_sauce", 5), ("walnut", 10), ("gochugaru", 1)]]
    lines.append((get("pumpkin"), 100))
    profile = Profile(target="baby_food", babyAgeMonths=6, servings=1)
    results = {r.id: r for r in check(profile, lines, compute(lines, 1), 15, texture="puree")}
    assert results["baby.no_honey"].items == ("honey",)
    assert results["baby.no_added_salt"].items == ("soy_sauce",)
    assert results["baby.choking"].items == ("walnut",)
    assert results["baby.not_spicy"].items == ("gochugaru",)
    assert results["baby.texture"].verdict == "pass"


def test_on_hand_defaults_to_the_profiles_fridge_words() -> None:
    from aichef.knowledge.ingredients import get
    from aichef.knowledge.nutrition import compute

    lines = [(get("onion"), 100), (get("tofu"), 300), (get("egg"), 100), (get("salt"), 2)]
    profile = Profile(target="fridge", fridgeIngredients=["양파", "두부", "unknown thing"], servings=2)
    share = {r.id: r for r in check(profile, lines, compute(lines, 2), 15)}["fridge.on_hand_share"]
    assert share.value == pytest.approx(200 / 3)
    assert share.items == ("egg",)
