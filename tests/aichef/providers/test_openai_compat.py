"""OpenAI-compatible provider over plain HTTP against a local server speaking chat completions, in both
the json_schema (response_format) and tools (forced function) modes."""

from __future__ import annotations

import json

import pytest
from fake_llm_servers import (
    KETO_BROKEN,
    KETO_OK,
    OPENAI_KEY,
    WRONG_SCHEMA,
    FakeLLM,
    OpenAI,
    error,
    keto_request,
    quick_backoff,
    recipe,
    running,
    text,
    throttle,
)

from aichef.errors import ProviderError
from aichef.knowledge import nutrition
from aichef.knowledge.generate import GeneratedRecipe
from aichef.providers import ModelProvider, ProviderConfigError, get_provider
from aichef.providers._retry import Backoff
from aichef.providers.openai_compat import (
    DEFAULT_BASE_URL,
    HttpReply,
    OpenAIChat,
    OpenAISettings,
    openai_provider,
)
from aichef.providers.prompts import recipe_schema, strict_schema

MODES = ["json_schema", "tools"]


def _provider(fake: FakeLLM, backoff: Backoff, mode: str, **extra: str) -> ModelProvider:
    env = {
        "AICHEF_OPENAI_BASE_URL": fake.base_url,
        "AICHEF_OPENAI_MODEL": "qwen2.5:7b",
        "OPENAI_API_KEY": OPENAI_KEY,
        "AICHEF_OPENAI_MODE": mode,
        **extra,
    }
    return openai_provider(env, backoff=backoff)


@pytest.mark.parametrize("mode", MODES)
def test_happy_path_in_each_mode(mode: str) -> None:
    request = keto_request()
    backoff, _ = quick_backoff()
    with running(FakeLLM([recipe(KETO_OK)]), OpenAI()) as fake:
        outcome = _provider(fake, backoff, mode).run(request)
    assert outcome.source == "model"
    served = outcome.result
    assert isinstance(served, GeneratedRecipe) and served.source_id == "openai:qwen2.5:7b"
    expected = nutrition.compute([(x.ingredient, x.grams) for x in served.lines], 2)
    assert served.nutrition.per_serving == expected.per_serving
    assert outcome.rounds[0].usage == {"prompt_tokens": 1200, "completion_tokens": 300}
    body = fake.requests[0]["body"]
    assert fake.requests[0]["headers"]["authorization"] == f"Bearer {OPENAI_KEY}"
    assert body["model"] == "qwen2.5:7b" and body["messages"][0]["role"] == "system"
    if mode == "tools":
        assert body["tool_choice"] == {"type": "function", "function": {"name": "submit_recipe"}}
        assert body["tools"][0]["function"]["parameters"] == recipe_schema(request)
    else:
        sent = body["response_format"]["json_schema"]["schema"]
        assert sent == strict_schema(recipe_schema(request))
        assert sent["properties"]["servings"] == {"type": "integer", "enum": [2]}
        assert "minItems" not in sent["properties"]["ingredients"]
        assert body["response_format"]["json_schema"]["strict"] is True


@pytest.mark.parametrize("mode", MODES)
def test_throttling_then_success(mode: str) -> None:
    backoff, waits = quick_backoff(attempts=4)
    with running(FakeLLM([throttle(), throttle(), throttle(), recipe(KETO_OK)]), OpenAI()) as fake:
        outcome = _provider(fake, backoff, mode).run(keto_request())
    assert outcome.source == "model" and outcome.retries == 3
    assert waits == [0.25, 0.5, 1.0]


@pytest.mark.parametrize("mode", MODES)
def test_malformed_output_then_fallback(mode: str) -> None:
    answers = [text("Here is a tasty recipe!"), recipe(WRONG_SCHEMA), text("```json\n[1, 2]\n```")]
    backoff, _ = quick_backoff()
    with running(FakeLLM(answers), OpenAI()) as fake:
        outcome = _provider(fake, backoff, mode).run(keto_request())
    assert outcome.source == "offline" and len(fake.requests) == 3
    assert any("JSON 객체가 아닙니다: [1, 2]" in p for p in outcome.rounds[2].problems)  # fenced JSON is read
    assert isinstance(outcome.result, GeneratedRecipe)
    assert outcome.result.recipe.targetNote.startswith("AI 모델의 레시피 대신 검증된 기본 레시피를 드립니다.")
    assert "qwen" not in outcome.result.recipe.targetNote
    third = fake.requests[2]["body"]["messages"]
    if mode == "tools":
        call = third[4]["tool_calls"][0]  # [0] is the system message
        assert json.loads(call["function"]["arguments"]) == WRONG_SCHEMA
        assert third[5]["role"] == "tool" and third[5]["tool_call_id"] == call["id"]
        assert "ingredients[0].amount" in third[5]["content"]
    else:
        assert json.loads(third[4]["content"]) == WRONG_SCHEMA
        assert third[5]["role"] == "user" and "ingredients[0].amount" in third[5]["content"]


