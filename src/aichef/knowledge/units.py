"""Amounts as home cooks write them ("1/2컵", "1½ tbsp", "200g", "약간") and their weight in grams.

Volume units follow Korean kitchen measures: 컵 200 ml, 큰술 15 ml, 작은술 5 ml (the English
cup/tbsp/tsp are read the same way, as Korean recipes use them). Count units (개, 쪽, 모 ...)
weigh what the ingredient's ``unit_grams`` says, and nothing is guessed when it is silent.

>>> parse_amount("1과 1/2컵")
Amount(quantity=Fraction(3, 2), unit='컵', vague=False, text='1과 1/2컵', low=None, high=None)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction

from aichef.knowledge.ingredients import Ingredient, lookup

__all__ = [
    "COUNT_UNITS",
    "MASS_UNITS",
    "VOLUME_UNITS",
    "Amount",
    "AmountError",
    "Weighed",
    "canonical_unit",
    "parse_amount",
    "to_grams",
    "weigh",
]

# Grams in one of each mass unit (oz and lb are the avoirdupois definitions).
MASS_UNITS: dict[str, float] = {"g": 1.0, "kg": 1000.0, "mg": 0.001, "oz": 28.349523125, "lb": 453.59237}

# Millilitres in one of each volume unit. 컵 is the Korean 200 ml cup; 꼬집 (a pinch) is 1/16 tsp.
VOLUME_UNITS: dict[str, float] = {
    "ml": 1.0,
    "L": 1000.0,
    "컵": 200.0,
    "큰술": 15.0,
    "작은술": 5.0,
    "꼬집": 5.0 / 16,
}

# Units whose weight depends on the food; an ingredient's ``unit_grams`` must name them.
COUNT_UNITS: frozenset[str] = frozenset(
    {
        "개", "줌", "모", "쪽", "뿌리", "장", "대", "송이", "마리", "포기", "단", "캔", "봉지", "알", "토막",
        "조각", "통", "공기", "팩", "줄기", "잎", "톨", "인분", "줄", "마디", "묶음",
    }
)  # fmt: skip

# Spellings people write -> canonical unit. Matching ignores case and surrounding spaces.
_ALIASES: dict[str, str] = {
    "g": "g", "gram": "g", "grams": "g", "gr": "g", "그램": "g", "그람": "g",
    "kg": "kg", "kilogram": "kg", "kilograms": "kg", "킬로그램": "kg", "킬로": "kg",
    "mg": "mg", "oz": "oz", "ounce": "oz", "ounces": "oz", "온스": "oz",
    "lb": "lb", "lbs": "lb", "pound": "lb", "pounds": "lb", "파운드": "lb",
    "ml": "ml", "mℓ": "ml", "cc": "ml", "milliliter": "ml", "millilitre": "ml", "밀리리터": "ml",
    "l": "L", "ℓ": "L", "liter": "L", "litre": "L", "liters": "L", "litres": "L", "리터": "L",
    "컵": "컵", "cup": "컵", "cups": "컵", "c": "컵", "종이컵": "컵",
    "큰술": "큰술", "큰 술": "큰술", "큰스푼": "큰술", "스푼": "큰술", "숟가락": "큰술", "밥숟가락": "큰술",
    "밥스푼": "큰술", "tbsp": "큰술", "tbs": "큰술", "tablespoon": "큰술", "tablespoons": "큰술", "T": "큰술",
    "작은술": "작은술", "작은 술": "작은술", "작은스푼": "작은술", "티스푼": "작은술", "찻숟가락": "작은술",
    "tsp": "작은술", "teaspoon": "작은술", "teaspoons": "작은술", "t": "작은술",
    "꼬집": "꼬집", "pinch": "꼬집", "pinches": "꼬집",
    "개": "개", "piece": "개", "pieces": "개", "pc": "개", "pcs": "개", "ea": "개", "each": "개",
    "whole": "개", "egg": "개", "eggs": "개", "medium": "개", "large": "개", "small": "개",
    "줌": "줌", "handful": "줌", "handfuls": "줌", "모": "모", "block": "모", "blocks": "모",
    "쪽": "쪽", "clove": "쪽", "cloves": "쪽", "뿌리": "뿌리", "root": "뿌리", "roots": "뿌리",
    "장": "장", "sheet": "장", "sheets": "장", "slice": "장", "slices": "장", "leaf": "잎", "leaves": "잎",
    "잎": "잎", "대": "대", "stalk": "대", "stalks": "대", "stick": "대", "sticks": "대",
    "송이": "송이", "floret": "송이", "florets": "송이", "bunch_of_grapes": "송이",
    "마리": "마리", "fish": "마리", "포기": "포기", "head": "포기", "heads": "포기",
    "단": "단", "bunch": "단", "bunches": "단", "캔": "캔", "can": "캔", "cans": "캔", "tin": "캔",
    "봉지": "봉지", "봉": "봉지", "bag": "봉지", "bags": "봉지", "pack": "팩", "packs": "팩", "팩": "팩",
    "package": "팩", "알": "알", "톨": "톨", "토막": "토막", "조각": "조각", "chunk": "조각",
    "chunks": "조각",
    "통": "통", "공기": "공기", "bowl": "공기", "bowls": "공기", "줄기": "줄기", "sprig": "줄기",
    "sprigs": "줄기", "인분": "인분", "serving": "인분", "servings": "인분", "portion": "인분",
    "줄": "줄", "strip": "줄", "strips": "줄", "마디": "마디", "묶음": "묶음",
}  # fmt: skip

# Words meaning "as much as you like": the amount is real but cannot be weighed.
_VAGUE = (
    "약간", "조금", "적당량", "적당히", "소량", "취향껏", "기호에 따라", "기호에따라", "넉넉히", "필요시",
    "몇 방울", "to taste", "as needed", "a little", "some", "a dash", "dash", "optional", "few drops",
)  # fmt: skip

# Korean number words that appear in amounts ("반 개", "한 줌").
_WORDS: dict[str, Fraction] = {
    "반": Fraction(1, 2), "한": Fraction(1), "하나": Fraction(1), "두": Fraction(2), "둘": Fraction(2),
    "세": Fraction(3), "셋": Fraction(3), "네": Fraction(4), "넷": Fraction(4), "다섯": Fraction(5),
    "half": Fraction(1, 2), "a": Fraction(1), "an": Fraction(1), "one": Fraction(1), "two": Fraction(2),
    "three": Fraction(3), "quarter": Fraction(1, 4),
}  # fmt: skip

_NUMBER = r"\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:[.,]\d+)?(?:\s*/\s*\d+)?"
_MIXED = re.compile(rf"^(?P<whole>\d+)\s*(?:과|와|and|\+)?\s+(?P<frac>\d+\s*/\s*\d+)|^(?P<single>{_NUMBER})")
_RANGE_SEP = re.compile(r"^\s*(?:~|-|–|to|에서)\s*")


class AmountError(ValueError):
    """An amount that is neither a number with a unit nor a vague word; names what was given."""

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        super().__init__(
            f"cannot read amount {text!r}: {reason}; write a number and a unit such as "
            "'200g', '1/2컵', '1½ tbsp', '2개' or a word such as '약간'"
        )


@dataclass(frozen=True)
class Amount:
    """A parsed amount. ``quantity`` is ``None`` for vague amounts ("약간"); ``unit`` is canonical.

    A range such as "2~3개" is read as its midpoint, with ``low`` and ``high`` kept.
    """

    quantity: Fraction | None
    unit: str | None
    vague: bool
    text: str = ""
    low: Fraction | None = None
    high: Fraction | None = None


def canonical_unit(unit: str) -> str | None:
    """The canonical spelling of a unit (``"Tbsp"`` -> ``"큰술"``), or ``None`` if unknown."""
    cleaned = unit.strip().rstrip(".").strip()
    if not cleaned:
        return None
    return _ALIASES.get(cleaned) or _ALIASES.get(cleaned.lower())


def _replace_unicode_fractions(text: str) -> str:
    out: list[str] = []
    for ch in text:
        if unicodedata.category(ch) == "No" and ch not in "⁰¹²³⁴⁵⁶⁷⁸⁹":
            value = Fraction(unicodedata.numeric(ch)).limit_denominator(64)
            # "1½" -> "1 1/2": a space keeps the whole part apart from the fraction.
            out.append(f" {value.numerator}/{value.denominator}")
        else:
            out.append(ch)
    return "".join(out).replace("⁄", "/")


def _number(text: str) -> Fraction:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", text):
        text = text.replace(",", "")  # "1,000g": a thousands separator, not a decimal comma
    if "/" in text:
        top, bottom = (part.strip() for part in text.split("/"))
        if int(bottom) == 0:
            raise ZeroDivisionError
        return Fraction(top.replace(",", ".")) / Fraction(bottom)
    return Fraction(text.replace(",", "."))


def _leading_quantity(text: str) -> tuple[Fraction, str] | None:
    match = _MIXED.match(text)
    if match:
        if match.group("whole") is not None:
            value = Fraction(int(match.group("whole"))) + _number(match.group("frac"))
        else:
            value = _number(match.group("single"))
        return value, text[match.end() :]
    for word, value in sorted(_WORDS.items(), key=lambda kv: -len(kv[0])):
        if text.lower().startswith(word) and (len(text) == len(word) or not text[len(word)].isalpha()):
            return value, text[len(word) :]
    return None


def parse_amount(text: str) -> Amount:
    """Read an amount. Raises :class:`AmountError` when the text is not an amount at all.

    >>> parse_amount("약간").vague
    True
    >>> parse_amount("200g").quantity, parse_amount("200g").unit
    (Fraction(200, 1), 'g')
    """
    original = text
    # Parenthesised notes ("1큰술(15g)", "2개 (중간 크기)") are comments on the main amount.
    cleaned = re.sub(r"\([^)]*\)", " ", _replace_unicode_fractions(text)).strip()
    lowered = cleaned.lower()
    if not cleaned:
        raise AmountError(original, "it is empty")
    if any(lowered.startswith(word) for word in _VAGUE) or lowered in _VAGUE:
        return Amount(quantity=None, unit=None, vague=True, text=original)
    try:
        first = _leading_quantity(cleaned)
        if first is None:
            raise AmountError(original, "no number found")
        low, rest = first
        high = low
        sep = _RANGE_SEP.match(rest)
        if sep:
            second = _leading_quantity(rest[sep.end() :].strip())
            if second is not None:
                high, rest = second
    except (ValueError, ZeroDivisionError) as exc:
        if isinstance(exc, AmountError):
            raise
        raise AmountError(original, "the number is malformed") from None
    if low < 0 or high < low:
        raise AmountError(original, "the number must not be negative and a range must go upwards")
    rest = rest.strip()
    unit: str | None = None
    if rest:
        # Only the first word is the unit: "2 cloves garlic" or "1개 정도" keep their tails as notes.
        word = rest.split()[0]
        unit = canonical_unit(word) or canonical_unit(rest)
        if unit is None:
            unit = word  # unknown unit kept as written; to_grams will report it as unweighable
    quantity = (low + high) / 2
    ranged = high != low
    return Amount(
        quantity=quantity,
        unit=unit,
        vague=False,
        text=original,
        low=low if ranged else None,
        high=high if ranged else None,
    )


def to_grams(ingredient: Ingredient, quantity: float, unit: str | None) -> float | None:
    """Weight in grams of ``quantity`` ``unit`` of ``ingredient``, or ``None`` if it cannot be weighed.

    Mass units convert by definition; volume units need a density (``unit_grams["ml"]`` or the
    unit itself); count units need the ingredient's own weight for that unit. No unit means "개".

    >>> from aichef.knowledge.ingredients import get
    >>> to_grams(get("egg"), 2, "개")
    100.0
    """
    canonical = canonical_unit(unit) if unit else "개"
    if canonical is None:
        return None
    weights = ingredient.unit_grams
    if canonical in MASS_UNITS:
        return float(quantity) * MASS_UNITS[canonical]
    if canonical in weights:
        return float(quantity) * weights[canonical]
    if canonical in VOLUME_UNITS:
        ml = float(quantity) * VOLUME_UNITS[canonical]
        if "ml" in weights:
            return ml * weights["ml"]
        for unit_name in ("컵", "큰술", "작은술"):
            if unit_name in weights:
                return ml * weights[unit_name] / VOLUME_UNITS[unit_name]
        return None
    return None


@dataclass(frozen=True)
class Weighed:
    """One recipe line turned into grams; ``problem`` says in plain words why ``grams`` is ``None``."""

    name: str
    amount: str
    ingredient: Ingredient | None
    grams: float | None
    problem: str | None = None


def weigh(name: str, amount: str, unit: str | None = None) -> Weighed:
    """Weigh a line as a cook writes it, reporting (never guessing) what cannot be weighed.

    >>> weigh("달걀", "2", "개").grams
    100.0
    >>> weigh("소금", "약간").problem
    "'약간' is not a measurable amount: it is left out of the nutrition"
    """
    written = f"{amount} {unit}".strip() if unit else amount
    ingredient = lookup(name)
    if ingredient is None:
        return Weighed(name, written, None, None, f"unknown ingredient {name!r}: not in the ingredient table")
    try:
        parsed = parse_amount(written)
    except AmountError as exc:
        return Weighed(name, written, ingredient, None, str(exc))
    if parsed.vague or parsed.quantity is None:
        return Weighed(
            name,
            written,
            ingredient,
            None,
            f"{written!r} is not a measurable amount: it is left out of the nutrition",
        )
    grams = to_grams(ingredient, float(parsed.quantity), parsed.unit)
    if grams is None:
        usable = sorted(MASS_UNITS) + sorted(u for u in ingredient.unit_grams if u != "ml")
        if "ml" in ingredient.unit_grams:
            usable += sorted(set(VOLUME_UNITS) - set(usable))
        return Weighed(
            name,
            written,
            ingredient,
            None,
            f"{ingredient.name_ko} ({ingredient.key}) cannot be weighed in {parsed.unit!r}; "
            f"units with a weight: {', '.join(usable)}",
        )
    return Weighed(name, written, ingredient, grams)
