"""What a TestState request may ask, checked as AWS checks it before anything runs.

The definition is one state (tested under the name :data:`SINGLE_STATE_NAME`) or, with
``stateName``, a whole state machine. A ``mock`` answers for a Task, Map or Parallel state
(``result`` or ``errorOutput``, never both); Map, Parallel, activities, ``.sync`` and
``.waitForTaskToken`` are only tested with one, and a ``context`` only goes with a mock.
The wording of each refusal is AWS's where a recorded response shows it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from asl._json import to_json
from asl._json_limits import JSONLimitError, parse_json
from asl.definition import MAX_DEFINITION_BYTES, MAX_DEFINITION_DEPTH
from asl.errors import ASLError, DefinitionError, Problem
from asl.execution.tasks import classify
from asl.runtime.api_definitions import ROLE_ARN
from asl.runtime.api_errors import InvalidArn, ValidationException
from asl.runtime.api_executions import MAX_INPUT_BYTES, MAX_INPUT_DEPTH, _input
from asl.runtime.teststate_mocks import check_mocked_result

__all__ = [
    "INSPECTION_LEVELS",
    "SINGLE_STATE_NAME",
    "InvalidDefinition",
    "Mock",
    "TestStateRequest",
    "locate",
]

INSPECTION_LEVELS = ("INFO", "DEBUG", "TRACE")
VALIDATION_MODES = ("STRICT", "PRESENT", "NONE")
#: the name a single-state definition is tested under ($$.State.Name; AWS's recorded answers show it)
SINGLE_STATE_NAME = "StateName"
_MOCKABLE = ("Task", "Map", "Parallel")
_TESTABLE = "[Task, Wait, Pass, Succeed, Fail, Choice]"
_CONTEXT_FIELDS = ("Execution", "State", "StateMachine", "Task")


class InvalidDefinition(ASLError):
    """AWS's InvalidDefinition with its own words (no "Invalid State Machine Definition" prefix)."""


@dataclass(frozen=True)
class Mock:
    """``mock``: a result (JSON value) or an error, and how strictly the result is checked."""

    result: Any = None
    has_result: bool = False
    error: str | None = None
    cause: str | None = None
    field_validation_mode: str = "STRICT"


@dataclass
class TestStateRequest:
    """A TestState request, parsed and checked: see :func:`parse_request`."""

    __test__ = False  # not a pytest test class

    machine: dict[str, Any]  # the definition to compile (a single state wrapped into a machine)
    state_name: str
    state: dict[str, Any]  # the tested state's own definition
    query_language: str  # the tested state's scope's language (a state may override it)
    in_map: bool  # the state sits in a Map's ItemProcessor ($$.Map.Item is filled in)
    input: Any
    inspection_level: str = "INFO"
    variables: dict[str, Any] = field(default_factory=dict)
    mock: Mock | None = None
    context: dict[str, Any] | None = None
    role_arn: str | None = None
    retrier_retry_count: int = 0
    error_caused_by_state: str | None = None
    map_iteration_failure_count: int | None = None
    map_item_reader_data: Any = None


def parse_request(
    definition: Mapping[str, Any] | str,
    *,
    input: Any = None,
    inspection_level: str | None = None,
    reveal_secrets: bool = False,
    variables: Mapping[str, Any] | str | None = None,
    state_name: str | None = None,
    mock: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | str | None = None,
    state_configuration: Mapping[str, Any] | None = None,
    role_arn: str | None = None,
) -> TestStateRequest:
    """Check a request's fields (API names in snake case) and find the state it tests."""
    level = inspection_level or "INFO"
    if level not in INSPECTION_LEVELS:
        raise ValidationException(_enum_message("inspectionLevel", level, INSPECTION_LEVELS))
    if role_arn is not None and not ROLE_ARN.fullmatch(role_arn):
        raise InvalidArn(f"Invalid Arn: 'Role ARN is not valid: {role_arn}'")
    parsed = _definition(definition)
    machine, name, spec, language, in_map = locate(parsed, state_name)
    value, _ = _input(input)
    request = TestStateRequest(machine, name, spec, language, in_map, value, level, role_arn=role_arn)
    if variables is not None:
        request.variables = _object(variables, "variables")
    if mock is not None:
        request.mock = _mock(mock, spec, reveal_secrets)
    elif _needs_mock(spec):
        if spec.get("Type") in ("Map", "Parallel"):
            raise InvalidDefinition(
                "TestState API does not support Map or Parallel states. "
                f"Supported state types include: {_TESTABLE}"
            )
        raise ValidationException(
            "TestState does not support Activity tasks, .sync or .waitForTaskToken service integration "
            "patterns unless a mock is specified."
        )
    if context is not None:
        if request.mock is None:
            raise ValidationException("The context field may only be specified if a mock is specified.")
        request.context = _context(_object(context, "context"), spec)
    _configuration(request, state_configuration or {})
    return request


