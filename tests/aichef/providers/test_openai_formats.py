"""The OpenAI-compatible provider against servers that differ: which structured-output form each takes
(remembered per base URL), streaming with the text so far, the compact prompt for a small context,
settings for CPU generation, and what the user and the log see when the server fails."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from fake_llm_servers import KETO_OK, keto_request, quick_backoff

from aichef.errors import ProviderError
from aichef.knowledge.generator import GeneratedRecipe
from aichef.models import SessionRequest
from aichef.providers import ModelProvider, ProviderConfigError
from aichef.providers._review import review
from aichef.providers.openai_compat import HttpReply, OpenAIChat, OpenAISettings, openai_provider
from aichef.providers.prompts import (
    compact_names,
    compact_schema,
    compact_system_prompt,
    compact_user_prompt,
    example_recipe,
)

# What llama-cpp-python 0.3.36 answers to response_format json_schema (recorded; shortened).
LLAMA_CPP_PYTHON_REFUSAL = json.dumps(
    {
        "error": {
            "message": "[{'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
            "'msg': \"Input should be 'text' or 'json_object'\"}]\nTraceback (most recent call last): ...",
            "type": "internal_server_error",
        }
    }
).encode()


def _completion(content: str) -> bytes:
    message = {"role": "assistant", "content": content}
    return json.dumps({"choices": [{"index": 0, "message": message}], "usage": {}}).encode()


class Server:
    """A transport that answers like a server taking only the ``takes`` forms of structured output."""

    def __init__(self, takes: set[str], content: str = json.dumps(KETO_OK, ensure_ascii=False)) -> None:
        self.takes = takes
        self.content = content
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, url: str, headers: Mapping[str, str], body: bytes, timeout: float) -> HttpReply:
        data = json.loads(body)
        self.bodies.append(data)
        form = (data.get("response_format") or {}).get("type", "prompt")
        if form not in self.takes:
            return HttpReply(500, {}, LLAMA_CPP_PYTHON_REFUSAL)
        return HttpReply(200, {}, _completion(self.content))


def _env(base: str, **extra: str) -> dict[str, str]:
    return {"AICHEF_OPENAI_BASE_URL": base, "AICHEF_OPENAI_MODEL": "smollm2", **extra}


def test_auto_tries_json_schema_then_json_object_and_remembers_per_server() -> None:
    server = Server({"json_object"})
    backoff, _ = quick_backoff()
    provider = openai_provider(_env("http://127.0.0.1:1/llama-cpp-python"), backoff=backoff, transport=server)
    first = provider.run(keto_request())
    assert first.source == "model"
    assert [b.get("response_format", {}).get("type") for b in server.bodies] == ["json_schema", "json_object"]
    schema = server.bodies[1]["response_format"]["schema"]
    assert schema["properties"]["servings"] == {"type": "integer", "enum": [2]}
    # A second provider for the same server (another session, another process' worker) asks once.
    again = openai_provider(_env("http://127.0.0.1:1/llama-cpp-python"), backoff=backoff, transport=server)
    assert again.run(keto_request()).source == "model"
    assert len(server.bodies) == 3 and server.bodies[2]["response_format"]["type"] == "json_object"


def test_a_server_without_structured_output_gets_the_schema_in_the_prompt() -> None:
    server = Server({"prompt"})
    chat = OpenAIChat(OpenAISettings(model="m", base_url="http://127.0.0.1:1/plain"), server)
    reply = chat.ask("Be a chef.", [], {"type": "object", "properties": {"a": {"type": "integer"}}})
    assert reply.arguments == KETO_OK
    last = server.bodies[-1]
    assert "response_format" not in last and "tools" not in last
    system = last["messages"][0]["content"]
    assert system.startswith("Be a chef.") and '{"type":"object","properties":{"a"' in system


def test_a_chosen_mode_is_not_negotiated() -> None:
    server = Server({"json_object"})
    chat = OpenAIChat(
        OpenAISettings(model="m", base_url="http://127.0.0.1:1/fixed", mode="json_schema"), server
    )
    with pytest.raises(ProviderError) as caught:
        chat.ask("s", [], {})
    assert len(server.bodies) == 1 and caught.value.code.startswith("500")


def test_a_server_that_refuses_everything_gives_a_plain_note_and_one_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = Server(set())
    backoff, waits = quick_backoff()
    provider = openai_provider(
        _env("http://127.0.0.1:1/broken", OPENAI_API_KEY="sk-very-secret"), backoff=backoff, transport=server
    )
    with caplog.at_level(logging.INFO, logger="aichef"):
        outcome = provider.run(keto_request())
    assert outcome.source == "offline" and waits == [] and len(server.bodies) == 3
    assert outcome.category == "server_error" and outcome.reason is not None and "500" in outcome.reason
    assert isinstance(outcome.result, GeneratedRecipe)
    note = outcome.result.recipe.targetNote
    # The user reads plain Korean words: no status, no server text, no traceback.
    assert note.startswith("AI 모델의 레시피 대신 검증된 기본 레시피를 드립니다")
    assert "smollm2" not in note  # the model's name is for the log
    assert "모델이 답하지 못했습니다" in note
    for leak in ("500", "Traceback", "literal_error", "json_object", "error"):
        assert leak not in note
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "sk-very-secret" not in logged and "허용 재료" not in logged and "재료 목록" not in logged


def test_a_missing_server_is_one_log_line_naming_the_url_and_the_variable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    backoff, _ = quick_backoff()
    provider = openai_provider(_env("http://127.0.0.1:9"), backoff=backoff)  # the discard port: closed
    with caplog.at_level(logging.INFO, logger="aichef"):
        outcome = provider.run(keto_request("en"))
    assert outcome.source == "offline" and outcome.category == "unreachable"
    assert isinstance(outcome.result, GeneratedRecipe)
    assert "the model server could not be reached" in outcome.result.recipe.targetNote
    assert "127.0.0.1:9" not in outcome.result.recipe.targetNote
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1
    assert "http://127.0.0.1:9/v1/chat/completions" in lines[0] and "AICHEF_OPENAI_BASE_URL" in lines[0]


def _sse(*pieces: str) -> list[bytes]:
    chunks = [{"choices": [{"index": 0, "delta": {"content": piece}}]} for piece in pieces]
    return [f"data: {json.dumps(c, ensure_ascii=False)}\n".encode() for c in chunks] + [b"data: [DONE]\n"]


def test_streaming_reports_the_text_so_far_and_parses_the_whole() -> None:
    whole = json.dumps(KETO_OK, ensure_ascii=False)
    pieces = [whole[i : i + 40] for i in range(0, len(whole), 40)]
    sent: list[dict[str, Any]] = []

    def stream(
        url: str, headers: Mapping[str, str], body: bytes, timeout: float, on_line: Callable[[bytes], None]
    ) -> HttpReply:
        sent.append(json.loads(body))
        for line in [b": keep-alive\n", *_sse(*pieces)]:
            on_line(line)
        return HttpReply(200, {}, b"")

    def no_plain_call(url: str, headers: Mapping[str, str], body: bytes, timeout: float) -> HttpReply:
        raise AssertionError("a streaming ask must not use the plain transport")

    heard: list[tuple[int, str]] = []
    settings = OpenAISettings(model="m", base_url="http://127.0.0.1:1/stream", mode="json_object")
    provider = ModelProvider(OpenAIChat(settings, no_plain_call, stream), backoff=quick_backoff()[0])
    outcome = provider.run(keto_request(), on_tokens=lambda n, text: heard.append((n, text)))
    assert outcome.source == "model" and sent[0]["stream"] is True
    assert [n for n, _ in heard] == list(range(1, len(pieces) + 1))
    assert all(whole.startswith(text) for _, text in heard) and heard[-1][1] == whole


def test_settings_for_a_small_cpu_model_and_their_errors() -> None:
    settings = OpenAISettings.from_env(
        _env("http://x", AICHEF_OPENAI_CONTEXT="2048", AICHEF_OPENAI_TIMEOUT="90")
    )
    assert settings.compact and settings.max_tokens == 1024 and settings.timeout == 90.0
    assert openai_provider(_env("http://x", AICHEF_OPENAI_CONTEXT="2048")).compact
    assert not openai_provider(_env("http://x")).compact
    for name, value in (("AICHEF_OPENAI_TIMEOUT", "soon"), ("AICHEF_OPENAI_CONTEXT", "-1"),
                        ("AICHEF_OPENAI_MAX_TOKENS", "1.5")):  # fmt: skip
        with pytest.raises(ProviderConfigError) as caught:
            OpenAISettings.from_env(_env("http://x", **{name: value}))
        assert caught.value.variable == name and "above 0" in str(caught.value)


def _request(target: str, language: str, **profile: Any) -> SessionRequest:
    data = {"target": target, "language": language, "servings": 2, **profile}
    return SessionRequest.model_validate({"sessionId": "compact", "profile": data})


COMPACT_CASES = [
    _request("keto", "ko", allergies=["새우"]),
    _request("diabetes", "en"),
    _request("diet", "ko", allergies=["우유"]),
    _request("baby_food", "ko", babyAgeMonths=8),
    _request("fridge", "en", fridgeIngredients=["egg", "tofu", "spinach"]),
]


@pytest.mark.parametrize("request_", COMPACT_CASES, ids=lambda r: f"{r.profile.target}-{r.profile.language}")
def test_the_compact_prompt_is_short_and_its_example_passes_review(request_: SessionRequest) -> None:
    example = example_recipe(request_)
    assert example is not None
    names = compact_names(request_, example)
    assert 5 <= len(names) <= 32
    assert {line["name"] for line in example["ingredients"]} <= set(names)
    # The example is a recipe the review serves as it is: copying it is a right answer.
    assert review(example, request_, "test:example").served is not None
    schema = compact_schema(request_, names)
    assert schema["properties"]["ingredients"]["items"]["properties"]["name"]["enum"] == names
    text = compact_system_prompt(request_) + compact_user_prompt(request_, example, names)
    text += json.dumps(schema, ensure_ascii=False)
    # SmolLM2's tokenizer spends about one token per Latin character group (about four characters)
    # and up to three per Hangul syllable: 4,000 English or 3,000 Korean characters stay well inside
    # a 4,096-token window with room to answer (a whole-meal example with 13 lines is about 3,500).
    korean = request_.profile.language == "ko"
    assert len(text) < (3000 if korean else 4000), len(text)
    assert ("JSON 객체 하나로만" in text) == korean
    for word in request_.profile.allergies:
        assert word not in names
