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
    "SCAN_FUNCTIONS",
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

_Aggregate = Callable[[list[float]], float]
_AGGREGATIONS: dict[str, _Aggregate] = {
    "avg": lambda values: sum(values) / len(values),
    "max": max,
    "min": min,
    "stddev": lambda values: math.sqrt(
        sum((v - sum(values) / len(values)) ** 2 for v in values) / len(values)
    ),
    "sum": sum,
}


def _numbers(nodes: list[Any]) -> list[float]:
    """The numbers among ``nodes`` (Jayway skips other items), as floats: Jayway answers doubles."""
    return [float(item) for item in nodes if type(item) in (int, float)]


def _per_node(apply: Callable[[Any], Any]) -> Step:
    def step(nodes: list[Any], root: Any) -> list[Any]:
        return [value for value in map(apply, nodes) if value is not None]

    return step


def _aggregate_each(aggregate: _Aggregate) -> Step:
    """The aggregation of each array node; nodes with no numbers give nothing."""
    return _per_node(lambda node: aggregate(v) if type(node) is list and (v := _numbers(node)) else None)


def _aggregate_all(aggregate: _Aggregate) -> Step:
    """The aggregation of every number the nodes hold, arrays flattened once."""

    def step(nodes: list[Any], root: Any) -> list[Any]:
        values = _numbers([item for node in nodes for item in (node if type(node) is list else (node,))])
        return [aggregate(values)] if values else []

    return step


def _length_all(nodes: list[Any], root: Any) -> list[Any]:
    # Jayway counts the children of every match (it appends [*] to the scan).
    return [sum(len(node) for node in nodes if type(node) in (list, dict))]


#: the functions a path may end a name with, as ``$.items.length()``, applied to each node
FUNCTIONS: dict[str, Step] = {
    "keys": _per_node(lambda node: list(node) if type(node) is dict else None),
    "length": _per_node(lambda node: len(node) if type(node) in (list, dict, str) else None),
    **{name: _aggregate_each(aggregate) for name, aggregate in _AGGREGATIONS.items()},
}

#: the same functions at the end of a path that starts with a scan (``$..price.sum()``): Jayway
#: rewrites that path as the function of the scan's whole result, one value.
SCAN_FUNCTIONS: dict[str, Step] = {
    "length": _length_all,
    **{name: _aggregate_all(aggregate) for name, aggregate in _AGGREGATIONS.items()},
}
