"""Lambda functions served over HTTP: the Lambda Invoke API, as ``sam local start-lambda`` speaks it.

``POST {endpoint}/2015-03-31/functions/{FunctionName}/invocations[?Qualifier=...]`` with the
payload as the body and ``X-Amz-Invocation-Type`` (``RequestResponse``, ``Event``, ``DryRun``),
``X-Amz-Client-Context`` and ``X-Amz-Log-Type`` headers (Lambda API reference, Invoke). What comes
back becomes what Step Functions makes of it:

- a function error (``X-Amz-Function-Error``): the payload's ``errorType`` is the task's error and
  the payload its cause; a payload without an ``errorType`` (a timeout, running out of memory) is
  ``Lambda.Unknown`` (developer guide, "Handle Lambda service exceptions");
- an error answer of the Lambda service (4xx/5xx, ``X-Amzn-ErrorType``): ``Lambda.<Exception>``
  as the AWS SDK for Java names it (``Lambda.ResourceNotFoundException``; an error code it does
  not model is ``Lambda.AWSLambdaException``), with the SDK's cause text;
- no answer at all (refused, reset, nothing within ``read_timeout``): the SDK's client-side
  failure, ``Lambda.SdkClientException`` "Unable to execute HTTP request: ...", which is one of
  the errors the developer guide tells you to retry.

The client is the standard library's asyncio streams (HTTP/1.1, one connection per call): no
thread is held while a function runs, and a task timeout cancels the call where it stands.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import urllib.parse
import uuid
from dataclasses import dataclass
from typing import Any

from asl._json import to_json
from asl.errors import StatesError

__all__ = ["DEFAULT_READ_TIMEOUT", "InvokeAnswer", "LambdaEndpoint"]

#: Lambda runs a function for at most 900 s; a little more for the answer to arrive
DEFAULT_READ_TIMEOUT = 910.0
_MAX_RESPONSE = 8 * 1024 * 1024  # Lambda answers at most 6 MB synchronously

# the Lambda exceptions the AWS SDK for Java models as classes (others are AWSLambdaException)
_MODELLED = frozenset(
    {
        "CodeStorageExceededException",
        "EC2AccessDeniedException",
        "EC2ThrottledException",
        "EC2UnexpectedException",
        "ENILimitReachedException",
        "InvalidParameterValueException",
        "InvalidRequestContentException",
        "InvalidRuntimeException",
        "InvalidZipFileException",
        "KMSAccessDeniedException",
        "KMSDisabledException",
        "KMSNotFoundException",
        "RecursiveInvocationException",
        "RequestTooLargeException",
        "ResourceConflictException",
        "ResourceNotFoundException",
        "ResourceNotReadyException",
        "ServiceException",
        "SnapStartException",
        "SnapStartNotReadyException",
        "SnapStartTimeoutException",
        "SubnetIPAddressLimitReachedException",
        "TooManyRequestsException",
        "UnsupportedMediaTypeException",
    }
)


@dataclass(frozen=True)
class InvokeAnswer:
    """A successful Invoke: its status (200, 202 for ``Event``, 204 for ``DryRun``), payload and headers."""

    status: int
    payload: Any  # the payload parsed as JSON ("" when there is none; the text if it is not JSON)
    text: str  # the payload's JSON text
    headers: dict[str, str]

    @property
    def request_id(self) -> str:
        return _header(self.headers, "x-amzn-RequestId") or str(uuid.uuid4())

    @property
    def executed_version(self) -> str | None:
        return _header(self.headers, "X-Amz-Executed-Version")

    @property
    def log_result(self) -> str | None:
        return _header(self.headers, "X-Amz-Log-Result")


def _header(headers: dict[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


class LambdaEndpoint:
    """A server of the Lambda Invoke API at ``url`` (``http://127.0.0.1:3001``)."""

    def __init__(
        self, url: str, *, connect_timeout: float = 10.0, read_timeout: float = DEFAULT_READ_TIMEOUT
    ) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"the Lambda endpoint must be an http:// or https:// URL, got {url!r}")
        self.url = url
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.tls = parts.scheme == "https"
        self.base = parts.path.rstrip("/")
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout

    def __repr__(self) -> str:
        return f"LambdaEndpoint({self.url!r})"

    async def invoke(
        self,
        function: str,
        payload: str,
        *,
        invocation_type: str = "RequestResponse",
        qualifier: str | None = None,
        client_context: str | None = None,
        log_type: str | None = None,
    ) -> InvokeAnswer:
        """Invoke ``function`` (a name) with a JSON ``payload``; raise the task error Step Functions would."""
        path = f"{self.base}/2015-03-31/functions/{urllib.parse.quote(function, safe='')}/invocations"
        if qualifier:
            path += "?" + urllib.parse.urlencode({"Qualifier": qualifier})
        headers = {"X-Amz-Invocation-Type": invocation_type}
        if client_context:
            headers["X-Amz-Client-Context"] = client_context
        if log_type:
            headers["X-Amz-Log-Type"] = log_type
        status, answer_headers, body = await self._post(path, payload.encode("utf-8"), headers)
        text = body.decode("utf-8", errors="replace")
        if status >= 300:
            raise _service_error(status, answer_headers, text)
        if _header(answer_headers, "X-Amz-Function-Error"):
            raise _function_error(text)
        if not text:
            return InvokeAnswer(status, "", '""', answer_headers)
        try:
            return InvokeAnswer(status, json.loads(text), text, answer_headers)
        except ValueError:  # not JSON: Step Functions passes the text on as a string
            return InvokeAnswer(status, text, to_json(text), answer_headers)

    async def _post(
        self, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        try:
            connecting = asyncio.open_connection(
                self.host, self.port, ssl=ssl.create_default_context() if self.tls else None
            )
            reader, writer = await asyncio.wait_for(connecting, self.connect_timeout)
        except TimeoutError:
            raise _client_error(f"Connect to {self.host}:{self.port} failed: connect timed out") from None
        except OSError as err:
            reason = err.strerror or str(err) or type(err).__name__
            raise _client_error(f"Connect to {self.host}:{self.port} failed: {reason}") from None
        try:
            lines = [
                f"POST {path} HTTP/1.1",
                f"Host: {self.host}:{self.port}",
                "Content-Type: application/json",
                f"Content-Length: {len(body)}",
                "Connection: close",
                *(f"{name}: {value}" for name, value in headers.items()),
            ]
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
            return await asyncio.wait_for(_read_response(reader, writer), self.read_timeout)
        except TimeoutError:
            raise _client_error("Read timed out") from None
        except (OSError, asyncio.IncompleteReadError, ValueError) as err:
            raise _client_error(
                f"The target server failed to respond ({type(err).__name__}: {err})"
            ) from None
        finally:
            writer.close()


async def _read_response(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> tuple[int, dict[str, str], bytes]:
    await writer.drain()
    status_line = (await reader.readline()).decode("latin-1").split()
    if len(status_line) < 2 or not status_line[1].isdigit():
        raise ValueError(f"not an HTTP answer: {' '.join(status_line)[:80]!r}")
    headers: dict[str, str] = {}
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip()] = value.strip()
    if (_header(headers, "Transfer-Encoding") or "").lower() == "chunked":
        chunks = bytearray()
        while size := int((await reader.readline()).split(b";")[0].strip() or b"0", 16):
            chunks += await reader.readexactly(size)
            await reader.readexactly(2)  # the CRLF after each chunk
            if len(chunks) > _MAX_RESPONSE:
                raise ValueError("the answer is over 8 MB")
        return int(status_line[1]), headers, bytes(chunks)
    length = _header(headers, "Content-Length")
    body = await reader.readexactly(int(length)) if length is not None else await reader.read(_MAX_RESPONSE)
    return int(status_line[1]), headers, body


def _client_error(reason: str) -> StatesError:
    return StatesError("Lambda.SdkClientException", f"Unable to execute HTTP request: {reason}")


def _function_error(text: str) -> StatesError:
    """A function's own failure: its ``errorType`` is the error, its payload the cause."""
    try:
        payload = json.loads(text)
    except ValueError:
        payload = None
    error_type = payload.get("errorType") if isinstance(payload, dict) else None
    if isinstance(error_type, str) and error_type:
        return StatesError(error_type, text)
    return StatesError(
        "Lambda.Unknown",
        "The cause could not be determined because Lambda did not return an error type. "
        f"Returned payload: {text}",
    )


def _service_error(status: int, headers: dict[str, str], text: str) -> StatesError:
    """An error answer of the Lambda service, named as the SDK names it."""
    code = (_header(headers, "X-Amzn-ErrorType") or "").split(":")[0]
    try:
        body = json.loads(text)
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    code = (
        code
        or str(body.get("__type", "")).rpartition("#")[2]
        or ("ServiceException" if status >= 500 else "")
    )
    # sam local names its errors without the suffix ("ResourceNotFound"); Lambda's codes have it
    if code and f"{code}Exception" in _MODELLED:
        code = f"{code}Exception"
    message = body.get("message") or body.get("Message") or text or f"HTTP {status}"
    request_id = _header(headers, "x-amzn-RequestId") or str(uuid.uuid4())
    name = code if code in _MODELLED else "AWSLambdaException"
    cause = (
        f"{message} (Service: AWSLambda; Status Code: {status}; Error Code: {code or 'null'}; "
        f"Request ID: {request_id}; Proxy: null)"
    )
    return StatesError(f"Lambda.{name}", cause)