def _definition(definition: Mapping[str, Any] | str) -> dict[str, Any]:
    if isinstance(definition, Mapping):
        return dict(definition)
    if len(definition) > MAX_DEFINITION_BYTES // 4 and len(definition.encode()) > MAX_DEFINITION_BYTES:
        raise ValidationException(
            "1 validation error detected: Value at 'definition' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_DEFINITION_BYTES}"
        )
    try:
        parsed = parse_json(definition, max_depth=MAX_DEFINITION_DEPTH, what="the definition")
    except JSONLimitError as err:
        raise DefinitionError(Problem("INVALID_JSON_DESCRIPTION", str(err), "")) from None
    if not isinstance(parsed, dict):
        raise DefinitionError(Problem("INVALID_JSON_DESCRIPTION", "the definition must be a JSON object", ""))
    return parsed


def locate(
    definition: dict[str, Any], state_name: str | None
) -> tuple[dict[str, Any], str, dict[str, Any], str, bool]:
    """``(machine to compile, state name, state, its scope's query language, inside a Map)``.

    Without ``state_name`` the definition is one state: it is wrapped into a machine whose
    other states are stand-ins for the states it names (Next, Default, a Catch's Next), so
    the machine validates as the state alone would.
    """
    if state_name is None:
        if "States" in definition or "StartAt" in definition:
            raise ValidationException(
                "The definition is a state machine: name the state to test with stateName."
            )
        targets = {t for t in _targets(definition) if isinstance(t, str) and t != SINGLE_STATE_NAME}
        states = {SINGLE_STATE_NAME: definition, **{t: {"Type": "Succeed"} for t in sorted(targets)}}
        machine = {"StartAt": SINGLE_STATE_NAME, "States": states}
        return machine, SINGLE_STATE_NAME, definition, "JSONPath", False
    language = definition.get("QueryLanguage", "JSONPath")
    for spec, scope_language, in_map in _states(definition, language, False):
        if spec[0] == state_name:
            return definition, state_name, spec[1], scope_language, in_map
    raise ValidationException("State not found in definition")


def _states(
    scope: Mapping[str, Any], language: str, in_map: bool
) -> Iterator[tuple[tuple[str, dict[str, Any]], str, bool]]:
    """Every state of a machine, in branches and ItemProcessors too, with its scope's language."""
    states = scope.get("States")
    if not isinstance(states, Mapping):
        return
    for name, spec in states.items():
        if not isinstance(spec, dict):
            continue
        yield (name, spec), language, in_map
        inner_language = spec.get("QueryLanguage", language)
        for branch in spec.get("Branches") or ():
            if isinstance(branch, Mapping):
                yield from _states(branch, branch.get("QueryLanguage", inner_language), in_map)
        for key in ("ItemProcessor", "Iterator"):
            processor = spec.get(key)
            if isinstance(processor, Mapping):
                yield from _states(processor, processor.get("QueryLanguage", inner_language), True)


def _targets(state: Mapping[str, Any]) -> Iterator[Any]:
    yield state.get("Next")
    yield state.get("Default")
    for key in ("Choices", "Catch"):
        for entry in state.get(key) or ():
            if isinstance(entry, Mapping):
                yield entry.get("Next")


def _needs_mock(spec: Mapping[str, Any]) -> bool:
    kind = spec.get("Type")
    if kind in ("Map", "Parallel"):
        return True
    resource = spec.get("Resource")
    if kind != "Task" or not isinstance(resource, str) or "{%" in resource:
        return False
    call = classify(resource)
    return call.kind == "activity" or call.pattern in (".sync", ".sync:2", ".waitForTaskToken")


def _mock(mock: Mapping[str, Any], spec: Mapping[str, Any], reveal_secrets: bool) -> Mock:
    kind = spec.get("Type")
    if kind not in _MOCKABLE:
        raise ValidationException(f"State type '{kind}' is not supported when a mock is specified")
    if reveal_secrets:
        raise ValidationException("TestState does not support RevealSecrets when a mock is specified.")
    has_result, has_error = mock.get("result") is not None, mock.get("errorOutput") is not None
    if has_result == has_error:
        raise ValidationException(
            "A test mock should have only one of the following fields: [result, errorOutput]."
        )
    mode = mock.get("fieldValidationMode") or "STRICT"
    if mode not in VALIDATION_MODES:
        raise ValidationException(_enum_message("mock.fieldValidationMode", mode, VALIDATION_MODES))
    if has_error:
        error = mock["errorOutput"]
        if not isinstance(error, Mapping) or error.get("error") is None:
            raise ValidationException("mock.errorOutput.error is required if mock.errorOutput is specified.")
        cause = error.get("cause")
        return Mock(error=str(error["error"]), cause=None if cause is None else str(cause))
    text = mock["result"]
    if not isinstance(text, str):
        text = to_json(text)
    if len(text) > MAX_INPUT_BYTES // 4 and len(text.encode()) > MAX_INPUT_BYTES:
        raise ValidationException(
            "1 validation error detected: Value at 'mock.result' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_INPUT_BYTES}"
        )
    try:
        result = parse_json(text, max_depth=MAX_INPUT_DEPTH, what="the mocked result")
    except JSONLimitError as err:
        raise ValidationException(f"Mocked result must be valid JSON: {err}") from None
    _check_shape(result, spec)
    resource = spec.get("Resource")
    if spec.get("Type") == "Task" and isinstance(resource, str) and "{%" not in resource:
        check_mocked_result(classify(resource), result, mode)
    return Mock(result=result, has_result=True, field_validation_mode=mode)


