"""JSONPath as Step Functions evaluates it: the one grammar the runtime and the validator share.

A *definite* path (only field names and indexes: ``$.a.b[0]``) selects one value and a
missing step is an error. An *indefinite* path (wildcards, slices, filters, recursive
descent: ``$.items[*].id``) selects a list of every match, possibly empty, as Jayway's
JsonPath (the library behind Step Functions) does. A *Reference Path* (the spec's name for
what ResultPath takes) is a ``$`` path of single names and indexes only;
``CompiledPath.not_reference`` says why a path is not one.

``$`` is the state's input, ``$$`` the context object and ``$name`` a workflow variable.
Paths are compiled once and cached: evaluation walks a tuple of steps.

>>> resolve("$.a[1]", {"a": [10, 20]}, {})
20
>>> resolve("$.a[*].b", {"a": [{"b": 1}, {"b": 2}]}, {})
[1, 2]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from asl.query import _jsonpath_steps as steps_
from asl.query._jsonpath_steps import Step

__all__ = ["CompiledPath", "JSONPathSyntaxError", "PathNotFound", "compile_path", "resolve"]


class JSONPathSyntaxError(ValueError):
    """The text is not a JSONPath the runtime understands.

    ``reason`` is a short phrase saying what is wrong (with the character where it went wrong),
    ``position`` that character's index, so a caller can word its own message around them.
    """

    def __init__(self, text: str, reason: str, position: int) -> None:
        self.text = text
        self.reason = reason
        self.position = position
        super().__init__(f"invalid JSONPath {text!r}: {reason}")


class PathNotFound(LookupError):
    """A definite path selected nothing."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(path)


@dataclass(frozen=True)
class CompiledPath:
    """A parsed path: where it starts, its steps, and whether it selects one value."""

    text: str
    root: str  # "$", "$$" or "$<variable>"
    steps: tuple[Step, ...]
    fields: tuple[str | int, ...] | None  # the fast path: only plain names and indexes
    definite: bool
    not_reference: str | None = None  # why this is not a Reference Path; None when it is

    @property
    def reference(self) -> bool:
        """True for a Reference Path: ``$`` then single names and indexes only."""
        return self.not_reference is None

    def evaluate(self, data: Any, context: Any, variables: Mapping[str, Any] | None = None) -> Any:
        """Evaluate from the root the path names: the input (``$``), the context object
        (``$$``) or a variable (``$name``); raise PathNotFound for a definite miss or an
        unknown variable. The one entry every caller of a compiled path uses."""
        root = self.root
        if root == "$":
            return self.find(data)
        if root == "$$":
            return self.find(context)
        if variables is None or root[1:] not in variables:
            raise PathNotFound(self.text)
        return self.find(variables[root[1:]])

    def find(self, root_value: Any) -> Any:
        """Evaluate against the root value; raise PathNotFound for a definite miss."""
        fields = self.fields
        if fields is not None:
            node = root_value
            for name in fields:
                if isinstance(name, str):
                    if type(node) is not dict or name not in node:
                        raise PathNotFound(self.text)
                    node = node[name]
                else:
                    if type(node) is not list:
                        raise PathNotFound(self.text)
                    try:
                        node = node[name]
                    except IndexError:
                        raise PathNotFound(self.text) from None
            return node
        nodes = [root_value]
        for step in self.steps:
            nodes = step(nodes, root_value)
        if self.definite:
            if not nodes:
                raise PathNotFound(self.text)
            return nodes[0]
        return nodes


def resolve(path: str, data: Any, context: Any, variables: Mapping[str, Any] | None = None) -> Any:
    """Evaluate ``path`` against the input, the context object or a variable."""
    return compile_path(path).evaluate(data, context, variables)


# --- parsing -----------------------------------------------------------------------------

# A dotted name: anything but what starts another segment. Jayway allows hyphens and most
# punctuation here ("$.delivery-partner"), and AWS accepts what Jayway accepts.
_NAME = re.compile(r"[^.\[\]()\s'\"]+")
# ... but a Reference Path may not use the spec's operators "@", ",", ":", "?" (nor "*").
_NOT_IN_REFERENCE_NAME = re.compile(r"[*@?,:]")
_VARIABLE = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*")
_INDEX = re.compile(r"\s*-?\d+\s*")
_SLICE_PART = re.compile(r"\s*(-?\d+)?\s*")
_SUBSCRIPTS = "an index, slice, union, wildcard or filter"
_PLAIN = re.compile(r"\$(?:\.[A-Za-z_][A-Za-z0-9_]*|\[-?\d+\])*")
_PLAIN_SEGMENT = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(-?\d+)\]")


