"""Syntax checks for the strings a definition holds: JSONPaths, reference paths, timestamps, JSONata markers.

Each check returns ``None`` when the text is well formed, or a short phrase saying what is wrong,
so that the validator can put it into a message that names the field.

>>> path_error("$.a[0].b") is None
True
>>> path_error("$.a[")
"unclosed '[' at character 3"
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from jsonata import Jsonata
from jsonata.jexception import JException

from asl._validation.schema import INTRINSIC_FUNCTIONS

_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# A dotted member name: anything but the characters that start another segment; Jayway allows
# hyphens and most punctuation here ("$.delivery-partner"), and AWS accepts what Jayway accepts.
_MEMBER = re.compile(r"[^.\[\]\s()'\"]+(\(\))?")
_INDEX = re.compile(r"\s*-?\d+\s*")
_SLICE = re.compile(r"\s*(-?\d+)?\s*:\s*(-?\d+)?\s*(:\s*(-?\d+)?\s*)?")
_REFERENCE_MEMBER = re.compile(r"[^.\[\]\s()'\"*@?,:]+")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
_INTRINSIC_HEAD = re.compile(r"(States\.[A-Za-z0-9]+)\s*\(")


def is_jsonata(value: object) -> bool:
    """True when ``value`` is a JSONata expression string, ``"{% ... %}"``."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


@lru_cache(maxsize=4096)
def jsonata_error(text: str) -> str | None:
    """Parse the body of a ``{% ... %}`` string with the JSONata engine; say why it fails, if it does."""
    try:
        Jsonata(text[2:-2].strip())
    except JException as err:
        return str(err)
    except Exception:
        # A crash of the engine on odd text is not the author's mistake; the runtime will say more.
        return None
    return None


def timestamp_error(text: str) -> str | None:
    """Check an RFC 3339 timestamp as the spec wants it: uppercase T, and Z or a numeric offset."""
    if not _TIMESTAMP.fullmatch(text):
        return "it is not of the form YYYY-MM-DDThh:mm:ss[.fff](Z|+hh:mm) with an uppercase T"
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return "its date or time is out of range"
    return None


def intrinsic_error(text: str) -> str | None:
    """Check the outer shape of an intrinsic call: a known ``States.`` name, then parentheses."""
    head = _INTRINSIC_HEAD.match(text)
    if head is None:
        return "it is neither a path nor an intrinsic function call such as States.Format('{}', $.x)"
    if head.group(1) not in INTRINSIC_FUNCTIONS:
        return (
            f"{head.group(1)} is not an intrinsic function; known: {', '.join(sorted(INTRINSIC_FUNCTIONS))}"
        )
    if not text.rstrip().endswith(")"):
        return "the intrinsic function call does not end with ')'"
    return None


def path_error(text: str, *, reference: bool = False) -> str | None:
    """Check a JSONPath; with ``reference`` only the spec's Reference Paths ($, .name, ['name'], [n]).

    Full paths may start with ``$`` (input), ``$$`` (context object) or ``$name`` (a variable),
    and may use wildcards, slices, unions, filters and deep scans as AWS's JSONPath does.
    """
    if not text.startswith("$"):
        return "it does not start with '$'"
    if text.startswith("$$"):
        if reference:
            return "a reference path may not start with '$$'"
        pos = 2
    else:
        variable = _VARIABLE.match(text, 1)
        if variable is not None and reference:
            return "a reference path may not name a variable"
        pos = variable.end() if variable is not None else 1
    return _segments_error(text, pos, reference)


def _segments_error(text: str, pos: int, reference: bool) -> str | None:
    end = len(text)
    while pos < end:
        char = text[pos]
        if char == ".":
            if text.startswith("..", pos):
                if reference:
                    return "a reference path may not use '..'"
                pos += 2
                if pos < end and text[pos] == "[":
                    continue
            else:
                pos += 1
            if pos < end and text[pos] == "*" and not reference:
                pos += 1
                continue
            member = (_REFERENCE_MEMBER if reference else _MEMBER).match(text, pos)
            if member is None:
                return f"expected a name after '.' at character {pos}"
            pos = member.end()
        elif char == "[":
            close, problem = _bracket(text, pos + 1, reference)
            if problem is not None:
                return problem
            pos = close + 1
        else:
            return f"unexpected {char!r} at character {pos}"
    return None


def _bracket(text: str, pos: int, reference: bool) -> tuple[int, str | None]:
    """Check the inside of ``[...]`` starting at ``pos``; return the index of its ``]``."""
    unclosed = f"unclosed '[' at character {pos - 1}"
    if pos >= len(text):
        return pos, unclosed
    char = text[pos]
    if char in "'\"":
        return _quoted_union(text, pos, reference, unclosed)
    if char in "?(":
        if reference:
            return pos, "a reference path may not use a filter or script expression"
        return _expression(text, pos + 1 if char == "?" else pos, unclosed)
    close = text.find("]", pos)
    if close < 0:
        return pos, unclosed
    inside = text[pos:close]
    if inside.strip() == "*":
        return close, "a reference path may not use '*'" if reference else None
    if _INDEX.fullmatch(inside) and (not reference or not inside.strip().startswith("-")):
        return close, None
    if reference:
        return close, f"a reference path allows only ['name'] or [index] here, not [{inside}]"
    if all(_INDEX.fullmatch(part) for part in inside.split(",")) or _SLICE.fullmatch(inside):
        return close, None
    return close, f"[{inside}] is not an index, slice, union, wildcard or filter"


def _quoted_union(text: str, pos: int, reference: bool, unclosed: str) -> tuple[int, str | None]:
    names = 0
    while pos < len(text):
        quote = text[pos]
        if quote not in "'\"":
            return pos, f"expected a quoted name at character {pos}"
        pos += 1
        while pos < len(text) and text[pos] != quote:
            pos += 2 if text[pos] == "\\" else 1
        if pos >= len(text):
            return pos, f"unclosed quote in brackets, {unclosed}"
        names += 1
        pos += 1
        while pos < len(text) and text[pos] == " ":
            pos += 1
        if pos < len(text) and text[pos] == "]":
            if reference and names > 1:
                return pos, "a reference path may not use a union of names"
            return pos, None
        if pos < len(text) and text[pos] == ",":
            pos += 1
            while pos < len(text) and text[pos] == " ":
                pos += 1
            continue
        return pos, unclosed
    return pos, unclosed


def _expression(text: str, pos: int, unclosed: str) -> tuple[int, str | None]:
    """Skip a balanced ``( ... )`` (quotes respected), then expect ``]``."""
    if pos >= len(text) or text[pos] != "(":
        return pos, "expected '(' after '?' in a filter"
    depth = 0
    quote = ""
    while pos < len(text):
        char = text[pos]
        if quote:
            if char == "\\":
                pos += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                break
        pos += 1
    if depth != 0:
        return pos, f"unbalanced parentheses, {unclosed}"
    pos += 1
    if pos >= len(text) or text[pos] != "]":
        return pos, unclosed
    return pos, None
