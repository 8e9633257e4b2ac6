"""Checks for the list-valued fields with rules of their own: Choice rules, Retry and Catch."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from asl._validation.context import (
    SCHEMA,
    Run,
    StateAt,
    integer,
    is_number,
    path,
    pointer,
    show,
    string,
    target,
    template,
    unsupported,
)
from asl._validation.pending import is_pending
from asl._validation.schema import (
    BOOLEAN_RULES,
    CATCHER_FIELDS,
    CHOICE_RULE_FIELDS,
    COMPARISONS,
    ERROR_ALL,
    JITTER_STRATEGIES,
    JSONATA,
    JSONPATH,
    MAX_DEPTH,
    MAX_SECONDS,
    RETRIER_FIELDS,
)
from asl._validation.syntax import timestamp_error
from asl.query.jsonata import is_expression


def _is_string(value: object) -> bool:
    return isinstance(value, str)


def _is_boolean(value: object) -> bool:
    return isinstance(value, bool)


def _is_timestamp(value: object) -> bool:
    return isinstance(value, str) and timestamp_error(value) is None


#: what a comparison operator's operand must be, by the kind COMPARISONS gives it
_OPERAND: dict[str, tuple[str, Callable[[object], bool]]] = {
    "string": ("a string", _is_string),
    "number": ("a number", is_number),
    "boolean": ("a boolean (true or false)", _is_boolean),
    "timestamp": ("an RFC 3339 timestamp string such as 2016-03-14T01:59:00Z", _is_timestamp),
}


def _list(run: Run, value: object, loc: str, name: str, what: str) -> Sequence[Any] | None:
    if not isinstance(value, list) or not value:
        run.report(SCHEMA, f"Field '{name}' must be a non-empty array of {what}, not {show(value)}", loc)
        return None
    return value


def choices(run: Run, value: object, at: StateAt, loc: str) -> None:
    rules = _list(run, value, loc, "Choices", "Choice rules")
    for index, rule in enumerate(rules or ()):
        _rule(run, rule, at, pointer(loc, index), top=True, depth=at.depth)


def _rule(run: Run, rule: object, at: StateAt, loc: str, *, top: bool, depth: int) -> None:
    if depth > MAX_DEPTH:
        run.report("TOO_DEEPLY_NESTED", f"Choice rules are nested more than {MAX_DEPTH} levels deep", loc)
        return
    if is_pending(rule):
        at.scope.broken = True  # a whole rule filled in at deploy time: its Next is unknown
        return
    if not isinstance(rule, Mapping):
        run.report(SCHEMA, f"A Choice rule must be a JSON object, not {show(rule)}", loc)
        return
    if at.language == JSONATA:
        _jsonata_rule(run, rule, at, loc)
        return
    extra = CHOICE_RULE_FIELDS[JSONPATH] if top else frozenset({"Comment"})
    conditions: list[str] = []
    for key, value in rule.items():
        key_loc = pointer(loc, key)
        if key in COMPARISONS:
            conditions.append(key)
            _operand(run, key, value, key_loc)
        elif key in BOOLEAN_RULES:
            conditions.append(key)
            _boolean(run, key, value, at, key_loc, depth)
        elif key == "Variable":
            path(run, value, key_loc, key)
        elif key in extra:
            _rule_extra(run, key, value, at, key_loc)
        elif key in CHOICE_RULE_FIELDS[JSONPATH]:
            run.report(
                SCHEMA,
                f"Field '{key}' is only allowed in a top-level Choice rule, not inside And/Or/Not",
                key_loc,
            )
        else:
            hint = "; Condition belongs to JSONata states" if key == "Condition" else ""
            run.report(
                SCHEMA,
                f"Field '{key}' is not supported in a Choice rule{hint}; a rule has Variable and one "
                "comparison operator (StringEquals, NumericLessThan, IsPresent, ...), or one of And, Or, Not"
                + (", and Next" if top else ""),
                key_loc,
            )
    if not conditions:
        run.report(
            SCHEMA,
            "A Choice rule needs exactly one comparison operator (such as StringEquals or IsPresent) "
            "or one of And, Or, Not; it has none",
            loc,
        )
    elif len(conditions) > 1:
        run.report(
            SCHEMA,
            "A Choice rule needs exactly one comparison operator or And/Or/Not; "
            f"it has {', '.join(conditions)}",
            pointer(loc, conditions[1]),
        )
    elif conditions[0] in COMPARISONS and "Variable" not in rule:
        run.report(SCHEMA, f"Field 'Variable' is required with the comparison operator {conditions[0]}", loc)
    elif conditions[0] in BOOLEAN_RULES and "Variable" in rule:
        run.report(SCHEMA, f"Field 'Variable' is not allowed with {conditions[0]}", pointer(loc, "Variable"))
    if top and "Next" not in rule:
        run.report(SCHEMA, "Field 'Next' is required in a top-level Choice rule: the state to go to", loc)


def _jsonata_rule(run: Run, rule: Mapping[str, Any], at: StateAt, loc: str) -> None:
    allowed = CHOICE_RULE_FIELDS[JSONATA]
    for key, value in rule.items():
        key_loc = pointer(loc, key)
        if key == "Condition":
            if not isinstance(value, bool) and not is_expression(value):
                run.report(
                    SCHEMA,
                    "Field 'Condition' must be a JSONata expression {% ... %} or a boolean, "
                    f"not {show(value)}",
                    key_loc,
                )
        elif key in allowed:
            _rule_extra(run, key, value, at, key_loc)
        else:
            hint = (
                " (comparison operators belong to JSONPath states)"
                if key in COMPARISONS or key == "Variable"
                else ""
            )
            run.report(
                SCHEMA,
                unsupported(key, "in a JSONata Choice rule", allowed, hint),
                key_loc,
            )
    for name in ("Condition", "Next"):
        if name not in rule:
            run.report(SCHEMA, f"Field '{name}' is required in a JSONata Choice rule", loc)


def _rule_extra(run: Run, key: str, value: object, at: StateAt, loc: str) -> None:
    if key == "Next":
        target(run, value, at, loc, "Next")
    elif key == "Comment":
        string(run, value, loc, key)
    elif key == "Assign":
        assign(run, value, at, loc)


def assign(run: Run, value: object, at: StateAt, loc: str) -> None:
    if at.language == JSONPATH:
        template(run, value, loc, "Assign")
    elif not isinstance(value, Mapping):
        run.report(SCHEMA, f"Field 'Assign' must be a JSON object of variables, not {show(value)}", loc)


def _operand(run: Run, operator: str, value: object, loc: str) -> None:
    kind = COMPARISONS[operator]
    if is_pending(value):
        return
    if kind == "path":
        path(run, value, loc, operator)
        return
    description, accepts = _OPERAND[kind]
    if not accepts(value):
        run.report(SCHEMA, f"Field '{operator}' must be {description}, not {show(value)}", loc)


def _boolean(run: Run, key: str, value: object, at: StateAt, loc: str, depth: int) -> None:
    if key == "Not":
        _rule(run, value, at, loc, top=False, depth=depth + 1)
        return
    rules = _list(run, value, loc, key, "Choice rules")
    for index, rule in enumerate(rules or ()):
        _rule(run, rule, at, pointer(loc, index), top=False, depth=depth + 1)


def _error_equals(run: Run, names: object, at: str, last: bool, field: str) -> None:
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
        run.report(
            SCHEMA, f"Field 'ErrorEquals' must be a non-empty array of error names, not {show(names)}", at
        )
        return
    if ERROR_ALL in names and len(names) > 1:
        run.report(SCHEMA, f"Error name {ERROR_ALL} must appear alone in its ErrorEquals", at)
    if ERROR_ALL in names and not last:
        run.report(SCHEMA, f"A {field} entry matching {ERROR_ALL} must be the last one in {field}", at)


def _entries(
    run: Run, value: object, loc: str, field: str, noun: str
) -> Iterator[tuple[Mapping[str, Any], str, bool]]:
    """The objects of a Retry or Catch array with their pointers and whether each is the last;
    an array that is not one, or an entry that is not an object, is reported instead."""
    if not isinstance(value, list):
        run.report(SCHEMA, f"Field '{field}' must be an array of {noun}s, not {show(value)}", loc)
        return
    for index, entry in enumerate(value):
        item_loc = pointer(loc, index)
        if is_pending(entry):
            continue
        if not isinstance(entry, Mapping):
            run.report(SCHEMA, f"A {noun} must be a JSON object, not {show(entry)}", item_loc)
            continue
        yield entry, item_loc, index == len(value) - 1


def retry(run: Run, value: object, at: StateAt, loc: str) -> None:
    for retrier, item_loc, last in _entries(run, value, loc, "Retry", "retrier"):
        for key, item in retrier.items():
            key_loc = pointer(item_loc, key)
            if key in RETRIER_FIELDS and is_pending(item):
                continue
            if key not in RETRIER_FIELDS:
                run.report(
                    SCHEMA,
                    unsupported(key, "in a retrier", RETRIER_FIELDS),
                    key_loc,
                )
            elif key in ("IntervalSeconds", "MaxDelaySeconds"):
                integer(run, item, key_loc, key, minimum=1, maximum=MAX_SECONDS, jsonata=False)
            elif key == "MaxAttempts":
                integer(run, item, key_loc, key, minimum=0, maximum=MAX_SECONDS, jsonata=False)
            elif key == "BackoffRate" and not (is_number(item) and item >= 1.0):
                run.report(
                    SCHEMA, f"Field 'BackoffRate' must be a number of at least 1.0, not {show(item)}", key_loc
                )
            elif key == "JitterStrategy" and item not in JITTER_STRATEGIES:
                run.report(
                    SCHEMA,
                    f"Field 'JitterStrategy' must be one of {', '.join(JITTER_STRATEGIES)}, not {show(item)}",
                    key_loc,
                )
            elif key == "Comment":
                string(run, item, key_loc, key)
            elif key == "ErrorEquals":
                _error_equals(run, item, key_loc, last, "Retry")
        _required(run, retrier, item_loc, "Retry")


def catch(run: Run, value: object, at: StateAt, loc: str) -> None:
    allowed = CATCHER_FIELDS[at.language]
    for catcher, item_loc, last in _entries(run, value, loc, "Catch", "catcher"):
        for key, item in catcher.items():
            key_loc = pointer(item_loc, key)
            if key in allowed and is_pending(item):
                if key == "Next":
                    at.scope.broken = True
                continue
            if key not in allowed:
                run.report(
                    SCHEMA,
                    unsupported(key, f"in a {at.language} catcher", allowed),
                    key_loc,
                )
            elif key == "ResultPath":
                path(run, item, key_loc, key, nullable=True, reference=True)
            elif key == "ErrorEquals":
                _error_equals(run, item, key_loc, last, "Catch")
            else:
                _rule_extra(run, key, item, at, key_loc)
        _required(run, catcher, item_loc, "Catch")


def _required(run: Run, entry: Mapping[str, Any], loc: str, field: str) -> None:
    if "ErrorEquals" not in entry:
        run.report(
            SCHEMA, f"Field 'ErrorEquals' is required in a {field} entry: the error names it matches", loc
        )
    if field == "Catch" and "Next" not in entry:
        run.report(
            SCHEMA, "Field 'Next' is required in a Catch entry: the state to go to after the error", loc
        )
