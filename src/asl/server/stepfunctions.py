"""Step Functions over the wire: one function per action, each a call to :class:`asl.Runtime`.

Requests and answers are in the API's own field names (``stateMachineArn`` ...); the
runtime's errors keep their AWS names (``ExecutionDoesNotExist`` ...) and go out under
the service's error namespace, so botocore raises its modelled exception classes.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import datetime
from typing import Any

from asl._json_limits import JSONLimitError, parse_json
from asl.definition import MAX_DEFINITION_BYTES, MAX_DEFINITION_DEPTH
from asl.errors import ASLError, DefinitionError, Problem
from asl.runtime.api_definitions import ROLE_ARN, creation_problems
from asl.runtime.api_errors import MAX_TAGS, StateMachineDoesNotExist
from asl.runtime.api_executions import MAX_INPUT_BYTES
from asl.runtime.api_machines import logging_configuration, tracing_configuration
from asl.runtime.pages import decode_token, encode_token, page_size
from asl.runtime.versions import split_arn
from asl.server._map_runs import describe_map_run, list_map_runs, update_map_run
from asl.server._service import Backend, Operation, Service
from asl.server._teststate import test_state
from asl.server._wire import AWSError, service_model
from asl.server.stepfunctions_versions import VERSION_OPERATIONS
from asl.validate import iter_errors

__all__ = ["STEP_FUNCTIONS"]

NAMESPACE = "com.amazonaws.swf.service.v2.model"
# Step Functions takes a definition of up to 1 MiB; a request carries it as escaped JSON text
MAX_BODY = 2 * 1024 * 1024

_MACHINE_ARN = re.compile(r"arn:aws[a-z-]*:states:[a-z0-9-]*:\d*:stateMachine:[^:]+(:[^:#]+)?(#.*)?")


def _error(code: str, message: str) -> AWSError:
    return AWSError(code, message, namespace=NAMESPACE)


def _machine_arn(params: dict[str, Any], field: str = "stateMachineArn") -> str:
    arn = str(params[field])
    if not _MACHINE_ARN.fullmatch(arn):
        raise _error("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
    return arn


def _definition(text: str) -> dict[str, Any]:
    """The definition's JSON text parsed (never read as a file name, as load_definition would)."""
    if len(text) > MAX_DEFINITION_BYTES // 4 and len(text.encode("utf-8")) > MAX_DEFINITION_BYTES:
        raise _error(
            "ValidationException",
            "1 validation error detected: Value at 'definition' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_DEFINITION_BYTES}",
        )
    try:
        definition = parse_json(text, max_depth=MAX_DEFINITION_DEPTH, what="the definition")
    except JSONLimitError as err:
        raise DefinitionError(Problem("INVALID_JSON_DESCRIPTION", str(err), "")) from None
    if not isinstance(definition, dict):
        raise DefinitionError(Problem("INVALID_JSON_DESCRIPTION", "the definition must be a JSON object", ""))
    return definition


def _checked(definition: dict[str, Any], kind: str) -> dict[str, Any]:
    """The definition, once AWS's create-time checks for a machine of ``kind`` pass."""
    problems = creation_problems(definition, kind)
    if problems:
        raise DefinitionError(problems)
    return definition


def _role(params: dict[str, Any]) -> str:
    role = str(params["roleArn"])
    if not ROLE_ARN.fullmatch(role):
        raise _error("InvalidArn", f"Invalid Arn: 'Role ARN is not valid: {role}'")
    return role


def _express_execution(arn: Any) -> None:
    """AWS keeps no record of EXPRESS executions that these APIs could read: their ARNs are refused."""
    if isinstance(arn, str) and ":express:" in arn:
        raise _error(
            "InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: express': '{arn}'"
        )


def _stored(backend: Backend, arn: str) -> dict[str, Any] | None:
    return next(
        (m for m in backend.runtime.list_state_machines()["stateMachines"] if m["stateMachineArn"] == arn),
        None,
    )


def _version_description(params: dict[str, Any]) -> None:
    """AWS: a versionDescription is only taken with ``publish`` true."""
    if params.get("versionDescription") is not None and not params.get("publish"):
        raise _error("ValidationException", "versionDescription can only be set when publish is true")


def _unqualified(arn: str) -> str:
    """The machine's own ARN of a version or alias ARN (``#TestCase`` dropped)."""
    return split_arn(arn.partition("#")[0])[0]


