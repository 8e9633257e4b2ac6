"""The pieces every stage of the generator passes along: an ingredient line and a change made to it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from aichef.knowledge import ingredients
from aichef.knowledge.ingredients import Ingredient

__all__ = ["PARTICLE_FORMS", "Change", "Line", "english_name", "particle"]


@dataclass(frozen=True)
class Line:
    """One ingredient line of a recipe being adapted; ``grams`` and ``amount`` are for the whole recipe.

    ``id`` is the library line it comes from (steps refer to it); ``replaces`` the key of the food it
    stands in for, if any; a dropped line keeps its place with ``grams`` 0 so that steps can leave it out.
    """

    ingredient: Ingredient
    grams: float
    amount: float
    unit: str
    written: str
    optional: bool = False
    replaces: str | None = None
    id: str = ""

    @property
    def dropped(self) -> bool:
        return self.grams <= 0


@dataclass(frozen=True)
class Change:
    """What adaptation did to the library recipe, and the rule (or allergy) that asked for it.

    ``round`` is a whole-unit ingredient rounded to whole pieces (``factor`` holds the exact count).
    """

    kind: Literal["substitute", "drop", "reduce", "round"]
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
        if self.kind == "round":
            exact = f"{self.factor:g}" if self.factor is not None else "?"
            unit = self.replacement or ""
            return (
                f"{original}{particle(original, '은')} {unit} 단위로 반올림 (계산상 {exact}{unit})"
                if ko
                else f"{original} rounded to whole or half pieces (exactly {exact})"
            )
        pct = round(100 * (self.factor or 0))
        return f"{original} {pct}%로 줄임" if ko else f"{original} cut to {pct}%"


# Korean particles whose form follows the last syllable: (after a final consonant, after a vowel).
_PAIRS: tuple[tuple[str, str], ...] = (("으로", "로"), ("을", "를"), ("이", "가"), ("은", "는"), ("과", "와"))
PARTICLE_FORMS = {form: pair for pair in _PAIRS for form in pair}


def particle(word: str, form: str) -> str:
    """The form of a particle that follows ``word``: ("두부", "을") -> "를", ("닭", "는") -> "은"."""
    pair = PARTICLE_FORMS.get(form)
    if pair is None:
        return form
    last = word.rstrip()[-1:]
    # Latin names read as ending in a vowel, digits as ending in a consonant (일, 삼, 육 ...).
    final = (ord(last) - 0xAC00) % 28 if "가" <= last <= "힣" else int(last.isdigit())
    if pair[0] == "으로":
        return pair[1] if final in (0, 8) else pair[0]  # 로 after a vowel or ㄹ
    return pair[0] if final else pair[1]


# The ingredient table writes English names in lower case for matching ("korean chili flakes");
# a reader expects the proper adjectives of places and peoples capitalised.
_PROPER = {
    word: word.capitalize()
    for word in (
        "korean", "japanese", "chinese", "italian", "greek", "french", "pacific", "atlantic",
        "alaska", "cheongyang", "worcestershire", "parmesan", "cheddar", "dijon",
    )
}  # fmt: skip
_WORD = re.compile(r"[a-z]+")


def english_name(name: str) -> str:
    """An ingredient's English name as a reader expects it: "korean chili flakes" -> "Korean chili flakes"."""
    return _WORD.sub(lambda m: _PROPER.get(m.group(0), m.group(0)), name)


def _display(key: str, ko: bool) -> str:
    item = ingredients.get(key)
    return item.name_ko if ko else english_name(item.name_en)