@pytest.mark.parametrize("mode", MODES)
def test_broken_recipe_is_repaired(mode: str) -> None:
    answers = [recipe(KETO_BROKEN), recipe(KETO_OK, needs="[allergy.declared]")]
    backoff, _ = quick_backoff()
    with running(FakeLLM(answers), OpenAI()) as fake:
        outcome = _provider(fake, backoff, mode).run(keto_request())
    assert outcome.source == "model" and len(outcome.rounds) == 2
    assert isinstance(outcome.result, GeneratedRecipe)
    assert "shrimp" not in {x.ingredient.key for x in outcome.result.lines}


def test_two_failed_repairs_fall_back_to_offline() -> None:
    answers = [recipe(KETO_BROKEN), recipe(KETO_BROKEN), recipe(KETO_BROKEN), recipe(KETO_OK)]
    backoff, _ = quick_backoff()
    with running(FakeLLM(answers), OpenAI()) as fake:
        outcome = _provider(fake, backoff, "tools").run(keto_request())
    assert outcome.source == "offline" and len(fake.requests) == 3  # first ask + at most two repairs
    assert outcome.reason is not None and "allergy.declared" in outcome.reason


def test_a_local_server_without_a_key_and_a_v1_base_url() -> None:
    backoff, _ = quick_backoff()
    with running(FakeLLM([recipe(KETO_OK)]), OpenAI(key=None)) as fake:
        env = {"AICHEF_OPENAI_BASE_URL": fake.base_url + "/v1/", "AICHEF_OPENAI_MODEL": "llama3.1"}
        outcome = openai_provider(env, backoff=backoff).run(keto_request())
    assert outcome.source == "model"
    assert "authorization" not in fake.requests[0]["headers"]


def test_server_errors_fall_back_without_retrying() -> None:
    backoff, waits = quick_backoff()
    with running(FakeLLM([error(500)]), OpenAI()) as fake:
        outcome = _provider(fake, backoff, "json_schema").run(keto_request())
    assert outcome.source == "offline" and waits == [] and len(fake.requests) == 1
    assert outcome.reason is not None and "500" in outcome.reason


def test_nothing_listening_falls_back_with_a_network_note() -> None:
    with running(FakeLLM([]), OpenAI()) as fake:
        base = fake.base_url  # the port is free again once the server is gone
    backoff, _ = quick_backoff()
    outcome = _provider(FakeLLM([], base_url=base), backoff, "json_schema").run(keto_request())
    assert outcome.source == "offline" and outcome.reason is not None and "network" in outcome.reason


def test_a_reply_without_choices_is_a_provider_error() -> None:
    def transport(url: str, headers: object, body: bytes, timeout: float) -> HttpReply:
        return HttpReply(200, {}, b'{"object": "chat.completion", "choices": []}')

    chat = OpenAIChat(OpenAISettings(model="m"), transport)
    with pytest.raises(ProviderError, match="choices"):
        chat.ask("system", [], {})


def test_missing_model_fails_fast_naming_the_variable() -> None:
    with pytest.raises(ProviderConfigError) as caught:
        get_provider("openai", {"OPENAI_API_KEY": "k"})
    assert caught.value.variable == "AICHEF_OPENAI_MODEL"


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"AICHEF_OPENAI_MODEL": "m", "AICHEF_OPENAI_BASE_URL": "ftp://x"}, "AICHEF_OPENAI_BASE_URL"),
        ({"AICHEF_OPENAI_MODEL": "m", "AICHEF_OPENAI_MODE": "grammar"}, "AICHEF_OPENAI_MODE"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ProviderConfigError) as caught:
        OpenAISettings.from_env(env)
    assert caught.value.variable == variable


def test_defaults_point_at_a_local_ollama_and_hide_the_key() -> None:
    settings = OpenAISettings.from_env({"AICHEF_OPENAI_MODEL": "m", "OPENAI_API_KEY": "sk-secret"})
    assert settings.base_url == DEFAULT_BASE_URL == "http://127.0.0.1:11434"
    assert settings.url == "http://127.0.0.1:11434/v1/chat/completions"
    assert settings.mode == "auto" and "sk-secret" not in repr(settings)
    assert settings.timeout == 300.0 and settings.context is None and not settings.compact
