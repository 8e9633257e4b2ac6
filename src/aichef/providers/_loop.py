"""The model recipe loop every vendor shares: ask, review, repair at most twice, and otherwise serve the
offline generator's recipe with a note saying, in plain words, that the model's was replaced and why.

The technical reason (the server's error, the review's problems) goes to the log at WARNING, in one
line without prompt text or credentials, and into :attr:`Outcome.reason`; the user reads only the note.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from types import TracebackType
from typing import Any, Literal, Protocol, runtime_checkable

from aichef.errors import ProviderError
from aichef.knowledge.generator import GeneratedRecipe, Unmet
from aichef.knowledge.generator import generate as offline_generate
from aichef.models import SessionRequest
from aichef.providers._retry import Backoff
from aichef.providers._review import review
from aichef.providers.base import ChatModel, Reply, Throttled, Turn
from aichef.providers.prompts import (
    compact_names,
    compact_schema,
    compact_system_prompt,
    compact_user_prompt,
    example_recipe,
    recipe_schema,
    system_prompt,
    user_prompt,
)

MAX_REPAIRS = 2
_LOG = logging.getLogger("aichef.providers")

# Why a model's recipe was not served, in the words the benchmark and the note use.
Category = Literal["throttled", "timeout", "unreachable", "server_error", "malformed", "unknown_ingredient",
                   "allergy", "rule"]  # fmt: skip
TokenCallback = Callable[[int, str], None]


@runtime_checkable
class StreamingChat(Protocol):
    """A chat model that can stream its answer, reporting the text so far as it grows."""

    def ask_streaming(
        self, system: str, turns: list[Turn], schema: Mapping[str, Any], on_tokens: TokenCallback
    ) -> Reply: ...


@dataclass(frozen=True)
class Round:
    """One model call: its number (0 is the first ask), the problems found (none when served)."""

    number: int
    problems: tuple[str, ...]
    usage: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """What a model provider did: the result, whether the model's recipe or the offline one was
    served, every round, the throttling retries, and why the model's recipe was replaced."""

    result: GeneratedRecipe | Unmet
    source: Literal["model", "offline"]
    rounds: tuple[Round, ...]
    retries: int = 0
    reason: str | None = None
    category: Category | None = None


