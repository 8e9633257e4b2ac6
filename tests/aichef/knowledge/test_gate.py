"""The last safety gate. Every oracle (allergen words, limits) is written here, not read from the
product's tables."""

from __future__ import annotations

from collections.abc import Sequence

from aichef.knowledge.gate import Violation, inspect
from aichef.knowledge.ingredients import Ingredient, get
from aichef.models import Profile, Recipe, RecipeIngredient


def _recipe(
    lines: Sequence[tuple[str, float]],
    steps: Sequence[str],
    title: str = "채소 볶음",
    description: str = "간단한 볶음 요리",
    servings: int = 1,
) -> tuple[Recipe, list[tuple[Ingredient, float]]]:
    resolved = [(get(key), grams) for key, grams in lines]
    recipe = Recipe(
        recipeName=title,
        description=description,
        cookingTime=20,
        difficulty="쉬움",
        servings=servings,
        ingredients=[
            RecipeIngredient(name=item.name_ko, amount=grams, unit="g", grams=grams)
            for item, grams in resolved
        ],
        instructions=list(steps),
    )
    return recipe, resolved


def _rules(found: list[Violation]) -> list[str]:
    return [v.rule for v in found]


def test_a_plain_recipe_passes() -> None:
    recipe, lines = _recipe(
        [("zucchini", 150), ("onion", 50), ("olive_oil", 10), ("salt", 1)],
        ["애호박과 양파를 썬다", "올리브유에 볶고 소금으로 간한다"],
    )
    assert inspect(recipe, lines, Profile(target="diet")) == []


def test_soy_in_a_step_fails_for_a_soy_allergy() -> None:
    recipe, lines = _recipe([("zucchini", 150), ("salt", 1)], ["애호박을 볶는다", "간장을 곁들인다"])
    found = inspect(recipe, lines, Profile(target="diet", allergies=["대두"]))
    assert "gate.allergen" in _rules(found)
    assert any("간장" in v.detail for v in found)
