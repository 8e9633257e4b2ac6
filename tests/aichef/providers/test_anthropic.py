"""Anthropic provider through the official SDK against a local server speaking the Messages API."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fake_llm_servers import (
    ANTHROPIC_KEY,
    KETO_BROKEN,
    KETO_OK,
    WRONG_SCHEMA,
    Anthropic,
    FakeLLM,
    error,
    keto_request,
    quick_backoff,
    recipe,
    running,
    text,
    throttle,
)

from aichef.knowledge import nutrition
from aichef.knowledge.generate import GeneratedRecipe
from aichef.providers import ModelProvider, ProviderConfigError, get_provider
from aichef.providers._retry import Backoff
from aichef.providers.anthropic import DEFAULT_MODEL, AnthropicSettings, anthropic_provider
from aichef.providers.prompts import recipe_schema

MakeProvider = Callable[..., ModelProvider]


@pytest.fixture
def provider_for() -> Iterator[MakeProvider]:
    opened: list[ModelProvider] = []

    def make(fake: FakeLLM, backoff: Backoff, key: str = ANTHROPIC_KEY) -> ModelProvider:
        env = {
            "ANTHROPIC_API_KEY": key,
            "ANTHROPIC_BASE_URL": fake.base_url,
            "AICHEF_ANTHROPIC_MODEL": "claude-x",
        }
        provider = anthropic_provider(env, backoff=backoff)
        opened.append(provider)
        return provider

    yield make
    for provider in opened:
        provider.close()


def test_happy_path_forces_the_tool_and_serves_the_models_recipe(provider_for: MakeProvider) -> None:
    request = keto_request()
    backoff, waits = quick_backoff()
    with running(FakeLLM([recipe(KETO_OK)]), Anthropic()) as fake:
        outcome = provider_for(fake, backoff).run(request)
    assert outcome.source == "model" and waits == []
    served = outcome.result
    assert isinstance(served, GeneratedRecipe) and served.source_id == "anthropic:claude-x"
    expected = nutrition.compute([(x.ingredient, x.grams) for x in served.lines], 2)
    assert served.nutrition.total == expected.total
    assert outcome.rounds[0].usage == {"input_tokens": 1200, "output_tokens": 300}
    (sent,) = fake.requests
    body = sent["body"]
    assert body["model"] == "claude-x" and body["tool_choice"] == {"type": "tool", "name": "submit_recipe"}
    assert body["tools"][0]["input_schema"] == recipe_schema(request)
    assert "키토" in body["system"]
    assert (
        body["messages"][0]["role"] == "user" and "알레르기(절대 사용 금지)" in body["messages"][0]["content"]
    )


def test_rate_limit_is_retried_then_succeeds(provider_for: MakeProvider) -> None:
    backoff, waits = quick_backoff(attempts=3)
    with running(FakeLLM([throttle(), recipe(KETO_OK)]), Anthropic()) as fake:
        outcome = provider_for(fake, backoff).run(keto_request())
    assert outcome.source == "model" and outcome.retries == 1 and waits == [0.25]
    assert len(fake.requests) == 2  # the SDK's own retries are off: one request per attempt


def test_rate_limit_to_the_end_falls_back_with_a_note_in_english(provider_for: MakeProvider) -> None:
    backoff, waits = quick_backoff(attempts=2)
    with running(FakeLLM([throttle(), throttle()]), Anthropic()) as fake:
        outcome = provider_for(fake, backoff).run(keto_request("en"))
    assert outcome.source == "offline" and len(waits) == 1
    assert isinstance(outcome.result, GeneratedRecipe)
    note = outcome.result.recipe.targetNote
    assert note.startswith("A checked recipe from our library is served instead of the AI model's, because")
    assert "too busy" in note and "rate_limit_error" not in note  # plain words; the code is logged


def test_malformed_output_then_fallback(provider_for: MakeProvider) -> None:
    answers = [recipe(WRONG_SCHEMA), text("I cannot help with that."), recipe(WRONG_SCHEMA)]
    backoff, _ = quick_backoff()
    with running(FakeLLM(answers), Anthropic()) as fake:
        outcome = provider_for(fake, backoff).run(keto_request())
    assert outcome.source == "offline" and len(fake.requests) == 3
    assert isinstance(outcome.result, GeneratedRecipe)
    assert "AI 모델의 레시피 대신 검증된 기본 레시피" in outcome.result.recipe.targetNote
    second = fake.requests[1]["body"]["messages"]
    tool_use = second[1]["content"][0]
    tool_result = second[2]["content"][0]
    assert tool_use["type"] == "tool_use" and tool_use["input"] == WRONG_SCHEMA
    assert tool_result["type"] == "tool_result" and tool_result["tool_use_id"] == tool_use["id"]
    assert tool_result["is_error"] is True and "instructions: is required" in tool_result["content"]
    third = fake.requests[2]["body"]["messages"]
    assert third[3] == {"role": "assistant", "content": "I cannot help with that."}


def test_broken_recipe_is_repaired(provider_for: MakeProvider) -> None:
    answers = [recipe(KETO_BROKEN), recipe(KETO_OK, needs="[keto.no_sugar_or_starch]")]
    backoff, _ = quick_backoff()
    with running(FakeLLM(answers), Anthropic()) as fake:
        outcome = provider_for(fake, backoff).run(keto_request())
    assert outcome.source == "model" and len(outcome.rounds) == 2
    assert isinstance(outcome.result, GeneratedRecipe)
    assert outcome.result.recipe.recipeName == KETO_OK["recipeName"]


def test_a_rejected_key_falls_back_with_the_vendors_error_type(provider_for: MakeProvider) -> None:
    backoff, waits = quick_backoff()
    with running(FakeLLM([recipe(KETO_OK)]), Anthropic()) as fake:
        outcome = provider_for(fake, backoff, key="sk-ant-wrong").run(keto_request())
    assert outcome.source == "offline" and waits == [] and outcome.rounds == ()
    assert outcome.reason is not None and "authentication_error" in outcome.reason


def test_a_bad_request_is_not_retried(provider_for: MakeProvider) -> None:
    backoff, waits = quick_backoff()
    with running(FakeLLM([error(400)]), Anthropic()) as fake:
        outcome = provider_for(fake, backoff).run(keto_request())
    assert outcome.source == "offline" and waits == [] and len(fake.requests) == 1


def test_missing_key_fails_fast_naming_the_variable() -> None:
    with pytest.raises(ProviderConfigError) as caught:
        get_provider("anthropic", {"AICHEF_ANTHROPIC_MODEL": "claude-x"})
    assert caught.value.variable == "ANTHROPIC_API_KEY" and "ANTHROPIC_API_KEY" in str(caught.value)


def test_settings_default_model_and_keep_the_key_out_of_repr() -> None:
    settings = AnthropicSettings.from_env({"ANTHROPIC_API_KEY": "sk-ant-secret"})
    assert settings.model == DEFAULT_MODEL and settings.base_url is None
    assert "sk-ant-secret" not in repr(settings)
    with pytest.raises(ProviderConfigError, match="ANTHROPIC_BASE_URL"):
        AnthropicSettings.from_env({"ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": "127.0.0.1:1"})
