"""Intrinsic functions (``States.Format(...)`` and the 17 others): parse once, evaluate per state.

>>> evaluate("States.Format('Hello, {}!', $.name)", {"name": "Arnav"}, {})
'Hello, Arnav!'
>>> context = {"Execution": {"Name": "x-y"}}
>>> evaluate("States.ArrayGetItem(States.StringSplit($$.Execution.Name, '-'), 1)", {}, context)
'y'

A call that cannot run fails as AWS fails it, with ``States.Runtime`` and a cause that
names the call and AWS's reason, for example ``There was an error while evaluating the
intrinsic function: States.MathAdd($.a, 1). Invalid arguments in States.MathAdd``. The
failure is a ``StateFailure``: the running state puts its own name in front.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from asl.errors import ErrorName
from asl.failures import StateFailure
from asl.query._intrinsic_functions import FORMAT, FUNCTIONS, InvalidArguments
from asl.query._intrinsic_java import java_json
from asl.query._intrinsic_parser import (
    PREFIX,
    IntrinsicCall,
    IntrinsicSyntaxError,
    PathArgument,
    parse_call,
)
from asl.query.jsonpath import PathNotFound, resolve

__all__ = [
    "FUNCTION_NAMES",
    "IntrinsicCall",
    "IntrinsicError",
    "IntrinsicSyntaxError",
    "evaluate",
    "is_intrinsic",
    "parse",
]

#: the names of the 18 intrinsic functions
FUNCTION_NAMES = frozenset(FUNCTIONS)


class IntrinsicError(StateFailure):
    """A call that failed while running: ``States.Runtime`` with AWS's words as the cause.

    Like every :class:`StateFailure` its ``detail`` (the cause) still lacks the state's
    prefix, which the running state adds. ``reason`` says in plain words what AWS leaves
    out (which argument was wrong and what is allowed), for logs and for people.
    """

    def __init__(self, cause: str, reason: str) -> None:
        super().__init__(ErrorName.RUNTIME, cause)
        self.reason = reason


def is_intrinsic(text: str) -> bool:
    """Whether a ``.$`` value is an intrinsic call (``States.``) rather than a path.

    >>> is_intrinsic("States.UUID()"), is_intrinsic("$.States")
    (True, False)
    """
    return isinstance(text, str) and text.startswith(PREFIX)


def parse(text: str, *, check_arity: bool = True) -> IntrinsicCall:
    """Parse a call once, for evaluating many times.

    Raises :class:`IntrinsicSyntaxError` for bad syntax, an unknown function name, an
    invalid path and, unless ``check_arity`` is false, a wrong number of arguments.
    AWS itself accepts a definition with a wrong argument count and fails the state
    when it runs (``States.Runtime``); pass ``check_arity=False`` to do the same.

    >>> parse("States.Array($.a, 'x')").args
    (PathArgument(path='$.a'), Literal(value='x', raw='x'))
    """
    return parse_call(text, check_arity=check_arity)


@lru_cache(maxsize=1024)
def _parse_lenient(text: str) -> IntrinsicCall:
    return parse_call(text, check_arity=False)


def evaluate(
    call: IntrinsicCall | str,
    data: Any,
    context: Any,
    variables: Mapping[str, Any] | None = None,
) -> Any:
    """Evaluate a call against the state's input (``$``), the context object (``$$``) and variables.

    Raises :class:`IntrinsicError` (a ``StatesError`` named ``States.Runtime``) when a
    function rejects its arguments or a path argument selects nothing.
    """
    if isinstance(call, str):
        call = _parse_lenient(call)
    return _evaluate(call, data, context, variables)


def _evaluate(call: IntrinsicCall, data: Any, context: Any, variables: Mapping[str, Any] | None) -> Any:
    spec = FUNCTIONS[call.name]
    prefix = f"There was an error while evaluating the intrinsic function: {call.text}."
    count = len(call.args)
    if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
        raise IntrinsicError(
            f"{prefix} Invalid arguments in {call.name}",
            f"{call.name} takes {spec.arity()} argument(s), got {count}",
        )
    values: list[Any] = []
    for position, arg in enumerate(call.args):
        if isinstance(arg, IntrinsicCall):
            values.append(_evaluate(arg, data, context, variables))
        elif isinstance(arg, PathArgument):
            try:
                values.append(resolve(arg.path, data, context, variables))
            except PathNotFound:
                raise IntrinsicError(
                    f"{prefix} The JsonPath argument for the field '{arg.path}' "
                    f"could not be found in the input '{java_json(data)}'",
                    f"the path {arg.path} selects nothing",
                ) from None
        elif call.name == FORMAT and position == 0 and arg.raw is not None:
            # The template keeps its escapes so that \{ stays a brace, not a placeholder.
            values.append(arg.raw)
        else:
            values.append(arg.value)
    try:
        return spec.apply(values)
    except InvalidArguments as exc:
        raise IntrinsicError(f"{prefix} {exc.message}", exc.reason) from None
