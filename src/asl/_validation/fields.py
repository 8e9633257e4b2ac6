"""The per-field checks of a state, as a table keyed by the spec's field names (like jsonschema keywords)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from asl._validation import rules
from asl._validation.context import (
    SCHEMA,
    Run,
    StateAt,
    dynamic,
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
    BRANCH_FIELDS,
    JSONATA,
    JSONPATH,
    MAP_PART_BOUNDS,
    MAP_PART_FIELDS,
    MAP_PART_TWINS,
    MAX_LABEL,
    MAX_SECONDS,
    PROCESSOR_FIELDS,
)
from asl._validation.syntax import timestamp_error
from asl.query.jsonata import is_expression

INVALID_RESOURCE = "INVALID_RESOURCE"
INVALID_LABEL = "INVALID_LABEL_NAME"
DUPLICATE_LABEL = "DUPLICATE_LABEL_NAME"

#: a field check: (run, the field's value, the state it is in, the field's JSON pointer)
FieldCheck = Callable[[Run, object, StateAt, str], None]

# arn:partition:service:region:account:resource, where region and account may be empty
# (arn:aws:states:::lambda:invoke); AWS refuses a Task whose Resource is not an ARN.
_ARN = re.compile(r"arn:[\w-]+:[\w-]+:[\w-]*:[\w-]*:\S+")
# A Lambda function ARN, as Lambda's API gives its pattern: a function name of letters, digits, - and _,
# then at most one qualifier, a version ($LATEST or digits) or an alias (not all digits, up to 128).
_LAMBDA_ARN = re.compile(r"arn:[\w-]+:lambda:[\w-]*:[\w-]*:function:(?P<rest>.*)", re.DOTALL)
_FUNCTION_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_QUALIFIER = re.compile(r"\$LATEST|[0-9]+|[A-Za-z0-9_-]{1,128}")
# Labels name Map runs in ARNs, so AWS refuses whitespace, brackets, wildcards and punctuation in them.
_LABEL_FORBIDDEN = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")


def _str(name: str) -> FieldCheck:
    return lambda run, value, at, loc: string(run, value, loc, name)


def _path(name: str, *, nullable: bool = False, reference: bool = False) -> FieldCheck:
    return lambda run, value, at, loc: path(run, value, loc, name, nullable=nullable, reference=reference)


def _dynamic(name: str) -> FieldCheck:
    return lambda run, value, at, loc: dynamic(run, value, loc, name)


def _template(name: str, *, must_be_object: bool = True) -> FieldCheck:
    def check(run: Run, value: object, at: StateAt, loc: str) -> None:
        if at.language == JSONPATH:
            template(run, value, loc, name, must_be_object=must_be_object)
        elif must_be_object and not isinstance(value, Mapping) and not is_expression(value):
            run.report(
                SCHEMA,
                f"Field '{name}' must be a JSON object or a JSONata expression, not {show(value)}",
                loc,
            )

    return check


def _integer(name: str, *, minimum: int, maximum: int | None = None) -> FieldCheck:
    def check(run: Run, value: object, at: StateAt, loc: str) -> None:
        integer(run, value, loc, name, minimum=minimum, maximum=maximum, jsonata=at.language == JSONATA)

    return check


def _end(run: Run, value: object, at: StateAt, loc: str) -> None:
    if not isinstance(value, bool):
        at.scope.broken = True
        run.report(SCHEMA, f"Field 'End' must be true or false, not {show(value)}", loc)


def _next(name: str) -> FieldCheck:
    return lambda run, value, at, loc: target(run, value, at, loc, name)


def _resource(run: Run, value: object, at: StateAt, loc: str) -> None:
    if is_pending(value):
        return
    if not isinstance(value, str) or not _ARN.fullmatch(value):
        run.report(
            INVALID_RESOURCE,
            f"Field 'Resource' must be an ARN such as arn:aws:states:::lambda:invoke or "
            f"arn:aws:lambda:us-east-1:123456789012:function:name, not {show(value)}",
            loc,
        )
        return
    problem = _lambda_error(value)
    if problem is not None:
        run.report(
            INVALID_RESOURCE, f"Field 'Resource' holds the Lambda function ARN {show(value)}: {problem}", loc
        )


def _lambda_error(arn: str) -> str | None:
    """Why a Lambda function ARN is malformed (its name, its alias or version), or None."""
    match = _LAMBDA_ARN.fullmatch(arn)
    if match is None:
        return None
    name, *qualifiers = match.group("rest").split(":")
    if not _FUNCTION_NAME.fullmatch(name):
        return "the function name must have 1 to 64 letters, digits, hyphens or underscores"
    if len(qualifiers) > 1:
        return "a function ARN takes at most one alias or version after the name"
    if qualifiers and not qualifiers[0]:
        return "the alias or version after the last ':' is empty; remove the ':' or name one"
    if qualifiers and not _QUALIFIER.fullmatch(qualifiers[0]):
        return (
            f"the alias or version {show(qualifiers[0])} is malformed: a version is $LATEST or a number, "
            "an alias has 1 to 128 letters, digits, hyphens or underscores"
        )
    return None


def _timestamp(run: Run, value: object, at: StateAt, loc: str) -> None:
    if (at.language == JSONATA and is_expression(value)) or is_pending(value):
        return
    problem = timestamp_error(value) if isinstance(value, str) else "it is not a string"
    if problem is not None:
        extra = " or a JSONata expression {% ... %}" if at.language == JSONATA else ""
        run.report(
            SCHEMA,
            f"Field 'Timestamp' must be an RFC 3339 timestamp such as 2016-03-14T01:59:00Z{extra}; "
            f"{show(value)}: {problem}",
            loc,
        )


def _percentage(run: Run, value: object, at: StateAt, loc: str) -> None:
    if at.language == JSONATA and is_expression(value):
        return
    if not (is_number(value) and 0 <= value <= 100):  # type: ignore[operator]
        extra = " or a JSONata expression {% ... %}" if at.language == JSONATA else ""
        run.report(
            SCHEMA,
            f"Field 'ToleratedFailurePercentage' must be a number from 0 to 100{extra}, not {show(value)}",
            loc,
        )


def _items(run: Run, value: object, at: StateAt, loc: str) -> None:
    if not isinstance(value, list) and not is_expression(value):
        run.report(
            SCHEMA,
            f"Field 'Items' must be an array or a JSONata expression {{% ... %}}, not {show(value)}",
            loc,
        )


def _assign(run: Run, value: object, at: StateAt, loc: str) -> None:
    rules.assign(run, value, at, loc)


# A state without QueryLanguage takes the top-level one, even inside a branch or processor whose
# Parallel or Map state chose another (LocalStack's parser, checked against AWS, does the same).
def _branches(run: Run, value: object, at: StateAt, loc: str) -> None:
    if not isinstance(value, list) or not value:
        run.report(
            SCHEMA, f"Field 'Branches' must be a non-empty array of state machines, not {show(value)}", loc
        )
        return
    for index, branch in enumerate(value):
        run.machine(run, branch, pointer(loc, index), BRANCH_FIELDS, run.top_language, at.depth + 1)


def _processor(run: Run, value: object, at: StateAt, loc: str) -> None:
    run.machine(run, value, loc, PROCESSOR_FIELDS, run.top_language, at.depth + 1)


def _map_part(name: str) -> FieldCheck:
    """ItemReader, ItemBatcher, ResultWriter: objects whose fields depend on the query language."""

    def check(run: Run, value: object, at: StateAt, loc: str) -> None:
        if not isinstance(value, Mapping):
            run.report(SCHEMA, f"Field '{name}' must be a JSON object, not {show(value)}", loc)
            return
        allowed = MAP_PART_FIELDS[at.language][name]
        for key, item in value.items():
            key_loc = pointer(loc, key)
            if key not in allowed:
                run.report(
                    SCHEMA,
                    unsupported(key, f"in {name}", allowed),
                    key_loc,
                )
            elif is_pending(item):
                continue
            elif key == "Resource":
                _resource(run, item, at, key_loc)
            elif key == "Parameters":
                template(run, item, key_loc, key)
            elif key == "ReaderConfig":
                _reader_config(run, item, at, key_loc)
            elif key in MAP_PART_BOUNDS:
                _bounded(run, key, item, at, key_loc)
            elif key.endswith("Path"):
                path(run, item, key_loc, key)
        _twins(run, name, value, loc)

    return check


def _bounded(run: Run, key: str, value: object, at: StateAt, loc: str) -> None:
    low, high = MAP_PART_BOUNDS[key]
    integer(run, value, loc, key, minimum=low, maximum=high, jsonata=at.language == JSONATA)


def _twins(run: Run, name: str, value: Mapping[str, object], loc: str) -> None:
    """A field and its ``...Path`` twin say the same thing two ways; AWS refuses both at once."""
    for field in MAP_PART_TWINS.get(name, ()):
        twin = f"{field}Path"
        if field in value and twin in value:
            run.report(
                SCHEMA,
                f"Fields '{field}' and '{twin}' cannot both be set in {name}; use one",
                pointer(loc, twin),
            )


def _reader_config(run: Run, value: object, at: StateAt, loc: str) -> None:
    """ReaderConfig: its item limit (a number, or a path in JSONPath states) and no limit twice."""
    if not isinstance(value, Mapping):
        run.report(SCHEMA, f"Field 'ReaderConfig' must be a JSON object, not {show(value)}", loc)
        return
    for key, item in value.items():
        key_loc = pointer(loc, key)
        if is_pending(item):
            continue
        if key == "MaxItems":
            _bounded(run, key, item, at, key_loc)
        elif key == "MaxItemsPath":
            if at.language == JSONATA:
                run.report(
                    SCHEMA,
                    "Field 'MaxItemsPath' is only allowed when QueryLanguage is JSONPath; in JSONata, "
                    "give MaxItems a JSONata expression {% ... %}",
                    key_loc,
                )
            else:
                path(run, item, key_loc, key)
    _twins(run, "ReaderConfig", value, loc)


def _label(run: Run, value: object, at: StateAt, loc: str) -> None:
    if is_pending(value):
        return
    if not isinstance(value, str):
        run.report(SCHEMA, f"Field 'Label' must be a string, not {show(value)}", loc)
        return
    if not value or len(value) > MAX_LABEL or _LABEL_FORBIDDEN.search(value):
        run.report(
            INVALID_LABEL,
            f"Field 'Label' must have 1 to {MAX_LABEL} characters and no whitespace, brackets, wildcards "
            f'or punctuation such as ? * " # % \\ ^ | ~ ` $ & , ; : /; {show(value)} does not qualify',
            loc,
        )
    first = run.labels.setdefault(value, loc)
    if first != loc:
        run.report(
            DUPLICATE_LABEL, f"Label {show(value)} is already used at {first}; Map labels must be unique", loc
        )


CHECKS: dict[str, FieldCheck] = {
    "Comment": _str("Comment"),
    "Next": _next("Next"),
    "Default": _next("Default"),
    "End": _end,
    "InputPath": _path("InputPath", nullable=True),
    "OutputPath": _path("OutputPath", nullable=True),
    "ResultPath": _path("ResultPath", nullable=True, reference=True),
    "Parameters": _template("Parameters", must_be_object=False),
    "ResultSelector": _template("ResultSelector"),
    "ItemSelector": _template("ItemSelector"),
    "Credentials": _template("Credentials"),
    "Assign": _assign,
    "Items": _items,
    "ItemsPath": _path("ItemsPath"),
    "Resource": _resource,
    "TimeoutSeconds": _integer("TimeoutSeconds", minimum=1, maximum=MAX_SECONDS),
    "HeartbeatSeconds": _integer("HeartbeatSeconds", minimum=1, maximum=MAX_SECONDS),
    "TimeoutSecondsPath": _path("TimeoutSecondsPath"),
    "HeartbeatSecondsPath": _path("HeartbeatSecondsPath"),
    "Seconds": _integer("Seconds", minimum=0, maximum=MAX_SECONDS),
    "SecondsPath": _path("SecondsPath"),
    "Timestamp": _timestamp,
    "TimestampPath": _path("TimestampPath"),
    "Error": _str("Error"),
    "Cause": _str("Cause"),
    "ErrorPath": _dynamic("ErrorPath"),
    "CausePath": _dynamic("CausePath"),
    "Choices": rules.choices,
    "Retry": rules.retry,
    "Catch": rules.catch,
    "Branches": _branches,
    "ItemProcessor": _processor,
    "Iterator": _processor,
    "ItemReader": _map_part("ItemReader"),
    "ItemBatcher": _map_part("ItemBatcher"),
    "ResultWriter": _map_part("ResultWriter"),
    "Label": _label,
    "MaxConcurrency": _integer("MaxConcurrency", minimum=0),
    "MaxConcurrencyPath": _path("MaxConcurrencyPath"),
    "ToleratedFailureCount": _integer("ToleratedFailureCount", minimum=0),
    "ToleratedFailureCountPath": _path("ToleratedFailureCountPath"),
    "ToleratedFailurePercentage": _percentage,
    "ToleratedFailurePercentagePath": _path("ToleratedFailurePercentagePath"),
}
