"""The full meals of ``recipes/meals_more.json``: weight-loss, diabetes and keto dishes that meet their rules.

The thresholds below are written here, from the published guidance the README's diet rules table
cites, so a rule changed by mistake in the product's table cannot quietly pass a dish that breaks it.
"""

from __future__ import annotations

from collections import Counter
from importlib import resources

import pytest

from aichef.knowledge import diets, nutrition
from aichef.knowledge.generator import GeneratedRecipe, generate
from aichef.knowledge.ingredients import Ingredient, lookup
from aichef.knowledge.recipes import LibraryRecipe, load_library, parse_recipes
from aichef.models import Profile, SessionRequest

FILE = "meals_more.json"
TEXT = resources.files("aichef.knowledge").joinpath(f"data/recipes/{FILE}").read_text("utf-8")
MEALS = parse_recipes(TEXT, f"recipes/{FILE}")
IDS = [r.id for r in MEALS]

# Per serving, one meal of three. Weight loss: 2,000 kcal - 500 = 1,500 kcal a day, 500 a meal, at most
# 550 and at least 400 (대한비만학회 2022); protein a third of 50-65 g (KDRIs 2020); fibre a third of
# 20 g (KDRIs 2020); sodium a third of 2,000 mg (WHO 2012).
DIET_KCAL = (400.0, 550.0)
DIET_PROTEIN_G = 20.0
DIET_FIBER_G = 7.0
DIET_SODIUM_MG = 2000 / 3
# Diabetes (ADA Standards of Care 2024): 45-60 g of carbohydrate a meal, whole grains, no sugar.
DIABETES_CARBS_G = 60.0
SUGAR_WORDS = ("설탕", "꿀", "물엿", "올리고당", "조청", "시럽", "매실청", "과일청", "잼", "케첩", "연유")
GLUTINOUS_WORDS = ("찹쌀", "찰밥", "찹쌀떡", "인절미")
WHOLE_GRAIN_WORDS = ("현미", "보리", "귀리", "퀴노아", "통밀", "메밀")
PULSE_WORDS = ("병아리콩", "렌틸콩", "검은콩", "강낭콩")  # a salad of pulses needs no grain
REFINED_GRAIN_WORDS = ("백미", "흰쌀", "쌀밥", "흰밥", "밀가루", "식빵", "소면", "당면", "떡", "라면", "우동")
# Keto (Harvard T.H. Chan, Diet Review): 20-50 g net carbs a day (at most 16 g a meal), 70-80 % of
# energy from fat, no sugar and no starch staples.
KETO_NET_CARBS_G = 16.0
KETO_FAT_SHARE = 60.0
STARCH_WORDS = (
    "밥",
    "쌀",
    "현미",
    "보리",
    "귀리",
    "빵",
    "면",
    "국수",
    "떡",
    "감자",
    "고구마",
    "옥수수",
    "밀가루",
    "전분",
)


def _lines(recipe: LibraryRecipe) -> list[tuple[Ingredient, float]]:
    found = [(lookup(line.item), line.grams) for line in recipe.lines]
    assert all(item is not None for item, _ in found), recipe.id
    return [(item, grams) for item, grams in found if item is not None]


def _per_serving(recipe: LibraryRecipe) -> nutrition.NutritionReport:
    return nutrition.compute(_lines(recipe), recipe.servings)


def _with(target: str) -> list[LibraryRecipe]:
    return [r for r in MEALS if target in r.targets]


def test_the_file_loads_into_the_library_with_enough_meals_for_each_adult_target() -> None:
    assert len(MEALS) >= 30
    library = {r.id for r in load_library()}
    assert set(IDS) <= library
    assert len(_with("diet")) >= 12 and len(_with("diabetes")) >= 10 and len(_with("keto")) >= 8
    assert all(r.servings == 2 and not r.baby_age for r in MEALS)
    assert Counter(r.cuisine for r in MEALS)["korean"] > len(MEALS) / 2


