"""Bedrock provider through botocore's real client against a local server speaking Converse."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fake_llm_servers import (
    BEDROCK_MODEL,
    KETO_BROKEN,
    KETO_OK,
    WRONG_SCHEMA,
    Bedrock,
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
from aichef.providers.bedrock import BedrockSettings, bedrock_provider
from aichef.providers.prompts import recipe_schema

MakeProvider = Callable[..., ModelProvider]
_AWS_VARIABLES = (
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
    "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)  # fmt: skip


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials from the machine: no files, no instance metadata, no profile."""
    for name in _AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def _env(fake: FakeLLM, **extra: str) -> dict[str, str]:
    return {
        "AICHEF_BEDROCK_MODEL_ID": BEDROCK_MODEL,
        "AWS_REGION": "ap-northeast-2",
        "AICHEF_BEDROCK_ENDPOINT_URL": fake.base_url,
        **extra,
    }


@pytest.fixture
def provider_for(aws: None) -> Iterator[MakeProvider]:
    opened: list[ModelProvider] = []

    def make(fake: FakeLLM, backoff: Backoff, **extra: str) -> ModelProvider:
        provider = bedrock_provider(_env(fake, **extra), backoff=backoff)
        opened.append(provider)
        return provider

    yield make
    for provider in opened:
        provider.close()


def test_happy_path_sends_converse_with_forced_tool_and_serves_the_models_recipe(
    provider_for: MakeProvider,
) -> None:
    request = keto_request()
    backoff, waits = quick_backoff()
    with running(FakeLLM([recipe(KETO_OK)]), Bedrock()) as fake:
        outcome = provider_for(fake, backoff).run(request)
    assert outcome.source == "model" and outcome.retries == 0 and waits == []
    served = outcome.result
    assert isinstance(served, GeneratedRecipe)
    assert served.recipe.recipeName == KETO_OK["recipeName"]
    assert served.source_id == f"bedrock:{BEDROCK_MODEL}"
    # Nutrition is AI Chef's own, from the weighed lines.
    expected = nutrition.compute([(x.ingredient, x.grams) for x in served.lines], 2)
    assert served.nutrition.per_serving == expected.per_serving
    assert outcome.rounds[0].usage == {"inputTokens": 1200, "outputTokens": 300}
    (sent,) = fake.requests
    body = sent["body"]
    tool = body["toolConfig"]["tools"][0]["toolSpec"]
    assert tool["name"] == "submit_recipe"
    assert tool["inputSchema"]["json"] == recipe_schema(request)
    assert "키토" in body["system"][0]["text"]
    assert "허용 재료 목록" in body["messages"][0]["content"][0]["text"]
    assert sent["headers"]["authorization"].startswith("AWS4-HMAC-SHA256 Credential=testing/")
    assert "/ap-northeast-2/bedrock/aws4_request" in sent["headers"]["authorization"]


def test_throttling_is_retried_with_jittered_backoff_then_succeeds(provider_for: MakeProvider) -> None:
    backoff, waits = quick_backoff(attempts=3)
    with running(FakeLLM([throttle(), throttle(), recipe(KETO_OK)]), Bedrock()) as fake:
        outcome = provider_for(fake, backoff).run(keto_request())
    assert outcome.source == "model" and outcome.retries == 2
    assert waits == [0.25, 0.5]  # half of base·2ⁿ with rand() = 0.5: full jitter, growing
    assert len(fake.requests) == 3


def test_throttling_that_never_ends_falls_back_to_offline_with_a_note(provider_for: MakeProvider) -> None:
    backoff, waits = quick_backoff(attempts=3)
    with running(FakeLLM([throttle(), throttle(), throttle()]), Bedrock()) as fake:
        outcome = provider_for(fake, backoff).run(keto_request())
    assert outcome.source == "offline" and len(waits) == 2 and len(fake.requests) == 3
    assert isinstance(outcome.result, GeneratedRecipe)
    assert outcome.result.recipe.targetNote.startswith("AI 모델의 레시피 대신 검증된 기본 레시피를 드립니다.")
    assert "바빠" in outcome.result.recipe.targetNote
    assert "ThrottlingException" not in outcome.result.recipe.targetNote  # in the log, not for users
    assert not outcome.result.source_id.startswith("bedrock:")


def test_malformed_output_is_sent_back_twice_then_replaced_by_offline(provider_for: MakeProvider) -> None:
    answers = [text("네, 레시피입니다: 삼겹살 볶음"), recipe(WRONG_SCHEMA), text("{not json")]
    backoff, _ = quick_backoff()
    with running(FakeLLM(answers), Bedrock()) as fake:
        outcome = provider_for(fake, backoff).run(keto_request())
    assert outcome.source == "offline" and len(outcome.rounds) == 3
    assert all(r.problems for r in outcome.rounds)
    assert any("nutrition: unknown field" in p for p in outcome.rounds[1].problems)
    assert isinstance(outcome.result, GeneratedRecipe)
    note = outcome.result.recipe.targetNote
    assert "AI 모델의 레시피 대신" in note and "레시피 형식에 맞지 않았습니다" in note
    assert "nutrition" not in note and "unknown field" not in note  # no validation dump for users
    assert "after 2 repair" in (outcome.reason or "")
    # The second call repeats the prose answer and asks for a fix as plain text (no tool call to answer).
    second = fake.requests[1]["body"]["messages"]
    assert second[1] == {"role": "assistant", "content": [{"text": "네, 레시피입니다: 삼겹살 볶음"}]}
    assert "JSON 객체가 아닙니다" in second[2]["content"][0]["text"]
    # The third answers the wrong-schema tool call with an error toolResult.
    third = fake.requests[2]["body"]["messages"]
    result = third[4]["content"][0]["toolResult"]
    assert result["toolUseId"] == third[3]["content"][0]["toolUse"]["toolUseId"]
    assert result["status"] == "error"


