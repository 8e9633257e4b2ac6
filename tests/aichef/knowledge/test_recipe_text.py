"""The text of the recipes in ``baby_more.json`` and ``meals_more.json``: every food a step names is a
line of the recipe, named through a placeholder, and every line is used by some step.

These two files were written in the plain format and converted by ``tools/structure_recipes.py``; the
converter's slips (a food named in a step but missing from the ingredient list, a bell pepper read as
black pepper) would make the safety gate refuse the dish, so each recipe is served here for every
target it claims and must pass the gate untouched.
"""

from __future__ import annotations

import re
from importlib import resources
from itertools import pairwise

import pytest

from aichef.knowledge import gate
from aichef.knowledge.generator import GeneratedRecipe, adapt_recipe
from aichef.knowledge.recipes import LibraryRecipe, Mention, parse_recipes
from aichef.models import Profile

FILES = ("baby_more.json", "meals_more.json")


def _load(name: str) -> tuple[LibraryRecipe, ...]:
    text = resources.files("aichef.knowledge").joinpath(f"data/recipes/{name}").read_text("utf-8")
    return parse_recipes(text, f"recipes/{name}")


RECIPES = [recipe for name in FILES for recipe in _load(name)]
IDS = [recipe.id for recipe in RECIPES]

# Foods a step must never name outside a placeholder: the slips the conversion left in these files
# (written here, not read from the product's tables). A word that only says what is left out
# ("Add no salt", "간은 하지 않는다") is no mention.
_BARE_FOODS_KO = (
    "달걀",
    "계란",
    "전분",
    "간장",
    "쌀",
    "무",
    "배",
    "보리",
    "현미",
    "토마토",
    "레몬",
    "흑후추",
)
_BARE_FOODS_EN = ("soy sauce", "black beans", "green chilies", "egg", "starch", "laver", "pear")
_PLACEHOLDER = re.compile(r"\{[^{}|]*\|[^{}]*\}")


def _profiles(recipe: LibraryRecipe, language: str) -> list[Profile]:
    """One profile per target the recipe claims, for two people."""
    profiles = []
    for target in sorted(recipe.targets):
        extra: dict[str, object] = {}
        if target == "baby_food":
            assert recipe.baby_age is not None
            extra["babyAgeMonths"] = max(6, recipe.baby_age[0])
        if target == "fridge":
            extra["fridgeIngredients"] = [line.item for line in recipe.lines]
        profiles.append(Profile(target=target, servings=2, language=language, **extra))  # type: ignore[arg-type]
    return profiles


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("recipe", RECIPES, ids=IDS)
def test_served_for_every_claimed_target_passes_the_gate(recipe: LibraryRecipe, language: str) -> None:
    for profile in _profiles(recipe, language):
        served = adapt_recipe(recipe.id, profile)
        assert isinstance(served, GeneratedRecipe), (profile.target, served)
        lines = [(line.ingredient, line.grams) for line in served.lines if line.grams > 0]
        assert gate.inspect(served.recipe, lines, profile) == [], profile.target


@pytest.mark.parametrize("recipe", RECIPES, ids=IDS)
def test_every_line_is_named_by_a_step_in_both_languages(recipe: LibraryRecipe) -> None:
    for language in ("ko", "en"):
        named = {
            line_id
            for step in recipe.structured_steps(language)
            for part in step
            if isinstance(part, Mention)
            for line_id in part.ids
        }
        missing = [line.id for line in recipe.lines if line.id not in named]
        assert missing == [], language


@pytest.mark.parametrize("recipe", RECIPES, ids=IDS)
def test_no_food_is_named_outside_a_placeholder(recipe: LibraryRecipe) -> None:
    texts = {
        "ko": [recipe.description_ko, *(_raw(recipe, "ko"))],
        "en": [recipe.description_en, *(_raw(recipe, "en"))],
    }
    for language, words in (("ko", _BARE_FOODS_KO), ("en", _BARE_FOODS_EN)):
        for text in texts[language]:
            bare = _PLACEHOLDER.sub(" ", text)
            for word in words:
                pattern = (
                    rf"(?<![가-힣]){word}(?![가-힣])|(?<![가-힣]){word}(?=[을를이가은는와과도에만으로])"
                    if language == "ko"
                    else rf"\b{word}s?\b"
                )
                assert not re.search(pattern, bare, re.IGNORECASE), (language, word, text)


def _raw(recipe: LibraryRecipe, language: str) -> list[str]:
    """The steps as the file writes them, placeholders included."""
    out = []
    for step in recipe.structured_steps(language):
        out.append("".join(part if isinstance(part, str) else "{x|" + part.words + "}" for part in step))
    return out


@pytest.mark.parametrize("recipe", RECIPES, ids=IDS)
def test_a_placeholder_names_whole_words(recipe: LibraryRecipe) -> None:
    """ "{brown_rice|현미}보리밥" glues a line's name to another word: the swap would rewrite half a word."""
    for language in ("ko", "en"):
        for step in recipe.structured_steps(language):
            for before, after in pairwise(step):
                if isinstance(before, Mention) and isinstance(after, str) and after:
                    first = after[0]
                    glued = first.isalpha() and not after.startswith(("에", "의", "만"))
                    assert not glued, (language, before.words, after[:8])
