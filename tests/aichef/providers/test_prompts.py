"""Target prompts (Korean by default, English on request), rules from the rule table, the recipe schema."""

from __future__ import annotations

from typing import Any

import pytest

from aichef.knowledge.ingredients import lookup
from aichef.models import TARGETS, SessionRequest
from aichef.providers.prompts import allowed_names, recipe_schema, system_prompt, user_prompt

_EXTRA: dict[str, dict[str, Any]] = {
    "baby_food": {"babyAgeMonths": 7},
    "fridge": {"fridgeIngredients": ["두부", "김치"]},
}


def _request(target: str, language: str = "ko", **profile: Any) -> SessionRequest:
    data = {"target": target, "language": language, **_EXTRA.get(target, {}), **profile}
    return SessionRequest.model_validate({"sessionId": "p", "profile": data})


@pytest.mark.parametrize("target", TARGETS)
def test_each_target_has_its_own_voice_in_both_languages(target: str) -> None:
    korean, english = system_prompt(_request(target)), system_prompt(_request(target, "en"))
    assert "submit_recipe" in korean and "submit_recipe" in english
    assert "한국어" in korean and "English" in english
    others = [system_prompt(_request(t)) for t in TARGETS if t != target]
    assert korean not in others


def test_keto_rules_come_from_the_rule_table_with_their_thresholds() -> None:
    prompt = user_prompt(_request("keto", healthConditions=["고혈압"]))
    assert "- [필수] 순탄수화물(1인분): 10g 이하" in prompt
    assert "- [필수] 지방 에너지 비율: 70% 이상" in prompt
    assert "- [필수] 나트륨(1인분, 저염): 500mg 이하" in prompt
    assert "건강 상태: 고혈압" in prompt


def test_baby_prompt_names_the_stage_textures_and_age() -> None:
    prompt = user_prompt(_request("baby_food", "en"))
    assert "Baby age: 7 months" in prompt
    assert "texture = mashed, puree" in prompt
    assert "No honey under 12 months" in prompt


def test_fridge_and_constraints_are_spelled_out() -> None:
    request = SessionRequest.model_validate(
        {
            "sessionId": "p",
            "profile": {"target": "fridge", "fridgeIngredients": ["두부", "김치"]},
            "constraints": {"maxCookingTime": 20, "maxCalories": 500},
        }
    )
    prompt = user_prompt(request)
    assert "냉장고 재료: 두부, 김치" in prompt and "70% 이상" in prompt
    assert "조리 시간: 20분 이내" in prompt and "열량: 1인분 500 kcal 이하" in prompt


def test_allowed_ingredients_leave_out_allergens_and_forbidden_foods() -> None:
    keto = allowed_names(_request("keto", allergies=["새우", "견과류"]))
    assert "새우" not in keto and "호두" not in keto and "땅콩" not in keto
    assert "밥" not in keto and "설탕" not in keto  # starch staple and sugar are forbidden on keto
    assert "삼겹살" in keto and "두부" in keto
    diet = allowed_names(_request("diet"))
    assert "밥" in diet and "새우" in diet
    assert all(lookup(name) is not None for name in keto + diet)  # every offered name maps back
    baby = allowed_names(_request("baby_food"))
    assert "꿀" not in baby and "간장" not in baby and "청양고추" not in baby


def test_schema_follows_the_language_and_servings() -> None:
    korean = recipe_schema(_request("diet", servings=3))
    english = recipe_schema(_request("diet", "en"))
    assert korean["properties"]["difficulty"]["enum"] == ["쉬움", "보통", "어려움"]
    assert english["properties"]["difficulty"]["enum"] == ["easy", "medium", "hard"]
    assert korean["properties"]["servings"]["const"] == 3
    assert korean["additionalProperties"] is False and set(korean["required"]) == set(korean["properties"])
    assert "nutrition" not in korean["properties"]  # the model is never asked for figures
