"""Adapting one library recipe to a profile: scale, substitute allergens, and repair hard-rule failures."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from aichef.knowledge import allergens, diets, ingredients, nutrition
from aichef.knowledge.diets import RuleResult
from aichef.knowledge.ingredients import Ingredient, normalise_name
from aichef.knowledge.nutrition import NutritionReport
from aichef.knowledge.recipes import LibraryRecipe
from aichef.models import Constraints, Profile

# Categories that season a dish rather than make it: dropping or swapping them keeps the dish.
_SEASONING_CATEGORIES = frozenset({"sauce", "seasoning", "sweetener", "beverage", "oil"})
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
# A dropped item may weigh at most this share of the dish (water excluded): potato in a stew yes,
# rice in a rice bowl no.
_MAX_DROP_SHARE = 0.2
# Keto stand-ins for a dish's starch, with grams of stand-in per gram of the original: cauliflower
# rice for cooked rice; zucchini noodles for noodles (dry noodles swell about 2.5 times).
_KETO_STAND_INS: dict[str, tuple[str, float]] = {
    "cooked_rice": ("cauliflower", 1.0), "brown_rice_cooked": ("cauliflower", 1.0),
    "spaghetti": ("zucchini", 2.5), "somen": ("zucchini", 2.5), "udon": ("zucchini", 1.0),
}  # fmt: skip
_MAX_REPAIR_ROUNDS = 4


@dataclass(frozen=True)
class Line:
    """One ingredient line of an adapted recipe; ``grams`` and ``amount`` are for the whole recipe."""

    ingredient: Ingredient
    grams: float
    amount: float
    unit: str
    written: str
    optional: bool = False
    replaces: str | None = None


@dataclass(frozen=True)
class Change:
    """What adaptation did to the library recipe, and the rule (or allergy) that asked for it."""

    kind: Literal["substitute", "drop", "reduce"]
    ingredient: str
    reason: str
    replacement: str | None = None
    factor: float | None = None

    def describe(self, language: str = "ko") -> str:
        ko = language == "ko"
        original = _display(self.ingredient, ko)
        if self.kind == "substitute" and self.replacement:
            new = _display(self.replacement, ko)
            return f"{original} 대신 {new}" if ko else f"{new} instead of {original}"
        if self.kind == "drop":
            return f"{original} 생략" if ko else f"{original} left out"
        pct = round(100 * (self.factor or 0))
        return f"{original} {pct}%로 줄임" if ko else f"{original} cut to {pct}%"


def _display(key: str, ko: bool) -> str:
    item = ingredients.get(key)
    return item.name_ko if ko else item.name_en


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
    banned: set[str] = set()
    if profile.target == "keto":
        banned |= {"added_sugar", "honey", "starch_staple"}
    if profile.target == "baby_food":
        banned |= {"spicy", "whole_nut", "whole_grape"}
        if (profile.babyAgeMonths or 0) < 12:
            banned |= {"salty_seasoning", "added_sugar", "honey"}
    if profile.target == "diabetes" or "diabetes" in profile.healthConditions:
        banned |= {"added_sugar", "honey"}
    checker = diets.checker(profile, constraints)
    return Needs(
        profile=profile,
        constraints=constraints,
        avoid=checker.avoid,
        on_hand=checker.on_hand,
        banned_tags=frozenset(banned),
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


def _scaled_lines(recipe: LibraryRecipe, servings: int) -> list[Line] | None:
    """The recipe's lines for ``servings``, as a fresh list the caller may edit.

    Lines are immutable and servings few (1..12), so each recipe keeps its scaled lines per
    servings on itself, like its resolved lines: every request would build the same ones again.
    """
    by_servings: dict[int, tuple[Line, ...]] | None = recipe.__dict__.get("_scaled_lines")
    if by_servings is None:
        by_servings = {}
        object.__setattr__(recipe, "_scaled_lines", by_servings)
    scaled = by_servings.get(servings)
    if scaled is None:
        resolved = _resolved(recipe)
        if resolved is None:
            return None
        factor = servings / recipe.servings
        scaled = tuple(
            Line(item, grams * factor, quantity * factor, unit, written, optional)
            for item, grams, quantity, unit, written, optional in resolved
        )
        by_servings[servings] = scaled
    return list(scaled)


def _substitute_grams(old: Ingredient, new: Ingredient, grams: float) -> float:
    """Grams of ``new`` standing in for ``grams`` of ``old``: same saltiness for seasonings (soy sauce
    -> salt must not become 30 g of salt), same energy for a much denser food (egg -> chia seeds),
    same weight otherwise."""
    if old.category in _SEASONING_CATEGORIES or new.category in _SEASONING_CATEGORIES:
        old_na, new_na = old.per_100g.sodium_mg, new.per_100g.sodium_mg
        if old_na > 100 and new_na > 100:
            return grams * old_na / new_na
        if new.category in _SEASONING_CATEGORIES and old.category not in _SEASONING_CATEGORIES:
            return grams * 0.5
        return grams
    old_kcal, new_kcal = old.per_100g.kcal, new.per_100g.kcal
    if old_kcal > 0 and new_kcal > 2 * old_kcal:
        return grams * old_kcal / new_kcal
    return grams


def is_title(line: Line, recipe: LibraryRecipe) -> bool:
    """Whether the dish is named after this ingredient (계란말이 and 달걀, Steamed Eggs and egg):
    such an ingredient is never swapped, or the dish would no longer be what its name says."""
    item = line.ingredient
    korean = {normalise_name(w) for w in (line.written, item.name_ko, *item.aliases) if not w.isascii()}
    title = normalise_name(recipe.name_ko)
    if any(len(word) >= 2 and word in title for word in korean):
        return True
    return len(item.name_en) > 2 and item.name_en.lower() in recipe.name_en.lower()


def _retarget(line: Line, new: Ingredient, grams: float) -> Line:
    """The line for a substitute: keep the cook's unit when the substitute can be weighed in it."""
    unit_grams = new.unit_grams.get(line.unit)
    if unit_grams:
        amount, unit = grams / unit_grams, line.unit
    else:
        amount, unit = grams, "g"
    return Line(new, grams, amount, unit, new.name_ko, line.optional, line.ingredient.key)


