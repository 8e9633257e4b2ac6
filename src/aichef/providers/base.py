"""What a recipe provider is: the RecipeProvider and ChatModel protocols, the turns of a model
conversation, and the provider errors (configuration and throttling)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from aichef.errors import AIChefError, ProviderError

if TYPE_CHECKING:
    from aichef.knowledge.generate import GeneratedRecipe, Unmet
    from aichef.models import SessionRequest

__all__ = [
    "ChatModel",
    "ProviderConfigError",
    "RecipeProvider",
    "Reply",
    "Throttled",
    "Turn",
    "json_from_text",
]


class RecipeProvider(Protocol):
    """Anything that turns a session request into a served recipe (or says why none fits).

    >>> from aichef.providers import get_provider
    >>> get_provider("offline").name
    'offline'
    """

    name: str

    def generate(self, request: SessionRequest) -> GeneratedRecipe | Unmet: ...


class ProviderConfigError(AIChefError):
    """A provider cannot start: names the environment variable to set and what it should hold."""

    def __init__(self, provider: str, variable: str, problem: str) -> None:
        self.provider = provider
        self.variable = variable
        self.problem = problem
        super().__init__(f"provider {provider!r}: {variable} {problem}")


class Throttled(ProviderError):
    """The vendor asked us to slow down (HTTP 429, ThrottlingException, overloaded): worth retrying.

    ``retry_after`` is the vendor's hint in seconds, when it gave one.
    """

    def __init__(self, provider: str, code: str, reason: str, retry_after: float | None = None) -> None:
        super().__init__(provider, code, reason)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Reply:
    """What the model answered once: the recipe arguments it produced (parsed JSON, or the raw text
    when it was not JSON), the id of the tool call to answer in a repair turn, and token usage."""

    arguments: object
    call_id: str | None = None
    usage: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Turn:
    """One vendor-neutral turn. A user turn carries ``text``; when it answers an earlier tool call
    (repair feedback) ``answers`` is that call's id. An assistant turn carries the earlier ``reply``."""

    role: Literal["user", "assistant"]
    text: str = ""
    reply: Reply | None = None
    answers: str | None = None


class ChatModel(Protocol):
    """One vendor's wire format: send the conversation, force the recipe tool (whose input must follow
    ``schema``), hand back the reply.

    Raises :class:`Throttled` when asked to slow down and ``ProviderError`` for other failures.
    """

    vendor: str
    model: str

    def ask(self, system: str, turns: list[Turn], schema: Mapping[str, Any]) -> Reply: ...

    def close(self) -> None: ...


def json_from_text(text: str) -> object:
    """The JSON a model wrote as text (code fences allowed), or the text itself when it is not JSON,
    so the review can tell the model exactly what it sent."""
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.strip("`").removeprefix("json").strip()
    try:
        return json.loads(stripped)
    except ValueError:
        return text
