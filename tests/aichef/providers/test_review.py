"""Reviewing a model's recipe: schema, table mapping, AI Chef's own nutrition, diet rules, allergies."""

from __future__ import annotations

from typing import Any

import pytest
from fake_llm_servers import KETO_BROKEN, KETO_OK, keto_request

from aichef.knowledge import nutrition
from aichef.knowledge.ingredients import lookup
from aichef.knowledge.units import to_grams
from aichef.models import SessionRequest
from aichef.providers._review import review, schema_errors
from aichef.providers.prompts import recipe_schema


def _request(**profile: Any) -> SessionRequest:
    constraints = profile.pop("constraints", {})
    return SessionRequest.model_validate({"sessionId": "r", "profile": profile, "constraints": constraints})


def _with(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**base, **changes}


def test_a_good_recipe_is_served_with_nutrition_computed_from_the_table() -> None:
    verdict = review(KETO_OK, keto_request(), "test:model")
    assert verdict.problems == () and verdict.served is not None
    served = verdict.served
    expected_grams = []
    for line in KETO_OK["ingredients"]:
        item = lookup(line["name"])
        assert item is not None
        expected_grams.append((item, to_grams(item, line["amount"], line["unit"])))
    assert [(x.ingredient, x.grams) for x in served.lines] == expected_grams
    report = nutrition.compute([(i, g) for i, g in expected_grams if g is not None], 2)
    assert served.nutrition.total == report.total
    assert [i.grams for i in served.recipe.ingredients] == [round(g or 0, 1) for _, g in expected_grams]
    assert served.recipe.targetNote.startswith("[키토]") and "test:model" in served.recipe.targetNote
    assert not any(r.blocking for r in served.rules)
    assert served.source_id == "test:model" and served.changes == ()


def test_the_models_nutrition_figures_are_refused_not_trusted() -> None:
    verdict = review(_with(KETO_OK, nutrition={"kcal": 1}), keto_request(), "m")
    assert verdict.served is None
    assert verdict.problems[0].startswith("nutrition: unknown field")


def test_every_schema_problem_is_named_at_once() -> None:
    broken = {
        "recipeName": "",
        "cookingTime": "20",
        "servings": 3,
        "difficulty": "trivial",
        "texture": "regular",
    }
    broken["ingredients"] = [
        {"name": "두부", "amount": -1, "unit": "g"},
        {"name": "두부", "unit": "g", "x": 1},
    ]
    broken["instructions"] = []
    verdict = review(broken, keto_request(), "m")
    assert verdict.served is None
    problems = set(verdict.problems)
    assert "description: is required" in problems
    assert "recipeName: must not be empty" in problems
    assert "cookingTime: expected integer, got str '20'" in problems
    assert "servings: must be 2, got 3" in problems
    assert "difficulty: got 'trivial'; allowed: 쉬움, 보통, 어려움" in problems
    assert "ingredients[0].amount: must be more than 0, got -1" in problems
    assert "ingredients[1].amount: is required" in problems
    assert any(p.startswith("ingredients[1].x: unknown field") for p in problems)
    assert "instructions: needs at least 1 item(s)" in problems


@pytest.mark.parametrize("answer", ["Sure, here is a recipe", [KETO_OK], None, 3])
def test_an_answer_that_is_not_an_object_is_refused(answer: object) -> None:
    verdict = review(answer, keto_request(), "m")
    assert verdict.served is None and verdict.problems[0].startswith("(recipe): JSON 객체가 아닙니다")


def test_whole_floats_count_as_integers_but_booleans_do_not() -> None:
    schema = recipe_schema(keto_request())
    assert schema_errors(_with(KETO_OK, cookingTime=20.0), schema) == []
    assert schema_errors(_with(KETO_OK, cookingTime=True), schema) == [
        "cookingTime: expected integer, got bool True"
    ]
    assert schema_errors(_with(KETO_OK, cookingTime=20.5), schema) == [
        "cookingTime: expected integer, got float 20.5"
    ]


def test_unknown_ingredients_and_unweighable_units_are_named_with_what_would_work() -> None:
    lines = [{"name": "두부부", "amount": 1, "unit": "모"}, {"name": "달걀", "amount": 1, "unit": "컵"}]
    verdict = review(_with(KETO_OK, ingredients=lines), keto_request(), "m")
    assert verdict.served is None
    unknown, unit = verdict.problems
    assert unknown.startswith("ingredients[0].name: '두부부'") and "비슷한 이름: 두부" in unknown
    assert unit.startswith("ingredients[1].unit: '컵' (달걀)") and unit.endswith("g, kg, 개, 알")


def test_allergen_and_hard_rule_failures_carry_their_rule_ids() -> None:
    verdict = review(KETO_BROKEN, keto_request(), "m")
    assert verdict.served is None
    assert [p.split("]")[0] + "]" for p in verdict.problems] == [
        "[allergy.declared]",
        "[keto.net_carbs]",
        "[keto.no_sugar_or_starch]",
        "[allergy.declared]",  # the dish's name says 새우 too
    ]
    assert "새우" in verdict.problems[0]
    feedback = verdict.feedback()
    assert feedback.startswith("제출한 레시피를 그대로 쓸 수 없습니다") and "submit_recipe" in feedback