def _swap_allergens(lines: list[Line], recipe: LibraryRecipe, needs: Needs, changes: list[Change]) -> bool:
    """Replace or drop every line carrying an avoided allergen; False when one cannot be handled."""
    for index, line in enumerate(lines):
        found = line.ingredient.allergens & needs.avoid
        if not found or line.grams <= 0:
            continue
        if is_title(line, recipe):
            return False
        reason = "allergy.declared"
        choice = _pick_substitute(line, needs)
        if choice is not None:
            grams = _substitute_grams(line.ingredient, choice, line.grams)
            lines[index] = _retarget(line, choice, grams)
            changes.append(Change("substitute", line.ingredient.key, reason, replacement=choice.key))
        elif line.optional or _droppable(line, lines):
            lines[index] = replace(line, grams=0.0, amount=0.0)
            changes.append(Change("drop", line.ingredient.key, reason))
        else:
            return False
    return True


def _pick_substitute(line: Line, needs: Needs) -> Ingredient | None:
    keys = allergens.substitutes(line.ingredient.key, needs.avoid)
    usable = [ingredients.get(k) for k in keys]
    usable = [i for i in usable if not (i.tags & needs.banned_tags) and not (i.allergens & needs.avoid)]
    if not usable:
        return None
    # In fridge mode an owned substitute beats a better-matching one that must be bought.
    owned = [i for i in usable if i.key in needs.on_hand]
    return (owned or usable)[0]


def _droppable(line: Line, lines: list[Line]) -> bool:
    if line.optional or line.ingredient.category in _SEASONING_CATEGORIES:
        return True
    solid = sum(x.grams for x in lines if x.ingredient.key != "water")
    return solid > 0 and line.grams / solid <= _MAX_DROP_SHARE


def _preferences(lines: list[Line], needs: Needs, changes: list[Change]) -> None:
    """Soft wishes the library marks as optional: no optional chili for spicyLevel 0; in fridge mode,
    leave out optional garnishes that are not on hand."""
    for index, line in enumerate(lines):
        if not line.optional or line.grams <= 0:
            continue
        if needs.profile.preferences.spicyLevel == 0 and "spicy" in line.ingredient.tags:
            lines[index] = replace(line, grams=0.0, amount=0.0)
            changes.append(Change("drop", line.ingredient.key, "preference.spicy"))
        elif (
            needs.profile.target == "fridge"
            and "staple" not in line.ingredient.tags
            and line.ingredient.key not in needs.on_hand
        ):
            lines[index] = replace(line, grams=0.0, amount=0.0)
            changes.append(Change("drop", line.ingredient.key, "fridge.on_hand_share"))