@lru_cache(maxsize=4096)
def compile_path(text: str) -> CompiledPath:
    """Parse a path once; raise JSONPathSyntaxError when it is not one.

    >>> compile_path("$.a[0]").reference, compile_path("$.a[*]").not_reference
    (True, "a reference path may not use '*'")
    """
    if not isinstance(text, str) or not text.startswith("$"):
        raise JSONPathSyntaxError(str(text), "it does not start with '$'", 0)
    if _PLAIN.fullmatch(text):
        # Most paths are plain names and indexes: one regex instead of the parser.
        fields = tuple(name or int(index) for name, index in _PLAIN_SEGMENT.findall(text, 1))
        plain = tuple(steps_.field(f) if isinstance(f, str) else steps_.index(f) for f in fields)
        return CompiledPath(text, "$", plain, fields, True)
    parser = _Parser(text)
    if text.startswith("$$"):
        parser.root, parser.pos = "$$", 2
        parser.not_reference = "a reference path may not start with '$$'"
    elif match := _VARIABLE.match(text):
        parser.root, parser.pos = match.group(0), match.end()
        parser.not_reference = "a reference path may not name a variable"
    parser.parse()
    if parser.scan_function is not None:
        parser.steps[-1] = steps_.SCAN_FUNCTIONS[parser.scan_function]
        parser.definite = True
    parsed = tuple(parser.fields) if parser.fields is not None else None
    return CompiledPath(text, parser.root, tuple(parser.steps), parsed, parser.definite, parser.not_reference)


