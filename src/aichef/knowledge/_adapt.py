"""Adapting one library recipe to a profile: scale, substitute allergens, and repair hard-rule failures."""

from __future__ import annotations

from dataclasses import dataclass, replace

from aichef.knowledge import diets, ingredients, nutrition
from aichef.knowledge._swaps import (
    Change,
    Line,
    droppable,
    fridge_swaps,
    is_title,
    preferences,
    retarget,
    swap_allergens,
    worth_swapping,
)
from aichef.knowledge.diets import RuleResult
from aichef.knowledge.ingredients import Ingredient
from aichef.knowledge.nutrition import NutritionReport
from aichef.knowledge.recipes import LibraryRecipe
from aichef.models import Constraints, Profile

__all__ = [
    "Attempt",
    "Change",
    "Line",
    "Needs",
    "adapt",
    "cut_only_report",
    "explained",
    "is_title",
    "needs_for",
    "share_bound",
]

# Rules whose failing items can be left out when they only season the dish.
_DROP_RULES = frozenset(
    {
        "keto.no_sugar_or_starch",
        "diabetes.added_sugar",
        "baby.no_honey",
        "baby.no_added_salt",
        "baby.no_added_sugar",
        "baby.not_spicy",
        "baby.choking",
    }
)
# Keto stand-ins for a dish's starch, with grams of stand-in per gram of the original: cauliflower
# rice for cooked rice; zucchini noodles for noodles (dry noodles swell about 2.5 times).
_KETO_STAND_INS: dict[str, tuple[str, float]] = {
    "cooked_rice": ("cauliflower", 1.0), "brown_rice_cooked": ("cauliflower", 1.0),
    "spaghetti": ("zucchini", 2.5), "somen": ("zucchini", 2.5), "udon": ("zucchini", 1.0),
}  # fmt: skip
_MAX_REPAIR_ROUNDS = 4
# Every tag the _DROP_RULES look for (and every tag needs_for bans): a repair drops or stands in for
# only lines carrying one of these.
_DROP_TAGS = frozenset({"added_sugar", "honey", "starch_staple", "salty_seasoning", "spicy", "whole_nut",
                        "whole_grape"})  # fmt: skip


@dataclass(frozen=True)
class Needs:
    """What the profile asks of every candidate, worked out once per request."""

    profile: Profile
    constraints: Constraints | None
    avoid: frozenset[str]
    on_hand: frozenset[str]
    banned_tags: frozenset[str]
    checker: diets.Checker


def needs_for(profile: Profile, constraints: Constraints | None) -> Needs:
    checker = diets.checker(profile, constraints)
    return Needs(
        profile=profile,
        constraints=constraints,
        avoid=checker.avoid,
        on_hand=checker.on_hand,
        banned_tags=diets.banned_tags(profile),
        checker=checker,
    )


@dataclass(frozen=True)
class Attempt:
    """The outcome of adapting one recipe: ``blocking`` is empty when it may be served.

    ``warnings`` counts the rules that warn. ``results`` (every rule's result, explained) stay empty
    and ``report`` has no sources until :func:`explained` fills them in; ``checked`` are the lines
    the rules measured, which a last failed repair may have changed since.
    """

    recipe: LibraryRecipe
    lines: tuple[Line, ...]
    changes: tuple[Change, ...]
    report: NutritionReport | None
    blocking: tuple[str, ...]
    checked: tuple[tuple[Ingredient, float], ...] = ()
    warnings: int = 0
    results: tuple[RuleResult, ...] = ()


def explained(attempt: Attempt, needs: Needs) -> Attempt:
    """The attempt with its rule results explained and its nutrition sources listed: only the dish
    served (or the one that explains an Unmet) is worth them, so :func:`adapt` leaves them out of
    every candidate's check."""
    if attempt.report is None:
        return attempt  # rejected before any rule ran: nothing to explain
    recipe = attempt.recipe
    report = nutrition.compute(attempt.checked, needs.profile.servings)
    results = needs.checker.check(attempt.checked, report, recipe.cooking_time, recipe.texture)
    return replace(attempt, report=report, results=tuple(results))


