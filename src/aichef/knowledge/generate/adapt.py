"""Stage 3 of the generator: one dish adapted to the profile.

In order: allergens swapped for a stand-in of the same role (or left out when they only season or
garnish), soft wishes (no optional chili for spicyLevel 0; in fridge mode, optional extras not at
home left out), banned tags dropped, up to two fridge swaps, then the diet rules screened and what
they reject repaired (sugar left out, rice cut down ...). Whole-unit foods (eggs, a whole chicken,
a fish) are rounded to whole pieces. A line the dish is named after (its identity) is never left
out, and never swapped for an allergy: such a dish is not offered.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from aichef.knowledge import allergens, ingredients, nutrition
from aichef.knowledge.diets import RuleResult
from aichef.knowledge.generate.candidates import Candidate
from aichef.knowledge.generate.lines import Change, Line
from aichef.knowledge.generate.needs import Needs
from aichef.knowledge.generate.substitute import allergy_stand_in, fridge_stand_in, retarget, sized, unsafe
from aichef.knowledge.ingredients import Ingredient
from aichef.knowledge.nutrition import NutritionReport
from aichef.knowledge.recipes import LibraryRecipe
from aichef.knowledge.roles import role_of

__all__ = ["Attempt", "adapt", "explained"]

_SEASONING_ROLES = frozenset({"sauce_seasoning", "fat", "aromatic", "garnish"})
# A dropped bulk line may weigh at most this share of the dish (water excluded): potato in a stew
# yes, rice in a rice bowl no.
_MAX_DROP_SHARE = 0.2
_MAX_FRIDGE_SWAPS = 2
_MAX_REPAIR_ROUNDS = 4
# Rules whose failing items can be left out when they only season the dish.
_DROP_RULES = frozenset({"keto.no_sugar_or_starch", "diabetes.added_sugar", "baby.no_honey",
                         "baby.no_added_salt", "baby.no_added_sugar", "baby.not_spicy",
                         "baby.choking"})  # fmt: skip
# Keto stand-ins for a dish's starch, with grams of stand-in per gram of the original: cauliflower
# rice for cooked rice; zucchini noodles for noodles (dry noodles swell about 2.5 times).
_KETO_STAND_INS: dict[str, tuple[str, float]] = {
    "cooked_rice": ("cauliflower", 1.0), "brown_rice_cooked": ("cauliflower", 1.0),
    "spaghetti": ("zucchini", 2.5), "somen": ("zucchini", 2.5), "udon": ("zucchini", 1.0),
}  # fmt: skip
# The rule each banned tag answers to, per target.
_TAG_RULES: dict[str, dict[str, str]] = {
    "keto": {"added_sugar": "keto.no_sugar_or_starch", "honey": "keto.no_sugar_or_starch",
             "starch_staple": "keto.no_sugar_or_starch"},
    "diabetes": {"added_sugar": "diabetes.added_sugar", "honey": "diabetes.added_sugar"},
    "baby_food": {"salty_seasoning": "baby.no_added_salt", "added_sugar": "baby.no_added_sugar",
                  "honey": "baby.no_honey", "spicy": "baby.not_spicy", "whole_nut": "baby.choking",
                  "whole_grape": "baby.choking"},
}  # fmt: skip
# Units counted in whole pieces for foods sold whole: eggs, a chicken, a fish.
_WHOLE_UNITS = frozenset({"마리", "알"})
_WHOLE_EGG_KEYS = frozenset({"egg", "quail_egg", "duck_egg"})
# A fish is sold and cooked in pieces (삼치 4토막, 연어 2조각): never "3.75토막".
_PIECE_UNITS = frozenset({"토막", "조각"})


def _counted(line: Line) -> bool:
    """Whether the line is counted in whole (or half) pieces: eggs, whole animals, fish pieces."""
    if line.unit in _WHOLE_UNITS:
        return True
    if line.unit == "개":
        return line.ingredient.key in _WHOLE_EGG_KEYS
    return line.unit in _PIECE_UNITS and line.ingredient.category == "seafood"


@dataclass(frozen=True)
class Attempt:
    """The outcome of adapting one dish: ``blocking`` is empty when the diet rules let it through.

    ``results`` stay empty and ``report`` has no sources until :func:`explained` fills them in.
    """

    recipe: LibraryRecipe
    lines: tuple[Line, ...]
    changes: tuple[Change, ...]
    report: NutritionReport | None
    blocking: tuple[str, ...]
    pairs: tuple[tuple[Ingredient, float], ...] = ()
    warnings: int = 0
    results: tuple[RuleResult, ...] = ()
    lacking: tuple[str, ...] = ()  # keys of the allergens or identity lines that stopped it

    @property
    def served_lines(self) -> tuple[Line, ...]:
        return tuple(x for x in self.lines if not x.dropped)


def explained(attempt: Attempt, needs: Needs) -> Attempt:
    """The attempt with every rule's result explained and its nutrition sources listed (only the dish
    served, or the one that explains a refusal, is worth them)."""
    if attempt.lacking:
        return attempt  # stopped by an allergen before any rule ran: the caller names it
    recipe = attempt.recipe
    pairs = attempt.pairs or tuple((x.ingredient, x.grams) for x in attempt.lines if not x.dropped)
    report = nutrition.compute(pairs, needs.profile.servings)
    results = needs.checker.check(pairs, report, recipe.cooking_time, recipe.texture)
    return replace(attempt, report=report, results=tuple(results), pairs=pairs)


def _droppable(line: Line, lines: list[Line], identity: frozenset[str]) -> bool:
    if line.id in identity:
        return False
    if line.optional or role_of(line.ingredient) in _SEASONING_ROLES:
        return True
    solid = sum(x.grams for x in lines if x.ingredient.key != "water")
    return solid > 0 and line.grams / solid <= _MAX_DROP_SHARE


def _drop(lines: list[Line], index: int) -> None:
    lines[index] = replace(lines[index], grams=0.0, amount=0.0)


def _swap_allergens(
    lines: list[Line], identity: frozenset[str], needs: Needs, changes: list[Change]
) -> list[str]:
    """Swap or leave out every line the profile must avoid; the keys that could be neither."""
    stuck: list[str] = []
    used = {x.ingredient.key for x in lines}
    for index, line in enumerate(lines):
        if line.dropped or not allergens.carried(line.ingredient) & needs.avoid:
            continue  # a banned tag alone is the ban's own step
        if line.id in identity:
            stuck.append(line.ingredient.key)
            continue
        choice = allergy_stand_in(line, needs, used)
        if choice is not None:
            lines[index] = retarget(line, choice, sized(line.ingredient, choice, line.grams))
            used.add(choice.key)
            changes.append(Change("substitute", line.ingredient.key, "allergy.declared", choice.key))
        elif _droppable(line, lines, identity):
            _drop(lines, index)
            changes.append(Change("drop", line.ingredient.key, "allergy.declared"))
        else:
            stuck.append(line.ingredient.key)
    return stuck


def _preferences(lines: list[Line], needs: Needs, changes: list[Change]) -> None:
    for index, line in enumerate(lines):
        if not line.optional or line.dropped:
            continue
        if needs.profile.preferences.spicyLevel == 0 and "spicy" in line.ingredient.tags:
            _drop(lines, index)
            changes.append(Change("drop", line.ingredient.key, "preference.spicy"))
        elif needs.profile.target == "fridge" and line.ingredient.key not in needs.owned:
            _drop(lines, index)
            changes.append(Change("drop", line.ingredient.key, "fridge.on_hand_share"))


def _drop_banned(lines: list[Line], identity: frozenset[str], needs: Needs, changes: list[Change]) -> None:
    rules = dict(_TAG_RULES.get(needs.profile.target, {}))
    if "diabetes" in needs.profile.healthConditions:
        rules = {**_TAG_RULES["diabetes"], **rules}
    for index, line in enumerate(lines):
        hit = sorted(tag for tag in line.ingredient.tags & needs.banned_tags if tag in rules)
        if hit and not line.dropped and _droppable(line, lines, identity):
            _drop(lines, index)
            changes.append(Change("drop", line.ingredient.key, rules[hit[0]]))


def _fridge_swaps(
    lines: list[Line], recipe: LibraryRecipe, identity: frozenset[str], needs: Needs, changes: list[Change]
) -> None:
    if needs.profile.target != "fridge":
        return
    used = {x.ingredient.key for x in lines if not x.dropped}
    spare = [ingredients.get(k) for k in sorted(needs.fridge - used)]
    swaps = 0
    for index, line in enumerate(lines):
        if swaps >= _MAX_FRIDGE_SWAPS or not spare:
            break
        if line.dropped or line.id in identity or line.ingredient.key in needs.owned:
            continue
        # A Korean home cook swaps one vegetable for another in a 찌개 or 반찬; in a foreign dish
        # (ratatouille with chives) the vegetables are the dish, so only its protein may change.
        if recipe.cuisine != "korean" and role_of(line.ingredient) != "protein":
            continue
        other = fridge_stand_in(line, needs, spare, needs.profile.servings)
        if other is not None:
            lines[index] = retarget(line, other, line.grams)
            changes.append(Change("substitute", line.ingredient.key, "fridge.on_hand_share", other.key))
            spare.remove(other)
            swaps += 1


def _whole_units(lines: list[Line], changes: list[Change]) -> None:
    """Eggs in whole pieces, whole chickens and fish in halves, fish pieces in halves up to three
    and whole above: 1.5 eggs become 2, 0.75 of a chicken becomes 1, 3.75 토막 become 4, and the dish
    says so."""
    for index, line in enumerate(lines):
        if line.dropped or not _counted(line) or line.amount <= 0:
            continue
        # A chicken or a fish is sold and cooked by the half too (반 마리), a fish piece cut in two
        # when there are few; an egg only whole. Halves round up (2.5 eggs -> 3, not Python's 2).
        half = line.unit == "마리" or (line.unit in _PIECE_UNITS and line.amount < 3)
        step = 0.5 if half else 1.0
        count = max(step, math.floor(line.amount / step + 0.5) * step)
        if abs(count - line.amount) < 0.01:
            continue
        lines[index] = replace(line, grams=line.grams * count / line.amount, amount=float(count))
        changes.append(Change("round", line.ingredient.key, "units.whole", line.unit, round(line.amount, 2)))


def _scale(lines: list[Line], keys: set[str], factor: float, reason: str, changes: list[Change]) -> None:
    if round(factor, 2) >= 1.0:
        return  # a cut too small to show ("cut to 100%") is no cut
    for index, line in enumerate(lines):
        if line.ingredient.key in keys and not line.dropped:
            lines[index] = replace(line, grams=line.grams * factor, amount=line.amount * factor)
    changes.extend(Change("reduce", key, reason, factor=round(factor, 2)) for key in sorted(keys))


def _cut(lines: list[Line], result: RuleResult, groups: tuple[tuple[str, ...], ...], attr: str, floor: float,
         needs: Needs, changes: list[Change]) -> bool:  # fmt: skip
    """Lower a per-serving figure below the rule's limit by scaling down the tagged lines, group by
    group (oil first, then the starch staple), never below ``floor`` of their amount."""
    servings = needs.profile.servings
    limit = result.threshold
    if limit is None or any(c.kind == "reduce" and c.reason == result.id for c in changes):
        return False  # one cut per rule: cutting again would compound below the floor
    excess = result.value - 0.97 * limit
    changed = False
    for tags in groups:
        if excess <= 0:
            break
        keys = {
            x.ingredient.key
            for x in lines
            if not x.dropped and (set(tags) & x.ingredient.tags or x.ingredient.category in tags)
        }
        share = sum(
            getattr(x.ingredient.nutrients_for(x.grams), attr) for x in lines if x.ingredient.key in keys
        )
        share /= servings
        if share <= 0:
            continue
        factor = max(floor, 1.0 - excess / share)
        _scale(lines, keys, factor, result.id, changes)
        excess -= share * (1.0 - factor)
        changed = True
    return changed and excess <= 1e-6 * limit


def _repair(lines: list[Line], result: RuleResult, identity: frozenset[str], needs: Needs,
            changes: list[Change]) -> bool:  # fmt: skip
    """Try to fix one blocking result in place; False when this rule cannot be repaired."""
    if result.id in _DROP_RULES:
        for key in result.items:
            for index, line in enumerate(lines):
                if line.ingredient.key != key or line.dropped:
                    continue
                stand_in = _KETO_STAND_INS.get(key) if result.id == "keto.no_sugar_or_starch" else None
                if _droppable(line, lines, identity):
                    _drop(lines, index)
                    changes.append(Change("drop", key, result.id))
                elif stand_in and not unsafe(ingredients.get(stand_in[0]), needs):
                    new = ingredients.get(stand_in[0])
                    lines[index] = retarget(line, new, line.grams * stand_in[1])
                    changes.append(Change("substitute", key, result.id, replacement=new.key))
                else:
                    return False
        return bool(result.items)
    if result.id == "diabetes.carbohydrate":
        return _cut(lines, result, (("starch_staple",),), "carbohydrate_g", 0.5, needs, changes)
    if result.id in ("diet.kcal", "constraint.max_calories"):
        return _cut(lines, result, (("oil",), ("starch_staple",)), "kcal", 0.5, needs, changes)
    if result.id == "condition.sodium":
        return _cut(lines, result, (("salty_seasoning",),), "sodium_mg", 0.3, needs, changes)
    return False


def adapt(candidate: Candidate, needs: Needs) -> Attempt:
    """The dish adapted to the profile and screened by the diet rules (see the module's docstring)."""
    recipe = candidate.recipe
    if candidate.fixed:
        return Attempt(recipe, candidate.lines, (), None, candidate.fixed)
    identity = frozenset(recipe.identity)
    lines = list(candidate.lines)
    changes: list[Change] = []
    stuck = _swap_allergens(lines, identity, needs, changes) if candidate.scaled.carried & needs.avoid else []
    if stuck:
        return Attempt(
            recipe, tuple(lines), tuple(changes), None, ("allergy.declared",), lacking=tuple(stuck)
        )
    if any(x.optional for x in lines):
        _preferences(lines, needs, changes)
    if candidate.scaled.tags & needs.banned_tags:
        _drop_banned(lines, identity, needs, changes)
    _fridge_swaps(lines, recipe, identity, needs, changes)
    if any(_counted(x) for x in lines):
        _whole_units(lines, changes)
    blocking: list[RuleResult] = []
    for _ in range(_MAX_REPAIR_ROUNDS):
        pairs = tuple((x.ingredient, x.grams) for x in lines if x.grams > 0)
        report = nutrition.compute(pairs, needs.profile.servings, with_sources=False)
        blocking, warnings = needs.checker.screen(pairs, report, recipe.cooking_time, recipe.texture)
        if not blocking:
            return Attempt(recipe, tuple(lines), tuple(changes), report, (), pairs, warnings)
        # Repair and check again: fixing one rule (rice -> cauliflower) may fix others (net carbs).
        if not any([_repair(lines, result, identity, needs, changes) for result in blocking]):
            break
    ids = tuple(sorted({r.id for r in blocking}))
    return Attempt(recipe, tuple(lines), tuple(changes), report, ids, pairs, warnings)
