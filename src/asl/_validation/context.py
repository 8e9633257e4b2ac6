"""What a validation run carries: the problems found, the scope of a States object, small value checks."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from asl._validation.pending import is_pending
from asl._validation.schema import JSONATA, JSONPATH
from asl._validation.syntax import intrinsic_error, jsonata_error, path_error
from asl.errors import Problem
from asl.query.jsonata import is_expression

SCHEMA = "SCHEMA_VALIDATION_FAILED"
MISSING_TARGET = "MISSING_TRANSITION_TARGET"

#: how a nested state machine is checked: (run, machine, location, allowed fields, language, depth)
MachineCheck = Callable[["Run", object, str, frozenset[str], str, int], None]


@dataclass
class Scope:
    """One States object: its states, and the transitions and terminal states found so far.

    ``broken`` says a state could not be read (no Type, End not a boolean ...): its transitions are
    unknown, so the graph checks are skipped rather than piling guesses on the real problem.
    """

    loc: str
    states: Mapping[str, Any]
    edges: dict[str, list[str]] = field(default_factory=dict)
    terminal: set[str] = field(default_factory=set)
    broken: bool = False


@dataclass(frozen=True)
class StateAt:
    """Where a check is: the state's pointer, its query language, scope, name, Type and nesting depth."""

    loc: str
    language: str
    scope: Scope
    name: str
    kind: str
    depth: int


@dataclass
class Run:
    """One validation: the problems found, every state name and Map label seen, and the top language."""

    machine: MachineCheck
    problems: list[Problem] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    top_language: str = JSONPATH

    def report(self, code: str, message: str, location: str) -> None:
        self.problems.append(Problem(code, message, location))


def pointer(base: str, key: object) -> str:
    """Append one JSON-pointer step, escaped as RFC 6901 says (``~`` -> ``~0``, ``/`` -> ``~1``)."""
    return f"{base}/{str(key).replace('~', '~0').replace('/', '~1')}"


def type_name(value: object) -> str:
    """The JSON name of a value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "an array"
    return type(value).__name__


def show(value: object) -> str:
    """A short JSON rendering of a value for messages."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        # Not JSON, or nested too deep to print: name its type instead.
        text = type_name(value)
    return text if len(text) <= 60 else text[:57] + "..."


def unsupported(key: str, place: str, allowed: Iterable[str], hint: str = "") -> str:
    """The message for a field a place does not take, listing those it does.

    >>> unsupported("Foo", "in a retrier", ["MaxAttempts", "ErrorEquals"])
    "Field 'Foo' is not supported in a retrier; allowed fields: ErrorEquals, MaxAttempts"
    """
    return f"Field '{key}' is not supported {place}{hint}; allowed fields: {', '.join(sorted(allowed))}"


def is_integer(value: object) -> bool:
    # JSON has one number type: 3.0 is as good an integer as 3, but true is not one.
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def string(run: Run, value: object, loc: str, name: str) -> None:
    if not isinstance(value, str):
        run.report(SCHEMA, f"Field '{name}' must be a string, not {show(value)}", loc)


def integer(
    run: Run,
    value: object,
    loc: str,
    name: str,
    *,
    minimum: int,
    maximum: int | None = None,
    jsonata: bool,
) -> None:
    """An integer within bounds; in a JSONata state a ``{% %}`` expression is also allowed."""
    if (jsonata and is_expression(value)) or is_pending(value):
        return
    if is_integer(value) and minimum <= value and (maximum is None or value <= maximum):  # type: ignore[operator]
        return
    bounds = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
    extra = " or a JSONata expression {% ... %}" if jsonata else ""
    run.report(SCHEMA, f"Field '{name}' must be an integer {bounds}{extra}, not {show(value)}", loc)


def path(
    run: Run, value: object, loc: str, name: str, *, nullable: bool = False, reference: bool = False
) -> None:
    """A JSONPath (or, with ``reference``, a Reference Path); null where ``nullable``."""
    if (value is None and nullable) or is_pending(value):
        return
    kind = "a reference path such as $.result" if reference else "a JSONPath such as $.items[0]"
    if not isinstance(value, str):
        alternative = " or null" if nullable else ""
        run.report(SCHEMA, f"Field '{name}' must be {kind}{alternative}, not {show(value)}", loc)
        return
    problem = path_error(value, reference=reference)
    if problem is not None:
        run.report(SCHEMA, f"Field '{name}' must be {kind}; {show(value)} is not: {problem}", loc)


