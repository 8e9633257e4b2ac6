"""JSONata in Step Functions: ``{% expression %}`` strings, the ``$states`` binding and AWS's extra functions.

A JSONata state writes its fields (``Arguments``, ``Output``, ``Assign``, ``Condition``,
``Items``, ``Seconds`` ...) as templates: any string of the form ``{% ... %}`` is an
expression, evaluated with ``$states`` (``input``, ``result``, ``errorOutput``,
``context``) and the workflow variables bound; everything else is literal.
Expressions are parsed once, by the jsonata-python engine, when the state is compiled.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from jsonata import Jsonata
from jsonata.jexception import JException

from asl.errors import ErrorName
from asl.runtime.failures import StateFailure

__all__ = ["JSONataTemplate", "compile_jsonata", "expression_text", "is_expression"]


def is_expression(value: Any) -> bool:
    """Is this a ``{% ... %}`` string?"""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def expression_text(value: str) -> str:
    return value[2:-2].strip()


# Evaluates with (states binding, variables) -> value
JSONataTemplate = Callable[[Mapping[str, Any], Mapping[str, Any] | None], Any]

_VARIABLE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def compile_jsonata(template: Any, field: str) -> JSONataTemplate:
    """Compile a JSONata-mode field into a function of ($states, variables).

    ``field`` names where the template sits (``Output``, ``Assign/result``), as AWS's error
    messages do.
    """
    if is_expression(template):
        text = expression_text(template)
        try:
            engine = Jsonata(text)
        except JException as err:
            raise ValueError(f"invalid JSONata expression {text!r} in {field}: {err}") from None

        def evaluate(states: Mapping[str, Any], variables: Mapping[str, Any] | None) -> Any:
            bindings: dict[str, Any] = dict(_FUNCTIONS)
            if variables:
                bindings.update(variables)
            bindings["states"] = states
            try:
                value = engine.evaluate(None, bindings)
            except JException as err:
                code = getattr(err, "error", None)
                message = str(err)
                detail = f"{code}: {message}" if code and not message.startswith(code) else message
                raise StateFailure(
                    ErrorName.QUERY_EVALUATION_ERROR,
                    f"The JSONata expression '{text}' specified for the field '{field}' "
                    f"threw an error during evaluation. {detail}",
                ) from None
            except StateFailure:
                raise
            except Exception as err:  # an AWS function rejected its arguments
                raise StateFailure(
                    ErrorName.QUERY_EVALUATION_ERROR,
                    f"The JSONata expression '{text}' specified for the field '{field}' "
                    f"threw an error during evaluation. {err}",
                ) from None
            if value is None and _returns_undefined(text, bindings):
                raise StateFailure(
                    ErrorName.QUERY_EVALUATION_ERROR,
                    f"The JSONata expression '{text}' specified for the field '{field}' "
                    "returned nothing (undefined).",
                )
            return _plain(value)

        return evaluate
    if isinstance(template, dict):
        parts = [(key, compile_jsonata(value, f"{field}/{key}")) for key, value in template.items()]
        return lambda states, variables: {key: part(states, variables) for key, part in parts}
    if isinstance(template, list):
        items = [compile_jsonata(value, f"{field}[{i}]") for i, value in enumerate(template)]
        return lambda states, variables: [item(states, variables) for item in items]
    return lambda states, variables: template


def _returns_undefined(text: str, bindings: dict[str, Any]) -> bool:
    # jsonata-python maps both JSON null and "undefined" to None; $exists() tells them
    # apart. Only reached when the value is None, so the common path pays nothing.
    variable = _VARIABLE.fullmatch(text)
    if variable:
        return variable.group(1) not in bindings
    try:
        return Jsonata(f"$exists(({text}))").evaluate(None, bindings) is False
    except JException:
        return False


def _plain(value: Any) -> Any:
    """Turn the engine's sequences and number types into plain JSON values."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


# --- the functions AWS adds to JSONata ----------------------------------------------------


def _partition(array: Any, size: Any) -> list[Any]:
    if not isinstance(array, list) or not isinstance(size, int | float) or size <= 0:
        raise ValueError("$partition takes an array and a positive chunk size")
    step = int(size)
    return [array[i : i + step] for i in range(0, len(array), step)]


def _range(start: Any, end: Any, step: Any) -> Any:
    values = list(range(int(start), int(end) + (1 if step > 0 else -1), int(step)))
    if len(values) > 1000:
        raise ValueError("$range returns at most 1000 elements")
    # AWS returns a JSONata sequence, and a sequence of one value is that value
    return values[0] if len(values) == 1 else values


def _hash(data: Any, algorithm: Any) -> str:
    names = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
    if algorithm not in names:
        raise ValueError(f"$hash algorithm must be one of {', '.join(names)}")
    text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    return hashlib.new(names[algorithm], text.encode()).hexdigest()


def _random(seed: Any = None) -> float:
    return random.Random(seed).random() if seed is not None else random.random()


def _parse(text: Any) -> Any:
    if not isinstance(text, str):
        raise ValueError("$parse takes a JSON string")
    return json.loads(text)


_FUNCTIONS: dict[str, Any] = {
    "partition": Jsonata.JLambda(_partition),
    "range": Jsonata.JLambda(_range),
    "hash": Jsonata.JLambda(_hash),
    "random": Jsonata.JLambda(_random),
    "uuid": Jsonata.JLambda(lambda: str(uuid.uuid4())),
    "parse": Jsonata.JLambda(_parse),
}
