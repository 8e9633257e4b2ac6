"""Any OpenAI-compatible chat endpoint (OpenAI, a local Ollama or vLLM server) over plain HTTP.

``POST {base}/v1/chat/completions`` with the recipe schema as ``response_format`` (``json_schema``
mode, the default: constrained decoding on Ollama and vLLM) or as a forced function (``tools`` mode).
Configuration (environment): ``AICHEF_OPENAI_BASE_URL`` (default ``http://127.0.0.1:11434``, Ollama),
``AICHEF_OPENAI_MODEL`` (required), ``OPENAI_API_KEY`` (optional; local servers need none) and
``AICHEF_OPENAI_MODE`` (``json_schema`` or ``tools``).
"""

from __future__ import annotations

import http.client
import json
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from aichef.errors import ProviderError
from aichef.providers._loop import ModelProvider
from aichef.providers._retry import Backoff
from aichef.providers.base import ProviderConfigError, Reply, Throttled, Turn, json_from_text
from aichef.providers.prompts import TOOL_DESCRIPTION, TOOL_NAME, strict_schema

__all__ = [
    "DEFAULT_BASE_URL",
    "HttpReply",
    "OpenAIChat",
    "OpenAISettings",
    "Transport",
    "openai_provider",
    "urllib_transport",
]

_VENDOR = "openai"
DEFAULT_BASE_URL = "http://127.0.0.1:11434"
_MODES = ("json_schema", "tools")


@dataclass(frozen=True)
class HttpReply:
    """What a transport hands back: status, headers (lower-case names) and the raw body."""

    status: int
    headers: Mapping[str, str]
    body: bytes


# A transport performs one POST: (url, headers, body, timeout seconds) -> HttpReply, error statuses
# included; it raises ProviderError(code="timeout" | "network") when no HTTP answer arrives.
Transport = Callable[[str, Mapping[str, str], bytes, float], HttpReply]