def _page(items: list[dict[str, Any]], key: str, params: dict[str, Any]) -> dict[str, Any]:
    size = page_size(params.get("maxResults"))
    start = int(decode_token(params["nextToken"], key)) if params.get("nextToken") else 0
    answer: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        answer["nextToken"] = encode_token(key, start + size)
    return answer


# --- state machines ------------------------------------------------------------------------------


async def create_state_machine(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    runtime = backend.runtime
    kind = params.get("type", "STANDARD")
    definition = _checked(_definition(params["definition"]), kind)
    role = _role(params)
    arn = f"arn:aws:states:{runtime.region}:{runtime.account}:stateMachine:{params['name']}"
    logging = logging_configuration(params.get("loggingConfiguration"))
    tracing = tracing_configuration(params.get("tracingConfiguration"))
    tags = _tags(params.get("tags", []))
    _version_description(params)
    stored = _stored(backend, arn)
    if stored is not None:
        # AWS: the same request again is fine (a different roleArn or tags are ignored, and not
        # kept); another definition, type, logging or tracing configuration is not
        current = runtime.describe_state_machine(arn)
        if current["status"] == "DELETING":
            raise _error("StateMachineDeleting", f"State Machine is being deleted: '{arn}'")
        same = (
            json.loads(current["definition"]),
            current["type"],
            current["loggingConfiguration"],
            current["tracingConfiguration"],
        )
        if same != (definition, kind, logging, tracing):
            raise _error("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'")
        return _published(backend, params, {"stateMachineArn": arn, "creationDate": stored["creationDate"]})
    created = runtime.create_state_machine(params["name"], definition, kind, role_arn=role)
    runtime.configure_state_machine(arn, logging=logging, tracing=tracing, tags=tags)
    return _published(backend, params, created)


def _published(backend: Backend, params: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """``publish``: a version of the machine as it now is (the one there is, for an unchanged
    revision), answered as ``stateMachineVersionArn``."""
    if params.get("publish"):
        arn = params.get("stateMachineArn") or answer["stateMachineArn"]
        version = backend.runtime.publish_state_machine_version(arn, params.get("versionDescription"))
        answer = {**answer, "stateMachineVersionArn": version["stateMachineVersionArn"]}
    return answer


def _tags(tags: list[dict[str, str]]) -> dict[str, str]:
    if len(tags) > MAX_TAGS:
        raise _error("TooManyTags", f"Too many tags: a resource has at most {MAX_TAGS} tags")
    return {tag["key"]: tag.get("value", "") for tag in tags}


async def describe_state_machine(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    arn = _machine_arn(params)
    described = backend.runtime.describe_state_machine(arn)
    stored = _stored(backend, arn)
    return {"creationDate": stored["creationDate"] if stored else None, **described}


async def update_state_machine(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    runtime = backend.runtime
    arn = _machine_arn(params)
    if _unqualified(arn) != arn:
        raise _error(
            "ValidationException",
            f"stateMachineArn must name a state machine, not one of its versions or aliases: '{arn}'",
        )
    _version_description(params)
    if not any(
        key in params for key in ("definition", "roleArn", "loggingConfiguration", "tracingConfiguration")
    ):
        raise _error(
            "MissingRequiredParameter",
            "Either the definition, the roleArn, the loggingConfiguration or the tracingConfiguration "
            "must be specified",
        )
    current = runtime.describe_state_machine(arn)
    definition = (
        _checked(_definition(params["definition"]), current["type"])
        if "definition" in params
        else json.loads(current["definition"])
    )
    role = _role(params) if "roleArn" in params else current["roleArn"]
    given = {key: params.get(f"{key}Configuration") for key in ("logging", "tracing")}
    # checked before anything changes: a refused update changes nothing
    logging = logging_configuration(given["logging"]) if given["logging"] is not None else None
    tracing = tracing_configuration(given["tracing"]) if given["tracing"] is not None else None
    runtime.create_state_machine(current["name"], definition, current["type"], role_arn=role)
    updated = runtime.configure_state_machine(arn, logging=logging, tracing=tracing, updated=True)
    return _published(backend, params, updated)


async def delete_state_machine(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteStateMachine: 200 and ``{}`` also for a machine that does not exist (as on AWS)."""
    arn = _machine_arn(params)
    name = arn.split(":stateMachine:", 1)[1]
    if ":" in name or "/" in name or "#" in name:
        raise _error(
            "ValidationException",
            f"stateMachineArn must name a state machine, not one of its versions, aliases, "
            f"Distributed Map states or test cases: '{arn}'",
        )
    return backend.runtime.delete_state_machine(arn)


async def list_state_machines(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    return _page(backend.runtime.list_state_machines()["stateMachines"], "stateMachines", params)


async def describe_state_machine_for_execution(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    _express_execution(params["executionArn"])
    execution = backend.runtime.describe_execution(params["executionArn"])
    version_arn = execution.get("stateMachineVersionArn")
    if version_arn is not None:
        try:  # started with a version (or an alias): the version it ran, dated when it was published
            version = backend.runtime.describe_state_machine(version_arn)
        except StateMachineDoesNotExist:
            pass  # deleted since: the machine as it is now, as for any other execution
        else:
            version.pop("status", None)
            version.pop("description", None)
            return {**version, "updateDate": version["creationDate"]}
    machine = await describe_state_machine(backend, {"stateMachineArn": execution["stateMachineArn"]})
    machine.pop("status", None)  # not a member of this answer
    row = backend.runtime.machines.row(execution["stateMachineArn"])
    # AWS: "For a newly created state machine, this is the creation date"
    updated = row["updated"] if row and row["updated"] else None
    return {**machine, "updateDate": datetime.fromisoformat(updated) if updated else machine["creationDate"]}


async def validate_state_machine_definition(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    try:
        definition = _definition(params["definition"])
        problems = list(iter_errors(definition))
        problems += creation_problems(definition, params.get("type", "STANDARD"))
    except DefinitionError as err:
        problems = err.problems
    size = page_size(params.get("maxResults"))
    diagnostics = [
        {"severity": "ERROR", "code": p.code, "message": p.message, "location": p.location or "/"}
        for p in problems
    ]
    return {
        "result": "FAIL" if diagnostics else "OK",
        "diagnostics": diagnostics[:size],
        "truncated": len(diagnostics) > size,
    }


# --- executions ----------------------------------------------------------------------------------


async def start_execution(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    return await backend.runtime.start_execution(
        _machine_arn(params), input=params.get("input", "{}"), name=params.get("name")
    )


async def start_sync_execution(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    arn = _machine_arn(params)
    machine = backend.runtime.describe_state_machine(_unqualified(arn))
    if machine["type"] != "EXPRESS":
        raise _error(
            "StateMachineTypeNotSupported",
            f"This operation is not supported by this type of state machine: '{machine['stateMachineArn']}'",
        )
    answer = await backend.runtime.start_sync_execution(
        arn, input=params.get("input", "{}"), name=params.get("name")
    )
    answer["inputDetails"] = {"included": True}
    if "output" in answer:
        answer["outputDetails"] = {"included": True}
    return answer


async def describe_execution(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    _express_execution(params["executionArn"])
    return backend.runtime.describe_execution(params["executionArn"])


async def list_executions(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    if ("mapRunArn" in params) == ("stateMachineArn" in params):
        # AWS: "You can specify either a mapRunArn or a stateMachineArn, but not both."
        raise _error("ValidationException", "Specify either a stateMachineArn or a mapRunArn, but not both")
    if "mapRunArn" in params:  # the child executions of a DISTRIBUTED Map's Map Run
        return backend.runtime.list_executions(
            map_run_arn=params["mapRunArn"],
            status_filter=params.get("statusFilter"),
            max_results=params.get("maxResults"),
            next_token=params.get("nextToken"),
        )
    arn = _machine_arn(params)  # a version or alias ARN lists the executions started with it
    if backend.runtime.describe_state_machine(_unqualified(arn))["type"] == "EXPRESS":
        raise _error(
            "StateMachineTypeNotSupported",
            f"This operation is not supported by this type of state machine: '{arn}'",
        )
    return backend.runtime.list_executions(
        arn,
        status_filter=params.get("statusFilter"),
        max_results=params.get("maxResults"),
        next_token=params.get("nextToken"),
        redrive_filter=params.get("redriveFilter"),
    )


async def get_execution_history(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    _express_execution(params["executionArn"])
    return backend.runtime.get_execution_history(
        params["executionArn"],
        max_results=params.get("maxResults"),
        reverse_order=bool(params.get("reverseOrder", False)),
        next_token=params.get("nextToken"),
        include_execution_data=bool(params.get("includeExecutionData", True)),
    )


async def stop_execution(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    _express_execution(params["executionArn"])
    return await backend.runtime.stop_execution(
        params["executionArn"], error=params.get("error"), cause=params.get("cause")
    )


async def redrive_execution(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    return await backend.runtime.redrive_execution(params["executionArn"])


# --- callbacks -----------------------------------------------------------------------------------


async def send_task_success(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    output = params["output"]
    # AWS: a task's output is at most 262,144 bytes (as UTF-8), like an execution's input
    if (
        isinstance(output, str)
        and len(output) > MAX_INPUT_BYTES // 4
        and len(output.encode()) > MAX_INPUT_BYTES
    ):
        raise _error(
            "ValidationException",
            "1 validation error detected: Value at 'output' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_INPUT_BYTES}",
        )
    return await backend.runtime.send_task_success(params["taskToken"], params["output"])


async def send_task_failure(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    return await backend.runtime.send_task_failure(
        params["taskToken"], error=params.get("error"), cause=params.get("cause")
    )


async def send_task_heartbeat(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    return await backend.runtime.send_task_heartbeat(params["taskToken"])


# --- activities ----------------------------------------------------------------------------------


async def create_activity(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    tags = _tags(params.get("tags", []))
    created = backend.runtime.create_activity(params["name"])
    if tags:
        backend.runtime.tag_resource(created["activityArn"], params["tags"])
    return created


async def describe_activity(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    return backend.runtime.describe_activity(params["activityArn"])


async def list_activities(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    return _page(backend.runtime.list_activities()["activities"], "activities", params)


async def delete_activity(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    return backend.runtime.delete_activity(params["activityArn"])


async def get_activity_task(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    return await backend.runtime.get_activity_task(
        params["activityArn"], worker_name=params.get("workerName")
    )


# --- tags ----------------------------------------------------------------------------------------


async def tag_resource(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    return backend.runtime.tag_resource(params["resourceArn"], params["tags"])


async def untag_resource(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    return backend.runtime.untag_resource(params["resourceArn"], params["tagKeys"])


async def list_tags_for_resource(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    return backend.runtime.list_tags_for_resource(params["resourceArn"])


OPERATIONS: dict[str, Operation] = {
    "CreateActivity": create_activity,
    "CreateStateMachine": create_state_machine,
    "DeleteActivity": delete_activity,
    "DeleteStateMachine": delete_state_machine,
    "DescribeActivity": describe_activity,
    "DescribeExecution": describe_execution,
    "DescribeMapRun": describe_map_run,
    "DescribeStateMachine": describe_state_machine,
    "DescribeStateMachineForExecution": describe_state_machine_for_execution,
    "GetActivityTask": get_activity_task,
    "GetExecutionHistory": get_execution_history,
    "ListActivities": list_activities,
    "ListExecutions": list_executions,
    "ListMapRuns": list_map_runs,
    "ListStateMachines": list_state_machines,
    "ListTagsForResource": list_tags_for_resource,
    "RedriveExecution": redrive_execution,
    "SendTaskFailure": send_task_failure,
    "SendTaskHeartbeat": send_task_heartbeat,
    "SendTaskSuccess": send_task_success,
    "StartExecution": start_execution,
    "StartSyncExecution": start_sync_execution,
    "StopExecution": stop_execution,
    "TagResource": tag_resource,
    "TestState": test_state,
    "UntagResource": untag_resource,
    "UpdateMapRun": update_map_run,
    "UpdateStateMachine": update_state_machine,
    "ValidateStateMachineDefinition": validate_state_machine_definition,
    **VERSION_OPERATIONS,
}


def translate(error: Exception) -> AWSError | None:
    """A runtime error as Step Functions answers it; None for a defect (answered as a 500)."""
    if isinstance(error, AWSError):
        return error
    if isinstance(error, DefinitionError):
        return _error("InvalidDefinition", str(error))
    if isinstance(error, ASLError):
        code = type(error).__name__
        if code == "ConflictException":  # the API reference: "HTTP Status Code: 409"
            return AWSError(code, str(error), namespace=NAMESPACE, status=409)
        return _error(code if code in _modelled() else "ValidationException", str(error))
    if isinstance(error, ValueError):
        return _error("ValidationException", str(error))
    if isinstance(error, RecursionError):  # a value nested too deeply for a walk the limits did not cover
        return _error("ValidationException", "A value in the request nests too deeply.")
    return None


@functools.cache
def _modelled() -> frozenset[str]:
    return frozenset(shape.name for shape in service_model("stepfunctions").error_shapes)


STEP_FUNCTIONS = Service(
    model="stepfunctions",
    target_prefix="AWSStepFunctions",
    namespace=NAMESPACE,
    operations=OPERATIONS,
    translate=translate,
    max_body=MAX_BODY,
    # a task handed to a poller that has gone would wait for its timeout; cancelled, it is queued again
    long_polls=frozenset({"GetActivityTask"}),
)
