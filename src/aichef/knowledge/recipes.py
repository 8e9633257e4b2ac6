"""The project's recipe library: loading and checking the recipes written in ``data/recipes/*.json``.

Every recipe is the project's own writing. Each ingredient line has an ``id`` and names a food as a
Korean cook writes it (resolved through :func:`aichef.knowledge.ingredients.lookup`), its weight in
grams for the whole recipe, and the display amount and unit ("½", "개").

Steps are structured: every mention of a line is a placeholder ``{ids|words as written}`` (e.g.
``{tofu,green_onion|두부와 대파를}``), so that the generator can name a substitute or leave a dropped
line out (see :mod:`aichef.knowledge.generate.steps`); ``identity`` lists the lines the dish is named
after. ``tools/structure_recipes.py`` converts a file written with plain steps.

>>> recipe = get_recipe("doenjang_jjigae")
>>> recipe.name("en"), recipe.servings
('Soybean Paste Stew', 2)
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from aichef.errors import AIChefError

__all__ = [
    "DIFFICULTIES",
    "TEXTURES",
    "LibraryLine",
    "LibraryRecipe",
    "Mention",
    "RecipeDataError",
    "Segment",
    "get_recipe",
    "load_library",
    "parse_display_amount",
    "parse_recipes",
]

TEXTURES: tuple[str, ...] = ("puree", "mashed", "soft_chunks", "finger_food", "regular")
DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")
_TARGETS: tuple[str, ...] = ("keto", "baby_food", "diabetes", "diet", "fridge")
_CUISINES: tuple[str, ...] = ("korean", "western", "chinese", "japanese")
_UNICODE_FRACTIONS: dict[str, Fraction] = {
    "½": Fraction(1, 2),
    "⅓": Fraction(1, 3),
    "⅔": Fraction(2, 3),
    "¼": Fraction(1, 4),
    "¾": Fraction(3, 4),
    "⅕": Fraction(1, 5),
    "⅖": Fraction(2, 5),
    "⅗": Fraction(3, 5),
    "⅘": Fraction(4, 5),
    "⅙": Fraction(1, 6),
    "⅛": Fraction(1, 8),
}


class RecipeDataError(AIChefError):
    """A recipe file that breaks the library's format; names the file, the recipe and the field."""

    def __init__(self, where: str, field: str, problem: str) -> None:
        self.where = where
        self.field = field
        self.problem = problem
        super().__init__(f"{where}: {field}: {problem}")


@lru_cache(maxsize=4096)  # the library repeats a few hundred amounts; generation parses them often
def parse_display_amount(text: str) -> Fraction:
    """The quantity of a display amount as the library writes it: "2", "1/2", "½", "1½", "0.5".

    >>> parse_display_amount("1½"), parse_display_amount("⅓")
    (Fraction(3, 2), Fraction(1, 3))
    """
    cleaned = text.strip()
    if not cleaned:
        raise ValueError("empty amount")
    if cleaned[-1] in _UNICODE_FRACTIONS:
        whole = cleaned[:-1].strip()
        return (Fraction(whole) if whole else Fraction(0)) + _UNICODE_FRACTIONS[cleaned[-1]]
    value = Fraction(cleaned)  # Fraction reads "2", "1/2" and "0.5"; raises ValueError otherwise
    if value <= 0:
        raise ValueError(f"amount must be positive, got {text!r}")
    return value


@dataclass(frozen=True)
class Mention:
    """Where a step names ingredient lines: their ids and the words as the recipe writes them
    (with the Korean particle that follows, which changes with the name)."""

    ids: tuple[str, ...]
    words: str


Segment = str | Mention
_PLACEHOLDER = re.compile(r"\{([^{}|]*)\|([^{}]*)\}")


@lru_cache(maxsize=4096)  # the library's few hundred texts, parsed once each
def parse_step(template: str) -> tuple[Segment, ...]:
    """A step template split into plain text and :class:`Mention` parts.

    >>> parse_step("{tofu,egg|두부와 달걀을} 섞는다.")
    (Mention(ids=('tofu', 'egg'), words='두부와 달걀을'), ' 섞는다.')
    """
    parts: list[Segment] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(template):
        if match.start() > pos:
            parts.append(template[pos : match.start()])
        ids = tuple(x.strip() for x in match.group(1).split(","))
        parts.append(Mention(ids, match.group(2)))
        pos = match.end()
    if pos < len(template):
        parts.append(template[pos:])
    return tuple(parts)


def plain(segments: Sequence[Segment]) -> str:
    """The step as the recipe writes it, every mention in its own words."""
    return "".join(part if isinstance(part, str) else part.words for part in segments)


