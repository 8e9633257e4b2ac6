"""The HTTP API's contract on its own: error bodies, the JSON body rules, links and the result rule."""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aichef import http_api
from aichef.errors import FieldProblem, InvalidInput
from aichef.http_api import (
    MAX_BODY_BYTES,
    ApiError,
    json_object,
    links,
    result_or_conflict,
    status_error,
)


def test_all_names_exactly_what_the_module_defines() -> None:
    defined = {
        name
        for name, value in vars(http_api).items()
        if not name.startswith("_")
        and (name.isupper() or getattr(value, "__module__", "") == http_api.__name__)
    }
    # Its order is ruff's to keep (RUF022); what it names is this test's.
    assert set(http_api.__all__) == defined and len(http_api.__all__) == len(defined)


def test_an_error_body_lists_fields_then_extra_keys_in_order() -> None:
    problem = FieldProblem("profile.target", "unknown value 'ketoo'", ("keto", "diet"))
    error = ApiError(422, "invalid_input", "1 field is not valid", [problem], hint="x")
    assert error.body() == {
        "error": {
            "code": "invalid_input",
            "message": "1 field is not valid",
            "fields": [
                {"field": "profile.target", "message": "unknown value 'ketoo'", "allowed": ["keto", "diet"]}
            ],
            "hint": "x",
        }
    }
    assert list(error.body()["error"]) == ["code", "message", "fields", "hint"]


def test_invalid_input_counts_the_fields() -> None:
    one = http_api.invalid_input([FieldProblem("a", "bad")])
    two = http_api.invalid_input([FieldProblem("a", "bad"), FieldProblem("b", "bad")])
    assert (one.status, one.message, len(one.fields)) == (422, "1 field is not valid", 1)
    assert two.message == "2 fields are not valid"


@pytest.mark.parametrize(
    ("status", "detail", "code", "message"),
    [
        (404, "Not Found", "not_found", "no such resource"),
        (405, "Method Not Allowed", "method_not_allowed", "method not allowed here"),
        (503, "draining", "unavailable", "draining"),
        (418, "teapot", "error", "teapot"),
    ],
)
def test_status_errors_have_stable_codes(status: int, detail: str, code: str, message: str) -> None:
    error = status_error(status, detail)
    assert (error.status, error.code, error.message) == (status, code, message)


@pytest.mark.parametrize(
    "media", ["application/json", "Application/JSON; charset=utf-8", " application/json ;"]
)
def test_a_json_object_is_read_whatever_the_media_type_parameters(media: str) -> None:
    assert json_object(media, '{"a": [1, "두부"]}'.encode()) == {"a": [1, "두부"]}


@pytest.mark.parametrize(
    "media", ["", "text/plain", "application/x-www-form-urlencoded", "application/jsonx"]
)
def test_another_media_type_is_415_naming_the_one_allowed(media: str) -> None:
    with pytest.raises(ApiError) as raised:
        json_object(media, b"{}")
    assert (raised.value.status, raised.value.code) == (415, "unsupported_media_type")
    assert raised.value.extra == {"allowed": ["application/json"]}


def test_a_body_over_the_limit_is_413_naming_the_limit() -> None:
    assert json_object("application/json", b"{}".ljust(MAX_BODY_BYTES)) == {}
    with pytest.raises(ApiError) as raised:
        json_object("application/json", b"{}".ljust(MAX_BODY_BYTES + 1))
    assert (raised.value.status, raised.value.extra) == (413, {"limit": MAX_BODY_BYTES})
    with pytest.raises(ApiError) as small:
        json_object("application/json", b'{"a": 1}', limit=4)
    assert small.value.message == "request body is larger than 4 bytes"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"{not json", "is not valid JSON (JSONDecodeError)"),
        (b"\xff\xfe{", "is not valid JSON (UnicodeDecodeError)"),
        (b"[1, 2]", "must be a JSON object, got list"),
        (b'"text"', "must be a JSON object, got str"),
        (b"null", "must be a JSON object, got NoneType"),
    ],
)
def test_a_body_that_is_not_a_json_object_names_the_body(raw: bytes, problem: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        json_object("application/json", raw)
    assert raised.value.problems == (FieldProblem("(body)", problem),)


def test_links_add_the_live_streams_only_where_they_are_served() -> None:
    assert links("s1", live=False) == {"self": "/api/sessions/s1", "result": "/api/sessions/s1/result"}
    assert links("s1", live=True) == {
        "self": "/api/sessions/s1",
        "result": "/api/sessions/s1/result",
        "events": "/api/sessions/s1/events",
        "websocket": "/api/sessions/s1/ws",
    }


@given(st.text(min_size=1, max_size=40))
def test_a_link_is_one_path_segment_that_decodes_to_the_id(session_id: str) -> None:
    for link in links(session_id, live=True).values():
        segment = link.split("/")[3]
        assert unquote(segment, errors="strict") == session_id


def _never() -> str | None:
    raise AssertionError("the result is read only for a completed session")


def test_the_result_of_a_completed_session_is_its_stored_text() -> None:
    text = json.dumps({"recipe": "두부조림"}, ensure_ascii=False)
    assert result_or_conflict("s", {"status": "completed"}, lambda: text) is text


def test_an_unknown_session_is_404() -> None:
    with pytest.raises(ApiError) as raised:
        result_or_conflict("nope", None, _never)
    assert raised.value.body() == http_api.error_body(
        "not_found", "no session with id 'nope'", sessionId="nope"
    )


@pytest.mark.parametrize(
    ("session", "loaded", "extra"),
    [
        ({"status": "processing", "progress": 40}, None, {"sessionStatus": "processing", "progress": 40}),
        ({"status": "processing"}, None, {"sessionStatus": "processing", "progress": None}),
        # Completed, but the result is not written yet (or expired): still not ready, never a 500.
        ({"status": "completed", "progress": 100}, None, {"sessionStatus": "completed", "progress": 100}),
    ],
)
def test_a_session_without_a_result_is_409_not_ready(
    session: dict[str, object], loaded: str | None, extra: dict[str, object]
) -> None:
    load = (lambda: loaded) if session["status"] == "completed" else _never
    with pytest.raises(ApiError) as raised:
        result_or_conflict("s", session, load)
    assert (raised.value.status, raised.value.code, raised.value.extra) == (409, "not_ready", extra)


@pytest.mark.parametrize(
    ("error", "message"),
    [({"code": "RecipeFailed", "message": "no recipe fits"}, "no recipe fits"), (None, "the session failed")],
)
def test_a_failed_session_is_409_saying_why(error: dict[str, str] | None, message: str) -> None:
    with pytest.raises(ApiError) as raised:
        result_or_conflict("s", {"status": "failed", "error": error}, _never)
    assert (raised.value.status, raised.value.code, raised.value.message) == (409, "session_failed", message)
    assert raised.value.extra == {"sessionStatus": "failed", "sessionError": error or {}}
