"""Structured steps as served: a swapped line named with its stand-in and the right particle, a dropped
line left out (and its sentence or clause), an identity line changed only with the title saying so."""

from __future__ import annotations

from dataclasses import replace

import pytest

from aichef.knowledge.generate import GeneratedRecipe, Unmet, adapt_recipe
from aichef.knowledge.generate.lines import Line, particle
from aichef.knowledge.generate.steps import render, render_text
from aichef.knowledge.ingredients import get
from aichef.knowledge.recipes import parse_recipes, parse_step
from aichef.models import Profile


@pytest.mark.parametrize(
    ("word", "form", "expected"),
    [
        ("두부", "을", "를"), ("달걀", "를", "을"), ("소금", "로", "으로"), ("간장", "으로", "으로"),
        ("소금물", "으로", "로"), ("버섯", "와", "과"), ("참치", "과", "와"), ("닭", "는", "은"),
        ("오이", "이", "가"),
    ],
)  # fmt: skip
def test_particles_follow_the_last_syllable(word: str, form: str, expected: str) -> None:
    assert particle(word, form) == expected


def _line(key: str, line_id: str, written: str, **changes: object) -> Line:
    return replace(Line(get(key), 100.0, 1.0, "g", written, id=line_id), **changes)  # type: ignore[arg-type]


def test_a_swapped_line_is_named_with_its_particle_and_a_dropped_one_leaves_the_list() -> None:
    step = parse_step("{tofu,green_onion,chili|두부와 대파, 청양고추를} 넣고 끓인다.")
    lines = {
        "tofu": _line("egg", "tofu", "두부", replaces="tofu"),
        "green_onion": _line("green_onion", "green_onion", "대파"),
        "chili": _line("cheongyang_chili", "chili", "청양고추", grams=0.0),
    }
    assert render_text(step, lines, ko=True) == "달걀과 대파를 넣고 끓인다."
    keys = [
        ("tofu", "tofu", "두부"),
        ("green_onion", "green_onion", "대파"),
        ("chili", "cheongyang_chili", "청양고추"),
    ]
    unchanged = {k: _line(key, k, written) for k, key, written in keys}
    assert render_text(step, unchanged, ko=True) == "두부와 대파, 청양고추를 넣고 끓인다."


def test_a_sentence_or_last_clause_naming_only_dropped_lines_goes() -> None:
    lines = {
        "lemon": _line("lemon", "lemon", "레몬", grams=0.0),
        "oil": _line("vegetable_oil", "oil", "식용유"),
    }
    assert render_text(parse_step("{lemon|레몬을} 곁들인다."), lines, ko=True) == ""
    clause = parse_step("{oil|식용유를} 두르고 4분 더 굽고 {lemon|레몬을} 곁들인다.")
    assert render_text(clause, lines, ko=True) == "식용유를 두르고 4분 더 굽는다."
    english = parse_step("Fry in the {oil|oil}, turn and serve with the {lemon|lemon}.")
    assert render_text(english, lines, ko=False) == "Fry in the oil, turn."


def test_the_title_says_when_the_namesake_changed() -> None:
    text = """{"recipes": [{"id": "t", "name_ko": "밥전", "name_en": "Rice cakes",
      "description": {"ko": "", "en": ""}, "cuisine": "korean", "targets": ["keto"], "cookingTime": 10,
      "difficulty": "easy", "servings": 1, "spicyLevel": 0,
      "ingredients": [{"id": "rice", "item": "밥", "grams": 100, "amount": "1", "unit": "공기"}],
      "identity": ["rice"], "steps": {"ko": ["{rice|밥을} 부친다."], "en": ["Fry the {rice|rice}."]}}]}"""
    (recipe,) = parse_recipes(text, "mem.json")
    swapped = [_line("cauliflower", "rice", "밥", replaces="cooked_rice")]
    texts = render(recipe, swapped, "ko")
    assert texts.title == "밥전 (밥 대신 콜리플라워)"
    assert texts.steps == ("콜리플라워를 부친다.",)


def test_an_allergen_the_dish_is_named_after_is_not_swapped() -> None:
    tofu = adapt_recipe("dubu_jorim", Profile(target="diet", allergies=["대두"]))
    assert isinstance(tofu, Unmet) and "두부" in tofu.explanation


def test_soy_sauce_becomes_salt_by_sodium_and_the_steps_say_salt() -> None:
    result = adapt_recipe("gaji_muchim", Profile(target="diet", servings=3, allergies=["대두"]))
    assert isinstance(result, GeneratedRecipe)
    salt = sum(x.grams for x in result.lines if x.ingredient.key == "salt")
    # 16 g of soy sauce at about 5,500 mg sodium per 100 g hold 880 mg; salt holds about 38,800 mg.
    assert 1.5 < salt < 3.0
    steps = " ".join(result.recipe.instructions)
    assert "소금" in steps and "간장" not in steps


def test_whole_units_round_and_say_so() -> None:
    result = adapt_recipe("gyeran_jjim", Profile(target="diet", servings=3))
    assert isinstance(result, GeneratedRecipe)
    eggs = [x for x in result.recipe.ingredients if x.name in ("달걀", "계란")]
    assert eggs and all(float(x.amount).is_integer() for x in eggs)
