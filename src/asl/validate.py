"""Static validation of a definition, like AWS's ValidateStateMachineDefinition: every problem, coded, placed.

:func:`iter_errors` yields every :class:`~asl.errors.Problem` in definition order, each with an AWS
diagnostic code, a message naming the field and what it allows, and a JSON pointer such as
``/States/Fetch/Next``. :func:`validate` raises :class:`~asl.errors.DefinitionError` with all of them.

The field tables, string syntax and per-field checks live in the private package ``asl._validation``;
this module walks the definition (machines, then states) and dispatches on the spec's own words:
the state's ``Type`` picks its allowed fields, and each field's name picks its check.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from asl._validation.context import (
    Run,
    Scope,
    StateAt,
    expressions,
    integer,
    pointer,
    show,
    string,
    type_name,
    unsupported,
)
from asl._validation.fields import CHECKS
from asl._validation.pending import is_pending
from asl._validation.schema import (
    BRANCH_FIELDS,
    EXACTLY_ONE,
    EXCLUSIVE,
    FIELDS,
    FLOW_TYPES,
    JSONATA,
    JSONPATH,
    MAX_DEPTH,
    MAX_STATE_NAME,
    PROCESSOR_CONFIG_FIELDS,
    PROCESSOR_FIELDS,
    QUERY_LANGUAGES,
    REQUIRED,
    STATE_TYPES,
    TOP_LEVEL_FIELDS,
)
from asl._validation.template import TemplateProblem, is_template, load_template, template_problems
from asl.errors import DefinitionError, Problem

__all__ = ["iter_errors", "iter_template_errors", "validate"]

SCHEMA = "SCHEMA_VALIDATION_FAILED"
MISSING_TARGET = "MISSING_TRANSITION_TARGET"
MISSING_END = "MISSING_END_STATE"
DUPLICATE_STATE = "DUPLICATE_STATE_NAME"
INVALID_STATE_NAME = "INVALID_STATE_NAME"
TOO_DEEP = "TOO_DEEPLY_NESTED"
#: fields holding nested state machines, whose states are checked in their own language
_NESTED = frozenset({"Branches", "ItemProcessor", "Iterator"})
#: how messages name each kind of machine, keyed by its field table
_PLACES = {
    TOP_LEVEL_FIELDS: "at the top level of a state machine",
    BRANCH_FIELDS: "in a Parallel branch",
    PROCESSOR_FIELDS: "in a Map's ItemProcessor or Iterator",
}


def iter_errors(definition: Mapping[str, Any]) -> Iterator[Problem]:
    """Yield every problem of ``definition`` (a parsed JSON object), in definition order.

    >>> bad = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}
    >>> [(p.code, p.location) for p in iter_errors(bad)]
    [('MISSING_TRANSITION_TARGET', '/States/A/Next'), ('MISSING_END_STATE', '/States')]
    """
    run = Run(machine=_machine)
    if not isinstance(definition, Mapping):
        run.report(
            SCHEMA,
            f"The definition must be a JSON object with StartAt and States, not {type_name(definition)}",
            "",
        )
    else:
        top = definition.get("QueryLanguage")
        run.top_language = top if top in QUERY_LANGUAGES else JSONPATH
        try:
            _machine(run, definition, "", TOP_LEVEL_FIELDS, JSONPATH, 0)
        except RecursionError:  # e.g. an intrinsic function nested thousands deep: parsing it recurses
            run.report(SCHEMA, "The definition nests too deeply (a path, an expression or a value)", "")
    yield from run.problems


def validate(definition: Mapping[str, Any]) -> None:
    """Raise :class:`~asl.errors.DefinitionError` listing every problem, if there is any.

    >>> validate({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
    """
    problems = list(iter_errors(definition))
    if problems:
        raise DefinitionError(problems)


def iter_template_errors(path: Path | str) -> Iterator[TemplateProblem]:
    """Yield every problem of every state machine in a SAM or CloudFormation template file.

    Each :class:`~asl._validation.template.TemplateProblem` names the resource's logical id and
    where its definition came from; its problem's location is a JSON pointer into the definition.
    Raises :class:`~asl.errors.DefinitionError` when the file cannot be read or is not a template.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise DefinitionError(f"cannot read the template file {str(path)!r}: {err.strerror}") from None
    document, is_json = load_template(text, str(path))
    if not is_template(document):
        raise DefinitionError(f"{path} is not a CloudFormation or SAM template: it has no Resources object")
    yield from template_problems(document, text, is_json, path.parent)


def _machine(
    run: Run, machine: object, loc: str, allowed: frozenset[str], inherited: str, depth: int
) -> None:
    """Check a state machine, or a nested one (a Parallel branch, a Map's ItemProcessor)."""
    if depth > MAX_DEPTH:
        run.report(TOO_DEEP, f"States are nested more than {MAX_DEPTH} levels deep", loc)
        return
    if is_pending(machine):
        return
    if not isinstance(machine, Mapping):
        run.report(
            SCHEMA, f"A state machine must be a JSON object with StartAt and States, not {show(machine)}", loc
        )
        return
    language = _language(run, machine, loc, inherited)
    for key, value in machine.items():
        at = pointer(loc, key)
        if key not in allowed:
            run.report(
                SCHEMA,
                unsupported(key, _PLACES.get(allowed, "here"), allowed),
                at,
            )
        elif key == "Comment" or key == "Version":
            string(run, value, at, key)
        elif key == "TimeoutSeconds":
            integer(run, value, at, key, minimum=1, jsonata=False)
        elif key == "ProcessorConfig":
            _processor_config(run, value, at)
    start = machine.get("StartAt")
    states = machine.get("States")
    if is_pending(states):
        return
    if is_pending(start):
        start = None
        scope_unknown = True
    else:
        scope_unknown = False
    if start is None and not scope_unknown:
        run.report(SCHEMA, "Field 'StartAt' is required: the name of the first state to run", loc)
    elif not isinstance(start, str):
        run.report(
            SCHEMA,
            f"Field 'StartAt' must be a string naming a state, not {show(start)}",
            pointer(loc, "StartAt"),
        )
    if states is None:
        run.report(SCHEMA, "Field 'States' is required: a JSON object mapping state names to states", loc)
        return
    if not isinstance(states, Mapping) or not states:
        what = "an empty object" if isinstance(states, Mapping) else show(states)
        run.report(
            SCHEMA,
            f"Field 'States' must be a non-empty JSON object of states, not {what}",
            pointer(loc, "States"),
        )
        return
    scope = Scope(loc=loc, states=states, broken=scope_unknown)
    if isinstance(start, str) and start not in states:
        run.report(
            MISSING_TARGET,
            f"Field 'StartAt' names '{start}', but there is no such state in {loc}/States",
            pointer(loc, "StartAt"),
        )
    states_loc = pointer(loc, "States")
    for name, state in states.items():
        _state(run, name, state, pointer(states_loc, name), scope, language, depth)
    if isinstance(start, str) and start in states and not scope.broken:
        _graph(run, start, scope, states_loc)


def _graph(run: Run, start: str, scope: Scope, states_loc: str) -> None:
    """Report states nothing leads to, and a machine that can never stop."""
    reached = {start}
    todo = [start]
    while todo:
        for target in scope.edges.get(todo.pop(), ()):
            if target not in reached:
                reached.add(target)
                todo.append(target)
    for name in scope.states:
        if name not in reached:
            run.report(
                MISSING_TARGET,
                f'State "{name}" is not reachable: no StartAt, Next, Default or Catch Next leads to it',
                pointer(states_loc, name),
            )
    if not any(name in reached for name in scope.terminal):
        run.report(
            MISSING_END,
            "No terminal state can be reached from StartAt: give a reachable state 'End': true, "
            "or lead to a Succeed or Fail state",
            states_loc,
        )


def _language(run: Run, holder: Mapping[str, Any], loc: str, inherited: str) -> str:
    """The query language of a state or machine: its own QueryLanguage, else the enclosing one."""
    value = holder.get("QueryLanguage")
    if value is None or is_pending(value):
        return inherited
    at = pointer(loc, "QueryLanguage")
    if value not in QUERY_LANGUAGES:
        run.report(
            SCHEMA,
            f"Field 'QueryLanguage' must be one of {', '.join(QUERY_LANGUAGES)}, not {show(value)}",
            at,
        )
        return inherited
    if value == JSONPATH and run.top_language == JSONATA:
        run.report(
            SCHEMA,
            "Field 'QueryLanguage' cannot be JSONPath when the state machine's top-level QueryLanguage "
            "is JSONata",
            at,
        )
    return str(value)


def _state_name(run: Run, name: object, loc: str) -> None:
    if not isinstance(name, str):
        run.report(INVALID_STATE_NAME, f"State name {show(name)} must be a string", loc)
        return
    if not name or len(name) > MAX_STATE_NAME:
        run.report(
            INVALID_STATE_NAME,
            f"State name '{name[:20]}{'...' if len(name) > 20 else ''}' has {len(name)} characters; "
            f"a state name must have 1 to {MAX_STATE_NAME}",
            loc,
        )
    first = run.names.setdefault(name, loc)
    if first != loc:
        run.report(
            DUPLICATE_STATE,
            f"State name '{name}' is already used at {first}; state names must be unique in the whole "
            "state machine, Parallel branches and Map processors included",
            loc,
        )


def _state(run: Run, name: object, state: object, loc: str, scope: Scope, inherited: str, depth: int) -> None:
    _state_name(run, name, loc)
    if not isinstance(state, Mapping) or state.get("Type") not in STATE_TYPES:
        scope.broken = True
    if not isinstance(state, Mapping):
        run.report(SCHEMA, f"State '{name}' must be a JSON object with a Type field, not {show(state)}", loc)
        return
    kind = state.get("Type")
    types = ", ".join(STATE_TYPES)
    if kind is None:
        run.report(SCHEMA, f"Field 'Type' is required; allowed values: {types}", loc)
        return
    if kind not in STATE_TYPES:
        run.report(SCHEMA, f"Field 'Type' must be one of {types}, not {show(kind)}", pointer(loc, "Type"))
        return
    language = _language(run, state, loc, inherited)
    at = StateAt(loc=loc, language=language, scope=scope, name=str(name), kind=str(kind), depth=depth)
    allowed = FIELDS[language][kind]
    for key, value in state.items():
        field_loc = pointer(loc, key)
        if key not in allowed:
            _unknown(run, key, at, allowed, field_loc)
            continue
        if is_pending(value):
            # Filled in at deploy time: any value may come, but a transition's target is unknown.
            if key in ("Next", "Default", "End"):
                scope.broken = True
            continue
        check = CHECKS.get(key)
        if check is not None:
            check(run, value, at, field_loc)
        if language == JSONATA and key not in _NESTED:
            expressions(run, value, field_loc, str(key))
    _cross_fields(run, state, at)


def _unknown(run: Run, key: str, at: StateAt, allowed: frozenset[str], loc: str) -> None:
    other = JSONATA if at.language == JSONPATH else JSONPATH
    listed = ", ".join(sorted(allowed))
    if key in FIELDS[other][at.kind]:
        message = (
            f"Field '{key}' is only allowed when QueryLanguage is {other}, and this {at.kind} state uses "
            f"{at.language}; allowed fields: {listed}"
        )
    else:
        message = unsupported(key, f"in a {at.kind} state", allowed)
    run.report(SCHEMA, message, loc)


def _cross_fields(run: Run, state: Mapping[str, Any], at: StateAt) -> None:
    """Rules about several fields at once: required ones, exclusive pairs, Next xor End."""
    kind = at.kind
    for name in REQUIRED.get(kind, ()):
        if name not in state:
            run.report(SCHEMA, f"Field '{name}' is required in a {kind} state", at.loc)
    allowed = FIELDS[at.language][kind]
    for group in EXACTLY_ONE.get(kind, ()):
        options = [name for name in group if name in allowed]
        present = [name for name in options if name in state]
        if len(present) != 1:
            where = pointer(at.loc, present[1]) if present else at.loc
            run.report(
                SCHEMA,
                f"A {kind} state must have exactly one of {', '.join(options)}; it has "
                + (", ".join(present) if present else "none"),
                where,
            )
    for first, second in EXCLUSIVE.get(kind, ()):
        if first in state and second in state:
            run.report(
                SCHEMA,
                f"Fields '{first}' and '{second}' cannot both be set; use one",
                pointer(at.loc, second),
            )
    if kind == "Task":
        _heartbeat(run, state, at)
    if kind in FLOW_TYPES and isinstance(state.get("End", False), bool):
        ends = state.get("End") is True
        if ends:
            at.scope.terminal.add(at.name)
        if ends and "Next" in state:
            run.report(
                SCHEMA, "A state cannot have both 'Next' and 'End': true; keep one", pointer(at.loc, "End")
            )
        elif not ends and "Next" not in state:
            run.report(
                SCHEMA, f"A {kind} state needs 'Next' (a state name) or 'End': true; it has neither", at.loc
            )
    elif kind in ("Succeed", "Fail"):
        at.scope.terminal.add(at.name)


def _heartbeat(run: Run, state: Mapping[str, Any], at: StateAt) -> None:
    heartbeat, timeout = state.get("HeartbeatSeconds"), state.get("TimeoutSeconds")
    numbers = (int, float)
    if (
        isinstance(heartbeat, numbers)
        and isinstance(timeout, numbers)
        and not isinstance(heartbeat, bool)
        and not isinstance(timeout, bool)
        and heartbeat >= timeout
    ):
        run.report(
            SCHEMA,
            f"Field 'HeartbeatSeconds' ({heartbeat}) must be smaller than 'TimeoutSeconds' ({timeout})",
            pointer(at.loc, "HeartbeatSeconds"),
        )


def _processor_config(run: Run, value: object, loc: str) -> None:
    if not isinstance(value, Mapping):
        run.report(SCHEMA, f"Field 'ProcessorConfig' must be a JSON object, not {show(value)}", loc)
        return
    for key, item in value.items():
        allowed = PROCESSOR_CONFIG_FIELDS.get(key)
        if is_pending(item) and allowed is not None:
            continue
        if allowed is None:
            run.report(
                SCHEMA,
                unsupported(key, "in ProcessorConfig", PROCESSOR_CONFIG_FIELDS),
                pointer(loc, key),
            )
        elif item not in allowed:
            run.report(
                SCHEMA,
                f"Field '{key}' must be one of {', '.join(allowed)}, not {show(item)}",
                pointer(loc, key),
            )
