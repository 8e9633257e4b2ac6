"""Changing an adapted recipe's lines: allergen stand-ins, soft preferences and fridge swaps.

The lower layer of adapting (``_adapt`` repairs diet rules with the same moves): a line is swapped
for a stand-in, or left out when it weighs little enough, and never when the dish is named after it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from aichef.knowledge import allergens, ingredients
from aichef.knowledge.ingredients import Ingredient, normalise_name
from aichef.knowledge.recipes import LibraryRecipe

if TYPE_CHECKING:
    from aichef.knowledge._adapt import Needs

# Categories that season a dish rather than make it: dropping or swapping them keeps the dish.
_SEASONING_CATEGORIES = frozenset({"sauce", "seasoning", "sweetener", "beverage", "oil"})
# A dropped item may weigh at most this share of the dish (water excluded): potato in a stew yes,
# rice in a rice bowl no.
_MAX_DROP_SHARE = 0.2


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


def retarget(line: Line, new: Ingredient, grams: float) -> Line:
    """The line for a substitute: keep the cook's unit when the substitute can be weighed in it."""
    unit_grams = new.unit_grams.get(line.unit)
    if unit_grams:
        amount, unit = grams / unit_grams, line.unit
    else:
        amount, unit = grams, "g"
    return Line(new, grams, amount, unit, new.name_ko, line.optional, line.ingredient.key)


def swap_allergens(lines: list[Line], recipe: LibraryRecipe, needs: Needs, changes: list[Change]) -> bool:
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
            lines[index] = retarget(line, choice, grams)
            changes.append(Change("substitute", line.ingredient.key, reason, replacement=choice.key))
        elif line.optional or droppable(line, lines):
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


def droppable(line: Line, lines: list[Line]) -> bool:
    if line.optional or line.ingredient.category in _SEASONING_CATEGORIES:
        return True
    solid = sum(x.grams for x in lines if x.ingredient.key != "water")
    return solid > 0 and line.grams / solid <= _MAX_DROP_SHARE


def preferences(lines: list[Line], needs: Needs, changes: list[Change]) -> None:
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


def worth_swapping(line: Line, recipe: LibraryRecipe, servings: int) -> bool:
    """Whether a fridge swap may take this line when it is not on hand: an item of a swappable kind
    that makes the dish rather than seasons it, no staple or flavour base, not the dish's namesake.

    It depends on the line and the recipe alone, so adapting works it out once per recipe and servings.
    """
    item = line.ingredient
    if line.grams <= 0 or _swap_kind(item) is None:
        return False
    if "staple" in item.tags or item.key in _NO_SWAP:
        return False
    # The title check last: it is the dearest, and most lines are ruled out before it.
    return line.grams / servings >= _MIN_SWAP_GRAMS and not is_title(line, recipe)


def fridge_swaps(
    lines: list[Line],
    recipe: LibraryRecipe,
    needs: Needs,
    changes: list[Change],
    scaled: tuple[Line, ...] = (),
    worth: tuple[bool, ...] = (),
) -> None:
    """Swap up to two lines not on hand for owned items of the same kind (fridge mode only).

    ``worth`` is :func:`worth_swapping` of each of the ``scaled`` lines, worked out beforehand: a
    line still the very one scaled is not asked again.
    """
    if needs.profile.target != "fridge":
        return
    spare: list[Ingredient] | None = None  # owned items not in the dish, listed at the first swap
    swaps = 0
    servings = needs.profile.servings
    for index, line in enumerate(lines):
        if swaps >= _MAX_FRIDGE_SWAPS:
            break
        item = line.ingredient
        if item.key in needs.on_hand:
            continue
        same = index < len(scaled) and line is scaled[index]
        if not (worth[index] if same else worth_swapping(line, recipe, servings)):
            continue
        kind = _swap_kind(item)
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
                lines[index] = retarget(line, other, line.grams)
                changes.append(Change("substitute", item.key, "fridge.on_hand_share", replacement=other.key))
                spare.remove(other)
                swaps += 1
                break