@pytest.mark.parametrize("recipe", MEALS, ids=IDS)
def test_every_ingredient_line_is_named_in_the_steps(recipe: LibraryRecipe) -> None:
    steps = " ".join(recipe.steps("ko"))
    for line in recipe.lines:
        assert line.item in steps, (recipe.id, line.item)
    assert recipe.name_ko and recipe.name_en and recipe.description_ko and recipe.description_en


@pytest.mark.parametrize("recipe", MEALS, ids=IDS)
def test_every_meal_passes_the_hard_rules_of_each_target_it_claims(recipe: LibraryRecipe) -> None:
    lines = _lines(recipe)
    report = nutrition.compute(lines, recipe.servings)
    for target in sorted(recipe.targets):
        extra = {"fridgeIngredients": [line.item for line in recipe.lines]} if target == "fridge" else {}
        profile = Profile.model_validate({"target": target, "servings": 2, **extra})
        results = diets.check(profile, lines, report, recipe.cooking_time, texture=recipe.texture)
        assert diets.hard_failures(results) == [], (recipe.id, target)
        # Written to warn on none of the target's rules either (the spice preference aside).
        warned = [r.id for r in results if r.verdict == "warn" and r.id != "preference.spicy"]
        assert warned == [], (recipe.id, target, warned)


@pytest.mark.parametrize("recipe", _with("diet"), ids=[r.id for r in _with("diet")])
def test_weight_loss_meals_are_whole_meals(recipe: LibraryRecipe) -> None:
    n = _per_serving(recipe).per_serving
    assert DIET_KCAL[0] <= n.kcal <= DIET_KCAL[1], (recipe.id, n.kcal)
    assert n.protein_g >= DIET_PROTEIN_G, (recipe.id, n.protein_g)
    assert n.fiber_g >= DIET_FIBER_G, (recipe.id, n.fiber_g)
    assert n.sodium_mg <= DIET_SODIUM_MG, (recipe.id, n.sodium_mg)


@pytest.mark.parametrize("recipe", _with("diabetes"), ids=[r.id for r in _with("diabetes")])
def test_diabetes_meals_use_whole_grains_and_no_sugar_or_glutinous_rice(recipe: LibraryRecipe) -> None:
    names = [line.item for line in recipe.lines]
    assert not [n for n in names if any(w in n for w in SUGAR_WORDS)], recipe.id
    assert not [n for n in names if any(w in n for w in GLUTINOUS_WORDS)], recipe.id
    assert not [n for n in names if any(w in n for w in REFINED_GRAIN_WORDS)], recipe.id
    assert any(w in n for n in names for w in WHOLE_GRAIN_WORDS + PULSE_WORDS), recipe.id
    assert _per_serving(recipe).per_serving.carbohydrate_g <= DIABETES_CARBS_G, recipe.id


@pytest.mark.parametrize("recipe", _with("keto"), ids=[r.id for r in _with("keto")])
def test_keto_meals_are_low_in_net_carbs_and_high_in_fat(recipe: LibraryRecipe) -> None:
    names = [line.item for line in recipe.lines]
    assert not [n for n in names if any(w in n for w in SUGAR_WORDS + STARCH_WORDS)], recipe.id
    report = _per_serving(recipe)
    assert report.per_serving.net_carbs_g <= KETO_NET_CARBS_G, recipe.id
    assert report.energy_share["fat"] >= KETO_FAT_SHARE, recipe.id


def test_a_plain_weight_loss_profile_is_served_many_different_meals() -> None:
    served: Counter[str] = Counter()
    for index in range(40):
        request = SessionRequest.model_validate({"sessionId": f"diet-{index}", "profile": {"target": "diet"}})
        result = generate(request)
        assert isinstance(result, GeneratedRecipe)
        served[result.recipe.recipeName] += 1
    assert len(served) >= 5, served
    assert max(served.values()) <= 20, served  # no one dish for half the sessions
