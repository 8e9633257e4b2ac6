"""Payload templates of JSONPath states: ``Parameters``, ``ItemSelector``, ``ResultSelector``, ``Assign``.

A key ending in ``.$`` takes its value from a path (``$.a``), the context object (``$$.a``),
a variable (``$name.a``) or an intrinsic function (``States.Format(...)``); every other
value is copied as written. Templates are compiled once into closures, so evaluating one
costs only the lookups it makes.

>>> build = compile_template({"id.$": "$.order.id", "kind": "fixed"})
>>> build({"order": {"id": 7}}, {}, None)
{'id': 7, 'kind': 'fixed'}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from asl.errors import ErrorName
from asl.failures import StateFailure
from asl.query.jsonpath import PathNotFound, compile_path

__all__ = ["Evaluator", "compile_dynamic", "compile_reference", "compile_template"]

# (data, context, variables) -> value
Evaluator = Callable[[Any, Any, Mapping[str, Any] | None], Any]


def compile_template(template: Any) -> Evaluator:
    """Compile a payload template into a function of (input, context, variables)."""
    if isinstance(template, dict):
        parts: list[tuple[str, Evaluator | None, Any]] = []
        for key, value in template.items():
            if key.endswith(".$") and isinstance(value, str):
                parts.append((key[:-2], compile_dynamic(value, field=key), None))
            elif isinstance(value, dict | list):
                parts.append((key, compile_template(value), None))
            else:
                parts.append((key, None, value))

        def build_object(data: Any, context: Any, variables: Mapping[str, Any] | None) -> Any:
            out: dict[str, Any] = {}
            for key, evaluate, constant in parts:
                out[key] = constant if evaluate is None else evaluate(data, context, variables)
            return out

        return build_object
    if isinstance(template, list):
        items = [compile_template(item) for item in template]
        return lambda data, context, variables: [item(data, context, variables) for item in items]
    return lambda data, context, variables: template


def compile_dynamic(expression: str, *, field: str) -> Evaluator:
    """The value of a ``.$`` field: an intrinsic function call or a path."""
    if expression.startswith("States."):
        from asl.query import intrinsics

        call = intrinsics.parse(expression, check_arity=False)  # AWS checks counts at run time
        return lambda data, context, variables: intrinsics.evaluate(call, data, context, variables)
    return compile_reference(expression, field=field)


def compile_reference(path: str, *, field: str) -> Evaluator:
    """A path that must select something; a miss is AWS's ``States.Runtime`` error."""
    select = compile_path(path).evaluate

    def evaluate(data: Any, context: Any, variables: Mapping[str, Any] | None) -> Any:
        try:
            return select(data, context, variables)
        except PathNotFound:
            raise _not_found(path, field, data) from None

    return evaluate


def _not_found(path: str, field: str, data: Any) -> StateFailure:
    from asl._json import to_json

    return StateFailure(
        ErrorName.RUNTIME,
        f"The JSONPath '{path}' specified for the field '{field}' could not be found "
        f"in the input '{to_json(data)}'",
    )