Resolved = tuple[tuple[Ingredient, float, float, str, str, bool], ...]


def _resolved(recipe: LibraryRecipe) -> Resolved | None:
    """The recipe's lines looked up once: (ingredient, grams, quantity, unit, written, optional).

    Kept on the recipe object itself (it is immutable), since every request adapts every candidate.
    """
    if "_resolved_lines" not in recipe.__dict__:
        rows: list[tuple[Ingredient, float, float, str, str, bool]] = []
        for line in recipe.lines:
            item = ingredients.lookup(line.item)
            if item is None:
                object.__setattr__(recipe, "_resolved_lines", None)
                return None
            rows.append((item, line.grams, float(line.quantity), line.unit, line.item, line.optional))
        object.__setattr__(recipe, "_resolved_lines", tuple(rows))
    resolved: Resolved | None = recipe.__dict__["_resolved_lines"]
    return resolved


@dataclass(frozen=True)
class _Scaled:
    """A recipe's lines for one number of servings and what every request works out from them alike.

    ``pairs`` and ``report`` are what the rules read while no line has been changed; ``allergens``,
    ``tags`` and ``optional`` (some line is) say which adapting steps may change a line at all;
    ``worth`` is :func:`worth_swapping` per line. ``fixed`` are (key, allergens) of the non-staple
    lines no step changes unless they carry an avoided allergen: not optional, no tag a repair or a
    ban drops, not worth a fridge swap.
    """

    lines: tuple[Line, ...]
    pairs: tuple[tuple[Ingredient, float], ...]
    report: NutritionReport
    allergens: frozenset[str]
    tags: frozenset[str]
    optional: bool
    worth: tuple[bool, ...]
    fixed: tuple[tuple[str, frozenset[str]], ...]


def _scaled(recipe: LibraryRecipe, servings: int) -> _Scaled | None:
    """The recipe's lines for ``servings`` and their facts; ``None`` when a line names an unknown food.

    Lines are immutable and servings few (1..12), so each recipe keeps them per servings on itself,
    like its resolved lines: every request would work out the same ones again.
    """
    by_servings: dict[int, _Scaled] | None = recipe.__dict__.get("_scaled")
    if by_servings is None:
        by_servings = {}
        object.__setattr__(recipe, "_scaled", by_servings)
    scaled = by_servings.get(servings)
    if scaled is None:
        resolved = _resolved(recipe)
        if resolved is None:
            return None
        factor = servings / recipe.servings
        lines = tuple(
            Line(item, grams * factor, quantity * factor, unit, written, optional)
            for item, grams, quantity, unit, written, optional in resolved
        )
        pairs = tuple((x.ingredient, x.grams) for x in lines if x.grams > 0)
        worth = tuple(worth_swapping(x, recipe, servings) for x in lines)
        scaled = _Scaled(
            lines=lines,
            pairs=pairs,
            report=nutrition.compute(pairs, servings, with_sources=False),
            allergens=frozenset().union(*(x.ingredient.allergens for x in lines)),
            tags=frozenset().union(*(x.ingredient.tags for x in lines)),
            optional=any(x.optional for x in lines),
            worth=worth,
            fixed=tuple(
                (x.ingredient.key, x.ingredient.allergens)
                for x, swappable in zip(lines, worth, strict=True)
                if not (
                    x.optional or swappable or "staple" in x.ingredient.tags or x.ingredient.tags & _DROP_TAGS
                )
            ),
        )
        by_servings[servings] = scaled
    return scaled


