"""Package sizes read from shopping titles ("국산 양파 3kg", "두부 300g x 3개", "계란 30구")."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aichef.knowledge.ingredients import Ingredient

__all__ = ["PackageSize", "clean_title", "parse_package"]

_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
# Longest spellings first so "kg" is never read as "g"; Korean shops write 키로/킬로 for kg.
_MEASURE_UNITS: dict[str, tuple[str, float]] = {
    "kg": ("g", 1000.0),
    "킬로그램": ("g", 1000.0),
    "킬로": ("g", 1000.0),
    "키로": ("g", 1000.0),
    "g": ("g", 1.0),
    "그램": ("g", 1.0),
    "ml": ("ml", 1.0),
    "리터": ("ml", 1000.0),
    "ℓ": ("ml", 1000.0),
    "l": ("ml", 1000.0),
    "lb": ("g", 453.59237),
    "oz": ("g", 28.349523125),
}
_MEASURE = re.compile(
    r"(총\s*)?" + _NUMBER + r"\s*(" + "|".join(sorted(_MEASURE_UNITS, key=len, reverse=True)) + r")(?![a-z])",
    re.IGNORECASE,
)
# A pack count written right after the size: "x 3", "*2개", "3팩", "2봉".
_PACKS_AFTER = re.compile(r"^\s*(?:[x×*]\s*(\d+)|(\d+)\s*(팩|봉지|봉|병|캔|통|박스|개(?!입)))", re.IGNORECASE)
# A pack count written before the size: "3팩 x 500g", "2개 500g".
_PACKS_BEFORE = re.compile(r"(\d+)\s*(팩|봉지|봉|병|캔|통|개)\s*[x×*]?\s*$", re.IGNORECASE)
# "사과 2kg 10개" counts pieces inside a big bag, "두부 300g 3개" counts packs: trust 개 only for small packs.
_PIECE_COUNT_ABOVE_G = 1000.0
_PROMO = re.compile(r"(\d)\s*\+\s*(\d)(?!\s*(?:kg|g|ml|l)\b)", re.I)
# Count-only packages ("30구", "10개입", "2포기", "1단"); 구/알/과/입 are all "pieces".
_COUNT = re.compile(r"(\d+)\s*(개입|구|알|과|입|개|포기|단|마리|모|통|줄기|송이|봉)")
_COUNT_UNIT = {"개입": "개", "구": "개", "알": "개", "과": "개", "입": "개"}
_TAG = re.compile(r"<[^>]+>")


def clean_title(title: str) -> str:
    """Naver titles carry <b> highlight tags and HTML entities; return plain text.

    >>> clean_title("국산 <b>양파</b> 3kg &amp; 당일발송")
    '국산 양파 3kg & 당일발송'
    """
    return " ".join(html.unescape(_TAG.sub("", title)).split())


@dataclass(frozen=True)
class PackageSize:
    """One listing's contents: `quantity` of `unit` (g, ml or a count word such as 개/단/포기) × `packs`.

    >>> parse_package("국산 양파 3kg")
    PackageSize(quantity=3000.0, unit='g', packs=1, text='3kg')
    """

    quantity: float
    unit: str
    packs: int
    text: str

    @property
    def total(self) -> float:
        """Quantity across all packs, in `unit`."""
        return self.quantity * self.packs

    def label(self) -> str:
        """Short human label, e.g. '3kg', '300g×3', '30개'."""
        if self.unit == "g" and self.quantity >= 1000:
            one = f"{self.quantity / 1000:g}kg"
        elif self.unit == "ml" and self.quantity >= 1000:
            one = f"{self.quantity / 1000:g}L"
        else:
            one = f"{self.quantity:g}{self.unit}"
        return one if self.packs == 1 else f"{one}×{self.packs}"

    def grams(self, ingredient: Ingredient) -> float | None:
        """Weight of the whole package for this ingredient, or None when it cannot be weighed."""
        if self.unit == "g":
            return self.total
        from aichef.knowledge.units import to_grams  # local: keeps title parsing free of the table

        return to_grams(ingredient, self.total, self.unit)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def parse_package(title: str) -> PackageSize | None:
    """Read the package size from a product title; None when the title names no size.

    The first weight or volume wins (later ones are usually per-piece notes such as "(1과 250g)");
    "총 1.2kg" is taken as the total; a count right after ("x 3", "3팩") or before ("2개 500g")
    multiplies; "1+1" promotions double.
    """
    text = clean_title(title)
    match = _MEASURE.search(text)
    promo = _PROMO.search(text)
    promo_packs = int(promo.group(1)) + int(promo.group(2)) if promo else 1
    if match is not None:
        unit, factor = _MEASURE_UNITS[match.group(3).lower()]
        quantity = _number(match.group(2)) * factor
        if quantity <= 0:
            return None
        packs = 1
        if not match.group(1):  # "총" already means the whole package
            after = _PACKS_AFTER.match(text[match.end() :])
            before = _PACKS_BEFORE.search(text[: match.start()])
            small = quantity < _PIECE_COUNT_ABOVE_G
            if after is not None and (after.group(1) or after.group(3) != "개" or small):
                packs = int(after.group(1) or after.group(2))
            elif before is not None and (before.group(2) != "개" or small):
                packs = int(before.group(1))
        packs = max(packs, 1) * promo_packs
        return PackageSize(quantity, unit, packs, match.group(0).strip())
    counted = _COUNT.search(text)
    if counted is None:
        return None
    count = int(counted.group(1))
    if count <= 0:
        return None
    unit = _COUNT_UNIT.get(counted.group(2), counted.group(2))
    return PackageSize(float(count), unit, promo_packs, counted.group(0))
