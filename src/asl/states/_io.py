"""Input and output processing of JSONPath states: InputPath, ResultPath and OutputPath.

The order AWS applies, for the states that have them all (Task, Map, Parallel):
InputPath -> Parameters -> (the work) -> ResultSelector -> ResultPath -> OutputPath.
``ResultPath`` writes into the state's *raw* input, never into the output of InputPath.
A path given as JSON ``null`` means "nothing": InputPath/OutputPath give ``{}`` and
ResultPath discards the result and passes the raw input on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from asl.errors import ErrorName
from asl.failures import StateFailure
from asl.query.jsonpath import PathNotFound, compile_path, resolve

__all__ = [
    "ABSENT",
    "Selector",
    "compile_input_path",
    "compile_result_path",
    "normalized_path",
    "passes_through",
]


class _Absent:
    """The field is not in the definition (unlike JSON null, which means 'nothing')."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()

# (value, context, variables) -> value
Selector = Callable[[Any, Any, Mapping[str, Any] | None], Any]


def _identity(value: Any, context: Any, variables: Mapping[str, Any] | None = None) -> Any:
    return value


def passes_through(selector: Selector) -> bool:
    """True for the selector of an absent path or ``$``: it answers its value unchanged."""
    return selector is _identity


def _empty(value: Any, context: Any, variables: Mapping[str, Any] | None = None) -> Any:
    return {}


def normalized_path(text: str) -> str:
    """Jayway's normalised form, as AWS quotes it in errors: ``$.a[0]`` -> ``$['a'][0]``."""
    compiled = compile_path(text)
    if compiled.fields is None:
        return text
    parts = [compiled.root]
    for name in compiled.fields:
        parts.append(f"['{name}']" if isinstance(name, str) else f"[{name}]")
    return "".join(parts)


def compile_input_path(path: Any, field: str) -> Selector:
    """InputPath or OutputPath: select part of a value, ``null`` gives ``{}``."""
    if path is ABSENT or path == "$":
        return _identity
    if path is None:
        return _empty
    evaluate = compile_path(path).evaluate

    def select(value: Any, context: Any, variables: Mapping[str, Any] | None = None) -> Any:
        try:
            return evaluate(value, context, variables)
        except PathNotFound:
            raise StateFailure(
                ErrorName.RUNTIME,
                f"Invalid path '{path}' : No results for path: {normalized_path(path)}",
            ) from None

    return select


# (raw input, result) -> combined
Combiner = Callable[[Any, Any], Any]


def compile_result_path(path: Any) -> Combiner:
    """ResultPath: where the result goes inside a copy of the raw input."""
    if path is ABSENT or path == "$":
        return lambda raw, result: result
    if path is None:
        return lambda raw, result: raw
    compiled = compile_path(path)
    fields = compiled.fields
    if fields is None or compiled.root != "$":
        raise ValueError(f"ResultPath must be a reference path such as $.a.b, got {path!r}")

    def combine(raw: Any, result: Any) -> Any:
        return _set_in_copy(raw, fields, result, path)

    return combine


def _set_in_copy(node: Any, fields: tuple[str | int, ...], value: Any, path: str) -> Any:
    """A copy of ``node`` with ``value`` at ``fields``; only the spine is copied."""
    if not fields:
        return value
    head, rest = fields[0], fields[1:]
    if isinstance(head, str):
        if not isinstance(node, dict):
            raise _match_failure(path, node)
        copy = dict(node)
        copy[head] = _set_in_copy(node.get(head, {}) if rest else None, rest, value, path)
        return copy
    if not isinstance(node, list) or not -len(node) <= head < len(node):
        raise _match_failure(path, node)
    copy_list = list(node)
    copy_list[head] = _set_in_copy(node[head], rest, value, path)
    return copy_list


def _match_failure(path: str, node: Any) -> StateFailure:
    from asl._json import to_json

    return StateFailure(
        ErrorName.RESULT_PATH_MATCH_FAILURE,
        f'Unable to apply ResultPath "{path}" to input "{to_json(node)}"',
    )


def path_value(
    path: str,
    field: str,
    data: Any,
    context: Any,
    variables: Mapping[str, Any] | None,
    *,
    noun: str = "parameter",
) -> Any:
    """The value a ``*Path`` field (SecondsPath, TimeoutSecondsPath, MaxConcurrencyPath ...)
    selects; AWS's ``States.Runtime`` error, naming the field, when it selects nothing."""
    try:
        return resolve(path, data, context, variables)
    except PathNotFound:
        raise StateFailure(
            ErrorName.RUNTIME, f"The {field} {noun} does not reference an input value: {path}"
        ) from None
