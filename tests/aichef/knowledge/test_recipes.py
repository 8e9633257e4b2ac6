"""The recipe library: format checks, coverage of every target, resolution and the targets' hard rules."""

from __future__ import annotations

import json
from collections import Counter
from fractions import Fraction

import pytest

from aichef.knowledge import diets, nutrition
from aichef.knowledge.ingredients import lookup
from aichef.knowledge.recipes import (
    LibraryRecipe,
    RecipeDataError,
    get_recipe,
    load_library,
    parse_display_amount,
    parse_recipes,
)
from aichef.knowledge.units import to_grams
from aichef.models import Profile

LIBRARY = load_library()
IDS = [r.id for r in LIBRARY]


def _row(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": "t",
        "name_ko": "테스트",
        "name_en": "Test",
        "description": {"ko": "설명", "en": "text"},
        "cuisine": "korean",
        "targets": ["diet"],
        "cookingTime": 10,
        "difficulty": "easy",
        "servings": 2,
        "spicyLevel": 0,
        "texture": "regular",
        "ingredients": [{"id": "onion", "item": "양파", "grams": 100, "amount": "½", "unit": "개"}],
        "identity": [],
        "steps": {"ko": ["{onion|양파를} 썬다."], "en": ["Slice the {onion|onion}."]},
    }
    row.update(changes)
    return row


def _text(*rows: dict[str, object]) -> str:
    return json.dumps({"recipes": list(rows)}, ensure_ascii=False)


def test_library_is_large_korean_first_and_ids_unique() -> None:
    assert len(LIBRARY) >= 80
    assert len(set(IDS)) == len(IDS)
    cuisines = Counter(r.cuisine for r in LIBRARY)
    assert cuisines["korean"] > len(LIBRARY) / 2
    assert {"western", "chinese", "japanese"} <= set(cuisines)


@pytest.mark.parametrize(
    ("target", "minimum"), [("keto", 12), ("diabetes", 15), ("diet", 15), ("fridge", 40), ("baby_food", 20)]
)
def test_every_target_has_many_recipes(target: str, minimum: int) -> None:
    assert sum(1 for r in LIBRARY if target in r.targets) >= minimum


def test_baby_food_covers_every_stage_with_its_texture() -> None:
    for stage in diets.BABY_STAGES:
        fitting = [
            r
            for r in LIBRARY
            if r.baby_age
            and r.baby_age[0] <= stage.last_month
            and r.baby_age[1] >= stage.first_month
            and r.texture in stage.textures
        ]
        assert len(fitting) >= 5, stage.key


@pytest.mark.parametrize("recipe", LIBRARY, ids=IDS)
def test_every_ingredient_resolves_and_its_amount_matches_its_grams(recipe: LibraryRecipe) -> None:
    for line in recipe.lines:
        item = lookup(line.item)
        assert item is not None, f"{recipe.id}: {line.item!r} is not in the ingredient table"
        weighed = to_grams(item, float(line.quantity), line.unit)
        assert weighed is not None, f"{recipe.id}: {line.amount} {line.unit} of {line.item} cannot be weighed"
        # The display amount and the grams are written separately; they must tell the same story.
        assert 0.67 <= weighed / line.grams <= 1.5, (recipe.id, line.item, line.grams, weighed)
    assert len(recipe.steps_ko) == len(recipe.steps_en) >= 1


def _profile_for(recipe: LibraryRecipe, target: str) -> Profile:
    extra: dict[str, object] = {}
    if target == "baby_food":
        assert recipe.baby_age is not None
        extra["babyAgeMonths"] = max(6, recipe.baby_age[0])  # profiles start at 6 months
    if target == "fridge":
        extra["fridgeIngredients"] = [line.item for line in recipe.lines]
    return Profile.model_validate({"target": target, "servings": recipe.servings, **extra})


@pytest.mark.parametrize("recipe", LIBRARY, ids=IDS)
def test_recipe_passes_the_hard_rules_of_every_target_it_lists(recipe: LibraryRecipe) -> None:
    lines = [(lookup(line.item), line.grams) for line in recipe.lines]
    pairs = [(item, grams) for item, grams in lines if item is not None]
    report = nutrition.compute(pairs, recipe.servings)
    for target in sorted(recipe.targets):
        profile = _profile_for(recipe, target)
        results = diets.check(profile, pairs, report, recipe.cooking_time, texture=recipe.texture)
        assert diets.hard_failures(results) == [], (
            target,
            [r.explanation for r in diets.hard_failures(results)],
        )


def test_baby_recipes_for_under_twelve_months_have_no_salt_sugar_honey_or_spice() -> None:
    # Checked from the tags directly, not through diets, so a mis-wired rule cannot hide a mistake.
    for recipe in LIBRARY:
        if not recipe.baby_age:
            continue
        for line in recipe.lines:
            item = lookup(line.item)
            assert item is not None
            assert not item.tags & {"spicy", "whole_nut", "whole_grape"}, (recipe.id, line.item)
            if recipe.baby_age[0] < 12:
                assert not item.tags & {"salty_seasoning", "added_sugar", "honey"}, (recipe.id, line.item)


