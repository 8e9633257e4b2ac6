"""The model recipe loop every vendor shares: ask, review, repair at most twice, and otherwise serve the
offline generator's recipe with a note saying the model's was replaced and why."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from types import TracebackType
from typing import Literal

from aichef.errors import ProviderError
from aichef.knowledge.generate import GeneratedRecipe, Unmet
from aichef.knowledge.generate import generate as offline_generate
from aichef.models import SessionRequest
from aichef.providers._retry import Backoff
from aichef.providers._review import review
from aichef.providers.base import ChatModel, Reply, Throttled, Turn
from aichef.providers.prompts import recipe_schema, system_prompt, user_prompt

MAX_REPAIRS = 2
_LOG = logging.getLogger("aichef.providers")
# Why a model's recipe was not served: the model was throttled, failed, or its recipe failed review.
_Kind = Literal["busy", "failed", "unchecked"]


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


class ModelProvider:
    """A :class:`~aichef.providers.base.RecipeProvider` over one vendor's :class:`ChatModel`."""

    def __init__(
        self,
        chat: ChatModel,
        *,
        backoff: Backoff | None = None,
        max_repairs: int = MAX_REPAIRS,
        fallback: Callable[[SessionRequest], GeneratedRecipe | Unmet] = offline_generate,
    ) -> None:
        if max_repairs < 0:
            raise ValueError(f"max_repairs must be 0 or more, got {max_repairs}")
        self.chat = chat
        self.name = chat.vendor
        self.backoff = backoff or Backoff()
        self.max_repairs = max_repairs
        self._fallback = fallback

    @property
    def source_id(self) -> str:
        return f"{self.chat.vendor}:{self.chat.model}"

    def generate(self, request: SessionRequest) -> GeneratedRecipe | Unmet:
        """The model's recipe when it passes review (after at most ``max_repairs`` repairs), else offline."""
        return self.run(request).result

    def run(self, request: SessionRequest) -> Outcome:
        """Like :meth:`generate`, with the trace of what happened."""
        system = system_prompt(request)
        schema = recipe_schema(request)
        turns = [Turn("user", user_prompt(request))]
        rounds: list[Round] = []
        retries = 0

        def count(exc: Throttled, wait: float) -> None:
            nonlocal retries
            retries += 1
            _LOG.info("%s throttled (%s); retrying in %.2f s", self.source_id, exc.code, wait)

        for number in range(1 + self.max_repairs):
            try:
                reply: Reply = self.backoff.call(partial(self.chat.ask, system, list(turns), schema), count)
            except Throttled as exc:
                why = _throttled(request, exc, self.backoff.attempts)
                return self._replace(request, rounds, retries, why, "busy")
            except ProviderError as exc:
                return self._replace(request, rounds, retries, _failed(request, exc), "failed")
            verdict = review(reply.arguments, request, self.source_id)
            rounds.append(Round(number, verdict.problems, dict(reply.usage)))
            if verdict.served is not None:
                return Outcome(verdict.served, "model", tuple(rounds), retries)
            _LOG.info("%s round %d rejected: %s", self.source_id, number, "; ".join(verdict.problems))
            turns += [
                Turn("assistant", reply=reply),
                Turn("user", verdict.feedback(), answers=reply.call_id),
            ]
        why = _unrepaired(request, rounds, self.max_repairs)
        return self._replace(request, rounds, retries, why, "unchecked")

    def _replace(
        self, request: SessionRequest, rounds: list[Round], retries: int, why: str, kind: _Kind
    ) -> Outcome:
        # The person reading the recipe learns in plain words that the model's recipe was replaced
        # and roughly why; the model's name, error codes and validation problems go to the log only.
        ko = request.profile.language == "ko"
        plain = _PLAIN_REASONS["ko" if ko else "en"][kind]
        note = (
            f"AI 모델의 레시피 대신 검증된 기본 레시피를 드립니다. {plain}"
            if ko
            else f"A checked recipe from our library is served instead of the AI model's. {plain}"
        )
        _LOG.warning("%s: offline recipe served instead: %s", self.source_id, why)
        result = self._fallback(request)
        if isinstance(result, GeneratedRecipe):
            recipe = result.recipe.model_copy(update={"targetNote": f"{note} {result.recipe.targetNote}"})
            result = replace(result, recipe=recipe)
        else:
            result = replace(result, explanation=f"{note} {result.explanation}")
        return Outcome(result, "offline", tuple(rounds), retries, why)

    def close(self) -> None:
        self.chat.close()

    def __enter__(self) -> ModelProvider:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


# What a user is told, by why the model's recipe was not served (the details are in Outcome.reason).
_PLAIN_REASONS: dict[str, dict[str, str]] = {
    "ko": {
        "busy": "AI 모델 서비스가 지금 너무 바빠 답을 받지 못했습니다.",
        "failed": "AI 모델 서비스에 연결하지 못했습니다.",
        "unchecked": "AI 모델의 레시피가 영양·안전 기준 점검을 통과하지 못했습니다.",
    },
    "en": {
        "busy": "The AI model service was too busy to answer.",
        "failed": "The AI model service could not be reached.",
        "unchecked": "The AI model's recipe did not pass the nutrition and safety checks.",
    },
}


def _throttled(request: SessionRequest, exc: Throttled, attempts: int) -> str:
    if request.profile.language == "ko":
        return f"요청 한도 초과가 {attempts}번 이어졌습니다 ({exc.code})"
    return f"the model was still throttled after {attempts} attempts ({exc.code})"


def _failed(request: SessionRequest, exc: ProviderError) -> str:
    if request.profile.language == "ko":
        return f"모델 호출이 실패했습니다 ({exc.code}: {exc.reason})"
    return f"the model call failed ({exc.code}: {exc.reason})"


def _unrepaired(request: SessionRequest, rounds: list[Round], repairs: int) -> str:
    last = rounds[-1].problems if rounds else ()
    shown = "; ".join(last[:3]) + (" ..." if len(last) > 3 else "")
    if request.profile.language == "ko":
        return f"{repairs}번 고쳐 달라고 했지만 문제가 남았습니다 ({shown})"
    return f"problems remained after {repairs} repair request(s) ({shown})"
