"""How the generator ranks candidate dishes: their score, the ceiling adapting cannot raise it above,
and the order, best ceiling first, in which they are worth adapting."""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Iterator, Sequence

from aichef.knowledge._adapt import Attempt, Needs, cut_only_report, share_bound
from aichef.knowledge.nutrition import NutritionReport
from aichef.knowledge.recipes import LibraryRecipe
from aichef.models import Profile

FRIDGE_GOAL = 70.0  # percent of non-staple ingredients on hand that fridge mode promises
DIFFICULTY_RANK = {"easy": 0, "medium": 1, "hard": 2}
_LEVELS = {"beginner": 0, "intermediate": 1, "advanced": 2}
_MAX_JITTER = 6  # points; see jitter


def on_hand_share(attempt: Attempt, needs: Needs) -> float:
    """Percent of the dish's non-staple foods (by key) that are on hand; 100 when it needs none."""
    needed = {x.ingredient.key for x in attempt.lines if x.grams > 0 and "staple" not in x.ingredient.tags}
    if not needed:
        return 100.0
    return 100.0 * len(needed & needs.on_hand) / len(needed)


def _terms(recipe: LibraryRecipe, profile: Profile) -> tuple[int, int, int, int, int]:
    """The score's terms that depend on the dish and the profile alone, in the order :func:`score`
    adds them: target, baby age, cuisine, then the difficulty and spiciness beyond what is wished."""
    target = 40 if profile.target in recipe.targets else 0
    baby = 0
    if recipe.baby_age and profile.babyAgeMonths is not None:
        low, high = recipe.baby_age
        baby = 15 if low <= profile.babyAgeMonths <= high else 0
    wished = profile.preferences
    if wished.cuisine != "any":
        cuisine = 12 if recipe.cuisine == wished.cuisine else 0
    else:
        cuisine = 6 if recipe.cuisine == "korean" else 0  # Korean home cooks first
    harder = DIFFICULTY_RANK[recipe.difficulty] - _LEVELS[profile.cookingLevel]
    hotter = recipe.spicy_level - wished.spicyLevel
    return target, baby, cuisine, 20 * harder if harder > 0 else 0, 5 * hotter if hotter > 0 else 0


def _points(recipe: LibraryRecipe, profile: Profile) -> int:
    """The whole-number part of the dish's score as it stands (no warning, no change)."""
    target, baby, cuisine, difficulty, spicy = _terms(recipe, profile)
    return target + baby + cuisine - difficulty - spicy


def jitter(seed: str, recipe: LibraryRecipe) -> float:
    """0 to 6 points drawn from the session and the dish: varies the pick between equally good dishes."""
    return hashlib.sha256(f"{seed}|{recipe.id}".encode()).digest()[0] / 255 * _MAX_JITTER


def score(attempt: Attempt, needs: Needs, seed: str) -> float:
    """Higher is better. Weights: fridge share dominates in fridge mode, then suitability for the
    target, then the softer wishes; a per-session jitter varies the pick between equals."""
    share = on_hand_share(attempt, needs) if needs.profile.target == "fridge" else None
    return _tally(attempt.recipe, needs, seed, share, attempt.warnings, attempt.report, len(attempt.changes))


def _tally(
    recipe: LibraryRecipe,
    needs: Needs,
    seed: str,
    share: float | None,
    warnings: int,
    report: NutritionReport | None,
    changes: int,
) -> float:
    """A score from its parts: the fridge share (fridge mode only), the rules that warn, the nutrition
    (for the light-meal penalty) and the number of changes."""
    profile = needs.profile
    target, baby, cuisine, difficulty, spicy = _terms(recipe, profile)
    value = 0.0
    if share is not None:
        value += share * 1.5
    # One term at a time, in this order: after a fractional share, regrouping could round differently.
    value += target
    value += baby
    value -= 4 * warnings
    if profile.target != "baby_food" and report is not None:
        # A side dish of 70 kcal is no meal: below 250 kcal a serving, the lighter the less likely.
        value -= max(0.0, 250.0 - report.per_serving.kcal) / 8
    value += cuisine
    value -= difficulty
    value -= spicy
    value -= 3 * changes
    return value + jitter(seed, recipe)


