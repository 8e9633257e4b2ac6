"""Stage 6 of the generator: which adapted dish is served first.

Outside fridge mode: a dish whose estimated purchase fits the budget before any that does not;
among those that fit, the best score; among those that do not, the cheapest (the closest to the
budget). In fridge mode first the dishes that cook the fridge (at most three minor items to buy,
none of them a starch, the dish's namesake or its only protein, and some food from the fridge used), then
those that use the fridge's protein, then the budget as above.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from aichef.knowledge.generate.adapt import Attempt
from aichef.knowledge.generate.lines import Line
from aichef.knowledge.generate.needs import Needs
from aichef.knowledge.ingredients import get
from aichef.knowledge.recipes import LibraryRecipe
from aichef.knowledge.roles import role_of
from aichef.knowledge.shopping import estimate_purchase

__all__ = ["MAX_MISSING", "Assessed", "Grade", "assess", "base", "ceiling", "grade", "order"]

MAX_MISSING = 3  # minor items fridge mode may ask the user to buy
_DIFFICULTY = {"easy": 0, "medium": 1, "hard": 2}
_LEVELS = {"beginner": 0, "intermediate": 1, "advanced": 2}
_MAIN_ROLES = frozenset({"protein", "starch"})


@dataclass(frozen=True)
class Assessed:
    """An attempt with what ranks it: ``score`` (higher is better), the estimated ``purchase`` (KRW),
    and in fridge mode the lines to buy (``missing``) and whether the dish cooks the fridge."""

    attempt: Attempt
    score: float
    purchase: int
    fits_budget: bool
    missing: tuple[Line, ...] = ()
    cooks_fridge: bool = True
    uses_fridge_protein: bool = True

    def key(self) -> tuple[bool, bool, bool, float]:
        closeness = self.score if self.fits_budget else -float(self.purchase)
        return self.cooks_fridge, self.uses_fridge_protein, self.fits_budget, closeness


def _jitter(seed: str, recipe: LibraryRecipe) -> float:
    """0 to 6 points drawn from the session and the dish: varies the pick between equally good dishes."""
    return hashlib.sha256(f"{seed}|{recipe.id}".encode()).digest()[0] / 255 * 6


def ceiling(recipe: LibraryRecipe, needs: Needs, base_value: float | None = None) -> float:
    """The dish's score before adapting: what fits the profile (target, baby's age, cuisine) less what
    asks too much (difficulty, spiciness), plus the session's jitter. Adapting only takes points away
    (warnings, a light meal, changes), so no adapted attempt of it scores higher (outside fridge mode).
    ``base_value`` is :func:`base` when the caller kept it (it depends on the profile only)."""
    return (base(recipe, needs) if base_value is None else base_value) + _jitter(needs.seed, recipe)


def base(recipe: LibraryRecipe, needs: Needs) -> float:
    """:func:`ceiling` without the session's jitter."""
    profile = needs.profile
    value = 40.0 if profile.target in recipe.targets else 0.0
    if recipe.baby_age and profile.babyAgeMonths is not None:
        low, high = recipe.baby_age
        value += 15 if low <= profile.babyAgeMonths <= high else 0
    wished = profile.preferences
    if wished.cuisine != "any":
        value += 12 if recipe.cuisine == wished.cuisine else 0
    else:
        value += 6 if recipe.cuisine == "korean" else 0  # Korean home cooks first
    value -= 20 * max(0, _DIFFICULTY[recipe.difficulty] - _LEVELS[profile.cookingLevel])
    value -= 5 * max(0, recipe.spicy_level - wished.spicyLevel)
    return value


def _penalties(attempt: Attempt, needs: Needs) -> tuple[float, float, float]:
    """What adapting took away from the ceiling: warnings, a light meal, changes (in that order)."""
    light = 0.0
    if needs.profile.target != "baby_food" and attempt.report is not None:
        # A side dish of 70 kcal is no meal: below 250 kcal a serving, the lighter the less likely.
        light = max(0.0, 250.0 - attempt.report.per_serving.kcal) / 8
    return 4 * attempt.warnings, light, 3 * sum(1 for c in attempt.changes if c.kind != "round")


def _score(value: float, penalties: tuple[float, float, float]) -> float:
    # Subtracted one by one, as ever: the same floats, so ties between dishes break as before.
    warned, light, changed = penalties
    value -= warned
    value -= light
    value -= changed
    return value


def _fridge(attempt: Attempt, needs: Needs) -> tuple[tuple[Line, ...], bool, bool, float]:
    """(lines to buy, cooks the fridge, uses the fridge's protein, points) for fridge mode."""
    identity = set(attempt.recipe.identity)
    served = attempt.served_lines
    missing = tuple(
        x
        for x in served
        if x.ingredient.key not in needs.owned
        and x.ingredient.key != "water"
        and "staple" not in x.ingredient.tags
    )
    used = [x for x in served if x.ingredient.key in needs.fridge]
    roles = [role_of(x.ingredient) for x in used]
    # What makes the dish must come from the fridge: its starch and namesake, and its protein unless
    # the fridge already gives it one (kimchi stew with the user's pork may buy the egg for its tofu).
    main = {"starch"} if "protein" in roles else _MAIN_ROLES
    main_missing = any(role_of(x.ingredient) in main or x.id in identity for x in missing)
    cooks = len(missing) <= MAX_MISSING and not main_missing and any(r != "aromatic" for r in roles)
    has_protein = any(role_of(get(k)) == "protein" for k in needs.fridge)
    uses_protein = not has_protein or "protein" in roles
    points = 30.0 * roles.count("protein") + 8.0 * roles.count("vegetable") + 8.0 * roles.count("starch")
    points -= 10.0 * len(missing)
    return missing, cooks, uses_protein, points


@dataclass(frozen=True)
class Grade:
    """What ranks an attempt apart from the session's jitter (it depends on the profile only, so the
    generator keeps it per profile): the purchase, the penalties, and fridge mode's verdict."""

    purchase: int
    fits_budget: bool
    penalties: tuple[float, float, float]
    fridge: tuple[tuple[Line, ...], bool, bool, float] | None


def grade(attempt: Attempt, needs: Needs) -> Grade:
    """The session-independent part of :func:`assess`."""
    purchase = estimate_purchase(attempt.pairs, needs.owned)
    fridge = _fridge(attempt, needs) if needs.profile.target == "fridge" else None
    return Grade(purchase, purchase <= needs.profile.budget, _penalties(attempt, needs), fridge)


def assess(
    attempt: Attempt, needs: Needs, graded: Grade | None = None, base_value: float | None = None
) -> Assessed:
    """What ranks one attempt that the diet rules let through (``graded`` and ``base_value``: the
    profile's own parts, :func:`grade` and :func:`base`, when the caller kept them)."""
    part = grade(attempt, needs) if graded is None else graded
    score = _score(ceiling(attempt.recipe, needs, base_value), part.penalties)
    if part.fridge is None:
        return Assessed(attempt, score, part.purchase, part.fits_budget)
    missing, cooks, uses_protein, points = part.fridge
    return Assessed(attempt, score + points, part.purchase, part.fits_budget, missing, cooks, uses_protein)


def order(assessed: Sequence[Assessed]) -> list[Assessed]:
    """Best first; between equals the library's order."""
    return sorted(assessed, key=lambda a: a.key(), reverse=True)