def share_bound(recipe: LibraryRecipe, needs: Needs) -> float:
    """The highest share (percent) of a dish's non-staple foods on hand that adapting ``recipe`` can reach.

    The fixed lines (see :class:`_Scaled`) not on hand stay in the dish as they are; at best every
    other line becomes a distinct food on hand: ``a`` owned of ``m + a`` needed, with ``a`` at most
    the foods owned and the other lines. The share, rounded like the generator's, never exceeds this.
    """
    scaled = _scaled(recipe, needs.profile.servings)
    if scaled is None:
        return 100.0
    on_hand, avoid = needs.on_hand, needs.avoid
    missing: set[str] = set()
    stuck = 0
    for key, allergens in scaled.fixed:
        if key not in on_hand and not allergens & avoid:
            missing.add(key)
            stuck += 1
    if not missing:
        return 100.0
    owned = min(len(on_hand), len(scaled.lines) - stuck)
    return 100.0 * owned / (len(missing) + owned)


def cut_only_report(recipe: LibraryRecipe, needs: Needs) -> NutritionReport | None:
    """The nutrition of ``recipe`` as it stands when adapting it can only leave lines out or cut them
    down, so that no figure nutrition sums of any adaptation is above this report's; ``None`` when a
    new food may come in: a stand-in for an avoided allergen, a fridge swap or a keto stand-in."""
    if needs.profile.target in ("fridge", "keto"):
        return None
    scaled = _scaled(recipe, needs.profile.servings)
    if scaled is None or scaled.allergens & needs.avoid:
        return None
    return scaled.report


# The rule each banned tag answers to, per target: used to drop seasonings a target forbids even
# where the rule would only warn (a diabetic's bulgogi is better without its sugar).
_TAG_RULES: dict[str, dict[str, str]] = {
    "keto": {"added_sugar": "keto.no_sugar_or_starch", "honey": "keto.no_sugar_or_starch",
             "starch_staple": "keto.no_sugar_or_starch"},
    "diabetes": {"added_sugar": "diabetes.added_sugar", "honey": "diabetes.added_sugar"},
    "baby_food": {"salty_seasoning": "baby.no_added_salt", "added_sugar": "baby.no_added_sugar",
                  "honey": "baby.no_honey", "spicy": "baby.not_spicy", "whole_nut": "baby.choking",
                  "whole_grape": "baby.choking"},
}  # fmt: skip


def _drop_banned(lines: list[Line], needs: Needs, changes: list[Change]) -> None:
    if not needs.banned_tags:
        return  # most profiles ban nothing
    rules = _TAG_RULES.get(needs.profile.target, {})
    if "diabetes" in needs.profile.healthConditions:
        rules = {**_TAG_RULES["diabetes"], **rules}
    for index, line in enumerate(lines):
        banned = line.ingredient.tags & needs.banned_tags
        if not banned:
            continue
        hit = sorted(tag for tag in banned if tag in rules)
        if hit and line.grams > 0 and droppable(line, lines):
            lines[index] = replace(line, grams=0.0, amount=0.0)
            changes.append(Change("drop", line.ingredient.key, rules[hit[0]]))


def _scale(lines: list[Line], keys: set[str], factor: float, reason: str, changes: list[Change]) -> None:
    for index, line in enumerate(lines):
        if line.ingredient.key in keys and line.grams > 0:
            lines[index] = replace(line, grams=line.grams * factor, amount=line.amount * factor)
    for key in sorted(keys):
        changes.append(Change("reduce", key, reason, factor=round(factor, 2)))


def _per_serving(lines: list[Line], servings: int, keys: set[str], attr: str) -> float:
    total = sum(getattr(x.ingredient.nutrients_for(x.grams), attr) for x in lines if x.ingredient.key in keys)
    return float(total) / servings


