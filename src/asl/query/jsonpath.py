"""JSONPath as Step Functions evaluates it: reference paths and the wider Jayway subset.

A *definite* path (only field names and indexes: ``$.a.b[0]``) selects one value and a
missing step is an error. An *indefinite* path (wildcards, slices, filters, recursive
descent: ``$.items[*].id``) selects a list of every match, possibly empty, as Jayway's
JsonPath (the library behind Step Functions) does.

``$`` is the state's input, ``$$`` the context object and ``$name`` a workflow variable.
Paths are compiled once and cached: evaluation walks a tuple of steps.

>>> resolve("$.a[1]", {"a": [10, 20]}, {})
20
>>> resolve("$.a[*].b", {"a": [{"b": 1}, {"b": 2}]}, {})
[1, 2]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["CompiledPath", "JSONPathSyntaxError", "PathNotFound", "compile_path", "resolve"]


class JSONPathSyntaxError(ValueError):
    """The text is not a JSONPath the runtime understands."""


class PathNotFound(LookupError):
    """A definite path selected nothing."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(path)


# A step takes the current list of nodes and returns the next list.
Step = Callable[[list[Any]], list[Any]]


@dataclass(frozen=True)
class CompiledPath:
    """A parsed path: where it starts, its steps, and whether it selects one value."""

    text: str
    root: str  # "$", "$$" or "$<variable>"
    steps: tuple[Step, ...]
    fields: tuple[str | int, ...] | None  # the fast path: only plain names and indexes
    definite: bool

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
            nodes = step(nodes)
        if self.definite:
            if not nodes:
                raise PathNotFound(self.text)
            return nodes[0]
        return nodes


def resolve(path: str, data: Any, context: Any, variables: Mapping[str, Any] | None = None) -> Any:
    """Evaluate ``path`` against the input, the context object or a variable."""
    compiled = compile_path(path)
    root = compiled.root
    if root == "$":
        return compiled.find(data)
    if root == "$$":
        return compiled.find(context)
    name = root[1:]
    if variables is None or name not in variables:
        raise PathNotFound(path)
    return compiled.find(variables[name])


# --- parsing -----------------------------------------------------------------------------

_NAME = re.compile(r"[^.\[\]()\s'\"=<>!&|,@?*]+")
_VARIABLE = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*")


@lru_cache(maxsize=4096)
def compile_path(text: str) -> CompiledPath:
    """Parse a path once; raise JSONPathSyntaxError when it is not one."""
    if not isinstance(text, str) or not text.startswith("$"):
        raise JSONPathSyntaxError(f"a path must start with '$': {text!r}")
    if text.startswith("$$"):
        root, pos = "$$", 2
    else:
        match = _VARIABLE.match(text)
        root, pos = (match.group(0), match.end()) if match else ("$", 1)
    parser = _Parser(text, pos)
    steps, fields, definite = parser.parse()
    return CompiledPath(text, root, tuple(steps), fields, definite)