def urllib_transport(url: str, headers: Mapping[str, str], body: bytes, timeout: float) -> HttpReply:
    """The default transport: the standard library, no extra dependency."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return HttpReply(reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read())
    except urllib.error.HTTPError as exc:
        with exc:  # 4xx/5xx carry the server's JSON error; hand it back rather than lose it
            return HttpReply(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())
    except TimeoutError as exc:
        raise ProviderError(_VENDOR, "timeout", f"no answer within {timeout:g} s") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise ProviderError(_VENDOR, "timeout", f"no answer within {timeout:g} s") from exc
        raise ProviderError(_VENDOR, "network", f"cannot reach {url}: {exc.reason}") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise ProviderError(_VENDOR, "network", f"connection to {url} failed: {exc!r}") from exc


@dataclass(frozen=True)
class OpenAISettings:
    """Endpoint, model and mode; the key is kept out of ``repr`` so it never reaches a log."""

    model: str
    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = None
    mode: Literal["json_schema", "tools"] = "json_schema"
    max_tokens: int = 4096
    temperature: float = 0.4
    timeout: float = 120.0

    def __repr__(self) -> str:
        return f"OpenAISettings(model={self.model!r}, base_url={self.base_url!r}, mode={self.mode!r})"

    @property
    def url(self) -> str:
        base = self.base_url.rstrip("/")
        return base + ("/chat/completions" if base.endswith("/v1") else "/v1/chat/completions")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> OpenAISettings:
        """Read the environment; :class:`ProviderConfigError` names the missing or bad variable."""
        env = os.environ if env is None else env
        model = env.get("AICHEF_OPENAI_MODEL", "").strip()
        if not model:
            raise ProviderConfigError(
                _VENDOR,
                "AICHEF_OPENAI_MODEL",
                "is not set; set it to the served model's name, e.g. llama3.1:8b",
            )
        base_url = env.get("AICHEF_OPENAI_BASE_URL", "").strip() or DEFAULT_BASE_URL
        if not base_url.startswith(("http://", "https://")):
            raise ProviderConfigError(
                _VENDOR, "AICHEF_OPENAI_BASE_URL", f"must start with http:// or https://, got {base_url!r}"
            )
        mode = env.get("AICHEF_OPENAI_MODE", "").strip() or "json_schema"
        if mode not in _MODES:
            raise ProviderConfigError(
                _VENDOR, "AICHEF_OPENAI_MODE", f"got {mode!r}; allowed: {', '.join(_MODES)}"
            )
        key = env.get("OPENAI_API_KEY", "").strip() or None
        return cls(model, base_url, key, mode)  # type: ignore[arg-type]  # checked against _MODES above


def _messages(system: str, turns: list[Turn]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"role": "system", "content": system}]
    for turn in turns:
        if turn.role == "user":
            if turn.answers is not None:
                out.append({"role": "tool", "tool_call_id": turn.answers, "content": turn.text})
            else:
                out.append({"role": "user", "content": turn.text})
            continue
        reply = turn.reply
        assert reply is not None  # an assistant turn always carries the reply it repeats
        text = reply.arguments if isinstance(reply.arguments, str) else json.dumps(reply.arguments)
        if reply.call_id is not None:
            call = {
                "id": reply.call_id,
                "type": "function",
                "function": {"name": TOOL_NAME, "arguments": text},
            }
            out.append({"role": "assistant", "content": None, "tool_calls": [call]})
        else:
            out.append({"role": "assistant", "content": text or "(empty)"})
    return out


def _reply(data: Any) -> Reply:
    try:
        message = data["choices"][0]["message"]
    except (KeyError, IndexError, TypeError):
        raise ProviderError(_VENDOR, "bad_response", "the answer has no choices[0].message") from None
    usage = data.get("usage") or {}
    counts = {
        k: int(usage[k]) for k in ("prompt_tokens", "completion_tokens") if isinstance(usage.get(k), int)
    }
    for call in message.get("tool_calls") or ():
        function = call.get("function") or {}
        if function.get("name") == TOOL_NAME:
            arguments = function.get("arguments")
            parsed = json_from_text(arguments) if isinstance(arguments, str) else arguments
            return Reply(parsed, call.get("id"), counts)
    content = message.get("content")
    return Reply(json_from_text(content) if isinstance(content, str) else content, None, counts)


def _error_message(body: bytes) -> tuple[str, str]:
    try:
        error = json.loads(body)["error"]
        if isinstance(error, str):  # Ollama: {"error": "..."}
            return "error", error
        return str(error.get("code") or error.get("type") or "error"), str(error.get("message"))
    except (ValueError, KeyError, TypeError, AttributeError):
        return "error", body[:200].decode("utf-8", "replace")


class OpenAIChat:
    """One chat completion per ask."""

    vendor = _VENDOR

    def __init__(self, settings: OpenAISettings, transport: Transport = urllib_transport) -> None:
        self.settings = settings
        self.model = settings.model
        self._transport = transport

    def _body(self, system: str, turns: list[Turn], schema: Mapping[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.settings.model,
            "messages": _messages(system, turns),
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
        }
        if self.settings.mode == "tools":
            function = {"name": TOOL_NAME, "description": TOOL_DESCRIPTION, "parameters": dict(schema)}
            body["tools"] = [{"type": "function", "function": function}]
            body["tool_choice"] = {"type": "function", "function": {"name": TOOL_NAME}}
        else:
            # Strict decoding takes only a subset of JSON Schema; the review checks the rest.
            spec = {
                "name": TOOL_NAME,
                "description": TOOL_DESCRIPTION,
                "schema": strict_schema(schema),
                "strict": True,
            }
            body["response_format"] = {"type": "json_schema", "json_schema": spec}
        return body

    def ask(self, system: str, turns: list[Turn], schema: Mapping[str, Any]) -> Reply:
        headers = {"content-type": "application/json", "accept": "application/json"}
        if self.settings.api_key:
            headers["authorization"] = f"Bearer {self.settings.api_key}"
        payload = json.dumps(self._body(system, turns, schema), ensure_ascii=False).encode()
        answer = self._transport(self.settings.url, headers, payload, self.settings.timeout)
        if answer.status in (429, 503):
            code, message = _error_message(answer.body)
            hint = answer.headers.get("retry-after")
            try:
                retry_after = float(hint) if hint is not None else None
            except ValueError:
                retry_after = None
            raise Throttled(_VENDOR, code, message, retry_after)
        if answer.status != 200:
            code, message = _error_message(answer.body)
            raise ProviderError(_VENDOR, f"{answer.status} {code}", message)
        try:
            data = json.loads(answer.body)
        except ValueError:
            raise ProviderError(_VENDOR, "bad_response", "the answer is not JSON") from None
        return _reply(data)

    def close(self) -> None:
        """Each request opens its own connection; nothing is held open."""


def openai_provider(
    env: Mapping[str, str] | None = None,
    *,
    backoff: Backoff | None = None,
    transport: Transport = urllib_transport,
) -> ModelProvider:
    """A model provider over an OpenAI-compatible endpoint, configured from the environment."""
    return ModelProvider(OpenAIChat(OpenAISettings.from_env(env), transport), backoff=backoff)