def rank(attempt: Attempt, value: float, needs: Needs) -> tuple[bool, float]:
    """What picks the served dish, from its ``value`` (its score): in fridge mode a recipe that
    reaches the goal beats any better-scored one that does not."""
    return needs.profile.target != "fridge" or on_hand_share(attempt, needs) >= FRIDGE_GOAL, value


def ceiling(recipe: LibraryRecipe, needs: Needs, seed: str) -> tuple[bool, float]:
    """The highest rank ``recipe`` can reach once adapted: its score as it stands with no change, and
    no warning and no light-meal penalty unless adapting can only cut it down (:func:`cut_only_report`;
    then the penalty of its own energy and the warnings that last). In fridge mode the share is the
    highest adapting can reach (:func:`share_bound`), which also says whether it may reach the goal.
    Adapting only lowers those terms and float rounding is monotone, so no adapted attempt of it
    ranks above this, and none above its whole-number points plus the largest jitter."""
    if needs.profile.target == "fridge":
        return _fridge_ceiling(recipe, needs, seed, share_bound(recipe, needs))
    report = cut_only_report(recipe, needs)
    if report is None:
        # Whole numbers before the jitter, so their sum is exact in any order: _tally's very value.
        return True, float(_points(recipe, needs.profile)) + jitter(seed, recipe)
    warnings = needs.checker.lasting_warnings(report.per_serving)
    return True, _tally(recipe, needs, seed, None, warnings, report, 0)


def _fridge_ceiling(recipe: LibraryRecipe, needs: Needs, seed: str, share: float) -> tuple[bool, float]:
    """:func:`ceiling` in fridge mode, given the dish's :func:`share_bound`."""
    return share >= FRIDGE_GOAL, _tally(recipe, needs, seed, share, 0, None, 0)


def by_ceiling(
    candidates: Sequence[LibraryRecipe], needs: Needs, seed: str
) -> Iterator[tuple[int, tuple[bool, float]]]:
    """Each candidate's index and :func:`ceiling`, highest ceiling first (the first of equals first).

    Outside fridge mode a ceiling is worked out only when it may come next, as the dish's whole-number
    points plus the largest jitter bound it from above. A caller that stops once a ceiling cannot win
    spares the rest.
    """
    if needs.profile.target == "fridge":
        # Every dish that may reach the goal outranks every one that may not: the latter's ceilings
        # are only worked out when the caller gets that far (when no dish served reaches the goal).
        shares = [share_bound(recipe, needs) for recipe in candidates]
        for reach in (True, False):
            ceilings = {
                index: _fridge_ceiling(candidates[index], needs, seed, share)
                for index, share in enumerate(shares)
                if (share >= FRIDGE_GOAL) == reach
            }
            for index in sorted(ceilings, key=ceilings.__getitem__, reverse=True):
                yield index, ceilings[index]
        return
    points = [_points(recipe, needs.profile) for recipe in candidates]
    order = sorted(range(len(candidates)), key=points.__getitem__, reverse=True)
    waiting: list[tuple[float, int]] = []  # (-ceiling, index): a heap pops the highest, then the first
    taken = 0
    while taken < len(order) or waiting:
        # Bring in every dish whose ceiling may reach the best one waiting.
        while taken < len(order) and (not waiting or points[order[taken]] + _MAX_JITTER >= -waiting[0][0]):
            index = order[taken]
            taken += 1
            heapq.heappush(waiting, (-ceiling(candidates[index], needs, seed)[1], index))
        negated, index = heapq.heappop(waiting)
        yield index, (True, -negated)
