"""What the provider does with a small model's real answers (recorded from SmolLM2-135M, see
data/smollm2_recorded.json): an allergen, an unknown ingredient and broken JSON, each handled as the
README says: sent back for repair with the problem named, served when repaired, otherwise replaced by
the offline recipe with a plain note."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fake_llm_servers import quick_backoff

from aichef.knowledge.generator import GeneratedRecipe
from aichef.models import SessionRequest
from aichef.providers import ModelProvider
from aichef.providers.openai_compat import HttpReply, OpenAIChat, OpenAISettings

RECORDED = json.loads((Path(__file__).parent / "data" / "smollm2_recorded.json").read_text(encoding="utf-8"))


class Replay:
    """A server that answers with the recorded texts in turn and keeps what it was sent."""

    def __init__(self, *answers: object) -> None:
        self.answers = [a if isinstance(a, str) else json.dumps(a, ensure_ascii=False) for a in answers]
        self.sent: list[dict[str, Any]] = []

    def __call__(self, url: str, headers: Mapping[str, str], body: bytes, timeout: float) -> HttpReply:
        self.sent.append(json.loads(body))
        message = {"role": "assistant", "content": self.answers.pop(0)}
        return HttpReply(200, {}, json.dumps({"choices": [{"index": 0, "message": message}]}).encode())

    def feedback(self, number: int) -> str:
        return str(self.sent[number]["messages"][-1]["content"])


def _run(replay: Replay, **profile: Any) -> tuple[Any, str]:
    request = SessionRequest.model_validate(
        {"sessionId": "recorded", "profile": {"target": "diet", "language": "en", "servings": 2, **profile}}
    )
    settings = OpenAISettings(
        model="smollm2", base_url="http://127.0.0.1:1/replay", mode="json_object", context=4096
    )
    outcome = ModelProvider(OpenAIChat(settings, replay), backoff=quick_backoff()[0], compact=True).run(
        request
    )
    note = outcome.result.recipe.targetNote if isinstance(outcome.result, GeneratedRecipe) else ""
    return outcome, note


def test_the_recorded_answer_as_it_came_is_broken_json_and_is_sent_back() -> None:
    # The model's own text: a recipe followed by a stray brace and a code fence. Not JSON: repaired.
    replay = Replay(RECORDED["diet_raw"], RECORDED["diet"])
    outcome, _ = _run(replay)
    assert outcome.source == "model" and len(outcome.rounds) == 2
    assert "is not a JSON object" in replay.feedback(1)
    assert outcome.result.recipe.recipeName == "Mushroom Bulgogi"


def test_broken_json_three_times_falls_back_with_a_plain_note() -> None:
    replay = Replay(*RECORDED["truncated"])
    outcome, note = _run(replay)
    assert outcome.source == "offline" and len(outcome.rounds) == 3 and outcome.category == "malformed"
    assert "the model's answer was not a recipe in the expected form" in note
    assert "JSON" not in note and "recipeName" not in note


def test_an_unknown_ingredient_is_named_with_close_names_and_repaired() -> None:
    replay = Replay(RECORDED["unknown_ingredient"], RECORDED["diet"])
    outcome, _ = _run(replay)
    assert outcome.source == "model" and len(outcome.rounds) == 2
    assert outcome.rounds[0].problems and "Mundan Bean Sprouts" in outcome.rounds[0].problems[0]
    assert "mung bean sprouts" in replay.feedback(1)  # the repair turn offers the close names
    # A repair repeats only the last answer: the request stays inside a small context window.
    assert len(replay.sent[1]["messages"]) == 4


def test_an_allergen_the_model_keeps_writing_falls_back_to_a_safe_recipe() -> None:
    replay = Replay(RECORDED["allergen"], RECORDED["allergen"], RECORDED["allergen"])
    outcome, note = _run(replay, allergies=["새우"])
    assert outcome.source == "offline" and outcome.category == "allergy"
    assert all("allergy" in round_.problems[0] for round_ in outcome.rounds)
    assert "the model's recipe contained a food you are allergic to" in note
    served = outcome.result
    assert isinstance(served, GeneratedRecipe)
    words = " ".join([served.recipe.recipeName, *(x.name for x in served.recipe.ingredients)]).lower()
    assert "shrimp" not in words and "새우" not in words and "prawn" not in words


def test_an_allergen_removed_on_repair_is_served() -> None:
    replay = Replay(RECORDED["allergen"], RECORDED["diet"])
    outcome, _ = _run(replay, allergies=["새우"])
    assert outcome.source == "model" and len(outcome.rounds) == 2
    assert "shrimp" in replay.feedback(1)