@dataclass(frozen=True)
class LibraryLine:
    """One ingredient line: its id, the name as written, grams for the whole recipe, the display amount."""

    id: str
    item: str
    grams: float
    amount: str
    unit: str
    optional: bool = False

    @property
    def quantity(self) -> Fraction:
        return parse_display_amount(self.amount)


@dataclass(frozen=True)
class LibraryRecipe:
    """A recipe of the library, for ``servings`` people. ``targets`` are the diets it was written for;
    ``baby_age`` is the (first, last) month for baby food."""

    id: str
    name_ko: str
    name_en: str
    description_ko: str
    description_en: str
    cuisine: str
    targets: frozenset[str]
    cooking_time: int
    difficulty: str
    servings: int
    spicy_level: int
    texture: str
    baby_age: tuple[int, int] | None
    lines: tuple[LibraryLine, ...]
    steps_ko: tuple[tuple[Segment, ...], ...]
    steps_en: tuple[tuple[Segment, ...], ...]
    identity: tuple[str, ...] = ()

    def name(self, language: str = "ko") -> str:
        return self.name_ko if language == "ko" else self.name_en

    def description(self, language: str = "ko") -> str:
        """The description as written, with no line changed."""
        return plain(self.structured_description(language))

    def structured_description(self, language: str = "ko") -> tuple[Segment, ...]:
        return parse_step(self.description_ko if language == "ko" else self.description_en)

    def steps(self, language: str = "ko") -> tuple[str, ...]:
        """The steps as written, with no line changed."""
        return tuple(plain(step) for step in self.structured_steps(language))

    def structured_steps(self, language: str = "ko") -> tuple[tuple[Segment, ...], ...]:
        return self.steps_ko if language == "ko" else self.steps_en


def _need(row: Mapping[str, Any], field: str, kind: type | tuple[type, ...], where: str) -> Any:
    if field not in row:
        raise RecipeDataError(where, field, "is required")
    value = row[field]
    # bool is an int in Python; a flag where a number belongs is a data mistake.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise RecipeDataError(where, field, f"must be {getattr(kind, '__name__', kind)}, got {value!r}")
    return value


def _choice(value: str, allowed: Sequence[str], where: str, field: str) -> str:
    if value not in allowed:
        raise RecipeDataError(where, field, f"got {value!r}; allowed: {', '.join(allowed)}")
    return value


def _line(row: Mapping[str, Any], where: str) -> LibraryLine:
    line_id = _need(row, "id", str, where).strip()
    item = _need(row, "item", str, where).strip()
    grams = float(_need(row, "grams", (int, float), where))
    amount = _need(row, "amount", str, where)
    unit = _need(row, "unit", str, where).strip()
    if not item:
        raise RecipeDataError(where, "item", "must not be empty")
    if grams <= 0:
        raise RecipeDataError(where, "grams", f"must be positive, got {grams}")
    try:
        parse_display_amount(amount)
    except (ValueError, ZeroDivisionError):
        raise RecipeDataError(where, "amount", f"cannot read {amount!r}; write 2, 1/2, ½ or 1½") from None
    if not unit:
        raise RecipeDataError(where, "unit", "must not be empty")
    if not line_id:
        raise RecipeDataError(where, "id", "must not be empty (tools/structure_recipes.py adds ids)")
    return LibraryLine(line_id, item, grams, amount, unit, bool(row.get("optional", False)))


def _steps(texts: Sequence[Any], ids: set[str], where: str) -> tuple[tuple[Segment, ...], ...]:
    steps: list[tuple[Segment, ...]] = []
    for index, text in enumerate(texts):
        segments = parse_step(str(text))
        for part in segments:
            if isinstance(part, Mention):
                unknown = [x for x in part.ids if x not in ids]
                if unknown or not part.words.strip():
                    problem = f"names unknown line {', '.join(unknown)}" if unknown else "has empty words"
                    raise RecipeDataError(
                        where, f"steps[{index}]", f"{problem}; lines: {', '.join(sorted(ids))}"
                    )
            elif "{" in part or "}" in part:
                raise RecipeDataError(
                    where, f"steps[{index}]", "has a brace outside a {ids|words} placeholder"
                )
        steps.append(segments)
    return tuple(steps)