def dynamic(run: Run, value: object, loc: str, name: str) -> None:
    """The value of a ``.$`` field (or ErrorPath, CausePath): a path or an intrinsic function call."""
    if is_pending(value):
        return
    if not isinstance(value, str):
        run.report(
            SCHEMA, f"Field '{name}' must be a string holding a path or an intrinsic function call", loc
        )
        return
    if value.startswith("$"):
        problem = path_error(value)
    else:
        problem = intrinsic_error(value) or _parse_intrinsic(value)
    if problem is not None:
        run.report(
            SCHEMA,
            f"Field '{name}' must be a path or an intrinsic function call; {show(value)}: {problem}",
            loc,
        )


def template(run: Run, value: object, loc: str, name: str, *, must_be_object: bool = True) -> None:
    """A JSONPath payload template: every ``key.$`` must hold a path or an intrinsic call."""
    if must_be_object and not isinstance(value, Mapping):
        run.report(SCHEMA, f"Field '{name}' must be a JSON object, not {show(value)}", loc)
        return
    # A stack of iterators rather than recursion: payloads can nest deeper than Python's stack,
    # and problems still come out in document order.
    stack: list[Iterator[tuple[object, object, str]]] = [_children(value, loc)]
    while stack:
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            continue
        key, child, child_loc = step
        if isinstance(key, str) and key.endswith(".$"):
            dynamic(run, child, child_loc, key)
        elif isinstance(child, (Mapping, list)):
            stack.append(_children(child, child_loc))


def expressions(run: Run, value: object, loc: str, name: str) -> None:
    """Every ``{% ... %}`` string inside a JSONata state's field must parse as JSONata."""
    stack: list[Iterator[tuple[object, object, str]]] = [iter([(name, value, loc)])]
    while stack:
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            continue
        _, child, child_loc = step
        if is_pending(child):
            continue
        if is_expression(child):
            problem = jsonata_error(str(child))
            if problem is not None:
                run.report(
                    SCHEMA,
                    f"Field '{name}' holds a JSONata expression that does not parse; "
                    f"{show(child)}: {problem}",
                    child_loc,
                )
        elif isinstance(child, (Mapping, list)):
            stack.append(_children(child, child_loc))


def _children(node: object, loc: str) -> Iterator[tuple[object, object, str]]:
    items: Iterable[tuple[object, object]] = ()
    if isinstance(node, Mapping):
        items = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    return ((key, child, pointer(loc, key)) for key, child in items)


def target(run: Run, value: object, at: StateAt, loc: str, name: str) -> None:
    """A transition (Next, Default, a rule's or catcher's Next): a state of the same States object."""
    if is_pending(value):
        at.scope.broken = True  # filled in at deploy time: where it leads is unknown
        return
    if not isinstance(value, str):
        at.scope.broken = True  # where it leads is unknown, so reachability cannot be judged
        run.report(SCHEMA, f"Field '{name}' must be a string naming a state, not {show(value)}", loc)
        return
    if value in at.scope.states:
        at.scope.edges.setdefault(at.name, []).append(value)
        return
    run.report(
        MISSING_TARGET,
        f"Missing '{name}' target: there is no state named '{value}' in {at.scope.loc}/States "
        "(a transition cannot leave its Parallel branch or Map processor)",
        loc,
    )


def is_jsonata_state(at: StateAt) -> bool:
    return at.language == JSONATA


@cache
def _intrinsic_parser() -> tuple[Callable[..., object], type[Exception]] | None:
    """``asl.query.intrinsics.parse`` and its syntax error, when that module exists."""
    try:
        module = importlib.import_module("asl.query.intrinsics")
    except ImportError:
        return None
    parse = getattr(module, "parse", None)
    error = getattr(module, "IntrinsicSyntaxError", None)
    if not callable(parse) or not (isinstance(error, type) and issubclass(error, Exception)):
        return None
    return parse, error


def _parse_intrinsic(text: str) -> str | None:
    parser = _intrinsic_parser()
    if parser is None:
        return None
    parse, error = parser
    try:
        # AWS accepts a call with the wrong number of arguments and fails it at run time.
        parse(text, check_arity=False)
    except error as exc:
        return str(exc)
    return None