def test_keto_recipes_have_no_sugar_or_starch_and_low_net_carbs() -> None:
    for recipe in (r for r in LIBRARY if "keto" in r.targets):
        items = [(lookup(line.item), line.grams) for line in recipe.lines]
        assert all(item is not None and not item.tags & {"added_sugar", "starch_staple"} for item, _ in items)
        net = (
            sum(item.nutrients_for(g).net_carbs_g for item, g in items if item is not None) / recipe.servings
        )
        assert net <= 17, (recipe.id, net)


@pytest.mark.parametrize(
    ("text", "value"),
    [("2", Fraction(2)), ("1/2", Fraction(1, 2)), ("½", Fraction(1, 2)), ("1½", Fraction(3, 2)),
     ("⅔", Fraction(2, 3)), ("0.5", Fraction(1, 2)), ("2¼", Fraction(9, 4))],
)  # fmt: skip
def test_parse_display_amount(text: str, value: Fraction) -> None:
    assert parse_display_amount(text) == value


@pytest.mark.parametrize("text", ["", "약간", "-1", "0"])
def test_parse_display_amount_rejects_what_cannot_be_scaled(text: str) -> None:
    with pytest.raises(ValueError):
        parse_display_amount(text)


def test_parse_recipes_reads_a_valid_row() -> None:
    (recipe,) = parse_recipes(_text(_row()), "mem.json")
    assert recipe.id == "t" and recipe.lines[0].quantity == Fraction(1, 2)
    assert recipe.name("en") == "Test" and recipe.steps("ko") == ("양파를 썬다.",)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"targets": ["paleo"]}, "targets", "allowed: keto"),
        ({"difficulty": "tricky"}, "difficulty", "allowed: easy, medium, hard"),
        ({"texture": "crunchy"}, "texture", "allowed: puree"),
        ({"servings": 0}, "servings", "1..12"),
        ({"cookingTime": "ten"}, "cookingTime", "must be int"),
        (
            {"ingredients": [{"id": "onion", "item": "양파", "grams": 100, "amount": "약간", "unit": "개"}]},
            "amount",
            "약간",
        ),
        (
            {"ingredients": [{"id": "onion", "item": "양파", "grams": -5, "amount": "1", "unit": "개"}]},
            "grams",
            "positive",
        ),
        ({"targets": ["baby_food"]}, "babyAgeMonths", "required exactly when"),
        ({"steps": {"ko": ["썬다."]}}, "steps", "both ko and en"),
    ],
)
def test_parse_recipes_names_the_recipe_and_field_of_a_mistake(
    changes: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(RecipeDataError) as caught:
        parse_recipes(_text(_row(**changes)), "mem.json")
    assert caught.value.field == field
    assert "mem.json [t]" in str(caught.value) and words in str(caught.value)


def test_parse_recipes_rejects_a_missing_field_and_bad_json() -> None:
    row = _row()
    del row["name_en"]
    with pytest.raises(RecipeDataError, match=r"name_en: is required"):
        parse_recipes(_text(row), "mem.json")
    with pytest.raises(RecipeDataError, match="not valid JSON"):
        parse_recipes("{", "mem.json")


def test_get_recipe() -> None:
    assert get_recipe("doenjang_jjigae").name_ko == "된장찌개"
    with pytest.raises(KeyError, match="no_such"):
        get_recipe("no_such")


@pytest.mark.parametrize("module_name", ["aichef.knowledge.recipes", "aichef.knowledge.generator"])
def test_all_is_sorted_and_names_only_real_public_things(module_name: str) -> None:
    import importlib

    module = importlib.import_module(module_name)
    names = list(module.__all__)
    assert names == sorted(names, key=lambda n: (not n.isupper(), not n[0].isupper(), n))
    assert all(not n.startswith("_") and hasattr(module, n) for n in names)


def test_steps_refer_to_lines_and_read_as_written() -> None:
    (recipe,) = parse_recipes(_text(_row()), "mem.json")
    assert recipe.steps("ko") == ("양파를 썬다.",)
    assert recipe.steps("en") == ("Slice the onion.",)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"steps": {"ko": ["{garlic|마늘을} 썬다."], "en": ["Slice."]}}, "steps[0]"),
        ({"steps": {"ko": ["{양파를 썬다."], "en": ["Slice."]}}, "steps[0]"),
        ({"identity": ["tofu"]}, "identity"),
        ({"ingredients": [{"item": "양파", "grams": 100, "amount": "½", "unit": "개"}]}, "id"),
        ({"identity": None}, "identity"),
    ],
)
def test_loader_rejects_a_step_or_identity_naming_an_unknown_line(
    changes: dict[str, object], field: str
) -> None:
    row = _row(**changes)
    if changes.get("identity", []) is None:
        del row["identity"]
    with pytest.raises(RecipeDataError) as caught:
        parse_recipes(_text(row), "mem.json")
    assert caught.value.field == field


def test_every_library_step_mention_names_its_recipes_lines() -> None:
    for recipe in LIBRARY:
        ids = {line.id for line in recipe.lines}
        assert set(recipe.identity) <= ids