def _check_shape(result: Any, spec: Mapping[str, Any]) -> None:
    """A Map's mocked result is its whole output (an array, or an object with a ResultWriter);
    a Parallel's has one element per branch."""
    if spec.get("Type") == "Map":
        if "ResultWriter" in spec:
            if not isinstance(result, dict):
                raise ValidationException("Mocked result must be a JSON object.")
        elif not isinstance(result, list):
            raise ValidationException("Mocked result must be an array.")
    elif spec.get("Type") == "Parallel":
        if not isinstance(result, list):
            raise ValidationException("Mocked result must be an array.")
        if len(result) != len(spec.get("Branches") or ()):
            raise ValidationException(
                "Mocked result must contain the same number of items as number of Parallel branches."
            )


def _context(context: dict[str, Any], spec: Mapping[str, Any]) -> dict[str, Any]:
    """A context object as AWS accepts it from a test: its own fields only, ``Task`` only for a
    task that waits (``.sync``, ``.waitForTaskToken``), never ``Map``."""
    for key, value in context.items():
        if key == "Map":
            raise _bad_context("'Map' field is not supported when mocking a Context object")
        if key not in _CONTEXT_FIELDS:
            raise _bad_context(f"Field '{key}' is not allowed")
        if not isinstance(value, dict):
            raise _bad_context(f"{key} must be an object")
        for inner, item in value.items():
            if inner in ("Id", "Name", "RoleArn", "StartTime", "EnteredTime", "Token") and not isinstance(
                item, str
            ):
                raise _bad_context(f"{key}.{inner} must be a string")
    if "Task" in context:
        resource = spec.get("Resource")
        waits = isinstance(resource, str) and classify(resource).pattern in (
            ".sync",
            ".sync:2",
            ".waitForTaskToken",
        )
        if spec.get("Type") != "Task" or not waits:
            raise _bad_context(
                "Context object contains 'Task' when state is not a Task state with a '.sync' or "
                "'.waitForTaskToken' service integration pattern"
            )
    return context


def _bad_context(detail: str) -> ValidationException:
    return ValidationException(f"Invalid Context object provided: {detail}")


def _configuration(request: TestStateRequest, config: Mapping[str, Any]) -> None:
    """``stateConfiguration``: retries so far, the Map/Parallel sub-state an error came from,
    the Map's failed iterations and the data its ItemReader read."""
    count = config.get("retrierRetryCount")
    if count is not None:
        request.retrier_retry_count = _count(count, "retrierRetryCount")
    failures = config.get("mapIterationFailureCount")
    if failures is not None:
        if request.state.get("Type") != "Map":
            raise ValidationException(
                "stateConfiguration.mapIterationFailureCount applies to Map states only."
            )
        request.map_iteration_failure_count = _count(failures, "mapIterationFailureCount")
    caused_by = config.get("errorCausedByState")
    if caused_by is not None:
        # the tested state itself, under a name no state can have, and everything inside it
        inner = {name for (name, _), _, _ in _states({"States": {"": request.state}}, "JSONPath", False)}
        if not caused_by or caused_by not in inner:
            raise ValidationException(
                f"stateConfiguration.errorCausedByState '{caused_by}' is not a state of the tested "
                "Map or Parallel state."
            )
        request.error_caused_by_state = str(caused_by)
    data = config.get("mapItemReaderData")
    if data is not None:
        if "ItemReader" not in request.state:
            raise ValidationException(
                "stateConfiguration.mapItemReaderData needs a Map state with an ItemReader."
            )
        try:
            request.map_item_reader_data = parse_json(str(data), max_depth=MAX_INPUT_DEPTH, what="the data")
        except JSONLimitError as err:
            raise ValidationException(f"stateConfiguration.mapItemReaderData must be JSON: {err}") from None
    mock = request.mock
    container = request.state.get("Type") in ("Map", "Parallel")
    if mock is not None and mock.error is not None and container and request.error_caused_by_state is None:
        raise ValidationException(
            "stateConfiguration.errorCausedByState is required when an error is mocked for a Map "
            "or Parallel state."
        )


def _count(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationException(
            f"1 validation error detected: Value at 'stateConfiguration.{name}' failed to satisfy "
            "constraint: Member must have value greater than or equal to 0"
        )
    return value


def _object(value: Mapping[str, Any] | str, name: str) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = parse_json(value, max_depth=MAX_INPUT_DEPTH, what=f"the {name}")
        except JSONLimitError as err:
            raise ValidationException(f"{name} must be a JSON object: {err}") from None
    if not isinstance(value, Mapping):
        raise ValidationException(f"{name} must be a JSON object, got: {to_json(value)}")
    return dict(value)


def _enum_message(name: str, value: str, allowed: tuple[str, ...]) -> str:
    return (
        f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy constraint: "
        f"Member must satisfy enum value set: [{', '.join(allowed)}]"
    )
