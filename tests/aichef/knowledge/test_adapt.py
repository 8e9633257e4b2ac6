"""What the generator's search may assume about adapting: the bounds _adapt gives hold for every dish."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest

from aichef.knowledge import _adapt
from aichef.knowledge._adapt import adapt, cut_only_report, needs_for, share_bound
from aichef.knowledge._diet_rules import BABY_FOOD, DIABETES, KETO, Context
from aichef.knowledge._ranking import on_hand_share
from aichef.knowledge.ingredients import Nutrients, all_ingredients, lookup
from aichef.knowledge.recipes import load_library
from aichef.models import Constraints, Profile

SUMMED = [field.name for field in fields(Nutrients)]

# Profiles whose adapting leaves out and cuts down a lot: banned seasonings, sugar, salt, calories.
CUTTING: list[tuple[dict[str, Any], int | None]] = [
    ({"target": "diabetes", "healthConditions": ["hypertension"], "preferences": {"spicyLevel": 0}}, 300),
    ({"target": "diet", "servings": 1, "healthConditions": ["kidney_disease", "diabetes"]}, 250),
    ({"target": "diet", "servings": 5, "healthConditions": ["obesity"]}, 350),
    ({"target": "baby_food", "babyAgeMonths": 6}, 150),
    (
        {
            "target": "baby_food",
            "babyAgeMonths": 15,
            "allergies": ["egg"],
            "healthConditions": ["hypertension"],
        },
        None,
    ),
    ({"target": "diabetes", "allergies": ["soy", "wheat", "seafood"], "servings": 3}, 400),
]


@pytest.mark.parametrize(("fields_", "max_calories"), CUTTING)
def test_no_adapted_dish_has_a_figure_above_its_cut_only_report(
    fields_: dict[str, Any], max_calories: int | None
) -> None:
    profile = Profile.model_validate(fields_)
    needs = needs_for(profile, Constraints(maxCalories=max_calories))
    bounded = changed = 0
    for recipe in load_library():
        floor = cut_only_report(recipe, needs)
        if floor is None:
            continue
        attempt = adapt(recipe, needs)
        if attempt.report is None:
            continue
        for name in SUMMED:
            assert getattr(attempt.report.per_serving, name) <= getattr(floor.per_serving, name), (
                recipe.id,
                name,
            )
        bounded += 1
        changed += bool(attempt.changes)
    assert bounded > 10 and changed > 5  # dishes were cut, and the bound held for them


def test_a_new_food_may_come_in_for_keto_the_fridge_and_an_avoided_allergen() -> None:
    library = load_library()
    keto = needs_for(Profile(target="keto"), None)
    fridge = needs_for(Profile(target="fridge", fridgeIngredients=["두부"]), None)
    assert all(cut_only_report(r, keto) is None and cut_only_report(r, fridge) is None for r in library)
    eggless = needs_for(Profile(target="diet", allergies=["egg"]), None)
    with_egg = [r for r in library if any(lookup(x.item) == lookup("egg") for x in r.lines)]
    assert with_egg and all(cut_only_report(r, eggless) is None for r in with_egg)
    plain = needs_for(Profile(target="diet"), None)
    assert all(cut_only_report(r, plain) is not None for r in library)


@pytest.mark.parametrize(
    "extra",
    [
        {
            "allergies": [
                "egg",
                "milk",
                "soy",
                "wheat",
                "seafood",
                "pork",
                "beef",
                "chicken",
                "sesame",
                "nuts",
            ]
        },
        {"healthConditions": ["diabetes", "hypertension"], "preferences": {"spicyLevel": 0}},
        {"allergies": ["soy", "wheat"], "healthConditions": ["diabetes"]},
    ],
    ids=["allergies", "conditions", "both"],
)
def test_the_share_bound_holds_when_every_other_food_is_on_hand(extra: dict[str, Any]) -> None:
    """The harshest case for the bound: whatever a dish's lines become (a stand-in, a fridge swap) is on
    hand, so any line wrongly taken as fixed that adapting changes lifts the share above it."""
    foods = [i.key for i in all_ingredients() if "staple" not in i.tags]
    tight = 0
    for recipe in load_library():
        own = {found.key for found in (lookup(x.item) for x in recipe.lines) if found is not None}
        fridge = [key for key in foods if key not in own and lookup(key) is not None]
        profile = Profile.model_validate({"target": "fridge", "fridgeIngredients": fridge, **extra})
        needs = needs_for(profile, None)
        attempt = adapt(recipe, needs)
        if attempt.report is None:
            continue
        bound = share_bound(recipe, needs)
        share = on_hand_share(attempt, needs)
        assert share <= bound, recipe.id
        tight += share == bound < 100.0
    assert tight >= 3  # the bound is reached, not merely above every share


def test_a_repair_or_a_ban_drops_only_lines_with_a_drop_tag() -> None:
    """share_bound counts lines without one of _DROP_TAGS as staying in the dish."""
    rules = [rule for rule in (*KETO, *DIABETES, *BABY_FOOD) if rule.id in _adapt._DROP_RULES]
    assert {rule.id for rule in rules} == set(_adapt._DROP_RULES)
    plain = tuple((item, 100.0) for item in all_ingredients() if not item.tags & _adapt._DROP_TAGS)
    tagged = tuple((item, 100.0) for item in all_ingredients() if item.tags & _adapt._DROP_TAGS)
    baby = Profile(target="baby_food", babyAgeMonths=6)
    for lines, found in ((plain, False), (tagged, True)):
        ctx = Context(baby, None, None, lines, Nutrients(), 10, frozenset(), "puree", frozenset())
        assert all((rule.measure(ctx)[0] > 0) == found for rule in rules)
    profiles = [
        Profile(target="keto"),
        Profile(target="diabetes"),
        Profile(target="diet", healthConditions=["diabetes"]),
    ]
    profiles += [Profile(target="baby_food", babyAgeMonths=months) for months in (6, 11, 12, 18, 23, 24, 36)]
    assert all(needs_for(profile, None).banned_tags <= _adapt._DROP_TAGS for profile in profiles)