def test_allergen_and_forbidden_starch_are_repaired_in_one_round_trip(provider_for: MakeProvider) -> None:
    answers = [recipe(KETO_BROKEN), recipe(KETO_OK, needs="[allergy.declared]")]
    backoff, _ = quick_backoff()
    with running(FakeLLM(answers), Bedrock()) as fake:
        outcome = provider_for(fake, backoff).run(keto_request())
    assert outcome.source == "model" and len(outcome.rounds) == 2
    first_problems = " ".join(outcome.rounds[0].problems)
    assert "[allergy.declared]" in first_problems and "[keto.no_sugar_or_starch]" in first_problems
    assert isinstance(outcome.result, GeneratedRecipe)
    assert {x.ingredient.key for x in outcome.result.lines}.isdisjoint({"shrimp", "cooked_rice"})
    feedback = fake.requests[1]["body"]["messages"][2]["content"][0]["toolResult"]["content"][0]["text"]
    assert "새우" in feedback


def test_inference_profile_replaces_the_model_id_in_the_path(provider_for: MakeProvider) -> None:
    profile = "apac.anthropic.claude-3-5-sonnet-20240620-v1:0"
    backoff, _ = quick_backoff()
    with running(FakeLLM([recipe(KETO_OK)]), Bedrock(model=profile)) as fake:
        outcome = provider_for(fake, backoff, AICHEF_BEDROCK_INFERENCE_PROFILE=profile).run(keto_request())
    assert outcome.source == "model"
    assert isinstance(outcome.result, GeneratedRecipe) and outcome.result.source_id == f"bedrock:{profile}"


def test_english_request_gets_english_prompts_and_schema(provider_for: MakeProvider) -> None:
    english = {**KETO_OK, "difficulty": "easy", "recipeName": "Pork belly and cabbage stir-fry"}
    english["ingredients"] = [
        {"name": "pork belly", "amount": 300, "unit": "g"},
        {"name": "cabbage", "amount": 150, "unit": "g"},
        {"name": "olive oil", "amount": 1, "unit": "Tbsp"},
    ]
    # The gate lets steps name only listed foods: these name the three lines.
    english["instructions"] = [
        "Slice the pork belly.",
        "Fry it in the olive oil.",
        "Add the cabbage and fry.",
    ]
    english["description"] = "Pork belly and cabbage fried together."
    backoff, _ = quick_backoff()
    with running(FakeLLM([recipe(english)]), Bedrock()) as fake:
        outcome = provider_for(fake, backoff).run(keto_request("en"))
    assert outcome.source == "model", outcome.rounds
    body = fake.requests[0]["body"]
    assert "keto" in body["system"][0]["text"]
    assert body["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"]["json"]["properties"]["difficulty"][
        "enum"
    ] == ["easy", "medium", "hard"]


def test_missing_credentials_fail_fast_naming_the_variable() -> None:
    env = {"AICHEF_BEDROCK_MODEL_ID": BEDROCK_MODEL, "AWS_REGION": "us-east-1"}
    with pytest.raises(ProviderConfigError) as caught:
        get_provider("bedrock", env)
    assert caught.value.variable == "AWS_ACCESS_KEY_ID"
    assert "AWS_SECRET_ACCESS_KEY" in str(caught.value)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"AWS_REGION": "us-east-1"}, "AICHEF_BEDROCK_MODEL_ID"),
        ({"AICHEF_BEDROCK_MODEL_ID": BEDROCK_MODEL}, "AWS_REGION"),
        (
            {"AICHEF_BEDROCK_MODEL_ID": "m", "AWS_REGION": "r", "AICHEF_BEDROCK_ENDPOINT_URL": "localhost:9"},
            "AICHEF_BEDROCK_ENDPOINT_URL",
        ),
    ],
)
def test_incomplete_configuration_names_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ProviderConfigError) as caught:
        BedrockSettings.from_env(env)
    assert caught.value.variable == variable and variable in str(caught.value)


def test_a_validation_error_is_not_retried_and_falls_back(provider_for: MakeProvider) -> None:
    backoff, waits = quick_backoff()
    with running(FakeLLM([error(400)]), Bedrock()) as fake:
        outcome = provider_for(fake, backoff).run(keto_request())
    assert outcome.source == "offline" and waits == [] and len(fake.requests) == 1
    assert outcome.reason is not None and "ValidationException" in outcome.reason


def test_nothing_listening_is_a_network_failure_not_a_crash(provider_for: MakeProvider) -> None:
    with running(FakeLLM([]), Bedrock()) as fake:
        gone = FakeLLM([], base_url=fake.base_url)
    backoff, _ = quick_backoff()
    outcome = provider_for(gone, backoff).run(keto_request())
    assert outcome.source == "offline" and outcome.reason is not None and "network" in outcome.reason
