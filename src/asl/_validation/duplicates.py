"""Keys written twice in one object of a definition's text, JSON or YAML, with both places.

JSON parsers (Python's, Jackson's) keep the later value of a repeated key and drop the earlier one
without a word, so a state whose ``Next`` is written twice runs with the second. The validator
reports each repeat as an error naming both places: the JSON pointer and the line and column of
the first and of the repeated key. Only text has repeats: a parsed dict has already lost them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml

__all__ = ["Duplicate", "json_duplicates", "yaml_duplicates"]


@dataclass(frozen=True)
class Duplicate:
    """A key written twice in one object: its pointer, and (line, column) of each place, 1-based."""

    pointer: str
    first: tuple[int, int]
    second: tuple[int, int]


def _step(base: str, key: object) -> str:
    return f"{base}/{str(key).replace('~', '~0').replace('/', '~1')}"


def json_duplicates(text: str) -> list[Duplicate]:
    """Every repeated key of JSON ``text`` (which must already parse), in the order they appear."""
    return list(_JsonWalk(text).value(0, ""))


def _line_column(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


@dataclass
class _Frame:
    """An open object or array: its pointer, the keys seen so far with their places, its next index."""

    is_object: bool
    loc: str
    seen: dict[str, tuple[int, int]] = field(default_factory=dict)
    index: int = 0


class _JsonWalk:
    """Walks JSON text knowing each value's pointer; scalars are skipped by the standard decoder.

    An explicit stack of open containers rather than recursion: definitions nest deeper than
    Python's recursion limit allows.
    """

    _WHITESPACE = " \t\n\r"

    def __init__(self, text: str) -> None:
        self.text = text
        self.decoder = json.JSONDecoder()

    def _skip(self, index: int) -> int:
        while index < len(self.text) and self.text[index] in self._WHITESPACE:
            index += 1
        return index

    def value(self, index: int, loc: str) -> Iterator[Duplicate]:
        text = self.text
        stack: list[_Frame] = []
        index = self._skip(index)
        pending_loc = loc
        while True:
            char = text[index] if index < len(text) else ""
            if char == "{":
                stack.append(_Frame(True, pending_loc))
                index = self._skip(index + 1)
                if text[index] == "}":
                    index += 1
                    stack.pop()
                else:
                    key_start = index
                    key, index = self.decoder.raw_decode(text, index)
                    yield from self._seen(stack[-1], key, key_start)
                    index = self._skip(self._skip(index) + 1)  # past the ':'
                    pending_loc = _step(stack[-1].loc, key)
                    continue
            elif char == "[":
                stack.append(_Frame(False, pending_loc))
                index = self._skip(index + 1)
                if text[index] == "]":
                    index += 1
                    stack.pop()
                else:
                    pending_loc = _step(stack[-1].loc, 0)
                    continue
            else:
                _, index = self.decoder.raw_decode(text, index)
            # a value ended: move to the next sibling, or close containers
            while stack:
                index = self._skip(index)
                frame = stack[-1]
                if text[index] == ",":
                    index = self._skip(index + 1)
                    if frame.is_object:
                        key_start = index
                        key, index = self.decoder.raw_decode(text, index)
                        yield from self._seen(frame, key, key_start)
                        index = self._skip(self._skip(index) + 1)
                        pending_loc = _step(frame.loc, key)
                    else:
                        frame.index += 1
                        pending_loc = _step(frame.loc, frame.index)
                    break
                index += 1  # '}' or ']'
                stack.pop()
            else:
                return
            index = self._skip(index)

    def _seen(self, frame: _Frame, key: str, start: int) -> Iterator[Duplicate]:
        place = _line_column(self.text, start)
        if key in frame.seen:
            yield Duplicate(_step(frame.loc, key), frame.seen[key], place)
        else:
            frame.seen[key] = place


def yaml_duplicates(text: str) -> list[Duplicate]:
    """Every repeated key of YAML ``text`` (which must already load), in document order."""
    root = yaml.compose(text, Loader=_Composer)
    found: list[Duplicate] = []
    stack: list[tuple[yaml.Node, str]] = [(root, "")] if root is not None else []
    while stack:
        node, loc = stack.pop()
        children: list[tuple[yaml.Node, str]] = []
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, tuple[int, int]] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value)
                place = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                if key in seen:
                    found.append(Duplicate(_step(loc, key), seen[key], place))
                else:
                    seen[key] = place
                children.append((value_node, _step(loc, key)))
        elif isinstance(node, yaml.SequenceNode):
            children = [(item, _step(loc, index)) for index, item in enumerate(node.value)]
        stack.extend(reversed(children))
    found.sort(key=lambda duplicate: duplicate.second)
    return found


class _Composer(yaml.SafeLoader):
    """Composes any tag, CloudFormation's short forms (!Ref, !GetAtt ...) included: only keys matter."""


_Composer.add_multi_constructor("!", lambda loader, suffix, node: None)