def test_feedback_follows_the_profile_language() -> None:
    english = _with(KETO_BROKEN, difficulty="easy")
    verdict = review(english, keto_request("en"), "m")
    assert verdict.feedback().startswith("The submitted recipe cannot be served")
    assert any("shrimp" in p for p in verdict.problems)


_PORRIDGE: dict[str, Any] = {
    "recipeName": "애호박 쌀죽",
    "description": "중기 이유식",
    "cookingTime": 30,
    "difficulty": "쉬움",
    "servings": 1,
    "texture": "mashed",
    "ingredients": [
        {"name": "쌀", "amount": 30, "unit": "g"},
        {"name": "애호박", "amount": 30, "unit": "g"},
        {"name": "물", "amount": 1, "unit": "컵"},
    ],
    "instructions": ["쌀을 불린다.", "애호박을 다져 함께 끓여 으깬다."],
}


def test_baby_food_checks_texture_and_seasoning_for_the_age() -> None:
    request = _request(target="baby_food", babyAgeMonths=8, servings=1)
    assert review(_PORRIDGE, request, "m").served is not None
    chunks = review(_with(_PORRIDGE, texture="finger_food"), request, "m")
    assert chunks.served is None and chunks.problems[0].startswith("[baby.texture]")
    salted = _with(
        _PORRIDGE, ingredients=[*_PORRIDGE["ingredients"], {"name": "간장", "amount": 1, "unit": "작은술"}]
    )
    assert any(p.startswith("[baby.no_added_salt]") for p in review(salted, request, "m").problems)


def test_fridge_recipes_report_the_share_on_hand_and_what_to_buy() -> None:
    # With no pantry, garlic must be bought: 2 of the 3 non-staples (pork belly, cabbage, garlic) on hand.
    request = _request(target="fridge", fridgeIngredients=["삼겹살", "양배추"], pantry="none")
    served = review(KETO_OK, request, "m").served
    assert served is not None
    assert served.on_hand_share == pytest.approx(100 * 2 / 3)
    assert [item.key for item, _ in served.to_buy] == ["garlic"]
    # The default pantry holds garlic, as the offline generator assumes: nothing to buy.
    served = review(KETO_OK, _request(target="fridge", fridgeIngredients=["삼겹살", "양배추"]), "m").served
    assert served is not None
    assert served.on_hand_share == pytest.approx(100) and served.to_buy == ()


def test_constraints_are_rules_too() -> None:
    request = _request(target="diet", constraints={"maxCalories": 400, "maxCookingTime": 15})
    verdict = review(_with(KETO_OK, difficulty="쉬움"), request, "m")
    ids = {p.split("]")[0].lstrip("[") for p in verdict.problems}
    assert ids == {"diet.kcal", "constraint.max_cooking_time"}


def test_allergens_named_in_the_name_or_steps_count_even_when_absent_from_the_lines() -> None:
    steps = ["새우젓으로 간을 한다.", "가지(eggplant)를 굽고 코코넛밀크를 붓는다.", "Serve without shame."]
    request = keto_request(allergies=["새우", "우유", "달걀", "돼지고기"])
    verdict = review(_with(KETO_OK, recipeName="두부 스테이크", instructions=steps, ingredients=[
        {"name": "두부", "amount": 300, "unit": "g"}, {"name": "올리브유", "amount": 3, "unit": "큰술"}
    ]), request, "m")  # fmt: skip
    assert verdict.served is None
    assert verdict.problems == (
        "[allergy.declared] instructions[0]: 알레르기 식품 '새우젓'(새우)을(를) 언급합니다; 빼고 다시 쓰세요",
    )
    # Listed this time (the gate lets steps name only listed foods), with a description free of pork.
    plain = _with(KETO_OK, recipeName="두부 스테이크", instructions=steps[1:], description="두부 요리.",
                  ingredients=[
        {"name": "두부", "amount": 300, "unit": "g"}, {"name": "올리브유", "amount": 3, "unit": "큰술"},
        {"name": "가지", "amount": 100, "unit": "g"}, {"name": "코코넛밀크", "amount": 100, "unit": "g"},
    ])  # fmt: skip
    assert (
        review(plain, request, "m").problems == ()
    )  # eggplant, coconut milk and "shame" are not egg, milk, ham


def test_the_gate_refuses_a_model_recipe_whose_steps_name_unlisted_foods() -> None:
    steps = ["삼겹살을 굽는다.", "양배추와 당근을 넣고 볶는다."]  # 당근 is not among the lines
    ingredients = [
        {"name": "삼겹살", "amount": 300, "unit": "g"},
        {"name": "양배추", "amount": 150, "unit": "g"},
    ]
    verdict = review(_with(KETO_OK, instructions=steps, ingredients=ingredients), keto_request(), "m")
    assert verdict.served is None
    assert any(p.startswith("[gate.unlisted_ingredient]") and "당근" in p for p in verdict.problems)
