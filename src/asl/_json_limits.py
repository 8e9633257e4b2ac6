"""JSON text read within limits: nesting depth checked before parsing, no NaN or Infinity.

Python's parser recurses once per level, and so does every walk of the parsed value
afterwards (copies, path lookups, serialising): a body of ten thousand ``[`` would reach
the interpreter's recursion limit somewhere deep inside. So the depth is measured on the
text first (only the brackets outside strings are looked at, and only when there are
enough of them to matter), and ``NaN``/``Infinity``, which Python accepts but JSON does
not, are refused.

>>> parse_json('{"a": [1, {"b": 2}]}', max_depth=3, what="the input")
{'a': [1, {'b': 2}]}
>>> parse_json('[[[[1]]]]', max_depth=3, what="the input")
Traceback (most recent call last):
...
asl._json_limits.JSONLimitError: the input nests deeper than 3 levels
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

__all__ = ["JSONLimitError", "depth_exceeds", "parse_json"]

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # the unrolled form: no backtracking
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


class JSONLimitError(ValueError):
    """JSON text that is over a limit or not JSON at all; the message names what and why.

    ``syntax`` holds the parser's own words when the text is not JSON at all.
    """

    def __init__(self, message: str, syntax: str | None = None) -> None:
        super().__init__(message)
        self.syntax = syntax


def depth_exceeds(text: str, limit: int) -> bool:
    """Does ``text`` open more than ``limit`` arrays or objects inside one another?"""
    if text.count("[") + text.count("{") <= limit:  # too few brackets to be that deep
        return False
    # keep only the brackets outside strings, then take away the innermost pairs one level
    # at a time: every step runs at C speed over the brackets alone
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if _openers(limit).search(brackets):  # the usual attack: one long run of openers
        return True
    for _ in range(limit):
        if not brackets:
            return False
        shorter = brackets.replace("[]", "").replace("{}", "")
        if len(shorter) == len(brackets):  # not balanced: the parser will say why
            return False
        brackets = shorter
    return bool(brackets)


@functools.lru_cache(maxsize=8)
def _openers(limit: int) -> re.Pattern[str]:
    return re.compile(r"[\[{]{" + str(limit + 1) + "}")


def _no_constant(name: str) -> Any:
    raise JSONLimitError(f"{name} is not a JSON value")


def parse_json(text: str | bytes, *, max_depth: int, what: str) -> Any:
    """``json.loads(text)``, refusing nesting deeper than ``max_depth`` and NaN/Infinity."""
    if isinstance(text, bytes | bytearray):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise JSONLimitError(f"{what} is not UTF-8 text") from None
    if depth_exceeds(text, max_depth):
        raise JSONLimitError(f"{what} nests deeper than {max_depth} levels")
    try:
        return json.loads(text, parse_constant=_no_constant)
    except JSONLimitError as err:
        raise JSONLimitError(f"{what} is not valid JSON: {err}", str(err)) from None
    except json.JSONDecodeError as err:
        syntax = f"{err.msg} at line {err.lineno}, column {err.colno}"
        raise JSONLimitError(f"{what} is not valid JSON: {syntax}", syntax) from None
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise JSONLimitError(f"{what} nests too deeply") from None
