"""Filter expressions of JSONPath: ``[?(@.price < 10 && @.category == 'fruit')]``.

Compiled once into a predicate over one node and the root value. The operators are Jayway's:
comparisons, ``=~ /regex/flags``, the lexical ``in nin subsetof anyof noneof size empty
contains``, ``!``, ``&&``, ``||`` and parentheses; operands are ``@...`` (the node), ``$...``
(the root), strings, numbers, ``true false null`` and arrays of those. A comparison with a
missing operand is false; a bare ``@.field`` tests presence. Booleans never equal numbers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from asl.query.jsonpath import JSONPathSyntaxError, PathNotFound, compile_path

__all__ = ["parse_filter"]

_MISSING = object()
Predicate = Callable[[Any, Any], bool]
Operand = Callable[[Any, Any], Any]

_QUOTED = r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""
# What may follow "@" or "$" inside a filter: dotted names (functions too) and bracket subscripts.
_PATH_TAIL = rf"(?:\.{{1,2}}(?:\*|[^.\[\]()\s'\"=<>!&|,~]+(?:\(\))?)|\[(?:[^\]'\"]|{_QUOTED})*\])*"
_FILTER_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<op>==|!=|<=|>=|=~|<|>|&&|\|\||\(|\)|!)"
    rf"|(?P<at>@{_PATH_TAIL})|(?P<root>\${_PATH_TAIL})"
    rf"|(?P<str>{_QUOTED})|(?P<num>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
    r"|(?P<word>(?:true|false|null)\b)"
    r"|(?P<lexical>(?:in|nin|subsetof|anyof|noneof|size|empty|contains)\b)"
    r"|(?P<regex>/(?:[^/\\]|\\.)*/[a-zA-Z]*)"
    rf"|(?P<array>\[(?:[^\]'\"]|{_QUOTED})*\])"
    r")"
)
_ARRAY_ITEM = re.compile(rf"\s*({_QUOTED}|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)\s*(,|$)")
_AT_CHARACTER = re.compile(r" at character \d+")
_REGEX_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE, "u": 0}


def _same(a: Any, b: Any) -> bool:
    return (type(a) is bool) == (type(b) is bool) and a == b


def _member(a: Any, b: Any) -> bool:
    return type(b) is list and any(_same(a, item) for item in b)


def _ordered(a: Any, b: Any) -> bool:
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers):
        return not isinstance(a, bool) and not isinstance(b, bool)
    return isinstance(a, str) and isinstance(b, str)


def _lists(a: Any, b: Any) -> bool:
    return type(a) is list and type(b) is list


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": _same,
    "!=": lambda a, b: not _same(a, b),
    "<": lambda a, b: _ordered(a, b) and a < b,
    "<=": lambda a, b: _ordered(a, b) and a <= b,
    ">": lambda a, b: _ordered(a, b) and a > b,
    ">=": lambda a, b: _ordered(a, b) and a >= b,
    "in": _member,
    "nin": lambda a, b: type(b) is list and not _member(a, b),
    "subsetof": lambda a, b: _lists(a, b) and all(_member(x, b) for x in a),
    "anyof": lambda a, b: _lists(a, b) and any(_member(x, b) for x in a),
    "noneof": lambda a, b: _lists(a, b) and not any(_member(x, b) for x in a),
    "size": lambda a, b: type(a) in (list, str) and type(b) is int and len(a) == b,
    "empty": lambda a, b: type(a) in (list, str, dict) and type(b) is bool and (len(a) == 0) == b,
    "contains": lambda a, b: _member(b, a) or (type(a) is str and type(b) is str and b in a),
}


def parse_filter(path: str, text: str, offset: int) -> Predicate:
    """The predicate of the filter ``text`` found inside ``[?(...)]`` at ``offset`` of ``path``."""
    tokens: list[tuple[str, str, int]] = []
    pos, end = 0, len(text.rstrip())
    while pos < end:
        match = _FILTER_TOKEN.match(text, pos)
        if not match or match.end() == pos:
            at = offset + len(text) - len(text[pos:].lstrip())
            char = path[at]
            raise JSONPathSyntaxError(path, f"unexpected {char!r} in the filter at character {at}", at)
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind), offset + match.start(kind)))
        pos = match.end()
    parser = _FilterParser(path, tokens, offset + len(text))
    predicate = parser.expression()
    if parser.i < len(tokens):
        _, extra, at = tokens[parser.i]
        raise parser.fail(f"unexpected {extra!r} in the filter at character {at}", at)
    return predicate


class _FilterParser:
    def __init__(self, path: str, tokens: list[tuple[str, str, int]], end: int) -> None:
        self.path = path
        self.tokens = tokens
        self.end = end
        self.i = 0

    def fail(self, why: str, at: int) -> JSONPathSyntaxError:
        return JSONPathSyntaxError(self.path, why, at)

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i][:2] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str, int]:
        if self.i >= len(self.tokens):
            raise self.fail(f"the filter ends too early at character {self.end}", self.end)
        self.i += 1
        return self.tokens[self.i - 1]

    def expression(self) -> Predicate:
        left = self.conjunction()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.conjunction()
            left = (lambda a, b: lambda n, r: a(n, r) or b(n, r))(left, right)
        return left

    def conjunction(self) -> Predicate:
        left = self.unary()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.unary()
            left = (lambda a, b: lambda n, r: a(n, r) and b(n, r))(left, right)
        return left

    def unary(self) -> Predicate:
        if self.peek() == ("op", "!"):
            self.take()
            inner = self.unary()
            return lambda node, root: not inner(node, root)
        return self.comparison()

    def comparison(self) -> Predicate:
        if self.peek() == ("op", "("):
            self.take()
            inner = self.expression()
            kind, text, at = self.take()
            if (kind, text) != ("op", ")"):
                raise self.fail(f"expected ')' at character {at}, found {text!r}", at)
            return inner
        left = self.operand()
        token = self.peek()
        if token is None or (token[1] not in _COMPARE and token[1] != "=~"):
            return lambda node, root: left(node, root) is not _MISSING
        operator = self.take()[1]
        if operator == "=~":
            return self.regex_match(left)
        right = self.operand()
        compare = _COMPARE[operator]

        def test(node: Any, root: Any) -> bool:
            a, b = left(node, root), right(node, root)
            return a is not _MISSING and b is not _MISSING and compare(a, b)

        return test

    def regex_match(self, left: Operand) -> Predicate:
        kind, text, at = self.take()
        if kind != "regex":
            raise self.fail(f"expected a /regular expression/ after '=~' at character {at}", at)
        body, _, flags = text[1:].rpartition("/")
        try:
            unknown = set(flags) - set(_REGEX_FLAGS)
            if unknown:
                raise ValueError(f"unknown flag {sorted(unknown)[0]!r}")
            pattern = re.compile(body, sum(_REGEX_FLAGS[flag] for flag in set(flags)))
        except (re.error, ValueError) as err:
            raise self.fail(f"{text} at character {at} is not a regular expression: {err}", at) from None

        def test(node: Any, root: Any) -> bool:
            value = left(node, root)
            return type(value) is str and pattern.fullmatch(value) is not None

        return test

    def operand(self) -> Operand:
        kind, text, at = self.take()
        if kind in ("at", "root"):
            try:
                path = compile_path("$" + text[1:])
            except JSONPathSyntaxError as err:
                # The inner reason counts characters of the inner path; only the outer count helps.
                reason = _AT_CHARACTER.sub("", err.reason)
                raise self.fail(f"{text} at character {at} is not a path: {reason}", at) from None
            if kind == "at":
                return lambda node, root: _find_or_missing(path.find, node)
            return lambda node, root: _find_or_missing(path.find, root)
        if kind == "str":
            value = text[1:-1].replace("\\'", "'").replace('\\"', '"')
            return lambda node, root: value
        if kind in ("num", "word"):
            literal = json.loads(text)
            return lambda node, root: literal
        if kind == "array":
            items = self.array(text, at)
            return lambda node, root: items
        raise self.fail(f"unexpected {text!r} in the filter at character {at}", at)

    def array(self, text: str, at: int) -> list[Any]:
        inner, items, pos = text[1:-1], [], 0
        while inner.strip() and pos < len(inner):
            match = _ARRAY_ITEM.match(inner, pos)
            if match is None:
                raise self.fail(f"{text} at character {at} is not an array of strings, numbers, booleans", at)
            item = match.group(1)
            items.append(
                item[1:-1].replace("\\'", "'").replace('\\"', '"') if item[0] in "'\"" else json.loads(item)
            )
            pos = match.end()
        return items


def _find_or_missing(find: Callable[[Any], Any], node: Any) -> Any:
    try:
        return find(node)
    except PathNotFound:
        return _MISSING
