"""Does an execution match what AWS recorded? The comparison rules of the corpus README.

JSON equality (key order ignored, ``1 == 1.0``, a boolean never equals a number), with
placeholder tokens: a token that is a whole expected value matches anything; tokens
inside a longer string make it a pattern where each token matches one or more characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

__all__ = ["json_matches", "outcome_mismatches"]


def json_matches(expected: Any, actual: Any, tokens: Sequence[str] = ()) -> bool:
    if isinstance(expected, str) and tokens:
        if expected in tokens:
            return True
        if any(token in expected for token in tokens):
            return isinstance(actual, str) and _pattern(expected, tokens).fullmatch(actual) is not None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return expected == actual
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and expected.keys() == actual.keys()
            and all(json_matches(v, actual[k], tokens) for k, v in expected.items())
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(json_matches(e, a, tokens) for e, a in zip(expected, actual, strict=True))
        )
    return type(expected) is type(actual) and expected == actual


def _pattern(expected: str, tokens: Sequence[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))
    pieces = re.split(f"({alternatives})", expected)
    regex = "".join(".+" if piece in tokens else re.escape(piece) for piece in pieces)
    return re.compile(regex, re.DOTALL)


def outcome_mismatches(
    expected: dict[str, Any],
    history_types: list[str] | None,
    status: str,
    output: Any,
    error: str | None,
    cause: str | None,
    actual_types: list[str],
    tokens: Sequence[str],
) -> list[str]:
    """What differs, as short readable lines (empty when the case passes)."""
    problems: list[str] = []
    if status != expected.get("status"):
        problems.append(f"status {status} != expected {expected.get('status')}")
    if not json_matches(expected.get("output"), output if status == "SUCCEEDED" else None, tokens):
        problems.append(f"output {output!r:.300} != expected {expected.get('output')!r:.300}")
    for label, want, got in (
        ("error", expected.get("error"), error),
        ("cause", expected.get("cause"), cause),
    ):
        if not json_matches(want, got, tokens):
            problems.append(f"{label} {got!r:.300} != expected {want!r:.300}")
    if history_types is not None and history_types != actual_types:
        problems.append(f"history {actual_types} != expected {history_types}")
    return problems
