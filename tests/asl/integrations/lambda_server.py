"""A local server of the Lambda Invoke API on 127.0.0.1, as ``sam local start-lambda`` serves it.

``POST /2015-03-31/functions/{name}/invocations``: the functions below answer as Lambda does
(a function error is a 200 with ``X-Amz-Function-Error``; an unknown function a 404 with
``X-Amzn-ErrorType``); every request is kept for the tests to look at.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_PATH = re.compile(r"/2015-03-31/functions/([^/]+)/invocations")


@dataclass
class Seen:
    function: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: str


class LambdaServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[Seen] = []
        self.release = threading.Event()  # lets the "Slow" function answer

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: LambdaServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        match = _PATH.fullmatch(url.path)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        if match is None:
            self._answer(
                404, b'{"message":"no such route"}', {"x-amzn-ErrorType": "UnknownOperationException"}
            )
            return
        name = urllib.parse.unquote(match.group(1))
        self.server.seen.append(Seen(name, urllib.parse.parse_qs(url.query), dict(self.headers), body))
        event = json.loads(body) if body else None
        if self.headers.get("X-Amz-Invocation-Type") == "Event":
            self._answer(202, b"", {})
        elif name == "Echo":
            self._answer(200, json.dumps({"got": event}).encode(), {"X-Amz-Executed-Version": "7"})
        elif name == "Chunked":
            self._chunked(json.dumps({"got": event}).encode())
        elif name == "Fails":
            error = {"errorMessage": "no such order", "errorType": "OrderNotFound", "stackTrace": []}
            self._answer(200, json.dumps(error).encode(), {"X-Amz-Function-Error": "Unhandled"})
        elif name == "Dies":
            error = {"errorMessage": "2026-12-08T00:00:00Z Task timed out after 3.00 seconds"}
            self._answer(200, json.dumps(error).encode(), {"X-Amz-Function-Error": "Unhandled"})
        elif name == "Slow":
            self.server.release.wait(10)
            self._answer(200, b'"late"', {})
        elif name == "Throttled":
            message = {"Type": "User", "message": "Rate Exceeded."}
            self._answer(429, json.dumps(message).encode(), {"x-amzn-ErrorType": "TooManyRequestsException"})
        elif name == "SamMissing":  # sam local's way: no "Exception" suffix, "Message" capitalised
            message = {
                "Type": "User",
                "Message": f"Function not found: arn:aws:lambda:us-west-2:012345678901:function:{name}",
            }
            self._answer(404, json.dumps(message).encode(), {"x-amzn-errortype": "ResourceNotFound"})
        else:
            arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
            message = {"Type": "User", "message": f"Function not found: {arn}"}
            self._answer(
                404,
                json.dumps(message).encode(),
                {
                    "x-amzn-ErrorType": "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.awsgirapi/"
                },
            )

    def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", "req-1")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _chunked(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        half = len(body) // 2
        for part in (body[:half], body[half:]):
            self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")


@contextmanager
def lambda_server() -> Iterator[LambdaServer]:
    server = LambdaServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