# Fridge mode may swap a missing item for an owned one of the same kind (애호박 -> 가지); at most
# this many per dish, so the dish stays itself.
_MAX_FRIDGE_SWAPS = 2
_SWAP_KINDS = {"meat": "protein", "poultry": "protein", "mushroom": "mushroom", "seafood": "seafood",
               "tofu": "tofu", "noodle": "noodle"}  # fmt: skip
# Vegetables that stand in for one another in a stir-fry, stew or side dish; herbs, salad leaves,
# aromatics and seaweeds are left out on purpose (basil is no stand-in for spinach).
_COOKING_VEGETABLES = frozenset({
    "zucchini", "eggplant", "carrot", "cabbage", "napa_cabbage", "bok_choy", "spinach", "broccoli",
    "cauliflower", "red_bell_pepper", "green_bell_pepper", "korean_radish", "mung_bean_sprouts",
    "soybean_sprouts", "chives", "asparagus", "green_beans", "kale", "snow_peas", "celery", "kabocha",
})  # fmt: skip
# Flavour bases and seaweeds give a dish its character; they are never swapped in or out.
_NO_SWAP = frozenset({"garlic", "ginger", "green_onion", "scallion", "onion", "laver", "kelp", "wakame"})


def _swap_kind(item: Ingredient) -> str | None:
    if item.key in _COOKING_VEGETABLES:
        return "vegetable"
    return _SWAP_KINDS.get(item.category)


_MIN_SWAP_GRAMS = 20.0  # per serving: below this an item seasons the dish rather than makes it
# Tags that change what a dish is or whom it suits: a swap must keep them as they were.
_KEEP_TAGS = frozenset({"spicy", "starch_staple", "salty_seasoning", "added_sugar"})


def _fridge_swaps(lines: list[Line], recipe: LibraryRecipe, needs: Needs, changes: list[Change]) -> None:
    if needs.profile.target != "fridge":
        return
    spare: list[Ingredient] | None = None  # owned items not in the dish, listed at the first swap
    swaps = 0
    for index, line in enumerate(lines):
        item = line.ingredient
        kind = _swap_kind(item)
        if swaps >= _MAX_FRIDGE_SWAPS or line.grams <= 0 or kind is None:
            continue
        if "staple" in item.tags or item.key in needs.on_hand or item.key in _NO_SWAP:
            continue
        # The title check last: it is the dearest, and most lines are ruled out before it.
        if line.grams / needs.profile.servings < _MIN_SWAP_GRAMS or is_title(line, recipe):
            continue
        if spare is None:  # no line has been swapped yet, so these are the dish's own lines
            used = {x.ingredient.key for x in lines if x.grams > 0}
            spare = [ingredients.get(k) for k in sorted(needs.on_hand - used)]
        for other in spare:
            if (
                _swap_kind(other) == kind
                and other.key not in _NO_SWAP
                and other.tags & _KEEP_TAGS == item.tags & _KEEP_TAGS
                and not other.allergens & needs.avoid
                and not other.tags & needs.banned_tags
            ):
                lines[index] = _retarget(line, other, line.grams)
                changes.append(Change("substitute", item.key, "fridge.on_hand_share", replacement=other.key))
                spare.remove(other)
                swaps += 1
                break


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
        if hit and line.grams > 0 and _droppable(line, lines):
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
                if _droppable(line, lines):
                    lines[index] = replace(line, grams=0.0, amount=0.0)
                    changes.append(Change("drop", key, result.id))
                elif stand_in and not ingredients.get(stand_in[0]).allergens & needs.avoid:
                    lines[index] = _retarget(line, ingredients.get(stand_in[0]), line.grams * stand_in[1])
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
    """
    profile = needs.profile
    scaled = _scaled_lines(recipe, profile.servings)
    if scaled is None:
        return Attempt(recipe, (), (), None, ("recipe.unresolved",))
    lines = scaled
    changes: list[Change] = []
    if not _swap_allergens(lines, recipe, needs, changes):
        return Attempt(recipe, tuple(lines), tuple(changes), None, ("allergy.declared",))
    _preferences(lines, needs, changes)
    _drop_banned(lines, needs, changes)
    _fridge_swaps(lines, recipe, needs, changes)
    for _ in range(_MAX_REPAIR_ROUNDS):
        pairs = tuple((x.ingredient, x.grams) for x in lines if x.grams > 0)
        report = nutrition.compute(pairs, profile.servings, with_sources=False)
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
