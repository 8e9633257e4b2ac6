"""A real language model end to end: SmolLM2-135M-Instruct served by llama-cpp-python on loopback,
one session per target through the workflow (tables, result), the served recipe checked here for
allergens and sodium with an oracle written in this file, and streaming heard as the model writes.

A 135M model tests the path (structured output, review, repairs, fallback), not recipe quality; the
benchmark ``benchmarks/aichef_model.py`` records how often its recipe is served. ``AICHEF_SKIP_REAL_MODEL=1``
turns these tests off; without it a model that cannot start fails them, naming why.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from real_model_server import SKIP_VARIABLE, ModelServer, ModelUnavailable, model_server, skipped

from aichef.handlers import recipe as recipe_handler
from aichef.models import SessionRequest
from aichef.providers import ModelProvider
from aichef.providers.openai_compat import OpenAIChat, OpenAISettings

pytestmark = pytest.mark.xdist_group("real_model")  # one server per run, not one per worker

# Words that must not appear in a recipe for each declared allergy (names, aliases, dishes made of it),
# written here independently of the product's allergen table.
FORBIDDEN_WORDS = {
    "새우": ("새우", "shrimp", "prawn", "대하", "새우젓"),
    "땅콩": ("땅콩", "peanut"),
    "우유": ("우유", "milk", "치즈", "cheese", "버터", "butter", "요거트", "yogurt", "생크림", "cream"),
}
# Sodium of the salty seasonings per 100 g (USDA SR28: salt 02047, soy sauce 16124, fish sauce 04...,
# doenjang and gochujang from published Korean tables), written here: the oracle does not read the
# product's ingredient table.
SODIUM_MG_PER_100G = {
    "salt": 38758, "소금": 38758, "soy sauce": 5493, "간장": 5493, "진간장": 5493, "국간장": 6500,
    "fish sauce": 7851, "액젓": 7851, "멸치액젓": 7851, "doenjang": 4300, "된장": 4300,
    "gochujang": 2436, "고추장": 2436, "ssamjang": 3011, "쌈장": 3011,
}  # fmt: skip
# Per serving, from seasonings alone: no added salt for a baby; 2,000 mg (the WHO daily limit) otherwise.
SODIUM_LIMIT_MG = {"baby_food": 0.0, "keto": 2000.0, "diabetes": 2000.0, "diet": 2000.0, "fridge": 2000.0}

# English: SmolLM2's tokenizer spends about three times the tokens on Korean, and CI's time is short
# (Korean prompts are checked in test_openai_formats.py and measured by the benchmark).
SESSIONS: list[dict[str, Any]] = [
    {"target": "keto", "allergies": ["새우"], "language": "en"},
    {"target": "diabetes", "allergies": ["땅콩"], "language": "en"},
    {"target": "diet", "allergies": ["우유"], "language": "en"},
    {"target": "baby_food", "babyAgeMonths": 9, "language": "en"},
    {"target": "fridge", "fridgeIngredients": ["egg", "tofu", "spinach", "onion"], "language": "en"},
]


@pytest.fixture(scope="module")
def server() -> Iterator[ModelServer]:
    if skipped():
        pytest.skip(f"{SKIP_VARIABLE} is set: the real-model tests are turned off")
    try:
        with model_server() as running:
            yield running
    except ModelUnavailable as exc:
        pytest.fail(
            f"the real model could not be started: {exc}. Set {SKIP_VARIABLE}=1 to turn these tests off."
        )


def _check_served(result: dict[str, Any], profile: dict[str, Any]) -> None:
    """The independent checks: no declared allergen anywhere in the recipe, and seasoning sodium
    under the target's limit."""
    recipe = result["recipe"]
    text = " ".join(
        [recipe["recipeName"], *(line["name"] for line in recipe["ingredients"]), *recipe["instructions"]]
    ).lower()
    for allergy in profile.get("allergies", ()):
        for word in FORBIDDEN_WORDS[allergy]:
            assert word not in text, f"{word!r} ({allergy} allergy) in {recipe['recipeName']!r}"
    sodium = sum(
        line["grams"] * SODIUM_MG_PER_100G.get(line["name"].lower(), 0.0) / 100
        for line in recipe["ingredients"]
    )
    per_serving = sodium / recipe["servings"]
    assert per_serving <= SODIUM_LIMIT_MG[profile["target"]], (recipe["recipeName"], per_serving)


def test_one_session_per_target_runs_through_the_real_model(
    server: ModelServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from aichef.service import Kitchen

    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AICHEF_OPENAI_MAX_TOKENS", "500")  # short answers keep CI's time modest
    monkeypatch.setattr(recipe_handler, "_providers", {})  # the provider is built for this server

    async def cook_all() -> list[tuple[dict[str, Any], dict[str, Any]]]:
        kitchen = Kitchen(in_memory=True, poll_seconds=0.05)
        try:
            done = []
            for profile in SESSIONS:  # one at a time: the model has the machine's two cores
                view = await kitchen.start_session({"profile": {**profile, "servings": 2}})
                final = await kitchen.wait(view["sessionId"], timeout=600)
                result = kitchen.get_result(view["sessionId"])
                assert result is not None, final
                done.append((final, result))
            return done
        finally:
            await kitchen.close()

    with caplog.at_level(logging.INFO, logger="aichef"):
        done = asyncio.run(cook_all())
    providers = []
    for profile, (final, result) in zip(SESSIONS, done, strict=True):
        assert str(final["status"]).upper() == "COMPLETED" and final["progress"] == 100, final
        assert result["target"] == profile["target"]
        assert result["provider"] in ("openai (model)", "openai (offline)")
        _check_served(result, profile)
        providers.append(result["provider"])
    assert "openai (model)" in providers, providers  # some recipes are the model's own, not all fallback
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Ingredients:" not in logged and "재료 목록" not in logged  # no prompt text in the log


def test_streaming_from_the_real_model_is_heard_as_it_writes(server: ModelServer) -> None:
    settings = OpenAISettings(
        model=server.model, base_url=server.base_url, max_tokens=40, context=server.context
    )  # 40 tokens: enough to hear it write, cheap in CI
    request = SessionRequest.model_validate(
        {"sessionId": "stream", "profile": {"target": "keto", "language": "en", "servings": 2}}
    )
    heard: list[tuple[int, str]] = []
    provider = ModelProvider(OpenAIChat(settings), max_repairs=0, compact=True)
    outcome = provider.run(request, on_tokens=lambda n, text: heard.append((n, text)))
    assert len(outcome.rounds) == 1 and len(heard) >= 10
    assert [n for n, _ in heard] == list(range(1, len(heard) + 1))
    assert all(later.startswith(earlier) for (_, earlier), (_, later) in itertools.pairwise(heard))
    assert heard[-1][1].lstrip().startswith("{")
