"""Anthropic's Messages API through the official ``anthropic`` SDK, the recipe forced as a tool call.

Configuration (environment): ``ANTHROPIC_API_KEY`` (required), ``AICHEF_ANTHROPIC_MODEL`` (default
:data:`DEFAULT_MODEL`) and ``ANTHROPIC_BASE_URL`` to point the client elsewhere (tests use a local server).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import anthropic

from aichef.errors import ProviderError
from aichef.providers._loop import ModelProvider
from aichef.providers._retry import Backoff
from aichef.providers.base import ProviderConfigError, Reply, Throttled, Turn, json_from_text
from aichef.providers.prompts import TOOL_DESCRIPTION, TOOL_NAME

__all__ = ["DEFAULT_MODEL", "AnthropicChat", "AnthropicSettings", "anthropic_provider"]

_VENDOR = "anthropic"
DEFAULT_MODEL = "claude-sonnet-4-5"


@dataclass(frozen=True)
class AnthropicSettings:
    """The key, model and endpoint; the key is kept out of ``repr`` so it never reaches a log."""

    api_key: str
    model: str = DEFAULT_MODEL
    base_url: str | None = None
    max_tokens: int = 4096
    timeout: float = 60.0

    def __repr__(self) -> str:
        return f"AnthropicSettings(model={self.model!r}, base_url={self.base_url!r})"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AnthropicSettings:
        """Read the environment; :class:`ProviderConfigError` names the missing variable."""
        env = os.environ if env is None else env
        key = env.get("ANTHROPIC_API_KEY", "").strip()
        if not key:
            raise ProviderConfigError(
                _VENDOR,
                "ANTHROPIC_API_KEY",
                "is not set; create a key at console.anthropic.com and export it",
            )
        base_url = env.get("ANTHROPIC_BASE_URL", "").strip() or None
        if base_url is not None and not base_url.startswith(("http://", "https://")):
            raise ProviderConfigError(
                _VENDOR, "ANTHROPIC_BASE_URL", f"must start with http:// or https://, got {base_url!r}"
            )
        model = env.get("AICHEF_ANTHROPIC_MODEL", "").strip() or DEFAULT_MODEL
        return cls(key, model, base_url)


def _message(turn: Turn) -> dict[str, Any]:
    if turn.role == "user":
        if turn.answers is not None:
            result = {
                "type": "tool_result",
                "tool_use_id": turn.answers,
                "content": turn.text,
                "is_error": True,
            }
            return {"role": "user", "content": [result]}
        return {"role": "user", "content": turn.text}
    reply = turn.reply
    assert reply is not None  # an assistant turn always carries the reply it repeats
    if reply.call_id is not None and isinstance(reply.arguments, dict):
        use = {"type": "tool_use", "id": reply.call_id, "name": TOOL_NAME, "input": reply.arguments}
        return {"role": "assistant", "content": [use]}
    return {"role": "assistant", "content": str(reply.arguments) or "(empty)"}


def _reply(message: Any) -> Reply:
    usage = {
        "input_tokens": int(message.usage.input_tokens),
        "output_tokens": int(message.usage.output_tokens),
    }
    texts: list[str] = []
    for block in message.content:
        if block.type == "tool_use" and block.name == TOOL_NAME:
            return Reply(block.input, block.id, usage)
        if block.type == "text":
            texts.append(block.text)
    return Reply(json_from_text("\n".join(texts)), None, usage)


def _retry_after(exc: anthropic.APIStatusError) -> float | None:
    hint = exc.response.headers.get("retry-after")
    try:
        return float(hint) if hint is not None else None
    except ValueError:
        return None


def _error_type(exc: anthropic.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("type") or exc.status_code)
    return str(exc.status_code)


class AnthropicChat:
    """One ``messages.create`` per ask with ``tool_choice`` naming the recipe tool."""

    vendor = _VENDOR

    def __init__(self, settings: AnthropicSettings, client: anthropic.Anthropic | None = None) -> None:
        self.settings = settings
        self.model = settings.model
        # The SDK's own retries are off: throttling is retried by our backoff, with jitter, once.
        self._client = client or anthropic.Anthropic(
            api_key=settings.api_key, base_url=settings.base_url, max_retries=0, timeout=settings.timeout
        )

    def ask(self, system: str, turns: list[Turn], schema: Mapping[str, Any]) -> Reply:
        tool: Any = {"name": TOOL_NAME, "description": TOOL_DESCRIPTION, "input_schema": dict(schema)}
        messages: Any = [_message(t) for t in turns]
        try:
            message = self._client.messages.create(
                model=self.settings.model,
                max_tokens=self.settings.max_tokens,
                system=system,
                messages=messages,
                tools=[tool],
                tool_choice={"type": "tool", "name": TOOL_NAME},
            )
        except (anthropic.RateLimitError, anthropic.InternalServerError) as exc:
            # 429 rate_limit_error, 529 overloaded_error and 5xx: come back later.
            raise Throttled(_VENDOR, _error_type(exc), exc.message, _retry_after(exc)) from exc
        except anthropic.APIStatusError as exc:
            raise ProviderError(_VENDOR, _error_type(exc), exc.message) from exc
        except anthropic.APITimeoutError as exc:
            raise ProviderError(_VENDOR, "timeout", f"no answer within {self.settings.timeout:g} s") from exc
        except anthropic.APIError as exc:  # connection failures and unreadable responses
            raise ProviderError(_VENDOR, "network", f"cannot reach Anthropic: {exc}") from exc
        return _reply(message)

    def close(self) -> None:
        self._client.close()


def anthropic_provider(
    env: Mapping[str, str] | None = None,
    *,
    backoff: Backoff | None = None,
    client: anthropic.Anthropic | None = None,
) -> ModelProvider:
    """A model provider over Anthropic, configured from the environment (fails fast without a key)."""
    return ModelProvider(AnthropicChat(AnthropicSettings.from_env(env), client), backoff=backoff)