class _Parser:
    def __init__(self, text: str, pos: int) -> None:
        self.text = text
        self.pos = pos

    def fail(self, why: str) -> JSONPathSyntaxError:
        return JSONPathSyntaxError(f"invalid JSONPath {self.text!r} at position {self.pos}: {why}")

    def parse(self) -> tuple[list[Step], tuple[str | int, ...] | None, bool]:
        steps: list[Step] = []
        fields: list[str | int] | None = []
        definite = True
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if text.startswith("..", self.pos):
                self.pos += 2
                steps.append(_descendants)
                definite = False
                fields = None
                if self.pos < len(text) and text[self.pos] == "[":
                    continue
                step, name = self.dotted()
                steps.append(step)
            elif char == ".":
                self.pos += 1
                if text.startswith("length()", self.pos):
                    self.pos += len("length()")
                    steps.append(_length)
                    fields = None
                    continue
                step, name = self.dotted()
                steps.append(step)
                if name is None:
                    definite = False
                    fields = None
                elif fields is not None:
                    fields.append(name)
            elif char == "[":
                step, key, is_definite = self.bracket()
                steps.append(step)
                if not is_definite:
                    definite = False
                    fields = None
                elif fields is not None and key is not None:
                    fields.append(key)
            else:
                raise self.fail(f"unexpected {char!r}")
        return steps, (tuple(fields) if fields is not None else None), definite

    def dotted(self) -> tuple[Step, str | None]:
        if self.pos < len(self.text) and self.text[self.pos] == "*":
            self.pos += 1
            return _wildcard, None
        match = _NAME.match(self.text, self.pos)
        if not match:
            raise self.fail("expected a field name")
        self.pos = match.end()
        return _field(match.group(0)), match.group(0)

    def bracket(self) -> tuple[Step, str | int | None, bool]:
        text = self.text
        end = self._closing_bracket()
        inner = text[self.pos + 1 : end].strip()
        self.pos = end + 1
        if inner == "*":
            return _wildcard, None, False
        if inner.startswith("?"):
            from asl.query._jsonpath_filter import parse_filter

            predicate = parse_filter(inner[1:].strip(), self.fail)
            return _filter(predicate), None, False
        if inner[:1] in ("'", '"'):
            names = _split_quoted(inner, self)
            if len(names) == 1:
                return _field(names[0]), names[0], True
            return _fields(names), None, False
        if ":" in inner:
            parts = inner.split(":")
            if len(parts) > 3:
                raise self.fail("a slice has at most three parts")
            try:
                bounds = [int(p) if p.strip() else None for p in parts]
            except ValueError:
                raise self.fail("slice bounds must be integers") from None
            return _slice(*bounds), None, False
        if "," in inner:
            try:
                indexes = [int(p) for p in inner.split(",")]
            except ValueError:
                raise self.fail("indexes must be integers") from None
            return _indexes(indexes), None, False
        try:
            index = int(inner)
        except ValueError:
            raise self.fail(f"unsupported subscript [{inner}]") from None
        return _index(index), index, True

    def _closing_bracket(self) -> int:
        text = self.text
        depth = 0
        quote = ""
        i = self.pos
        while i < len(text):
            char = text[i]
            if quote:
                if char == "\\":
                    i += 2
                    continue
                if char == quote:
                    quote = ""
            elif char in ("'", '"'):
                quote = char
            elif char == "[":
                depth += 1
            elif char == "]":
                depth -= 1
                if depth == 0:
                    return i
            i += 1
        raise self.fail("unclosed '['")


def _split_quoted(inner: str, parser: _Parser) -> list[str]:
    names: list[str] = []
    i = 0
    while i < len(inner):
        quote = inner[i]
        if quote not in ("'", '"'):
            raise parser.fail("expected a quoted name")
        i += 1
        out: list[str] = []
        while i < len(inner) and inner[i] != quote:
            if inner[i] == "\\" and i + 1 < len(inner) and inner[i + 1] == quote:
                i += 1
            out.append(inner[i])
            i += 1
        if i >= len(inner):
            raise parser.fail("unterminated quoted name")
        names.append("".join(out))
        i += 1
        while i < len(inner) and inner[i] in " ,":
            i += 1
    return names


# --- steps --------------------------------------------------------------------------------


def _field(name: str) -> Step:
    def step(nodes: list[Any]) -> list[Any]:
        return [node[name] for node in nodes if type(node) is dict and name in node]

    return step


def _fields(names: list[str]) -> Step:
    def step(nodes: list[Any]) -> list[Any]:
        return [node[n] for node in nodes if type(node) is dict for n in names if n in node]

    return step


def _index(index: int) -> Step:
    def step(nodes: list[Any]) -> list[Any]:
        out = []
        for node in nodes:
            if type(node) is list and -len(node) <= index < len(node):
                out.append(node[index])
        return out

    return step


def _indexes(indexes: list[int]) -> Step:
    def step(nodes: list[Any]) -> list[Any]:
        return [
            node[i] for node in nodes if type(node) is list for i in indexes if -len(node) <= i < len(node)
        ]

    return step


def _slice(start: int | None, stop: int | None = None, stride: int | None = None) -> Step:
    def step(nodes: list[Any]) -> list[Any]:
        out: list[Any] = []
        for node in nodes:
            if type(node) is list:
                out.extend(node[start:stop:stride])
        return out

    return step


def _wildcard(nodes: list[Any]) -> list[Any]:
    out: list[Any] = []
    for node in nodes:
        if type(node) is dict:
            out.extend(node.values())
        elif type(node) is list:
            out.extend(node)
    return out


def _descendants(nodes: list[Any]) -> list[Any]:
    out: list[Any] = []

    def walk(node: Any) -> None:
        out.append(node)
        if type(node) is dict:
            for value in node.values():
                walk(value)
        elif type(node) is list:
            for value in node:
                walk(value)

    for node in nodes:
        walk(node)
    return out


def _length(nodes: list[Any]) -> list[Any]:
    return [len(node) for node in nodes if type(node) in (list, dict, str)]


def _filter(predicate: Callable[[Any], bool]) -> Step:
    def step(nodes: list[Any]) -> list[Any]:
        out: list[Any] = []
        for node in nodes:
            children = node if type(node) is list else list(node.values()) if type(node) is dict else []
            out.extend(child for child in children if predicate(child))
        return out

    return step
