"""How a Task's ``Resource`` is served: Lambda handlers, service integrations, custom resources.

``arn:aws:states:::lambda:invoke`` and plain Lambda ARNs go to the registered Python
handlers; ``arn:aws:states:::<service>:<action>`` goes to the integration registered for
that service (``dynamodb`` when the machine has a table store); any other resource can be
served by a callable registered under its exact ARN. Anything else fails with an error
that names the resource.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from asl._json import to_json, to_json_around
from asl.errors import ErrorName, StatesError
from asl.execution.activities import Activities
from asl.execution.callbacks import TaskTokens
from asl.integrations.jobs import Job
from asl.integrations.lambda_ import LambdaFunctions

__all__ = ["Integration", "ResourceCall", "TaskResult", "TaskRunner", "classify"]

# (action, parameters) -> response; sync or async
Integration = Callable[[str, dict[str, Any]], Any]

_LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"


@dataclass(frozen=True)
class ResourceCall:
    """A resource ARN understood: how it is served and how its events are named."""

    kind: str  # "lambda" (plain function ARN), "integration", "activity", "custom"
    resource: str
    service: str = ""
    action: str = ""
    pattern: str = ""  # "", ".sync", ".waitForTaskToken"


def classify(resource: str) -> ResourceCall:
    if resource.startswith("arn:aws:lambda:") or resource.startswith("arn:aws-cn:lambda:"):
        return ResourceCall("lambda", resource)
    if resource.startswith("arn:aws:states:") and ":activity:" in resource:
        return ResourceCall("activity", resource)
    if resource.startswith("arn:aws:states:::"):
        rest = resource[len("arn:aws:states:::") :]
        pattern = ""
        for suffix in (".waitForTaskToken", ".sync:2", ".sync"):
            if rest.endswith(suffix):
                rest, pattern = rest[: -len(suffix)], suffix
                break
        service, _, action = rest.partition(":")
        return ResourceCall("integration", resource, service, action, pattern)
    return ResourceCall("custom", resource)


@dataclass(slots=True)
class TaskResult:
    """What a resource answered, with its JSON text when the call already wrote it (a Lambda
    function's result goes through JSON anyway: the TaskSucceeded event reuses that text)."""

    value: Any
    text: str | None = None


class TaskRunner:
    """Serves Task resources for the executions of one state machine."""

    def __init__(
        self,
        functions: LambdaFunctions,
        integrations: Mapping[str, Integration] | None = None,
        custom: Mapping[str, Callable[[Any], Any]] | None = None,
    ) -> None:
        self.functions = functions
        self.integrations = dict(integrations or {})
        self.custom = dict(custom or {})
        # shared with the Runtime when one drives the machine, so its API can answer them
        self.tokens = TaskTokens()
        self.activities = Activities()
        # services whose tasks start jobs (``states`` when an asl.Runtime drives the machine)
        self.jobs: dict[str, Job] = {}

    def job(self, call: ResourceCall) -> Job | None:
        """The job-running service of an integration call, unless an integration stands in for it."""
        if call.kind != "integration" or not self.jobs or call.service in self.integrations:
            return None
        return self.jobs.get(call.service)

    @staticmethod
    def encode(call: ResourceCall, parameters: Any) -> tuple[str, str]:
        """The JSON text of a task's parameters (for TaskScheduled) and of what a function
        receives (the parameters themselves, or lambda:invoke's Payload), each encoded once."""
        if _invokes(call) and isinstance(parameters, dict):
            if "Payload" not in parameters:
                return to_json(parameters), "{}"  # the function gets an empty event
            payload_text = to_json(parameters["Payload"])
            return to_json_around(parameters, "Payload", payload_text), payload_text
        text = to_json(parameters)
        return text, text

    async def call(
        self, call: ResourceCall, parameters: Any, payload_text: str, timeout: float | None
    ) -> TaskResult:
        """Serve one call; ``payload_text`` is the second text :meth:`encode` answered."""
        if call.kind == "lambda":
            value, text = await self.functions.invoke(call.resource, payload_text, timeout)
            return TaskResult(value, text)
        if call.kind == "integration":
            if _invokes(call):
                if not isinstance(parameters, dict):
                    raise StatesError(
                        ErrorName.RUNTIME,
                        "The field 'FunctionName' is required by arn:aws:states:::lambda:invoke",
                    )
                value, text = await self.functions.invoke_task(parameters, payload_text, timeout)
                return TaskResult(value, text)
            integration = self.integrations.get(call.service)
            if integration is not None:
                return TaskResult(await _maybe_await(integration(call.action, parameters)))
        handler = self.custom.get(call.resource)
        if handler is not None:
            return TaskResult(await _maybe_await(handler(parameters)))
        raise StatesError(
            ErrorName.RUNTIME,
            f"The resource '{call.resource}' is not served by this runtime. Register a handler "
            "for it (StateMachine(..., resources={arn: callable})) or use a Lambda function.",
        )


def _invokes(call: ResourceCall) -> bool:
    return call.kind == "integration" and call.service == "lambda" and call.action == "invoke"


async def _maybe_await(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    return value


def run_sync(fn: Callable[..., Any], *args: Any) -> Any:
    """Run a blocking call off the event loop."""
    return asyncio.get_running_loop().run_in_executor(None, fn, *args)
