"""The ASGI app: ``POST /`` with ``X-Amz-Target`` dispatched to Step Functions or DynamoDB.

The app opens the durable store and the local tables when the server starts (ASGI
lifespan), resumes the executions that were running, and closes both when it stops.
The SigV4 ``Authorization`` header is accepted without being checked and never logged.

>>> app = create_app("/tmp/asl-data", handlers={"greet": greet})  # doctest: +SKIP
>>> uvicorn.run(app, host="127.0.0.1", port=8083)  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
import zlib
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from asl import observe
from asl._json_limits import JSONLimitError, parse_json
from asl.dynamodb import TableStore
from asl.dynamodb import default_path as tables_path
from asl.integrations.lambda_ import DEFAULT_ACCOUNT, DEFAULT_REGION
from asl.mocks import MockConfig, load_mock_config
from asl.runtime.service import RETENTION, Runtime
from asl.server._service import Backend, Service
from asl.server._wire import CORAL, AWSError, decode, encode, error_body, service_model
from asl.server.dynamodb import DYNAMODB
from asl.server.stepfunctions import STEP_FUNCTIONS
from asl.store import ExecutionStore

__all__ = ["OUTBOX_PATH", "Endpoint", "create_app", "default_data_dir"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

SERVICES: dict[str, Service] = {s.target_prefix: s for s in (STEP_FUNCTIONS, DYNAMODB)}
# what is read (and dropped) of a body over its service's limit, so the client can read the 413
_DRAIN_LIMIT = 64 * 1024 * 1024
_UNKNOWN_LIMIT = 1024 * 1024
# how deeply a request body may nest: a DynamoDB item's 32 levels take two each, plus the request's own
_BODY_DEPTH = 128
#: where ``asl serve`` shows what the local sns/sqs/events stand-ins sent (GET, read-only)
OUTBOX_PATH = "/asl/outbox"
#: how often a running server deletes the executions past their retention
PURGE_EVERY_SECONDS = 3600.0

logger = logging.getLogger("asl.server")


def default_data_dir() -> Path:
    """Where ``asl serve`` keeps its tables and executions: the folder the local tables use."""
    return tables_path().parent


def create_app(
    data_dir: str | Path | None = None,
    handlers: Mapping[str, Callable[..., Any]] | None = None,
    *,
    synchronous: str | None = None,
    retention: timedelta = RETENTION,
    purge_every: float = PURGE_EVERY_SECONDS,
    mock_config: MockConfig | Mapping[str, Any] | str | Path | None = None,
    **machine_options: Any,
) -> Endpoint:
    """The endpoint over ``data_dir`` (tables.sqlite, executions.sqlite); ``handlers`` serve Lambda tasks.

    ``synchronous`` (``"NORMAL"`` or ``"FULL"``; None: ``$ASL_SYNCHRONOUS``, else NORMAL) goes to
    both stores. Closed executions are deleted ``retention`` after they closed (AWS: 90 days),
    when the server starts and every ``purge_every`` seconds. ``mock_config`` is a Step Functions
    Local mock configuration (a file or its contents, read now so a bad one fails here): StartExecution
    of ``<state machine ARN>#<test case>`` runs that test case. ``machine_options`` go to every
    state machine created over the API (``region``, ``account``, ``lambda_endpoint`` ...); what
    the local sns/sqs/events stand-ins send is answered at ``GET /asl/outbox``.
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    endpoint = Endpoint(folder, handlers, machine_options, synchronous)
    endpoint.mocks = load_mock_config(mock_config)
    endpoint.retention, endpoint.purge_every = retention, purge_every
    return endpoint