def _recipe(row: Mapping[str, Any], source: str) -> LibraryRecipe:
    rid = _need(row, "id", str, source)
    where = f"{source} [{rid}]"
    targets = _need(row, "targets", list, where)
    for target in targets:
        _choice(target, _TARGETS, where, "targets")
    description = _need(row, "description", dict, where)
    steps = _need(row, "steps", dict, where)
    texture = _choice(row.get("texture", "regular"), TEXTURES, where, "texture")
    age: tuple[int, int] | None = None
    if "babyAgeMonths" in row:
        months = _need(row, "babyAgeMonths", dict, where)
        age = (int(months["min"]), int(months["max"]))
        # From 4 months: a few early purées predate the 6-month start; to 36 months: toddler meals.
        if not 4 <= age[0] <= age[1] <= 36:
            raise RecipeDataError(where, "babyAgeMonths", f"must lie within 4..36, got {age}")
    if ("baby_food" in targets) != (age is not None):
        raise RecipeDataError(where, "babyAgeMonths", "is required exactly when targets include baby_food")
    lines = tuple(
        _line(line, f"{where} ingredients[{i}]")
        for i, line in enumerate(_need(row, "ingredients", list, where))
    )
    if not lines:
        raise RecipeDataError(where, "ingredients", "must list at least one ingredient")
    ids = [line.id for line in lines]
    if len(set(ids)) != len(ids):
        raise RecipeDataError(where, "ingredients", f"line ids must be unique, got {', '.join(ids)}")
    if "identity" not in row:
        raise RecipeDataError(where, "identity", "is required (tools/structure_recipes.py adds it)")
    identity = tuple(str(x) for x in _need(row, "identity", list, where))
    unknown = [x for x in identity if x not in ids]
    if unknown:
        raise RecipeDataError(where, "identity", f"names unknown line {', '.join(unknown)}")
    _steps([description.get("ko", ""), description.get("en", "")], set(ids), f"{where} description")
    steps_ko = _steps(steps.get("ko", ()), set(ids), f"{where} ko")
    steps_en = _steps(steps.get("en", ()), set(ids), f"{where} en")
    if not steps_ko or not steps_en:
        raise RecipeDataError(where, "steps", "needs both ko and en steps")
    servings = _need(row, "servings", int, where)
    cooking_time = _need(row, "cookingTime", int, where)
    spicy = _need(row, "spicyLevel", int, where)
    if not 1 <= servings <= 12:
        raise RecipeDataError(where, "servings", f"must be 1..12, got {servings}")
    if cooking_time <= 0:
        raise RecipeDataError(where, "cookingTime", f"must be positive minutes, got {cooking_time}")
    if not 0 <= spicy <= 5:
        raise RecipeDataError(where, "spicyLevel", f"must be 0..5, got {spicy}")
    return LibraryRecipe(
        id=rid,
        name_ko=_need(row, "name_ko", str, where),
        name_en=_need(row, "name_en", str, where),
        description_ko=str(description.get("ko", "")),
        description_en=str(description.get("en", "")),
        cuisine=_choice(_need(row, "cuisine", str, where), _CUISINES, where, "cuisine"),
        targets=frozenset(targets),
        cooking_time=cooking_time,
        difficulty=_choice(_need(row, "difficulty", str, where), DIFFICULTIES, where, "difficulty"),
        servings=servings,
        spicy_level=spicy,
        texture=texture,
        baby_age=age,
        lines=lines,
        steps_ko=steps_ko,
        steps_en=steps_en,
        identity=identity,
    )


def parse_recipes(text: str, source: str) -> tuple[LibraryRecipe, ...]:
    """Read one library file's JSON text ({"recipes": [...]}); RecipeDataError on any mistake."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecipeDataError(source, "(file)", f"not valid JSON: {exc}") from None
    rows = data.get("recipes") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise RecipeDataError(source, "recipes", "must be a list of recipes")
    return tuple(_recipe(row, source) for row in rows)


@cache
def load_library() -> tuple[LibraryRecipe, ...]:
    """Every recipe of the shipped library, files in name order; ids are unique."""
    folder = resources.files("aichef.knowledge").joinpath("data/recipes")
    recipes: list[LibraryRecipe] = []
    seen: dict[str, str] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        for recipe in parse_recipes(entry.read_text("utf-8"), f"recipes/{entry.name}"):
            if recipe.id in seen:
                raise RecipeDataError(
                    f"recipes/{entry.name}", "id", f"{recipe.id!r} also in {seen[recipe.id]}"
                )
            seen[recipe.id] = f"recipes/{entry.name}"
            recipes.append(recipe)
    return tuple(recipes)


def get_recipe(recipe_id: str) -> LibraryRecipe:
    """The library recipe with this id; ``KeyError`` naming it otherwise."""
    for recipe in load_library():
        if recipe.id == recipe_id:
            return recipe
    raise KeyError(f"unknown recipe id {recipe_id!r}")
