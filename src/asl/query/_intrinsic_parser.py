"""The parser of intrinsic function calls: ``States.Format('{} {}', $.a, States.UUID())``.

A call is a known ``States.`` name and a parenthesised, comma-separated list of
arguments. An argument is a single-quoted string (the escapes ``\\'``, ``\\{``, ``\\}`` and
``\\\\``, nothing else), a JSON number, ``true``, ``false``, ``null``, a path (``$.a``,
``$$.Execution.Id``, ``$variable``) or another call. Whitespace may surround arguments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from asl.errors import ASLError
from asl.query._intrinsic_functions import FUNCTIONS
from asl.query.jsonpath import compile_path

__all__ = ["IntrinsicCall", "IntrinsicSyntaxError", "Literal", "PathArgument", "parse_call"]

PREFIX: Final = "States."
_NAME = re.compile(r"States\.[A-Za-z0-9]+")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
_KEYWORDS: Final[dict[str, Any]] = {"true": True, "false": False, "null": None}
_ESCAPABLE: Final = "'{}\\"
_ALLOWED_ARGUMENTS: Final = (
    "a 'quoted string', a number, true, false, null, a path starting with $, or a States.* call"
)


class IntrinsicSyntaxError(ASLError):
    """The text is not a well-formed intrinsic function call; ``position`` is where it went wrong."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Literal:
    """A constant argument; ``raw`` is a string's text with its escapes still in place."""

    value: Any
    raw: str | None = None


@dataclass(frozen=True)
class PathArgument:
    """A path argument, evaluated against the input, the context object or a variable."""

    path: str


@dataclass(frozen=True)
class IntrinsicCall:
    """A parsed call: the function's name, its arguments and the text it was written as."""

    name: str
    args: tuple[Literal | PathArgument | IntrinsicCall, ...]
    text: str


def parse_call(text: str, *, check_arity: bool) -> IntrinsicCall:
    """Parse a whole ``States.X(...)`` expression; raise IntrinsicSyntaxError when it is not one."""
    if not isinstance(text, str):
        raise IntrinsicSyntaxError(f"an intrinsic function call must be a string, got {type(text).__name__}")
    parser = _Parser(text, check_arity)
    call = parser.call()
    parser.skip_space()
    if parser.pos != len(text):
        raise parser.fail("unexpected text after the closing ')' of the call")
    return call


class _Parser:
    def __init__(self, text: str, check_arity: bool) -> None:
        self.text = text
        self.pos = 0
        self.check_arity = check_arity

    def fail(self, why: str, position: int | None = None) -> IntrinsicSyntaxError:
        at = self.pos if position is None else position
        return IntrinsicSyntaxError(f"{why} at position {at} of {self.text!r}", at)

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def call(self) -> IntrinsicCall:
        start = self.pos
        match = _NAME.match(self.text, self.pos)
        if match is None:
            raise self.fail("expected an intrinsic function name such as States.Format")
        name = match.group(0)
        spec = FUNCTIONS.get(name)
        if spec is None:
            known = ", ".join(sorted(FUNCTIONS))
            raise self.fail(f"{name} is not an intrinsic function; the functions are {known}")
        self.pos = match.end()
        self.skip_space()
        if not self.text.startswith("(", self.pos):
            raise self.fail(f"expected '(' after {name}")
        self.pos += 1
        args = self.arguments(name)
        if self.check_arity and not (
            spec.min_args <= len(args) and (spec.max_args is None or len(args) <= spec.max_args)
        ):
            raise self.fail(f"{name} takes {spec.arity()} argument(s), got {len(args)}", start)
        return IntrinsicCall(name, tuple(args), self.text[start : self.pos])

    def arguments(self, name: str) -> list[Literal | PathArgument | IntrinsicCall]:
        args: list[Literal | PathArgument | IntrinsicCall] = []
        self.skip_space()
        if self.text.startswith(")", self.pos):
            self.pos += 1
            return args
        while True:
            self.skip_space()
            args.append(self.argument())
            self.skip_space()
            if self.pos >= len(self.text):
                raise self.fail(f"the arguments of {name} are not closed with ')'")
            char = self.text[self.pos]
            self.pos += 1
            if char == ")":
                return args
            if char != ",":
                raise self.fail(
                    f"expected ',' or ')' in the arguments of {name}, found {char!r}", self.pos - 1
                )

    def argument(self) -> Literal | PathArgument | IntrinsicCall:
        text, pos = self.text, self.pos
        char = text[pos : pos + 1]
        if char == "'":
            return self.string()
        if char == "$":
            return self.path()
        if text.startswith(PREFIX, pos):
            return self.call()
        number = _NUMBER.match(text, pos)
        if number is not None:
            self.pos = number.end()
            self.expect_end_of_argument("a number")
            literal = number.group(0)
            is_int = number.group(1) is None and number.group(2) is None
            return Literal(int(literal) if is_int else float(literal))
        for word, value in _KEYWORDS.items():
            if text.startswith(word, pos):
                self.pos = pos + len(word)
                self.expect_end_of_argument(word)
                return Literal(value)
        found = repr(char) if char else "the end of the text"
        raise self.fail(f"expected an argument ({_ALLOWED_ARGUMENTS}), found {found}")

    def expect_end_of_argument(self, what: str) -> None:
        rest = self.text[self.pos : self.pos + 1]
        if rest and rest not in ",)" and not rest.isspace():
            raise self.fail(f"unexpected {rest!r} after {what}")

    def string(self) -> Literal:
        start = self.pos + 1
        value: list[str] = []
        i = start
        while i < len(self.text):
            char = self.text[i]
            if char == "'":
                self.pos = i + 1
                return Literal("".join(value), self.text[start:i])
            if char == "\\":
                escaped = self.text[i + 1 : i + 2]
                if not escaped or escaped not in _ESCAPABLE:
                    raise self.fail(
                        "a backslash in a string may only escape ', {, } or \\ (write \\\\ for a backslash)",
                        i,
                    )
                value.append(escaped)
                i += 2
                continue
            value.append(char)
            i += 1
        raise self.fail("the string is not closed with a single quote", start - 1)

    def path(self) -> PathArgument:
        # A path ends at a ',' or ')' (or a space) outside brackets, parentheses and quotes,
        # so filters such as $.a[?(@.b == 'x, y')] stay whole.
        start = i = self.pos
        depth = 0
        quote = ""
        while i < len(self.text):
            char = self.text[i]
            if quote:
                if char == "\\":
                    i += 1
                elif char == quote:
                    quote = ""
            elif char in "'\"":
                quote = char
            elif char in "[(":
                depth += 1
            elif char in "])":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and (char == "," or char.isspace()):
                break
            i += 1
        path = self.text[start:i]
        self.pos = i
        _check_path(path, self, start)
        return PathArgument(path)


def _check_path(path: str, parser: _Parser, start: int) -> None:
    try:
        compile_path(path)
    except ValueError as exc:  # JSONPathSyntaxError is a ValueError
        raise parser.fail(f"{path!r} is not a valid path ({exc})", start) from None