class Endpoint:
    """An ASGI app speaking the AWS JSON 1.0 protocol of Step Functions and DynamoDB."""

    def __init__(
        self,
        data_dir: Path,
        handlers: Mapping[str, Callable[..., Any]] | None,
        machine_options: Mapping[str, Any],
        synchronous: str | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.synchronous = synchronous
        self.handlers = dict(handlers or {})
        # a server answers requests while handlers run: sync handlers go to threads unless told
        self.machine_options = {"task_threads": True, **machine_options}
        self.backend: Backend | None = None
        self._resuming: asyncio.Future[None] | None = None
        self._purging: asyncio.Future[None] | None = None
        self.retention = RETENTION
        self.purge_every = PURGE_EVERY_SECONDS
        self.startup_error: str | None = None
        self.mocks = MockConfig({})

    # --- lifespan ------------------------------------------------------------------------------

    async def open(self) -> Backend:
        """Open the tables and the execution store, serve the stored machines, resume executions."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        tables = TableStore(
            self.data_dir / "tables.sqlite",
            synchronous=self.synchronous,
            region=str(self.machine_options.get("region", DEFAULT_REGION)),
            account=str(self.machine_options.get("account", DEFAULT_ACCOUNT)),
        )
        try:
            store = ExecutionStore(self.data_dir / "executions.sqlite", synchronous=self.synchronous)
        except BaseException:
            tables.close()
            raise
        runtime = Runtime(
            store, handlers=self.handlers, tables=tables, mock_config=self.mocks, **self.machine_options
        )
        # describing a stored machine makes the runtime serve it, so resume() picks up its executions
        for machine in runtime.list_state_machines()["stateMachines"]:
            runtime.describe_state_machine(machine["stateMachineArn"])
        self.backend = Backend(runtime, tables, tables.client())
        # the server listens first; stored executions resume in the background (a replay, or an
        # execution that misbehaves once resumed, never keeps the folder from being served)
        self._resuming = asyncio.ensure_future(self._resume(runtime))
        self._purging = asyncio.ensure_future(self._purge(runtime))
        return self.backend

    async def _purge(self, runtime: Runtime) -> None:
        """Delete closed executions past the retention period: at start, then periodically."""
        while True:
            try:
                purged = runtime.purge(self.retention)
            except Exception:  # e.g. the disk is full: serving matters more than housekeeping
                logger.exception("purging closed executions failed")
            else:
                if purged:
                    logger.info("purged %d executions closed more than %s ago", purged, self.retention)
            await asyncio.sleep(self.purge_every)

    async def _resume(self, runtime: Runtime) -> None:
        await asyncio.sleep(0)  # after the startup that listens
        try:
            resumed = await runtime.resume()
        except Exception:
            logger.exception("resuming the stored executions failed")
            return
        if resumed:
            logger.info("resumed %d running executions", len(resumed))

    async def close(self) -> None:
        backend, self.backend = self.backend, None
        for task in (self._resuming, self._purging):
            if task is not None and not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._resuming = self._purging = None
        if backend is not None:
            await backend.runtime.close()
            backend.tables.close()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.open()
                except Exception as err:  # e.g. another server holds the execution store
                    self.startup_error = str(err)
                    await send({"type": "lifespan.startup.failed", "message": str(err)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # --- requests ------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] == "GET" and scope["path"] == "/metrics":
            await _metrics(send)
            return
        if scope["method"] == "GET" and scope["path"] == OUTBOX_PATH:
            await self._outbox(scope, send)
            return
        began = time.perf_counter()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        target = headers.get("x-amz-target", "")
        prefix, _, action = target.partition(".")
        service = SERVICES.get(prefix)
        limit = service.max_body if service is not None else _UNKNOWN_LIMIT
        body, size = await _read_body(receive, limit, headers.get("content-length"))
        request = _Request(str(scope["method"]), target, service, action, body, size, limit, receive)
        try:
            status, answer = 200, await self._answer(request)
        except (_HungUp, asyncio.CancelledError):  # the client left, or the server stopped waiting
            return
        except AWSError as err:
            model = service_model(service.model) if service is not None else None
            status, answer = err.status, error_body(model, err) if model is not None else err.body()
        await _respond(send, status, answer, service is not None and service.crc32)
        # the action only when it is one of the service's (an unknown target would grow the labels)
        known = service is not None and action in service.operations
        observe.HTTP_REQUESTS.inc(action=target if known else "unknown", status=str(status))
        logger.info(
            "request",
            extra={
                "method": request.method,
                "path": str(scope["path"]),
                "action": target if known else "unknown",
                "status": status,
                "duration_ms": round((time.perf_counter() - began) * 1000, 3),
            },
        )

    async def _outbox(self, scope: Scope, send: Send) -> None:
        """``GET /asl/outbox[?service=sns|sqs|events][&executionArn=ARN]``: what the local SNS, SQS
        and EventBridge stand-ins sent, oldest first (read-only; the query narrows it)."""
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        service = query.get("service", [None])[0]
        execution = query.get("executionArn", [None])[0]
        answer: dict[str, Any]
        if service not in (None, "sns", "sqs", "events"):
            status, answer = 400, {"message": f"service must be sns, sqs or events, got {service!r}"}
        elif self.backend is None:
            status, answer = 503, {"message": "asl serve is starting or stopping"}
        else:
            sent = self.backend.runtime.outbox.messages(service, execution)
            status, answer = 200, {"messages": [message.to_dict() for message in sent]}
        payload = json.dumps(answer, ensure_ascii=False).encode("utf-8")
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    async def _answer(self, request: _Request) -> dict[str, Any]:
        service, action = request.service, request.action
        if request.method != "POST":
            raise AWSError("UnknownOperationException", "asl serve answers POST / only", status=405)
        if service is None:
            raise AWSError(
                "UnknownOperationException",
                "X-Amz-Target must be AWSStepFunctions.<Action> or DynamoDB_20120810.<Action>, "
                f"got {request.target!r}",
            )
        model = service_model(service.model)
        operation = service.operations.get(action)
        if operation is None:
            raise AWSError(
                "UnknownOperationException",
                f"asl serve does not implement {service.target_prefix}.{action}"
                if action in model.operation_names
                else f"{service.target_prefix} has no operation {action!r}",
            )
        if request.body is None:
            raise AWSError(
                "RequestEntityTooLargeException",
                f"The request body of {request.size} bytes is over the limit of {request.limit} bytes",
                status=413,
            )
        try:
            parsed = (
                parse_json(request.body, max_depth=_BODY_DEPTH, what="The request body")
                if request.body.strip()
                else {}
            )
        except JSONLimitError as err:
            raise AWSError("SerializationException", str(err)) from None
        operation_model = model.operation_model(action)
        params = decode(operation_model, parsed)
        try:
            work = operation(self._backend(), params)
            answer = await (_unless_hung_up(work, request.receive) if action in service.long_polls else work)
        except _HungUp:
            raise
        except Exception as err:
            translated = service.translate(err)
            if translated is None:
                logger.exception("%s.%s failed inside asl serve", service.target_prefix, action)
                raise AWSError(
                    "InternalFailure", f"{type(err).__name__}: {err}", namespace=CORAL, status=500
                ) from None
            raise translated from None
        return encode(operation_model, answer)

    def _backend(self) -> Backend:
        if self.backend is None:
            raise AWSError("ServiceUnavailable", "asl serve is starting or stopping", status=503)
        return self.backend


@dataclass(frozen=True)
class _Request:
    """One HTTP request, read: what it targets and its body (None when over ``limit``)."""

    method: str
    target: str
    service: Service | None
    action: str
    body: bytes | None
    size: int
    limit: int
    receive: Receive


class _HungUp(Exception):
    """The client went away before its answer was ready."""


async def _unless_hung_up(work: Awaitable[dict[str, Any]], receive: Receive) -> dict[str, Any]:
    """Await a long poll, cancelling it if the client disconnects first (the body is read already,
    so the next ASGI message can only be ``http.disconnect``). When the server stops waiting for
    it (shutting down), the poll ends empty, as when its wait runs out."""
    answer = asyncio.ensure_future(work)
    hang_up = asyncio.ensure_future(receive())
    try:
        await asyncio.wait({answer, hang_up}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        hang_up.cancel()
        answer.cancel()
        return {}
    hang_up.cancel()
    if not answer.done():
        answer.cancel()
        await asyncio.wait({answer})
        raise _HungUp()
    return answer.result()


async def _read_body(receive: Receive, limit: int, declared: str | None) -> tuple[bytes | None, int]:
    """The body, or None with its size when it is over ``limit`` (it is still read, up to a cap,
    so the client is reading our answer rather than writing into a closed connection)."""
    if declared is not None and declared.isdigit() and int(declared) > _DRAIN_LIMIT:
        return None, int(declared)
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
        else:
            chunks.clear()
            if size > _DRAIN_LIMIT:
                break
        more = bool(message.get("more_body", False))
    return (b"".join(chunks) if size <= limit else None), size


async def _metrics(send: Send) -> None:
    payload = observe.REGISTRY.expose().encode("utf-8")
    headers = [
        (b"content-type", observe.CONTENT_TYPE.encode()),
        (b"content-length", str(len(payload)).encode()),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def _respond(send: Send, status: int, answer: Mapping[str, Any], crc32: bool) -> None:
    payload = json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = [
        (b"content-type", b"application/x-amz-json-1.0"),
        (b"content-length", str(len(payload)).encode()),
        (b"x-amzn-requestid", str(uuid.uuid4()).encode()),
    ]
    if crc32:
        headers.append((b"x-amz-crc32", str(zlib.crc32(payload)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
