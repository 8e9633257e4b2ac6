"""The boundary: 64 KiB body cap (declared or streamed), safe headers, no traceback to clients."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from web_support import FakeService

from aichef.web import create_app
from aichef.web._guard import MAX_BODY_BYTES, Guard

pytestmark = pytest.mark.anyio

JSON = {"content-type": "application/json"}


def padded(size: int) -> bytes:
    """A JSON object of exactly `size` bytes (an unknown field carries the padding)."""
    head = b'{"profile": {"target": "keto"}, "pad": "'
    return head + b"x" * (size - len(head) - 2) + b'"}'


async def test_body_at_the_limit_is_read_and_one_byte_more_is_413(fake_client: httpx.AsyncClient) -> None:
    at_limit = await fake_client.post("/api/sessions", content=padded(MAX_BODY_BYTES), headers=JSON)
    assert at_limit.status_code == 422  # read and judged: "pad" is not a field
    assert at_limit.json()["error"]["fields"][0]["field"] == "pad"
    over = await fake_client.post("/api/sessions", content=padded(MAX_BODY_BYTES + 1), headers=JSON)
    assert over.status_code == 413
    assert over.json() == {
        "error": {
            "code": "payload_too_large",
            "message": f"request body is larger than {MAX_BODY_BYTES} bytes",
            "fields": [],
            "limit": MAX_BODY_BYTES,
        }
    }


async def test_a_streamed_body_without_length_is_cut_at_the_limit(
    fake_client: httpx.AsyncClient, fake: FakeService
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        body = padded(3 * MAX_BODY_BYTES)
        for start in range(0, len(body), 4096):
            yield body[start : start + 4096]

    response = await fake_client.post("/api/sessions", content=chunks(), headers=JSON)
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert fake.sessions == {}


async def test_an_unexpected_error_is_a_plain_500_without_details(
    fake_client: httpx.AsyncClient, fake: FakeService, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail_with = RuntimeError("database at /var/secret/tables.sqlite is locked")
    response = await fake_client.post("/api/sessions", json={"profile": {"target": "keto"}})
    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "code": "internal_error",
            "message": "the server could not answer this request",
            "fields": [],
        }
    }
    assert "secret" not in response.text and "Traceback" not in response.text
    # The operator still gets the whole story in the log.
    assert any("secret" in (r.exc_text or str(r.exc_info)) for r in caplog.records)


async def test_every_answer_carries_the_security_headers(fake_client: httpx.AsyncClient) -> None:
    for path in ("/", "/api/health", "/api/sessions/none", "/static/app.js"):
        response = await fake_client.get(path)
        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy, path
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["x-frame-options"] == "DENY", path


async def test_errors_are_never_cached(fake_client: httpx.AsyncClient) -> None:
    response = await fake_client.get("/api/sessions/none")
    assert response.headers["cache-control"] == "no-store"
    assert json.loads(response.text)["error"]["code"] == "not_found"


async def test_a_guard_with_its_own_cap_names_that_cap(fake: FakeService) -> None:
    app = Guard(create_app(fake), max_body=100)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
        over = await http.post("/api/sessions", content=padded(101), headers=JSON)
    assert over.status_code == 413
    assert over.json()["error"]["message"] == "request body is larger than 100 bytes"
    assert over.json()["error"]["limit"] == 100
