"""A local 127.0.0.1 stand-in for Naver Shopping search that speaks its wire format, errors included."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CLIENT_ID = "test-client-id"
CLIENT_SECRET = "test-client-secret"

# Error bodies as Naver sends them (code and message text from the Open API error list).
AUTH_FAILED = {"errorMessage": "Authentication failed (인증에 실패했습니다.)", "errorCode": "024"}
QUOTA_SPENT = {"errorMessage": "Query limit exceeded. (호출 한도를 초과했습니다.)", "errorCode": "010"}
SYSTEM_ERROR = {"errorMessage": "System error (시스템 에러)", "errorCode": "SE99"}
BAD_DISPLAY = {"errorMessage": "Invalid display value (부적절한 display 값입니다.)", "errorCode": "SE02"}
BAD_SORT = {"errorMessage": "Invalid sort value (부적절한 sort 값입니다.)", "errorCode": "SE04"}


def item(title: str, lprice: int | str, mall: str, product_id: str, **extra: str) -> dict[str, str]:
    """One `items[]` entry in the real shape: every field a string, prices included."""
    return {
        "title": title,
        "link": f"https://search.shopping.naver.com/catalog/{product_id}",
        "image": f"https://shopping-phinf.pstatic.net/{product_id}.jpg",
        "lprice": str(lprice),
        "hprice": "",
        "mallName": mall,
        "productId": product_id,
        "productType": "2",
        "brand": "",
        "maker": "",
        "category1": "식품",
        "category2": "농산물",
        "category3": "채소",
        "category4": "양파",
        **extra,
    }


@dataclass
class FakeNaver:
    """Scripted behaviour; `mode`: ok, quota, error_200, server_error, garbage, slow, drop, truncated."""

    catalog: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    mode: str = "ok"
    requests: list[dict[str, Any]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    base_url: str = ""

    def answer(self, path: str, params: dict[str, str], headers: dict[str, str]) -> tuple[int, bytes]:
        self.requests.append({"path": path, "params": params, "headers": headers})
        if path != "/v1/search/shop.json":
            return 404, b'{"errorMessage": "Not Found", "errorCode": "404"}'
        if (
            headers.get("x-naver-client-id") != CLIENT_ID
            or headers.get("x-naver-client-secret") != CLIENT_SECRET
        ):
            return 401, json.dumps(AUTH_FAILED).encode()
        if self.mode == "quota":
            return 429, json.dumps(QUOTA_SPENT).encode()
        if self.mode == "error_200":
            return 200, json.dumps(SYSTEM_ERROR).encode()
        if self.mode == "server_error":
            return 500, b"<html>Internal Server Error</html>"
        if self.mode == "garbage":
            return 200, b"<html>not json</html>"
        if self.mode == "slow":
            self.release.wait(5)
        display = int(params.get("display", "10"))
        if not 1 <= display <= 100:
            return 400, json.dumps(BAD_DISPLAY).encode()
        if params.get("sort", "sim") not in ("sim", "date", "asc", "dsc"):
            return 400, json.dumps(BAD_SORT).encode()
        query = params.get("query", "")
        items = self.catalog.get(query, [])[:display]
        body = {
            "lastBuildDate": "Sun, 22 Nov 2026 09:00:00 +0900",
            "total": len(self.catalog.get(query, [])),
            "start": int(params.get("start", "1")),
            "display": len(items),
            "items": items,
        }
        return 200, json.dumps(body, ensure_ascii=False).encode()


def _handler(fake: FakeNaver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parsed = urllib.parse.urlsplit(self.path)
            params = dict(urllib.parse.parse_qsl(parsed.query))
            headers = {k.lower(): v for k, v in self.headers.items()}
            if fake.mode == "drop":
                self.close_connection = True
                return  # hang up without an answer
            status, body = fake.answer(parsed.path, params, headers)
            # "truncated" promises more bytes than it sends, then hangs up (a short read).
            length = len(body) + 100 if fake.mode == "truncated" else len(body)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(length))
                self.end_headers()
                self.wfile.write(body)
                if fake.mode == "truncated":
                    self.close_connection = True
            except OSError:
                pass  # the client gave up (timeout tests); nothing to tell it

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client hanging up mid-answer is part of the timeout tests


@contextmanager
def running(fake: FakeNaver) -> Iterator[FakeNaver]:
    """Serve `fake` on 127.0.0.1 (a free port) for the duration of the block."""
    server = _Server(("127.0.0.1", 0), _handler(fake))
    # A short poll keeps shutdown (and so each test) quick.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
