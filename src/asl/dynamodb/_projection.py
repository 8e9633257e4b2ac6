"""ProjectionExpression: the parts of an item that a list of document paths names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._ast import Path
from .values import AttributeValue, Item


def project(item: Item, paths: tuple[Path, ...]) -> Item:
    """The parts of ``item`` that ``paths`` name, nested as in the item (ProjectionExpression)."""
    result: dict[str, Any] = {}
    for path in paths:
        _copy_path(item, result, path.elements)
    return finish_projection(result)


def _copy_path(
    source: Mapping[str, AttributeValue], target: dict[str, Any], elements: tuple[Any, ...]
) -> None:
    # Walk the source along the path; create the same shape in the target. Lists in the
    # target keep the projected elements in index order, as DynamoDB returns them.
    name = elements[0]
    value = source.get(name)
    if value is None:
        return
    if len(elements) == 1:
        target[name] = value
        return
    nxt = elements[1]
    if isinstance(nxt, int):
        seq = value.get("L")
        if seq is None or nxt >= len(seq):
            return
        existing = target.get(name)
        indexed: dict[int, Any] = existing["L"] if existing is not None else {}
        _copy_index(seq, indexed, elements[1:])
        if indexed:
            target[name] = {"L": indexed}
        return
    mapping = value.get("M")
    if mapping is None:
        return
    existing = target.get(name)
    inner: dict[str, Any] = existing["M"] if existing is not None else {}
    _copy_path(mapping, inner, elements[1:])
    if inner:  # only paths that found something appear in the result
        target[name] = {"M": inner}


def _copy_index(seq: list[AttributeValue], target: dict[int, Any], elements: tuple[Any, ...]) -> None:
    index = elements[0]
    value = seq[index]
    if len(elements) == 1:
        target[index] = value
        return
    wrapper = {"_": value}
    sub = target.get(index)
    holder: dict[str, Any] = {"_": sub} if sub is not None else {}
    _copy_path(wrapper, holder, ("_", *elements[1:]))
    if "_" in holder:
        target[index] = holder["_"]


def finish_projection(item: Item) -> Item:
    """Turn the index-keyed list placeholders of :func:`project` into real lists."""
    return {k: _finish(v) for k, v in item.items()}


def _finish(value: Any) -> Any:
    if "L" in value and isinstance(value["L"], dict):
        return {"L": [_finish(value["L"][i]) for i in sorted(value["L"])]}
    if "M" in value:
        return {"M": {k: _finish(v) for k, v in value["M"].items()}}
    return value
