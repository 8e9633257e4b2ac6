"""Choosing and sizing a stand-in for a line, by culinary role (see :mod:`aichef.knowledge.roles`).

A stand-in keeps the role of what it replaces and is sized by what it does: a vegetable or a protein
by weight, a salty seasoning by sodium (soy sauce -> salt keeps the sodium, not the grams), a
denser food by energy. A seasoning never stands in for a bulk ingredient, since roles differ.
"""

from __future__ import annotations

from aichef.knowledge import allergens, ingredients
from aichef.knowledge.generate.lines import Line
from aichef.knowledge.generate.needs import Needs
from aichef.knowledge.ingredients import Ingredient
from aichef.knowledge.roles import role_of

__all__ = ["allergy_stand_in", "fridge_stand_in", "retarget", "sized", "unsafe"]

# Same-role stand-ins the allergen table does not list (it works by allergen, this by role).
_SAME_ROLE: dict[str, tuple[str, ...]] = {
    "soybean_sprouts": ("mung_bean_sprouts",),
    "mung_bean_sprouts": ("soybean_sprouts",),
    "tofu": ("egg", "king_oyster_mushroom", "button_mushroom"),
    "soft_tofu": ("egg",),
    "perilla_oil": ("sesame_oil", "vegetable_oil"),
    "sesame_oil": ("perilla_oil", "olive_oil", "vegetable_oil"),
    "sesame_seeds": ("perilla_seeds", "sunflower_seeds"),
    "vegetable_oil": ("olive_oil", "canola_oil"),
}
# Fridge mode may take an owned food for a missing one of the same kind (애호박 -> 가지).
_FRIDGE_KINDS = {"meat": "meat", "poultry": "meat", "seafood": "seafood", "tofu": "tofu",
                 "mushroom": "mushroom", "noodle": "noodle"}  # fmt: skip
# Vegetables that stand in for one another in a stir-fry, stew or side dish; herbs, salad leaves,
# aromatics and seaweeds are left out on purpose (basil is no stand-in for spinach).
_COOKING_VEGETABLES = frozenset({
    "zucchini", "eggplant", "carrot", "cabbage", "napa_cabbage", "bok_choy", "spinach", "broccoli",
    "cauliflower", "red_bell_pepper", "green_bell_pepper", "korean_radish", "mung_bean_sprouts",
    "soybean_sprouts", "chives", "asparagus", "green_beans", "kale", "snow_peas", "celery", "kabocha",
})  # fmt: skip
_SALTY_MG = 1000.0  # sodium per 100 g above which a seasoning is sized by its salt
_MIN_SWAP_GRAMS = 20.0  # per serving: below this a line seasons the dish rather than makes it


def unsafe(item: Ingredient, needs: Needs) -> bool:
    """Whether the profile must not have this food: an avoided allergen (contained, usually contained,
    or the food named itself) or a banned tag."""
    return bool(allergens.carried(item) & needs.avoid) or bool(item.tags & needs.banned_tags)


def sized(old: Ingredient, new: Ingredient, grams: float) -> float:
    """Grams of ``new`` doing the work of ``grams`` of ``old``: salty seasonings by sodium, a spice for
    a salty paste by a third, a much denser food by energy, everything else by weight."""
    old_na, new_na = old.per_100g.sodium_mg, new.per_100g.sodium_mg
    if old_na >= _SALTY_MG and new_na >= _SALTY_MG:
        return grams * old_na / new_na
    if old_na >= _SALTY_MG and role_of(new) == "sauce_seasoning":
        # A dry spice for a salty paste: 고추장 1큰술 -> 고춧가루 1작은술, a third of the weight.
        return grams / 3
    old_kcal, new_kcal = old.per_100g.kcal, new.per_100g.kcal
    if role_of(old) != "vegetable" and old_kcal > 0 and new_kcal > 2 * old_kcal:
        return grams * old_kcal / new_kcal
    return grams


def retarget(line: Line, new: Ingredient, grams: float) -> Line:
    """The line for a stand-in: the cook's unit when the stand-in can be weighed in it, else grams."""
    unit_grams = new.unit_grams.get(line.unit)
    amount, unit = (grams / unit_grams, line.unit) if unit_grams else (grams, "g")
    return Line(
        new, grams, amount, unit, new.name_ko, line.optional, line.replaces or line.ingredient.key, line.id
    )


def allergy_stand_in(line: Line, needs: Needs, used: set[str]) -> Ingredient | None:
    """The best safe stand-in of the same role for a line the profile must avoid; an owned one
    (fridge, pantry) first, never a food the dish already has."""
    role = role_of(line.ingredient)
    keys = [
        *allergens.substitutes(line.ingredient.key, needs.avoid),
        *_SAME_ROLE.get(line.ingredient.key, ()),
    ]
    usable: list[Ingredient] = []
    for key in dict.fromkeys(keys):
        try:
            item = ingredients.get(key)
        except KeyError:
            continue
        if role_of(item) == role and key not in used and not unsafe(item, needs):
            usable.append(item)
    owned = [i for i in usable if i.key in needs.owned]
    best = owned or usable
    return best[0] if best else None


def _fridge_kind(item: Ingredient) -> str | None:
    if item.key in _COOKING_VEGETABLES:
        return "vegetable"
    return _FRIDGE_KINDS.get(item.category)


def fridge_stand_in(line: Line, needs: Needs, spare: list[Ingredient], servings: int) -> Ingredient | None:
    """An owned food not yet in the dish for a missing line of the same kind that makes the dish
    (not a seasoning, at least 20 g a serving); spicy, starchy or salty foods only for their like."""
    item = line.ingredient
    kind = _fridge_kind(item)
    if kind is None or line.grams / servings < _MIN_SWAP_GRAMS or "staple" in item.tags:
        return None
    keep = frozenset({"spicy", "starch_staple", "salty_seasoning", "added_sugar"})
    for other in spare:
        if _fridge_kind(other) == kind and other.tags & keep == item.tags & keep and not unsafe(other, needs):
            return other
    return None