class ModelProvider:
    """A :class:`~aichef.providers.base.RecipeProvider` over one vendor's :class:`ChatModel`."""

    def __init__(
        self,
        chat: ChatModel,
        *,
        backoff: Backoff | None = None,
        max_repairs: int = MAX_REPAIRS,
        fallback: Callable[[SessionRequest], GeneratedRecipe | Unmet] = offline_generate,
        compact: bool = False,
    ) -> None:
        if max_repairs < 0:
            raise ValueError(f"max_repairs must be 0 or more, got {max_repairs}")
        self.chat = chat
        self.name = chat.vendor
        self.backoff = backoff or Backoff()
        self.max_repairs = max_repairs
        self._fallback = fallback
        # A small context window: the compact prompt (short list, one example) and repairs that
        # repeat only the last answer, so that every request fits.
        self.compact = compact

    @property
    def source_id(self) -> str:
        return f"{self.chat.vendor}:{self.chat.model}"

    def generate(self, request: SessionRequest) -> GeneratedRecipe | Unmet:
        """The model's recipe when it passes review (after at most ``max_repairs`` repairs), else offline."""
        return self.run(request).result

    def run(self, request: SessionRequest, on_tokens: TokenCallback | None = None) -> Outcome:
        """Like :meth:`generate`, with the trace of what happened. ``on_tokens`` (called with the pieces
        and the text the model wrote so far) makes a chat that can stream do so."""
        if self.compact:
            example = example_recipe(request)
            names = compact_names(request, example)
            system = compact_system_prompt(request)
            schema = compact_schema(request, names)
            first = Turn("user", compact_user_prompt(request, example, names))
        else:
            system, schema = system_prompt(request), recipe_schema(request)
            first = Turn("user", user_prompt(request))
        turns = [first]
        rounds: list[Round] = []
        retries = 0

        def count(exc: Throttled, wait: float) -> None:
            nonlocal retries
            retries += 1
            _LOG.info("%s throttled (%s); retrying in %.2f s", self.source_id, exc.code, wait)

        chat = self.chat
        for number in range(1 + self.max_repairs):
            if on_tokens is not None and isinstance(chat, StreamingChat):
                ask = partial(chat.ask_streaming, system, list(turns), schema, on_tokens)
            else:
                ask = partial(chat.ask, system, list(turns), schema)
            try:
                reply: Reply = self.backoff.call(ask, count)
            except Throttled as exc:
                detail = f"still throttled after {self.backoff.attempts} attempts ({exc.code})"
                return self._replace(request, rounds, retries, detail, "throttled")
            except ProviderError as exc:
                return self._replace(request, rounds, retries, f"{exc.code}: {exc.reason}", _kind(exc))
            verdict = review(reply.arguments, request, self.source_id)
            rounds.append(Round(number, verdict.problems, dict(reply.usage)))
            if verdict.served is not None:
                return Outcome(verdict.served, "model", tuple(rounds), retries)
            _LOG.info("%s round %d rejected: %s", self.source_id, number, "; ".join(verdict.problems))
            answer = [Turn("assistant", reply=reply), Turn("user", verdict.feedback(), answers=reply.call_id)]
            turns = [first, *answer] if self.compact else [*turns, *answer]
        last = rounds[-1].problems if rounds else ()
        shown = "; ".join(last[:3]) + (" ..." if len(last) > 3 else "")
        detail = f"problems remained after {self.max_repairs} repair request(s): {shown}"
        return self._replace(request, rounds, retries, detail, categorize(last))

    def _replace(
        self, request: SessionRequest, rounds: list[Round], retries: int, detail: str, category: Category
    ) -> Outcome:
        ko = request.profile.language == "ko"
        why = _PLAIN[category][0 if ko else 1]
        # The person reading the recipe learns in plain words that the model's recipe was replaced
        # and roughly why; the model's name, error codes and validation problems go to the log only.
        note = (
            f"AI 모델의 레시피 대신 검증된 기본 레시피를 드립니다. {why}."
            if ko
            else f"A checked recipe from our library is served instead of the AI model's, because {why}."
        )
        _LOG.warning("%s: serving the offline recipe (%s: %s)", self.source_id, category, detail)
        result = self._fallback(request)
        if isinstance(result, GeneratedRecipe):
            recipe = result.recipe.model_copy(update={"targetNote": f"{note} {result.recipe.targetNote}"})
            result = replace(result, recipe=recipe)
        else:
            result = replace(result, explanation=f"{note} {result.explanation}")
        return Outcome(result, "offline", tuple(rounds), retries, detail, category)

    def close(self) -> None:
        self.chat.close()

    def __enter__(self) -> ModelProvider:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


# What the user reads, by category: plain words, no codes (Korean, English).
_PLAIN: dict[Category, tuple[str, str]] = {
    "throttled": ("모델 서버가 바빠서 답하지 못했습니다", "the model server was too busy to answer"),
    "timeout": ("모델이 제한 시간 안에 답하지 못했습니다", "the model did not answer in time"),
    "unreachable": ("모델 서버에 연결할 수 없었습니다", "the model server could not be reached"),
    "server_error": ("모델이 답하지 못했습니다", "the model could not answer"),
    "malformed": (
        "모델의 답이 레시피 형식에 맞지 않았습니다",
        "the model's answer was not a recipe in the expected form",
    ),
    "unknown_ingredient": (
        "모델이 재료표에 없는 재료를 썼습니다",
        "the model used ingredients AI Chef does not know",
    ),
    "allergy": (
        "모델의 레시피에 피해야 할 알레르기 식품이 들어 있었습니다",
        "the model's recipe contained a food you are allergic to",
    ),
    "rule": (
        "모델의 레시피가 식단 기준을 지키지 못했습니다",
        "the model's recipe did not keep the diet's rules",
    ),
}


def _kind(exc: ProviderError) -> Category:
    if exc.code == "timeout":
        return "timeout"
    if exc.code == "network":
        return "unreachable"
    return "server_error"


def categorize(problems: tuple[str, ...] | list[str]) -> Category:
    """The main reason a reviewed recipe was refused: an allergen before any other rule, a rule
    before an unknown name, an unknown name before a malformed answer (each problem starts with
    the rule id in brackets or the field it is about, as the review writes them)."""
    kinds: set[Category] = set()
    for problem in problems:
        if problem.startswith(("[allergy", "[gate.allergen")):
            kinds.add("allergy")
        elif problem.startswith("["):
            kinds.add("rule")
        elif problem.startswith("ingredients[") and (".name:" in problem or ".unit:" in problem):
            kinds.add("unknown_ingredient")
        else:
            kinds.add("malformed")
    order: tuple[Category, ...] = ("allergy", "rule", "unknown_ingredient")
    for kind in order:
        if kind in kinds:
            return kind
    return "malformed"
