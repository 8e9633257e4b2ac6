"""Profile and recipe models: valid input parses, bad input names the field and what is allowed."""

from __future__ import annotations

from typing import Any

import pytest

from aichef.errors import AIChefError, InvalidInput
from aichef.models import TARGETS, Profile, Recipe, parse_profile, parse_session


def request(**profile: Any) -> dict[str, Any]:
    return {"sessionId": "s-1", "profile": {"target": "keto", **profile}}


def problems(data: dict[str, Any]) -> dict[str, tuple[str, tuple[str, ...]]]:
    with pytest.raises(InvalidInput) as info:
        parse_session(data)
    return {p.field: (p.problem, p.allowed) for p in info.value.problems}


def test_seed_shaped_request_parses_with_defaults() -> None:
    session = parse_session(
        {
            "sessionId": "abc",
            "profile": {
                "target": "diabetes",
                "healthConditions": ["고혈압"],
                "allergies": ["땅콩", "shrimp"],
                "cookingLevel": "intermediate",
                "budget": 20000,
                "servings": 3,
                "preferences": {"cuisine": "korean", "spicyLevel": 1},
            },
            "constraints": {"maxCalories": 600, "maxCookingTime": 30},
        }
    )
    assert session.profile.healthConditions == ["hypertension"]
    assert session.profile.allergen_keys() == {"peanut", "shrimp"}
    assert session.constraints.maxCalories == 600
    assert session.profile.language == "ko"


def test_unknown_target_lists_the_allowed_targets() -> None:
    found = problems(request(target="ketoo"))
    assert found["profile.target"][1] == TARGETS
    assert "ketoo" in found["profile.target"][0]


def test_every_bad_field_is_reported_at_once() -> None:
    found = problems(
        request(servings=0, budget=-5, cookingLevel="chef", preferences={"cuisine": "mars", "spicyLevel": 9})
    )
    assert set(found) == {
        "profile.servings",
        "profile.budget",
        "profile.cookingLevel",
        "profile.preferences.cuisine",
        "profile.preferences.spicyLevel",
    }
    assert found["profile.cookingLevel"][1] == ("beginner", "intermediate", "advanced")


def test_unknown_allergen_names_field_and_allowed_words() -> None:
    found = problems(request(allergies=["계란", "kryptonite"]))
    problem, allowed = found["profile.allergies"]
    assert "kryptonite" in problem
    assert "egg" in allowed and "견과류" in allowed


def test_group_allergy_words_expand() -> None:
    profile = parse_profile({"target": "diet", "allergies": ["견과류"]})
    assert {"walnut", "peanut", "pine_nut"} <= profile.allergen_keys()


def test_unknown_health_condition_is_rejected_with_vocabulary() -> None:
    problem, allowed = problems(request(healthConditions=["hiccups"]))["profile.healthConditions"]
    assert "hiccups" in problem
    assert any(word.startswith("hypertension") for word in allowed)


def test_health_conditions_normalise_korean_and_dedupe() -> None:
    profile = Profile(target="diet", healthConditions=["당뇨", "diabetes", "신장 질환"])
    assert profile.healthConditions == ["diabetes", "kidney_disease"]


def test_baby_food_requires_age_in_range() -> None:
    assert "profile.babyAgeMonths" in problems(request(target="baby_food"))
    assert "profile.babyAgeMonths" in problems(request(target="baby_food", babyAgeMonths=3))
    assert "profile.babyAgeMonths" in problems(request(target="keto", babyAgeMonths=6))
    assert parse_profile({"target": "baby_food", "babyAgeMonths": 12}).babyAgeMonths == 12


def test_fridge_requires_ingredients_and_dedupes_them() -> None:
    assert "profile.fridgeIngredients" in problems(request(target="fridge"))
    profile = parse_profile({"target": "fridge", "fridgeIngredients": [" 양파", "양파", "", "두부"]})
    assert profile.fridgeIngredients == ["양파", "두부"]


def test_missing_and_unknown_fields() -> None:
    found = problems({"profile": {"target": "keto", "colour": "red"}})
    assert found["sessionId"][0] == "is required"
    assert found["profile.colour"][0] == "unknown field"


def test_top_level_language_overrides_profile() -> None:
    session = parse_session({**request(language="ko"), "language": "en"})
    assert session.profile.language == "en"


def test_invalid_input_is_the_project_error_and_has_no_pydantic_text() -> None:
    with pytest.raises(AIChefError) as info:
        parse_profile({"target": 5})
    assert "pydantic" not in str(info.value)
    assert str(info.value).startswith("profile.target:")


def test_recipe_shape_and_difficulty_vocabulary() -> None:
    recipe = Recipe.model_validate(
        {
            "recipeName": "두부조림",
            "description": "짭조름한 두부조림",
            "cookingTime": 20,
            "difficulty": "쉬움",
            "servings": 2,
            "ingredients": [{"name": "두부", "amount": 1, "unit": "모", "grams": 300}],
            "instructions": ["두부를 썬다"],
            "targetNote": "",
        }
    )
    assert recipe.ingredients[0].grams == 300
    with pytest.raises(ValueError):
        Recipe.model_validate({**recipe.model_dump(), "difficulty": "trivial"})


@pytest.mark.parametrize(
    "module_name",
    [
        "aichef.errors",
        "aichef.models",
        "aichef.knowledge.diets",
        "aichef.knowledge.prices",
        "aichef.knowledge.packages",
        "aichef.knowledge.shopping",
        "aichef.providers",
        "aichef.providers.naver",
    ],
)
def test_public_names_exist_and_private_ones_stay_out(module_name: str) -> None:
    import importlib

    module = importlib.import_module(module_name)  # ordering of __all__ is checked by ruff (RUF022)
    assert len(set(module.__all__)) == len(module.__all__)
    assert all(hasattr(module, name) and not name.startswith("_") for name in module.__all__)
