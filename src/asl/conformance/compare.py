"""Does an execution match what AWS recorded? The comparison rules of the corpus README.

JSON equality (key order ignored, ``1 == 1.0``, a boolean never equals a number), with
placeholder tokens: a token that is a whole expected value matches anything; tokens
inside a longer string make it a pattern where each token matches one or more characters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

__all__ = ["history_mismatches", "json_matches", "outcome_mismatches"]

#: event fields that are not compared: AWS's clock is not the engine's
_UNCOMPARED = frozenset({"timestamp"})


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


def history_mismatches(
    expected: Sequence[dict[str, Any]], actual: Sequence[dict[str, Any]], tokens: Sequence[str]
) -> list[str]:
    """How a whole history differs from the recorded one (the README's stricter rules).

    Same number of events; each with the same ``type``, ``id``, ``previousEventId`` and the
    same detail keys with equal values. Only the first differing event is described: the
    ones after it usually differ because of it.
    """
    problems: list[str] = []
    if len(expected) != len(actual):
        problems.append(f"history has {len(actual)} events, expected {len(expected)}")
    for want, got in zip(expected, actual, strict=False):
        difference = _event_difference(want, got, tokens)
        if difference:
            problems.append(f"event {want.get('id')} ({want.get('type')}): {difference}")
            break
    return problems


def _event_difference(want: dict[str, Any], got: dict[str, Any], tokens: Sequence[str]) -> str | None:
    keys = want.keys() - _UNCOMPARED
    got_keys = got.keys() - _UNCOMPARED
    if keys != got_keys:
        return f"keys {sorted(got_keys)} != expected {sorted(keys)}"
    for key in sorted(keys):
        if isinstance(want[key], dict) and isinstance(got[key], dict):
            details_want, details_got = want[key], got[key]
            if details_want.keys() != details_got.keys():
                return f"{key} keys {sorted(details_got)} != expected {sorted(details_want)}"
            for name, value in details_want.items():
                if not detail_matches(value, details_got[name], tokens):
                    return f"{key}.{name} {details_got[name]!r:.300} != expected {value!r:.300}"
        elif not json_matches(want[key], got[key], tokens):
            return f"{key} {got[key]!r:.300} != expected {want[key]!r:.300}"
    return None


def detail_matches(expected: Any, actual: Any, tokens: Sequence[str] = ()) -> bool:
    """One detail value: the recorder stored JSON text decoded, the engine may keep it as text.

    The rule holds at any depth: ``assignedVariables`` is an object of JSON texts, some of
    which the recorder decoded.
    """
    if json_matches(expected, actual, tokens):
        return True
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(
            detail_matches(value, actual[key], tokens) for key, value in expected.items()
        )
    if not isinstance(actual, str):
        return False
    parsed_actual = _parsed(actual)
    if parsed_actual is _NOT_JSON:
        return False
    if json_matches(expected, parsed_actual, tokens):
        return True
    if isinstance(expected, str):  # both are text holding JSON (an input kept with its spacing)
        parsed_expected = _parsed(expected)
        return parsed_expected is not _NOT_JSON and json_matches(parsed_expected, parsed_actual, tokens)
    return False


_NOT_JSON = object()


def _parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return _NOT_JSON
