"""Filter expressions of JSONPath: ``[?(@.price < 10 && @.category == 'fruit')]``.

Compiled once into a predicate over one node. A comparison with a missing operand is false;
a bare ``@.field`` tests presence. Booleans never compare equal to numbers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

__all__ = ["parse_filter"]

_MISSING = object()
Fail = Callable[[str], Exception]


_FILTER_TOKEN = re.compile(
    r"\s*(?:(?P<op>==|!=|<=|>=|<|>|&&|\|\||\(|\))|(?P<at>@(?:\.[A-Za-z0-9_$-]+|\[[^\]]*\])*)"
    r"|(?P<str>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")|(?P<num>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
    r"|(?P<word>true|false|null))"
)

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: (type(a) is bool) == (type(b) is bool) and a == b,
    "!=": lambda a, b: not ((type(a) is bool) == (type(b) is bool) and a == b),
    "<": lambda a, b: _ordered(a, b) and a < b,
    "<=": lambda a, b: _ordered(a, b) and a <= b,
    ">": lambda a, b: _ordered(a, b) and a > b,
    ">=": lambda a, b: _ordered(a, b) and a >= b,
}


def _ordered(a: Any, b: Any) -> bool:
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers):
        return not isinstance(a, bool) and not isinstance(b, bool)
    return isinstance(a, str) and isinstance(b, str)


def parse_filter(text: str, fail: Fail) -> Callable[[Any], bool]:
    """The predicate of a filter's text (without the leading ``?``)."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        match = _FILTER_TOKEN.match(text, pos)
        if not match or match.end() == pos:
            if text[pos:].strip() == "":
                break
            raise fail(f"unsupported filter expression {text!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return _FilterParser(tokens, fail).expression()


class _FilterParser:
    def __init__(self, tokens: list[tuple[str, str]], fail: Fail) -> None:
        self.tokens = tokens
        self.i = 0
        self.fail = fail

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise self.fail("incomplete filter expression")
        self.i += 1
        return token

    def expression(self) -> Callable[[Any], bool]:
        left = self.conjunction()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.conjunction()
            left = (lambda a, b: lambda n: a(n) or b(n))(left, right)
        return left

    def conjunction(self) -> Callable[[Any], bool]:
        left = self.comparison()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.comparison()
            left = (lambda a, b: lambda n: a(n) and b(n))(left, right)
        return left

    def comparison(self) -> Callable[[Any], bool]:
        if self.peek() == ("op", "("):
            self.take()
            inner = self.expression()
            if self.take() != ("op", ")"):
                raise self.fail("expected ')'")
            return inner
        left = self.operand()
        token = self.peek()
        if token and token[0] == "op" and token[1] in _COMPARE:
            self.take()
            right = self.operand()
            compare = _COMPARE[token[1]]

            def test(node: Any) -> bool:
                a, b = left(node), right(node)
                return a is not _MISSING and b is not _MISSING and compare(a, b)

            return test
        return lambda node: left(node) is not _MISSING

    def operand(self) -> Callable[[Any], Any]:
        from asl.query.jsonpath import compile_path

        kind, text = self.take()
        if kind == "at":
            path = compile_path("$" + text[1:])
            return lambda node: _find_or_missing(path, node)
        if kind == "str":
            value = text[1:-1].replace("\\'", "'").replace('\\"', '"')
            return lambda node: value
        if kind in ("num", "word"):
            literal = json.loads(text)
            return lambda node: literal
        raise self.fail(f"unexpected {text!r} in filter")


def _find_or_missing(path: Any, node: Any) -> Any:
    from asl.query.jsonpath import PathNotFound

    try:
        return path.find(node)
    except PathNotFound:
        return _MISSING