def _cut(lines: list[Line], result: RuleResult, tag_sets: tuple[tuple[str, ...], ...], attr: str,
         floor: float, needs: Needs, changes: list[Change]) -> bool:  # fmt: skip
    """Lower a per-serving figure below the rule's limit by scaling down the tagged lines, group by
    group (e.g. oil first, then the starch staple), never below ``floor`` of their amount."""
    servings = needs.profile.servings
    limit = result.threshold
    if limit is None or any(c.kind == "reduce" and c.reason == result.id for c in changes):
        return False  # one cut per rule: cutting again would compound below the floor
    excess = result.value - 0.97 * limit
    changed = False
    for tags in tag_sets:
        if excess <= 0:
            break
        keys = {
            x.ingredient.key
            for x in lines
            if x.grams > 0 and (set(tags) & x.ingredient.tags or x.ingredient.category in tags)
        }
        share = _per_serving(lines, servings, keys, attr)
        if share <= 0:
            continue
        factor = max(floor, 1.0 - excess / share)
        _scale(lines, keys, factor, result.id, changes)
        excess -= share * (1.0 - factor)
        changed = True
    return changed and excess <= 1e-6 * limit


def _repair(lines: list[Line], result: RuleResult, needs: Needs, changes: list[Change]) -> bool:
    """Try to fix one blocking result in place; False when this rule cannot be repaired."""
    if result.id in _DROP_RULES:
        for key in result.items:
            for index, line in enumerate(lines):
                if line.ingredient.key != key or line.grams <= 0:
                    continue
                stand_in = _KETO_STAND_INS.get(key) if result.id == "keto.no_sugar_or_starch" else None
                if droppable(line, lines):
                    lines[index] = replace(line, grams=0.0, amount=0.0)
                    changes.append(Change("drop", key, result.id))
                elif stand_in and not ingredients.get(stand_in[0]).allergens & needs.avoid:
                    lines[index] = retarget(line, ingredients.get(stand_in[0]), line.grams * stand_in[1])
                    changes.append(Change("substitute", key, result.id, replacement=stand_in[0]))
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


def adapt(recipe: LibraryRecipe, needs: Needs) -> Attempt:
    """Scale ``recipe`` to the profile's servings, swap allergens, repair what the rules reject.

    The rules are only screened: pass the attempt to :func:`explained` before showing its results.
    The generator's search counts on what the steps may do (:func:`share_bound`, :func:`cut_only_report`):
    only a stand-in or a fridge swap brings a new food in, a repair or a ban drops only lines carrying
    one of ``_DROP_TAGS``, and every other change leaves a line out or cuts it down.
    """
    profile = needs.profile
    scaled = _scaled(recipe, profile.servings)
    if scaled is None:
        return Attempt(recipe, (), (), None, ("recipe.unresolved",))
    lines = list(scaled.lines)
    changes: list[Change] = []
    # Each step below looks only at lines of some kind; the recipe's facts say when it has none.
    if scaled.allergens & needs.avoid and not swap_allergens(lines, recipe, needs, changes):
        return Attempt(recipe, tuple(lines), tuple(changes), None, ("allergy.declared",))
    if scaled.optional:
        preferences(lines, needs, changes)
    if scaled.tags & needs.banned_tags:
        _drop_banned(lines, needs, changes)
    fridge_swaps(lines, recipe, needs, changes, scaled.lines, scaled.worth)
    for _ in range(_MAX_REPAIR_ROUNDS):
        if changes:
            pairs = tuple((x.ingredient, x.grams) for x in lines if x.grams > 0)
            report = nutrition.compute(pairs, profile.servings, with_sources=False)
        else:  # every step changes a line only with a Change: the lines are the scaled ones
            pairs, report = scaled.pairs, scaled.report
        blocking, warnings = needs.checker.screen(pairs, report, recipe.cooking_time, recipe.texture)
        if not blocking:
            return Attempt(recipe, tuple(lines), tuple(changes), report, (), pairs, warnings)
        # Repair what can be repaired and check again: fixing one rule (rice -> cauliflower) may
        # fix others (net carbs) that have no repair of their own.
        repaired = [_repair(lines, result, needs, changes) for result in blocking]
        if not any(repaired):
            break
    ids = tuple(sorted({r.id for r in blocking}))
    return Attempt(recipe, tuple(lines), tuple(changes), report, ids, pairs, warnings)