class _Parser:
    """One pass over the text; collects the steps and what kind of path they make."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 1
        self.root = "$"
        self.steps: list[Step] = []
        self.fields: list[str | int] | None = []
        self.definite = True
        self.not_reference: str | None = None
        # A path "$..name.fn()" ending in a function is read as fn of the whole scan, as Jayway does.
        self.scan_function: str | None = None

    def fail(self, why: str, at: int | None = None) -> JSONPathSyntaxError:
        return JSONPathSyntaxError(self.text, why, self.pos if at is None else at)

    def widen(self, step: Step, why_not_reference: str, *, definite: bool = False) -> None:
        """Add a step that is more than a plain name or index."""
        self.steps.append(step)
        self.fields = None
        self.definite = self.definite and definite
        if self.not_reference is None:
            self.not_reference = why_not_reference

    def parse(self) -> None:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if text.startswith("..", self.pos):
                self.pos += 2
                self.widen(steps_.descendants, "a reference path may not use '..'")
                if self.pos < len(text) and text[self.pos] == "[":
                    continue
                self.member(after_descent=True)
            elif char == ".":
                self.pos += 1
                # Jayway reads ".[...]" as "[...]"; AWS's docs write $.abc.['def ghi'].
                if self.pos < len(text) and text[self.pos] == "[":
                    self.bracket()
                else:
                    self.member(after_descent=False)
            elif char == "[":
                self.bracket()
            else:
                raise self.fail(f"unexpected {char!r} at character {self.pos}")

    def member(self, *, after_descent: bool) -> None:
        """A name, ``*`` or ``name()`` after a dot."""
        text = self.text
        if self.pos < len(text) and text[self.pos] == "*":
            self.pos += 1
            self.widen(steps_.wildcard, "a reference path may not use '*'")
            return
        match = _NAME.match(text, self.pos)
        if not match:
            raise self.fail(f"expected a name after '.' at character {self.pos}")
        start, name = self.pos, match.group(0)
        self.pos = match.end()
        if text.startswith("()", self.pos):
            function = steps_.FUNCTIONS.get(name)
            if function is None:
                known = ", ".join(f"{f}()" for f in sorted(steps_.FUNCTIONS))
                raise self.fail(f"{name}() at character {start} is not a function; known: {known}", start)
            self.pos += 2
            self.widen(function, f"a reference path may not call a function such as {name}()", definite=True)
            scan_first = self.steps[0] is steps_.descendants and text.startswith("..", len(self.root))
            at_end = self.pos == len(text)
            self.scan_function = name if scan_first and at_end and name in steps_.SCAN_FUNCTIONS else None
            return
        self.steps.append(steps_.field(name))
        if after_descent:
            return  # already neither definite nor a reference path
        if self.fields is not None:
            self.fields.append(name)
        bad = _NOT_IN_REFERENCE_NAME.search(name)
        if bad and self.not_reference is None:
            self.not_reference = (
                f"a reference path may not use {bad.group(0)!r} in a dotted name; write ['{name}']"
            )

    def bracket(self) -> None:
        """A subscript ``[...]``: quoted names, an index, a slice, a union, ``*`` or a filter."""
        start = self.pos
        end = self._closing_bracket()
        raw = self.text[start + 1 : end]
        inner = raw.strip()
        self.pos = end + 1
        at = start + 1 + (len(raw) - len(raw.lstrip()))  # the first significant character
        if inner == "*":
            self.widen(steps_.wildcard, "a reference path may not use '*'")
        elif inner.startswith("?"):
            self._filter(inner, at)
        elif inner[:1] in ("'", '"'):
            names = self._quoted(inner, at, start)
            if len(names) == 1:
                self.steps.append(steps_.field(names[0]))
                if self.fields is not None:
                    self.fields.append(names[0])
            else:
                self.widen(steps_.fields(names), "a reference path may not use a union of names")
        elif _INDEX.fullmatch(inner):
            position = int(inner)
            self.steps.append(steps_.index(position))
            if self.fields is not None:
                self.fields.append(position)
        else:
            self.widen(
                self._slice_or_union(inner, start),
                f"a reference path allows only ['name'] or [index] here, not [{raw}]",
            )

    def _slice_or_union(self, inner: str, start: int) -> Step:
        if ":" in inner:
            parts = [_SLICE_PART.fullmatch(part) for part in inner.split(":")]
            if len(parts) <= 3 and all(parts):
                bounds = [int(m.group(1)) if m and m.group(1) else None for m in parts]
                return steps_.slice_(*bounds)
        elif "," in inner and all(_INDEX.fullmatch(part) for part in inner.split(",")):
            return steps_.indexes([int(part) for part in inner.split(",")])
        if inner.startswith("("):
            raise self.fail(
                f"[{inner}] is a script expression, which Step Functions does not run; use a filter [?(...)]",
                start,
            )
        raise self.fail(f"[{inner}] is not {_SUBSCRIPTS}", start)

    def _filter(self, inner: str, at: int) -> None:
        from asl.query._jsonpath_filter import parse_filter

        body = inner[1:].lstrip()
        body_at = at + len(inner) - len(body)
        # Jayway wants the whole filter in one pair of parentheses: [?(...)].
        if not body.startswith("("):
            raise self.fail(f"expected '(' after '?' in a filter at character {body_at}", body_at)
        close = _closing(body, 0, "(", ")")[0]
        if close < 0:
            raise self.fail(f"unbalanced parentheses in the filter at character {body_at}", body_at)
        if close != len(body) - 1:
            after = body_at + close + 1 + len(body[close + 1 :]) - len(body[close + 1 :].lstrip())
            raise self.fail(f"expected ']' after the filter's ')' at character {after}", after)
        predicate = parse_filter(self.text, body[1:close], body_at + 1)
        self.widen(steps_.filtered(predicate), "a reference path may not use a filter")

    def _quoted(self, inner: str, at: int, start: int) -> list[str]:
        """``'a'`` or ``'a', "b"``: the names, backslash-escaped quotes undone."""
        names: list[str] = []
        i = 0
        while True:
            quote = inner[i]
            if quote not in ("'", '"'):
                raise self.fail(f"expected a quoted name at character {at + i}", at + i)
            i += 1
            out: list[str] = []
            while i < len(inner) and inner[i] != quote:
                if inner[i] == "\\" and i + 1 < len(inner) and inner[i + 1] == quote:
                    i += 1
                out.append(inner[i])
                i += 1
            if i >= len(inner):
                raise self.fail(f"unclosed quote in brackets, unclosed '[' at character {start}", start)
            names.append("".join(out))
            i += 1
            while i < len(inner) and inner[i] == " ":
                i += 1
            if i >= len(inner):
                return names
            if inner[i] != ",":
                raise self.fail(f"expected ',' or ']' after a quoted name at character {at + i}", at + i)
            i += 1
            while i < len(inner) and inner[i] == " ":
                i += 1
            if i >= len(inner):
                raise self.fail(f"expected a quoted name at character {at + i}", at + i)

    def _closing_bracket(self) -> int:
        """The index of the ``]`` closing the ``[`` at ``pos``, skipping quoted text."""
        end, in_quote = _closing(self.text, self.pos, "[", "]")
        if end >= 0:
            return end
        if in_quote:
            raise self.fail(f"unclosed quote in brackets, unclosed '[' at character {self.pos}")
        raise self.fail(f"unclosed '[' at character {self.pos}")


def _closing(text: str, start: int, opener: str, closer: str) -> tuple[int, bool]:
    """The index of the ``closer`` matching the ``opener`` at ``start``, skipping quoted text.

    -1 when there is none, and whether the text ended inside a quote.
    """
    depth = 0
    quote = ""
    i, end = start, len(text)
    while i < end:
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in ("'", '"'):
            quote = char
        elif char == opener:
            depth += 1
        elif char == closer:
            depth -= 1
            if depth == 0:
                return i, False
        i += 1
    return -1, bool(quote)
