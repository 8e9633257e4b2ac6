"""The offline provider and choosing a provider by name or AICHEF_PROVIDER."""

from __future__ import annotations

import dataclasses

import pytest
from fake_llm_servers import keto_request, quick_backoff

import aichef.providers as providers
from aichef.knowledge.generate import GeneratedRecipe, Unmet, generate
from aichef.models import SessionRequest
from aichef.providers import ModelProvider, OfflineProvider, ProviderConfigError, RecipeProvider, get_provider


def test_offline_provider_serves_exactly_what_the_generator_serves() -> None:
    request = keto_request()
    served = OfflineProvider().generate(request)
    assert isinstance(served, GeneratedRecipe)
    assert served == generate(request)
    assert "shrimp" not in {x.ingredient.key for x in served.lines}


def test_offline_provider_passes_unmet_through() -> None:
    request = SessionRequest.model_validate(
        {"sessionId": "u", "profile": {"target": "diet"}, "constraints": {"maxCookingTime": 1}}
    )
    result = OfflineProvider().generate(request)
    assert isinstance(result, Unmet) and "constraint.max_cooking_time" in result.constraints


def test_offline_is_the_default_and_needs_no_configuration() -> None:
    provider: RecipeProvider = get_provider(env={})
    assert isinstance(provider, OfflineProvider) and provider.name == "offline"
    assert get_provider(env={"AICHEF_PROVIDER": " Offline "}).name == "offline"


def test_the_name_argument_wins_over_the_environment() -> None:
    assert get_provider("offline", {"AICHEF_PROVIDER": "bedrock"}).name == "offline"


def test_an_unknown_provider_lists_the_allowed_names() -> None:
    with pytest.raises(ProviderConfigError) as caught:
        get_provider(env={"AICHEF_PROVIDER": "gemini"})
    assert caught.value.variable == "AICHEF_PROVIDER"
    assert str(caught.value).endswith("got 'gemini'; allowed: offline, bedrock, anthropic, openai")


def test_each_model_provider_is_built_from_its_environment() -> None:
    env = {"AICHEF_OPENAI_MODEL": "llama3.1", "ANTHROPIC_API_KEY": "k"}
    for name in ("openai", "anthropic"):
        provider = get_provider(name, env)
        assert isinstance(provider, ModelProvider) and provider.name == name
        provider.close()


def test_a_failed_model_is_replaced_by_offline_with_the_reason_kept() -> None:
    class Broken:
        vendor, model = "fake", "m1"

        def ask(self, system: str, turns: object, schema: object) -> object:
            raise providers.Throttled("fake", "ThrottlingException", "slow down")

        def close(self) -> None:
            pass

    backoff, waits = quick_backoff(attempts=2)
    outcome = ModelProvider(Broken(), backoff=backoff).run(keto_request("en"))  # type: ignore[arg-type]
    offline = generate(keto_request("en"))
    assert isinstance(outcome.result, GeneratedRecipe) and isinstance(offline, GeneratedRecipe)
    assert outcome.source == "offline" and len(waits) == 1
    note = outcome.result.recipe.targetNote
    assert note == (
        "A checked recipe from our library is served instead of the AI model's, because the model server "
        "was too busy to answer. " + offline.recipe.targetNote
    )
    assert "ThrottlingException" in (outcome.reason or "")  # the detail stays for the log
    # Apart from the note, the recipe is the generator's own.
    assert dataclasses.replace(outcome.result, recipe=offline.recipe) == offline


def test_public_names() -> None:
    assert providers.__all__ == sorted(providers.__all__, key=lambda n: (not n.isupper(), n))
    assert {"get_provider", "OfflineProvider", "ProviderConfigError", "RecipeProvider"} <= set(
        providers.__all__
    )
    assert {"NaverItem", "NaverPriceSource", "NaverShoppingClient"} <= set(providers.__all__)
