"""The steps a compiled JSONPath walks: each maps the list of current nodes to the next list.

A step also receives the root value of the evaluation, which filters such as
``[?(@.price < $.limit)]`` compare against.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

__all__ = [
    "FUNCTIONS",
    "Step",
    "descendants",
    "field",
    "fields",
    "filtered",
    "index",
    "indexes",
    "slice_",
    "wildcard",
]

# (current nodes, root value) -> next nodes
Step = Callable[[list[Any], Any], list[Any]]
# (node, root value) -> whether the filter keeps the node
Predicate = Callable[[Any, Any], bool]


def field(name: str) -> Step:
    def step(nodes: list[Any], root: Any) -> list[Any]:
        return [node[name] for node in nodes if type(node) is dict and name in node]

    return step


def fields(names: list[str]) -> Step:
    def step(nodes: list[Any], root: Any) -> list[Any]:
        return [node[n] for node in nodes if type(node) is dict for n in names if n in node]

    return step


def index(position: int) -> Step:
    def step(nodes: list[Any], root: Any) -> list[Any]:
        return [node[position] for node in nodes if type(node) is list and -len(node) <= position < len(node)]

    return step


def indexes(positions: list[int]) -> Step:
    def step(nodes: list[Any], root: Any) -> list[Any]:
        return [
            node[i] for node in nodes if type(node) is list for i in positions if -len(node) <= i < len(node)
        ]

    return step


def slice_(start: int | None, stop: int | None = None, stride: int | None = None) -> Step:
    def step(nodes: list[Any], root: Any) -> list[Any]:
        out: list[Any] = []
        for node in nodes:
            if type(node) is list:
                out.extend(node[start:stop:stride])
        return out

    return step


def wildcard(nodes: list[Any], root: Any) -> list[Any]:
    out: list[Any] = []
    for node in nodes:
        if type(node) is dict:
            out.extend(node.values())
        elif type(node) is list:
            out.extend(node)
    return out


def descendants(nodes: list[Any], root: Any) -> list[Any]:
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


def filtered(predicate: Predicate) -> Step:
    def step(nodes: list[Any], root: Any) -> list[Any]:
        out: list[Any] = []
        for node in nodes:
            children = node if type(node) is list else list(node.values()) if type(node) is dict else []
            out.extend(child for child in children if predicate(child, root))
        return out

    return step


# --- functions: ``.length()`` and Jayway's aggregations ------------------------------------


def _numbers(node: Any) -> list[float] | None:
    """The numbers of an array (Jayway skips other items); None when there are none to aggregate."""
    if type(node) is not list:
        return None
    values = [float(item) for item in node if type(item) in (int, float)]
    return values or None


def _stddev(values: list[float]) -> float:
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


# Each function maps one node to its value, or None when it does not apply to that node.
_NODE_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "avg": lambda node: (sum(v) / len(v)) if (v := _numbers(node)) else None,
    "keys": lambda node: list(node) if type(node) is dict else None,
    "length": lambda node: len(node) if type(node) in (list, dict, str) else None,
    "max": lambda node: max(v) if (v := _numbers(node)) else None,
    "min": lambda node: min(v) if (v := _numbers(node)) else None,
    "stddev": lambda node: _stddev(v) if (v := _numbers(node)) else None,
    "sum": lambda node: sum(v) if (v := _numbers(node)) else None,
}


def _function_step(apply: Callable[[Any], Any]) -> Step:
    def step(nodes: list[Any], root: Any) -> list[Any]:
        return [value for value in map(apply, nodes) if value is not None]

    return step


#: the functions a path may end a name with, as ``$.items.length()``
FUNCTIONS: dict[str, Step] = {name: _function_step(apply) for name, apply in _NODE_FUNCTIONS.items()}
