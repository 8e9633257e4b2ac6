"""Local 127.0.0.1 stand-ins for Bedrock Converse, Anthropic Messages and OpenAI chat completions that
speak each vendor's real wire format (throttling errors included) and follow a script of answers."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aichef.models import SessionRequest
from aichef.providers._retry import Backoff

ANTHROPIC_KEY = "sk-ant-test-key"
OPENAI_KEY = "sk-test-key"
BEDROCK_MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"

# A keto recipe for two that passes every rule (net carbs about 5 g, fat about 90 % of energy).
KETO_OK: dict[str, Any] = {
    "recipeName": "삼겹살 양배추 볶음",
    "description": "기름진 삼겹살과 아삭한 양배추를 마늘과 함께 볶은 키토 한 끼.",
    "cookingTime": 20,
    "difficulty": "쉬움",
    "servings": 2,
    "texture": "regular",
    "ingredients": [
        {"name": "삼겹살", "amount": 300, "unit": "g"},
        {"name": "양배추", "amount": 150, "unit": "g"},
        {"name": "마늘", "amount": 3, "unit": "쪽"},
        {"name": "올리브유", "amount": 1, "unit": "큰술"},
        {"name": "소금", "amount": 1, "unit": "g"},
    ],
    "instructions": [
        "삼겹살을 한입 크기로 썬다.",
        "팬에 올리브유를 두르고 삼겹살을 굽는다.",
        "양배추와 마늘을 넣고 볶아 소금으로 간한다.",
    ],
}
# The same dish with shrimp (the profile's allergy) and rice (forbidden on keto) added.
KETO_BROKEN: dict[str, Any] = {
    **KETO_OK,
    "recipeName": "새우 삼겹살 덮밥",
    "ingredients": [
        *KETO_OK["ingredients"],
        {"name": "새우", "amount": 6, "unit": "마리"},
        {"name": "밥", "amount": 2, "unit": "공기"},
    ],
}
# Wrong shape: amounts as strings, no instructions, and the model's own nutrition figures.
WRONG_SCHEMA: dict[str, Any] = {
    "recipeName": "삼겹살 볶음",
    "cookingTime": 20,
    "ingredients": [{"name": "삼겹살", "amount": "300g"}],
    "nutrition": {"kcal": 300},
}


def keto_request(language: str = "ko", **profile: Any) -> SessionRequest:
    """Keto for two, allergic to shrimp: the request every vendor test uses."""
    data = {"target": "keto", "allergies": ["새우"], "servings": 2, "language": language, **profile}
    return SessionRequest.model_validate({"sessionId": "provider-test", "profile": data})


def quick_backoff(attempts: int = 3) -> tuple[Backoff, list[float]]:
    """A backoff that records its waits instead of sleeping (tests never sleep)."""
    waits: list[float] = []
    return Backoff(attempts=attempts, base=0.5, cap=4.0, sleep=waits.append, rand=lambda: 0.5), waits


@dataclass(frozen=True)
class Answer:
    """One scripted answer. ``kind``: recipe (a tool call with ``recipe``), text (prose, not JSON),
    throttle (429 as the vendor sends it), error (``status`` with the vendor's error body).
    ``needs``: the answer is only given when the request contains this text (repair feedback);
    otherwise the server answers 400 so the test fails loudly."""

    kind: str
    recipe: dict[str, Any] | None = None
    text: str = ""
    status: int = 400
    needs: str | None = None


def recipe(data: dict[str, Any], needs: str | None = None) -> Answer:
    return Answer("recipe", recipe=data, needs=needs)


def text(words: str) -> Answer:
    return Answer("text", text=words)


def throttle() -> Answer:
    return Answer("throttle", status=429)


def error(status: int) -> Answer:
    return Answer("error", status=status)


@dataclass
class FakeLLM:
    """Scripted model; ``requests`` keeps every parsed request body with its path and headers."""

    answers: list[Answer]
    requests: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_answer(self, raw: str) -> Answer:
        with self.lock:
            if not self.answers:
                return Answer("error", status=500, text="script exhausted")
            answer = self.answers.pop(0)
        if answer.needs is not None and answer.needs not in raw:
            return Answer("error", status=400, text=f"request lacks {answer.needs!r}")
        return answer


class _Vendor:
    """How one vendor checks a request and spells answers and errors."""

    def check(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, bytes] | None:
        raise NotImplementedError

    def answer(self, answer: Answer, body: dict[str, Any], number: int) -> tuple[int, dict[str, str], bytes]:
        raise NotImplementedError


def _json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


class Bedrock(_Vendor):
    def __init__(self, model: str = BEDROCK_MODEL) -> None:
        self.model = model

    def check(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, bytes] | None:
        model = urllib.parse.quote(self.model, safe="")
        if path != f"/model/{model}/converse":
            return 404, _json({"message": f"unknown path {path}"})
        if not headers.get("authorization", "").startswith("AWS4-HMAC-SHA256 Credential=testing/"):
            return 403, _json({"message": "The security token included in the request is invalid."})
        if body.get("toolConfig", {}).get("toolChoice") != {"tool": {"name": "submit_recipe"}}:
            return 400, _json({"message": "toolChoice must name submit_recipe"})
        return None

    def answer(self, answer: Answer, body: dict[str, Any], number: int) -> tuple[int, dict[str, str], bytes]:
        if answer.kind == "throttle":
            headers = {
                "x-amzn-ErrorType": "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"
            }
            return 429, headers, _json({"message": "Too many requests, please wait before trying again."})
        if answer.kind == "error":
            headers = {"x-amzn-ErrorType": "ValidationException"}
            return answer.status, headers, _json({"message": answer.text or "Malformed input request"})
        if answer.kind == "recipe":
            block: dict[str, Any] = {
                "toolUse": {"toolUseId": f"tooluse_{number}", "name": "submit_recipe", "input": answer.recipe}
            }
            stop = "tool_use"
        else:
            block, stop = {"text": answer.text}, "end_turn"
        reply = {
            "output": {"message": {"role": "assistant", "content": [block]}},
            "stopReason": stop,
            "usage": {"inputTokens": 1200, "outputTokens": 300, "totalTokens": 1500},
            "metrics": {"latencyMs": 812},
        }
        return 200, {}, _json(reply)


class Anthropic(_Vendor):
    def check(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, bytes] | None:
        if path != "/v1/messages":
            return 404, _json({"type": "error", "error": {"type": "not_found_error", "message": "Not found"}})
        # The SDK sends the key as x-api-key (1.x) or as a bearer token (2.x); the API takes either.
        if ANTHROPIC_KEY not in (
            headers.get("x-api-key"),
            headers.get("authorization", "").removeprefix("Bearer "),
        ):
            error = {"type": "authentication_error", "message": "invalid x-api-key"}
            return 401, _json({"type": "error", "error": error})
        if "anthropic-version" not in headers or body.get("tool_choice") != {
            "type": "tool",
            "name": "submit_recipe",
        }:
            error = {"type": "invalid_request_error", "message": "tool_choice must name submit_recipe"}
            return 400, _json({"type": "error", "error": error})
        return None

    def answer(self, answer: Answer, body: dict[str, Any], number: int) -> tuple[int, dict[str, str], bytes]:
        if answer.kind == "throttle":
            error = {
                "type": "rate_limit_error",
                "message": "Number of requests has exceeded your rate limit.",
            }
            return (
                429,
                {"retry-after": "0", "request-id": f"req_{number}"},
                _json({"type": "error", "error": error}),
            )
        if answer.kind == "error":
            error = {"type": "invalid_request_error", "message": answer.text or "bad request"}
            return answer.status, {}, _json({"type": "error", "error": error})
        if answer.kind == "recipe":
            block: dict[str, Any] = {
                "type": "tool_use",
                "id": f"toolu_{number:04d}",
                "name": "submit_recipe",
                "input": answer.recipe,
            }
            stop = "tool_use"
        else:
            block, stop = {"type": "text", "text": answer.text}, "end_turn"
        reply = {
            "id": f"msg_{number:04d}",
            "type": "message",
            "role": "assistant",
            "model": body.get("model"),
            "content": [block],
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": {"input_tokens": 1200, "output_tokens": 300},
        }
        return 200, {"request-id": f"req_{number}"}, _json(reply)


class OpenAI(_Vendor):
    def __init__(self, key: str | None = OPENAI_KEY) -> None:
        self.key = key

    def check(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, bytes] | None:
        if path != "/v1/chat/completions":
            return 404, _json(
                {"error": {"message": "Not found", "type": "invalid_request_error", "code": None}}
            )
        if self.key is not None and headers.get("authorization") != f"Bearer {self.key}":
            error = {
                "message": "Incorrect API key provided",
                "type": "invalid_request_error",
                "code": "invalid_api_key",
            }
            return 401, _json({"error": error})
        if "tools" not in body and body.get("response_format", {}).get("type") != "json_schema":
            return 400, _json(
                {
                    "error": {
                        "message": "expected tools or a json_schema response_format",
                        "type": "invalid_request_error",
                    }
                }
            )
        return None

    def answer(self, answer: Answer, body: dict[str, Any], number: int) -> tuple[int, dict[str, str], bytes]:
        if answer.kind == "throttle":
            error = {
                "message": "Rate limit reached for requests. Please try again in 20ms.",
                "type": "requests",
                "param": None,
                "code": "rate_limit_exceeded",
            }
            return 429, {"retry-after": "0"}, _json({"error": error})
        if answer.kind == "error":
            error = {
                "message": answer.text or "bad request",
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            }
            return answer.status, {}, _json({"error": error})
        content = json.dumps(answer.recipe, ensure_ascii=False) if answer.kind == "recipe" else answer.text
        message: dict[str, Any] = {"role": "assistant", "content": content}
        finish = "stop"
        if "tools" in body and answer.kind == "recipe":
            call = {
                "id": f"call_{number:04d}",
                "type": "function",
                "function": {"name": "submit_recipe", "arguments": content},
            }
            message = {"role": "assistant", "content": None, "tool_calls": [call]}
            finish = "tool_calls"
        reply = {
            "id": f"chatcmpl-{number:04d}",
            "object": "chat.completion",
            "created": 1795000000 + number,
            "model": body.get("model"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": 1200, "completion_tokens": 300, "total_tokens": 1500},
        }
        return 200, {}, _json(reply)


def _handler(fake: FakeLLM, vendor: _Vendor) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            headers = {k.lower(): v for k, v in self.headers.items()}
            path = urllib.parse.urlsplit(self.path).path
            try:
                body = json.loads(raw)
            except ValueError:
                body = {}
            fake.requests.append({"path": path, "headers": headers, "body": body, "raw": raw})
            refused = vendor.check(path, headers, body)
            if refused is not None:
                status, extra, payload = refused[0], {}, refused[1]
            else:
                answer = fake.next_answer(raw)
                status, extra, payload = vendor.answer(answer, body, len(fake.requests))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


@contextmanager
def running(fake: FakeLLM, vendor: _Vendor) -> Iterator[FakeLLM]:
    """Serve ``fake`` in ``vendor``'s wire format on 127.0.0.1 (a free port) for the block."""
    server = _Server(("127.0.0.1", 0), _handler(fake, vendor))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
