"""The ``arn:aws:states:::states:startExecution`` Task integration: nested executions, run locally.

Parameters are StartExecution's (``StateMachineArn``, ``Input`` as an object or as JSON text,
``Name``, ``TraceHeader``). The child runs in the same runtime as the parent (any object with
the runtime's StartExecution, DescribeExecution, StopExecution and ``wait``: :class:`ExecutionsAPI`).
What the task answers follows AWS's developer guide ("Start a new AWS Step Functions state
machine from a running execution") and the histories AWS records for it:

* request-response and ``.waitForTaskToken``: StartExecution's answer in the SDK's field names,
  ``{ExecutionArn, SdkHttpMetadata, SdkResponseMetadata, StartDate}`` (dates in epoch
  milliseconds, as the Java SDK writes them);
* ``.sync``: DescribeExecution of the ended child, ``{ExecutionArn, Input, InputDetails, Name,
  Output, OutputDetails, StartDate, StateMachineArn, Status, StopDate}``, ``Input`` and
  ``Output`` as JSON text; ``.sync:2``: the same with ``Input`` and ``Output`` as JSON values.
  A child that failed, timed out or was aborted fails the task with ``States.TaskFailed``,
  its cause being that shape as JSON text (with the child's ``Error`` and ``Cause``);
* a refused StartExecution fails the task with the SDK's exception name,
  ``StepFunctions.StateMachineDoesNotExistException`` ..., and its message as the cause.

A task without ``Name`` names its child after the parent execution and the task's
``TaskScheduled`` event, so a task run again after a restart (the child was started but the
parent had not recorded it) finds the child it started instead of starting a second one; a
child of that name and input started after the task was scheduled is that task's child.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import formatdate
from typing import Any, Protocol

from asl._json import to_json
from asl.errors import ASLError, ErrorName, ExecutionAlreadyExists, StatesError
from asl.integrations._sdk import check_fields
from asl.integrations.jobs import Origin

__all__ = ["FIELDS", "ExecutionsAPI", "NestedExecutions", "execution_arn"]

#: the fields Step Functions passes on to StartExecution
FIELDS = frozenset({"Input", "Name", "StateMachineArn", "TraceHeader"})

#: how often a child that another process drives is looked at again (it is not driven here)
_POLL_SECONDS = 0.5
_NAMES = uuid.UUID("3f1c4d5e-6a7b-4c8d-9e0f-a1b2c3d4e5f6")  # names children of unnamed tasks


class ExecutionsAPI(Protocol):
    """What the integration needs of the runtime (``asl.Runtime`` has these methods)."""

    async def start_execution(
        self, state_machine_arn: str, input: Any = "{}", name: str | None = None
    ) -> dict[str, Any]: ...

    def describe_execution(self, execution_arn: str) -> dict[str, Any]: ...

    async def wait(self, execution_arn: str) -> dict[str, Any]: ...

    async def stop_execution(
        self, execution_arn: str, error: str | None = None, cause: str | None = None
    ) -> dict[str, Any]: ...


def execution_arn(state_machine_arn: str, name: str) -> str:
    """The ARN of a STANDARD machine's execution of this name."""
    return f"{state_machine_arn.replace(':stateMachine:', ':execution:')}:{name}"


class NestedExecutions:
    """Serves ``states:startExecution`` tasks (a :class:`~asl.integrations.jobs.Job`) with ``api``."""

    def __init__(self, api: ExecutionsAPI) -> None:
        self.api = api

    async def start(self, action: str, pattern: str, parameters: Any, origin: Origin) -> dict[str, Any]:
        """StartExecution, answered as the SDK answers it (the TaskSubmitted output of ``.sync``)."""
        machine_arn, input_text, name = _request(action, parameters)
        request_id = str(uuid.uuid4())
        if name is None:
            name = str(uuid.uuid5(_NAMES, f"{origin.execution_arn}|{origin.event_id}"))
        try:
            started = await self.api.start_execution(machine_arn, input_text, name)
        except ExecutionAlreadyExists as error:
            earlier = self._started_before(machine_arn, name, input_text, origin)
            if earlier is None:
                raise _sdk_error(error, request_id) from None
            started = earlier
        except ASLError as error:
            raise _sdk_error(error, request_id) from None
        arn, start_date = str(started["executionArn"]), _millis(started["startDate"])
        wire = {"executionArn": arn, "startDate": start_date / 1000}  # the response body on the wire
        return {
            "ExecutionArn": arn,
            "SdkHttpMetadata": _http_metadata(wire, request_id),
            "SdkResponseMetadata": {"RequestId": request_id},
            "StartDate": start_date,
        }

    def _started_before(
        self, machine_arn: str, name: str, input_text: str, origin: Origin
    ) -> dict[str, Any] | None:
        """The child this task started before a restart, if the execution of that name is it:
        same input, started once the task was scheduled (StartExecution would refuse a closed one)."""
        try:
            found = self.api.describe_execution(execution_arn(machine_arn, name))
        except ASLError:
            return None
        if json.loads(found["input"]) != json.loads(input_text) or found["startDate"] < origin.scheduled:
            return None
        return found

    async def result(
        self, action: str, pattern: str, submitted: dict[str, Any], aborted: Callable[[], bool]
    ) -> Any:
        """Wait for the child's end: DescribeExecution's shape, or ``States.TaskFailed``."""
        arn = str(submitted["ExecutionArn"])
        try:
            described = await self._closed(arn)
        except asyncio.CancelledError:
            if aborted():  # AWS stops a .sync child when its parent is stopped
                with contextlib.suppress(ASLError):
                    await self.api.stop_execution(arn)
            raise
        except ASLError as error:  # the child was deleted with its state machine
            raise _sdk_error(error, str(uuid.uuid4())) from None
        shape = execution_shape(described, parsed=pattern == ".sync:2")
        if described["status"] != "SUCCEEDED":
            raise StatesError(ErrorName.TASK_FAILED, to_json(shape))
        return shape

    async def _closed(self, arn: str) -> dict[str, Any]:
        while True:
            described = await self.api.wait(arn)
            if described["status"] != "RUNNING":
                return described
            # driven by no one here yet (a resumed runtime that does not serve its machine)
            await asyncio.sleep(_POLL_SECONDS)


