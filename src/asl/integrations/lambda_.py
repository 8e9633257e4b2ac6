"""Lambda functions served in-process: Python handlers registered by function name.

A function no handler serves is invoked over HTTP when the registry has an ``endpoint``
(:mod:`asl.integrations.lambda_http`, e.g. ``sam local start-lambda``).

A handler is ``handler(event, context)``, sync or async, exactly as Lambda calls it. Its
event is a fresh copy of the JSON payload and its result goes through JSON, so a handler
can neither change the state's data behind its back nor return what Lambda could not.
An unhandled exception becomes the error Lambda reports: the exception's class name,
with the cause ``{"errorMessage", "errorType", "stackTrace"}`` as JSON.

Sync handlers run inline on the event loop unless ``threads`` is set: a handler that only
computes costs no thread hop then (the hop was most of a quick task's cost). One that blocks
holds the loop, so the first call of a function that holds it for :data:`BLOCKING_SECONDS`
or more logs a warning naming the switch, and one that runs past the task's timeout fails
with ``States.Timeout`` when it returns, as Lambda would have stopped it.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from typing import Any

from asl._json import from_json, to_json, to_json_around
from asl.errors import ErrorName, StatesError
from asl.integrations.lambda_http import InvokeAnswer, LambdaEndpoint

__all__ = [
    "LambdaContext",
    "LambdaFunctions",
    "function_name_of",
    "invoke_response",
    "invoke_response_text",
    "qualifier_of",
]

Handler = Callable[[Any, "LambdaContext"], Any]
# a function reference understood: name, handler, is it async, ARN, log group
_Resolved = tuple[str, "Handler | None", bool, str, str]

#: an inline handler that holds the event loop this long is named in a warning (asyncio's own
#: threshold for a slow callback)
BLOCKING_SECONDS = 0.1

logger = logging.getLogger("asl")

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"


def function_name_of(reference: str) -> str:
    """The function name in a name, a partial ARN or a full ARN (qualifier dropped).

    >>> function_name_of("arn:aws:lambda:us-east-1:123456789012:function:Fetch:$LATEST")
    'Fetch'
    """
    parts = reference.split(":")
    if reference.startswith("arn:"):
        return parts[6] if len(parts) > 6 else reference
    if len(parts) >= 3 and parts[1] == "function":  # 123456789012:function:Name
        return parts[2]
    return parts[0]


def qualifier_of(reference: str) -> str | None:
    """The version or alias a name, partial ARN or full ARN carries, if any.

    >>> qualifier_of("arn:aws:lambda:us-east-1:123456789012:function:Fetch:live"), qualifier_of("Fetch")
    ('live', None)
    """
    parts = reference.split(":")
    if reference.startswith("arn:"):
        return parts[7] if len(parts) > 7 else None
    if len(parts) >= 3 and parts[1] == "function":
        return parts[3] if len(parts) > 3 else None
    return parts[1] if len(parts) == 2 else None


class LambdaContext:
    """The context object a Lambda handler receives (the attributes Python handlers use).

    ``aws_request_id`` is made when a handler first reads it: most never do, and a UUID is a
    good part of the cost of a quick call.
    """

    __slots__ = (
        "_request_id",
        "deadline_ms",
        "function_name",
        "function_version",
        "invoked_function_arn",
        "log_group_name",
        "log_stream_name",
        "memory_limit_in_mb",
    )

    def __init__(
        self,
        function_name: str,
        invoked_function_arn: str,
        aws_request_id: str | None = None,
        function_version: str = "$LATEST",
        memory_limit_in_mb: int = 128,
        log_group_name: str = "",
        log_stream_name: str = "",
        deadline_ms: float = 0.0,
    ) -> None:
        self.function_name = function_name
        self.invoked_function_arn = invoked_function_arn
        self._request_id = aws_request_id
        self.function_version = function_version
        self.memory_limit_in_mb = memory_limit_in_mb
        self.log_group_name = log_group_name
        self.log_stream_name = log_stream_name
        self.deadline_ms = deadline_ms

    @property
    def aws_request_id(self) -> str:
        if self._request_id is None:
            self._request_id = str(uuid.uuid4())
        return self._request_id

    @aws_request_id.setter
    def aws_request_id(self, value: str) -> None:
        self._request_id = value

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int(self.deadline_ms - time.time() * 1000))

    def __repr__(self) -> str:
        return (
            f"LambdaContext(function_name={self.function_name!r}, "
            f"invoked_function_arn={self.invoked_function_arn!r}, aws_request_id={self.aws_request_id!r})"
        )


class LambdaFunctions:
    """The registry of handlers by function name, and how to call one: ``threads`` runs sync
    handlers on ``executor`` (a thread pool), else inline (see the module's docstring)."""

    def __init__(
        self,
        handlers: Mapping[str, Handler] | None = None,
        *,
        executor: Executor | None = None,
        threads: bool = False,
        region: str = DEFAULT_REGION,
        account: str = DEFAULT_ACCOUNT,
        endpoint: LambdaEndpoint | str | None = None,
    ) -> None:
        self.handlers: dict[str, Handler] = {function_name_of(k): v for k, v in (handlers or {}).items()}
        self.endpoint = LambdaEndpoint(endpoint) if isinstance(endpoint, str) else endpoint
        self.executor = executor
        self.threads = threads
        self.region = region
        self.account = account
        self._resolved: dict[str, _Resolved] = {}
        self._warned: set[str] = set()  # functions named in a warning already

    def arn(self, name: str) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{name}"

    def _resolve(self, reference: str) -> _Resolved:
        """The function's name, its handler, whether the handler is a coroutine function, its
        ARN and log group; kept per reference (checked against the registry, which may change)."""
        found = self._resolved.get(reference)
        if found is not None and self.handlers.get(found[0]) is found[1]:
            return found
        name = function_name_of(reference)
        handler = self.handlers.get(name)
        is_async = handler is not None and inspect.iscoroutinefunction(handler)
        found = (name, handler, is_async, self.arn(name), f"/aws/lambda/{name}")
        if len(self._resolved) >= 1024:  # FunctionName may come from the data: keep it bounded
            self._resolved.clear()
        self._resolved[reference] = found
        return found

    async def invoke(self, reference: str, payload_text: str, timeout: float | None) -> tuple[Any, str]:
        """Call a function with a JSON payload; return its JSON result and that result's text
        (what Lambda sends back), or raise as Lambda does."""
        name, handler, is_async, arn, log_group = self._resolve(reference)
        if handler is None and self.endpoint is not None:
            answer = await self.endpoint.invoke(name, payload_text, qualifier=qualifier_of(reference))
            return answer.payload, answer.text
        if handler is None:
            raise StatesError(
                "Lambda.ResourceNotFoundException",
                f"Function not found: {self.arn(name)} (Service: AWSLambda; Status Code: 404; "
                f"Error Code: ResourceNotFoundException; Request ID: {uuid.uuid4()}; Proxy: null)",
            )
        context = LambdaContext(
            name, arn, log_group_name=log_group, deadline_ms=time.time() * 1000 + (timeout or 900) * 1000
        )
        event = from_json(payload_text)
        held = 0.0  # how long an inline handler held the loop
        try:
            if is_async:
                result = await handler(event, context)
            elif self.threads:
                loop = asyncio.get_running_loop()
                result = await loop.run_in_executor(self.executor, handler, event, context)
            else:
                began = time.perf_counter()
                try:
                    result = handler(event, context)
                finally:
                    held = time.perf_counter() - began
                    if held >= BLOCKING_SECONDS:
                        self._held(name, held)
        except StatesError:
            raise
        except Exception as exc:  # the function's own failure, reported as Lambda reports it
            if timeout is not None and held > timeout:  # Lambda had stopped it before
                raise TimeoutError(f"{name} ran past its {timeout} s timeout") from None
            raise _function_error(exc) from exc
        if timeout is not None and held > timeout:
            raise TimeoutError(f"{name} ran past its {timeout} s timeout")
        try:
            text = to_json(result)
        except (TypeError, ValueError) as exc:
            raise StatesError(
                "Runtime.MarshalError",
                json.dumps(
                    {
                        "errorMessage": f"Unable to marshal response: {exc}",
                        "errorType": "Runtime.MarshalError",
                        "stackTrace": [],
                    }
                ),
            ) from exc
        return from_json(text), text

    async def invoke_task(
        self, parameters: Mapping[str, Any], payload_text: str, timeout: float | None
    ) -> tuple[Any, str]:
        """``arn:aws:states:::lambda:invoke``: Lambda's Invoke answer around the function's payload,
        and its JSON text. Over HTTP, ``InvocationType``, ``Qualifier``, ``ClientContext`` and
        ``LogType`` go to the endpoint and its answer's status and headers come back."""
        if "FunctionName" not in parameters:
            raise StatesError(
                ErrorName.RUNTIME, "The field 'FunctionName' is required by arn:aws:states:::lambda:invoke"
            )
        reference = str(parameters["FunctionName"])
        name = function_name_of(reference)
        if name in self.handlers or self.endpoint is None:
            value, text = await self.invoke(reference, payload_text, timeout)
            request_id = str(uuid.uuid4())
            return invoke_response(value, request_id), invoke_response_text(text, request_id)
        answer = await self.endpoint.invoke(
            name,
            payload_text,
            invocation_type=str(parameters.get("InvocationType") or "RequestResponse"),
            qualifier=parameters.get("Qualifier") or qualifier_of(reference),
            client_context=parameters.get("ClientContext"),
            log_type=parameters.get("LogType"),
        )
        head = _over_http(answer)
        return {**head, "Payload": answer.payload}, to_json_around(head, "Payload", answer.text)

    def _held(self, name: str, seconds: float) -> None:
        if name not in self._warned:
            self._warned.add(name)
            logger.warning(
                "Lambda handler %r ran %.3f s inline and held the event loop meanwhile; run sync "
                "handlers on threads with StateMachine(..., task_threads=True) when they block",
                name,
                seconds,
            )


def _over_http(answer: InvokeAnswer) -> dict[str, Any]:
    """The Invoke answer's members but the payload, from what the endpoint answered."""
    head: dict[str, Any] = {}
    if answer.executed_version is not None:
        head["ExecutedVersion"] = answer.executed_version
    if answer.log_result is not None:
        head["LogResult"] = answer.log_result
    head["Payload"] = None  # filled in by the caller, in this place of the key order
    head["SdkHttpMetadata"] = {
        "AllHttpHeaders": {key: [value] for key, value in answer.headers.items()},
        "HttpHeaders": dict(answer.headers),
        "HttpStatusCode": answer.status,
    }
    head["SdkResponseMetadata"] = {"RequestId": answer.request_id}
    head["StatusCode"] = answer.status
    return head


def _function_error(exc: Exception) -> StatesError:
    name = type(exc).__name__
    stack = traceback.format_list(traceback.extract_tb(exc.__traceback__)[1:])
    cause = json.dumps({"errorMessage": str(exc), "errorType": name, "stackTrace": stack})
    return StatesError(name, cause)


def invoke_response(payload: Any, request_id: str | None = None) -> dict[str, Any]:
    """What ``arn:aws:states:::lambda:invoke`` returns around the function's payload."""
    request_id = request_id or str(uuid.uuid4())
    return {**_invoke_response(request_id), "Payload": payload}


def invoke_response_text(payload_text: str, request_id: str) -> str:
    """The JSON text of :func:`invoke_response` around a payload whose text is known."""
    return to_json_around(_invoke_response(request_id), "Payload", payload_text)


def _invoke_response(request_id: str) -> dict[str, Any]:
    headers = {
        "Connection": "keep-alive",
        "Content-Type": "application/json",
        "X-Amz-Executed-Version": "$LATEST",
        "x-amzn-Remapped-Content-Length": "0",
        "x-amzn-RequestId": request_id,
    }
    return {
        "ExecutedVersion": "$LATEST",
        "Payload": None,  # filled in by the callers, in this place of the key order
        "SdkHttpMetadata": {
            "AllHttpHeaders": {key: [value] for key, value in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200,
    }
