"""Stage 2 of the generator: the library dishes worth adapting, scaled to the profile's servings."""

from __future__ import annotations

from dataclasses import dataclass

from aichef.knowledge import allergens, ingredients
from aichef.knowledge.generate.lines import Line
from aichef.knowledge.generate.needs import Needs
from aichef.knowledge.recipes import LibraryRecipe, load_library

__all__ = ["Candidate", "Scaled", "candidate", "candidates", "scaled"]


@dataclass(frozen=True)
class Scaled:
    """A recipe's lines for some number of servings, and what adapting asks of them first: what any
    line answers to when avoiding (:func:`allergens.carried`) and every tag of every line. Most
    dishes carry none of a profile's allergies and no banned tag: adapting skips those steps."""

    lines: tuple[Line, ...]
    carried: frozenset[str]
    tags: frozenset[str]


@dataclass(frozen=True)
class Candidate:
    """A library recipe and its lines for the profile's servings (none changed yet); ``fixed`` are the
    hard rules it fails whatever adapting does (too long to cook, the wrong texture for the baby)."""

    recipe: LibraryRecipe
    scaled: Scaled
    fixed: tuple[str, ...] = ()

    @property
    def lines(self) -> tuple[Line, ...]:
        return self.scaled.lines


# Recipes are immutable and servings few: every request scales the same ones. Keyed by id, as
# hashing a whole recipe costs more than scaling it.
_SCALED: dict[tuple[str, int], tuple[LibraryRecipe, Scaled | None]] = {}


def scaled(recipe: LibraryRecipe, servings: int) -> Scaled | None:
    """The recipe's lines for ``servings``; ``None`` when a line names a food the table does not know."""
    key = (recipe.id, servings)
    if key not in _SCALED or _SCALED[key][0] is not recipe:
        _SCALED[key] = (recipe, _scale(recipe, servings))
    return _SCALED[key][1]


def _scale(recipe: LibraryRecipe, servings: int) -> Scaled | None:
    factor = servings / recipe.servings
    lines: list[Line] = []
    for row in recipe.lines:
        item = ingredients.lookup(row.item)
        if item is None:
            return None
        quantity = float(row.quantity) * factor
        lines.append(Line(item, row.grams * factor, quantity, row.unit, row.item, row.optional, None, row.id))
    carried = frozenset().union(*(allergens.carried(x.ingredient) for x in lines))
    tags = frozenset().union(*(x.ingredient.tags for x in lines))
    return Scaled(tuple(lines), carried, tags)


def candidate(recipe: LibraryRecipe, needs: Needs) -> Candidate | None:
    """One dish for this profile; ``None`` when a line names an unknown food."""
    lines = scaled(recipe, needs.profile.servings)
    if lines is None:
        return None
    return Candidate(recipe, lines, tuple(needs.checker.fixed_failures(recipe.cooking_time, recipe.texture)))


def candidates(needs: Needs) -> list[Candidate]:
    """Every dish for this profile, in library order: baby food for a baby, the rest otherwise."""
    baby = needs.profile.target == "baby_food"
    found = (candidate(r, needs) for r in load_library() if ("baby_food" in r.targets) == baby)
    return [c for c in found if c is not None]