def _request(action: str, parameters: Any) -> tuple[str, str, str | None]:
    """``(StateMachineArn, Input as JSON text, Name)`` from the task's parameters."""
    resource = f"arn:aws:states:::states:{action}"
    if action != "startExecution":
        raise StatesError(
            ErrorName.RUNTIME, f"The resource {resource} is not supported; supported actions: startExecution"
        )
    parameters = check_fields(resource, parameters, FIELDS)
    machine_arn = parameters.get("StateMachineArn")
    if not isinstance(machine_arn, str) or not machine_arn:
        raise StatesError(ErrorName.RUNTIME, f"The field 'StateMachineArn' is required by {resource}")
    name = parameters.get("Name")
    if name is not None and not isinstance(name, str):
        raise StatesError(ErrorName.RUNTIME, f"The field 'Name' of {resource} must be a string")
    given = parameters.get("Input")
    # AWS: "If you don't include any JSON input data, you still must include the two braces"
    input_text = "{}" if given is None else given if isinstance(given, str) else to_json(given)
    return machine_arn, input_text, name


def execution_shape(described: dict[str, Any], parsed: bool) -> dict[str, Any]:
    """DescribeExecution in the SDK's field names, as ``.sync`` (JSON text) or ``.sync:2``
    (``parsed``: JSON values) tasks show it; keys in the order AWS's recorded histories show."""
    shape: dict[str, Any] = {}
    if described.get("cause") is not None:
        shape["Cause"] = described["cause"]
    if described.get("error") is not None:
        shape["Error"] = described["error"]
    shape["ExecutionArn"] = described["executionArn"]
    shape["Input"] = json.loads(described["input"]) if parsed else described["input"]
    shape["InputDetails"] = {"Included": True}
    shape["Name"] = described["name"]
    if described.get("output") is not None:
        shape["Output"] = json.loads(described["output"]) if parsed else described["output"]
        shape["OutputDetails"] = {"Included": True}
    shape["StartDate"] = _millis(described["startDate"])
    shape["StateMachineArn"] = described["stateMachineArn"]
    shape["Status"] = described["status"]
    if described.get("stopDate") is not None:
        shape["StopDate"] = _millis(described["stopDate"])
    return shape


def _sdk_error(error: ASLError, request_id: str) -> StatesError:
    """A refused call as the optimised integration reports it: the SDK's exception class."""
    code = type(error).__name__
    cause = (
        f"{error} (Service: AWSStepFunctions; Status Code: 400; Error Code: {code}; "
        f"Request ID: {request_id}; Proxy: null)"
    )
    return StatesError(f"StepFunctions.{code}Exception", cause)


def _millis(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _http_metadata(body: dict[str, Any], request_id: str) -> dict[str, Any]:
    """SdkHttpMetadata of a Step Functions response (headers as AWS's recorded histories show)."""
    headers = {
        "Content-Length": str(len(to_json(body).encode("utf-8"))),
        "Content-Type": "application/x-amz-json-1.0",
        "Date": formatdate(usegmt=True),
        "connection": "keep-alive",
        "x-amzn-RequestId": request_id,
    }
    return {
        "AllHttpHeaders": {key: [value] for key, value in headers.items()},
        "HttpHeaders": headers,
        "HttpStatusCode": 200,
    }
