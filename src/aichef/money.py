"""Amounts of Korean won as people type them: "30000", "30,000", "3만원", "3만 5천원", "₩30,000".

One reader for the CLI, the page and the API, so the same words mean the same amount everywhere.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

__all__ = ["ACCEPTED_FORMS", "MAX_KRW", "MoneyError", "parse_krw"]

# A budget above this is a typo (an extra zero or two), not a shopping trip.
MAX_KRW = 10_000_000
ACCEPTED_FORMS = ("30000", "30,000", "3만원", "3만 5천원", "₩30,000", "30,000원")

_UNITS = {"만": 10_000, "천": 1_000, "백": 100}
# A number: plain digits, digits in groups of three with commas, or a decimal before a unit (3.5만).
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
_PART = re.compile(rf"({_NUMBER})\s*([만천백]?)")


class MoneyError(ValueError):
    """The text is not an amount of won we can read (the message says what is allowed)."""


def _refuse(value: object) -> MoneyError:
    forms = ", ".join(ACCEPTED_FORMS)
    return MoneyError(f"cannot read {value!r} as an amount of won; allowed: {forms} (1 to {MAX_KRW:,} KRW)")


def _read_text(text: str) -> Decimal:
    body = text.strip().replace("\u00a0", " ")
    body = re.sub(r"^(₩|￦|KRW)\s*", "", body, flags=re.IGNORECASE)
    body = re.sub(r"\s*(원|KRW)$", "", body, flags=re.IGNORECASE).strip()
    if not body:
        raise ValueError("empty")
    total = Decimal(0)
    position = 0
    last_unit = None  # units must come largest first, each once: 3만 5천, not 5천 3만
    while position < len(body):
        match = _PART.match(body, position)
        if match is None:
            raise ValueError("unreadable")
        digits, unit = match.group(1), match.group(2)
        if "." in digits and not unit:
            raise ValueError("a decimal needs a unit (3.5만)")
        scale = _UNITS.get(unit, 1)
        if last_unit is not None and scale >= last_unit:
            raise ValueError("units out of order")
        last_unit = scale
        total += Decimal(digits.replace(",", "")) * scale
        position = match.end()
        while position < len(body) and body[position] == " ":
            position += 1
        if not unit and position < len(body):
            raise ValueError("a plain number must come last")
    return total


def parse_krw(value: object) -> int:
    """The amount in won, or MoneyError naming what is allowed. Booleans are not amounts."""
    if isinstance(value, bool) or value is None:
        raise _refuse(value)
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        if not value.is_integer():
            raise _refuse(value)
        amount = Decimal(int(value))
    elif isinstance(value, str):
        try:
            amount = _read_text(value)
        except (ValueError, InvalidOperation):
            raise _refuse(value) from None
    else:
        raise _refuse(value)
    if amount != amount.to_integral_value() or not 1 <= amount <= MAX_KRW:
        raise _refuse(value)
    return int(amount)
