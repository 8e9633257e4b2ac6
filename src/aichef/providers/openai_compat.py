"""Any OpenAI-compatible chat endpoint (OpenAI, Ollama, vLLM, llama.cpp, llama-cpp-python) over HTTP.

``POST {base}/v1/chat/completions``. Servers take structured output in different forms, so the
``auto`` mode (the default) tries the recipe schema as ``response_format: json_schema`` (OpenAI,
vLLM, llama.cpp's server), then as ``json_object`` with a ``schema`` (llama-cpp-python, which turns
it into a grammar), then as plain JSON with the schema written in the prompt, and remembers per base
URL which form the server took. ``tools`` mode forces a function call instead.

Configuration (environment): ``AICHEF_OPENAI_BASE_URL`` (default ``http://127.0.0.1:11434``, Ollama),
``AICHEF_OPENAI_MODEL`` (required), ``OPENAI_API_KEY`` (optional; local servers need none),
``AICHEF_OPENAI_MODE`` (``auto``, ``json_schema``, ``json_object``, ``prompt`` or ``tools``),
``AICHEF_OPENAI_TIMEOUT`` (seconds to wait for the answer, or for the next token when streaming;
default 300, sized for a model generating on a CPU), ``AICHEF_OPENAI_MAX_TOKENS`` and
``AICHEF_OPENAI_CONTEXT`` (the server's context window in tokens: under 8,192 the provider sends
the compact prompt, see :func:`aichef.providers.prompts.compact_user_prompt`).
"""

from __future__ import annotations

import http.client
import json
import logging
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

_LOG = logging.getLogger("aichef.providers")

__all__ = [
    "DEFAULT_BASE_URL",
    "HttpReply",
    "OpenAIChat",
    "OpenAISettings",
    "StreamTransport",
    "TokenCallback",
    "Transport",
    "openai_provider",
    "urllib_stream",
    "urllib_transport",
]

_VENDOR = "openai"
DEFAULT_BASE_URL = "http://127.0.0.1:11434"
Mode = Literal["auto", "json_schema", "json_object", "prompt", "tools"]
_MODES: tuple[Mode, ...] = ("auto", "json_schema", "json_object", "prompt", "tools")
# What ``auto`` tries, most constrained first.
_FORMATS: tuple[Mode, ...] = ("json_schema", "json_object", "prompt")
# Statuses with which a server refuses a form of structured output it does not know (llama-cpp-python
# answers 500 to json_schema); the next form is tried, the last one's error is the answer.
_REFUSALS = frozenset({400, 415, 422, 500, 501})
# Base URL -> the form its server took. Shared by every provider of the process: it describes the
# server, and a dict assignment is atomic, so concurrent sessions at worst both probe once.
_WORKED: dict[str, Mode] = {}
# Below this many tokens of context the compact prompt is sent (the full one needs about 6,000).
COMPACT_CONTEXT = 8192


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
        raise ProviderError(_VENDOR, "network", _unreachable(url, exc.reason)) from exc
    except (OSError, http.client.HTTPException) as exc:
        raise ProviderError(_VENDOR, "network", _unreachable(url, exc)) from exc


def _unreachable(url: str, why: object) -> str:
    return f"cannot reach {url} ({why}); check AICHEF_OPENAI_BASE_URL and that the model server is running"


# A streaming transport performs one POST and hands each line of a 200 answer to the callback as it
# arrives; it answers the status and headers (and the body, for an error status).
StreamTransport = Callable[[str, Mapping[str, str], bytes, float, Callable[[bytes], None]], HttpReply]


def urllib_stream(
    url: str, headers: Mapping[str, str], body: bytes, timeout: float, on_line: Callable[[bytes], None]
) -> HttpReply:
    """The default streaming transport; ``timeout`` bounds the wait for each line, not the whole answer,
    so a slow CPU model that keeps writing is never cut off."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            for line in reply:
                on_line(line)
            return HttpReply(reply.status, {k.lower(): v for k, v in reply.headers.items()}, b"")
    except urllib.error.HTTPError as exc:
        with exc:
            return HttpReply(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())
    except TimeoutError as exc:
        raise ProviderError(_VENDOR, "timeout", f"no token within {timeout:g} s") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise ProviderError(_VENDOR, "timeout", f"no token within {timeout:g} s") from exc
        raise ProviderError(_VENDOR, "network", _unreachable(url, exc.reason)) from exc
    except (OSError, http.client.HTTPException) as exc:
        raise ProviderError(_VENDOR, "network", _unreachable(url, exc)) from exc


# Called as the model writes: (pieces received so far, the text so far).
TokenCallback = Callable[[int, str], None]


@dataclass(frozen=True)
class OpenAISettings:
    """Endpoint, model, mode and limits; the key is kept out of ``repr`` so it never reaches a log.

    ``context`` is the server's context window in tokens when known (None: large enough for the
    full prompt); ``timeout`` the seconds to wait for an answer (for the next token when streaming).
    """

    model: str
    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = None
    mode: Mode = "auto"
    max_tokens: int = 4096
    temperature: float = 0.4
    timeout: float = 300.0
    context: int | None = None

    def __repr__(self) -> str:
        return f"OpenAISettings(model={self.model!r}, base_url={self.base_url!r}, mode={self.mode!r})"

    @property
    def url(self) -> str:
        base = self.base_url.rstrip("/")
        return base + ("/chat/completions" if base.endswith("/v1") else "/v1/chat/completions")

    @property
    def compact(self) -> bool:
        """Whether the server's context is too small for the full prompt."""
        return self.context is not None and self.context < COMPACT_CONTEXT

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
        mode = env.get("AICHEF_OPENAI_MODE", "").strip() or "auto"
        chosen = next((m for m in _MODES if m == mode), None)
        if chosen is None:
            raise ProviderConfigError(
                _VENDOR, "AICHEF_OPENAI_MODE", f"got {mode!r}; allowed: {', '.join(_MODES)}"
            )
        key = env.get("OPENAI_API_KEY", "").strip() or None
        context = _positive(env, "AICHEF_OPENAI_CONTEXT", whole=True)
        # A small window holds the prompt and the answer: the answer gets at most half of it.
        fitted = 4096 if context is None else max(256, min(4096, int(context) // 2))
        return cls(
            model,
            base_url,
            key,
            chosen,
            max_tokens=int(_positive(env, "AICHEF_OPENAI_MAX_TOKENS", whole=True) or fitted),
            timeout=_positive(env, "AICHEF_OPENAI_TIMEOUT", whole=False) or 300.0,
            context=None if context is None else int(context),
        )


def _positive(env: Mapping[str, str], name: str, whole: bool) -> float | None:
    """The variable's value when set (a number above 0, whole if asked), else None."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(int(raw)) if whole else float(raw)
    except ValueError:
        value = 0.0
    if value <= 0:
        what = "a whole number" if whole else "a number"
        raise ProviderConfigError(_VENDOR, name, f"must be {what} above 0, got {raw!r}")
    return value


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


class _Stream:
    """Collects a streamed answer (server-sent events) and reports the text so far as it grows."""

    def __init__(self, on_tokens: TokenCallback) -> None:
        self.on_tokens = on_tokens
        self.text: list[str] = []
        self.arguments: list[str] = []
        self.call_id: str | None = None
        self.pieces = 0
        self.usage: dict[str, int] = {}

    def feed(self, raw: bytes) -> None:
        line = raw.decode("utf-8", "replace").strip()
        if not line.startswith("data:"):
            return
        data = line.removeprefix("data:").strip()
        if not data or data == "[DONE]":
            return
        try:
            chunk = json.loads(data)
        except ValueError:
            return
        if not isinstance(chunk, dict):
            return
        usage = chunk.get("usage") or {}
        for k in ("prompt_tokens", "completion_tokens"):
            if isinstance(usage.get(k), int):
                self.usage[k] = int(usage[k])
        grew = False
        for choice in chunk.get("choices") or ():
            delta = choice.get("delta") or {}
            if isinstance(delta.get("content"), str) and delta["content"]:
                self.text.append(delta["content"])
                grew = True
            for call in delta.get("tool_calls") or ():
                self.call_id = call.get("id") or self.call_id
                piece = (call.get("function") or {}).get("arguments")
                if isinstance(piece, str) and piece:
                    self.arguments.append(piece)
                    grew = True
        if grew:
            self.pieces += 1
            self.on_tokens(self.pieces, "".join(self.arguments or self.text))

    def reply(self) -> Reply:
        if self.arguments:
            return Reply(json_from_text("".join(self.arguments)), self.call_id or "call_0", self.usage)
        return Reply(json_from_text("".join(self.text)), None, self.usage)


class OpenAIChat:
    """One chat completion per ask (one per structured-output form tried, the first time)."""

    vendor = _VENDOR

    def __init__(
        self,
        settings: OpenAISettings,
        transport: Transport = urllib_transport,
        stream_transport: StreamTransport = urllib_stream,
    ) -> None:
        self.settings = settings
        self.model = settings.model
        self._transport = transport
        self._stream_transport = stream_transport

    def formats(self) -> tuple[Mode, ...]:
        """The forms to try, in order: the one this server took before, or every one (``auto``)."""
        if self.settings.mode != "auto":
            return (self.settings.mode,)
        known = _WORKED.get(self.settings.base_url)
        return (known,) if known is not None else _FORMATS

    def _body(self, system: str, turns: list[Turn], schema: Mapping[str, Any], form: Mode) -> dict[str, Any]:
        if form == "prompt":
            # No structured output: the schema goes into the instructions and the review checks it.
            shape = json.dumps(strict_schema(schema), ensure_ascii=False, separators=(",", ":"))
            system = f"{system}\n\nAnswer with one JSON object following this JSON schema: {shape}"
        body: dict[str, Any] = {
            "model": self.settings.model,
            "messages": _messages(system, turns),
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
        }
        if form == "tools":
            function = {"name": TOOL_NAME, "description": TOOL_DESCRIPTION, "parameters": dict(schema)}
            body["tools"] = [{"type": "function", "function": function}]
            body["tool_choice"] = {"type": "function", "function": {"name": TOOL_NAME}}
        elif form == "json_schema":
            # Strict decoding takes only a subset of JSON Schema; the review checks the rest.
            spec = {
                "name": TOOL_NAME,
                "description": TOOL_DESCRIPTION,
                "schema": strict_schema(schema),
                "strict": True,
            }
            body["response_format"] = {"type": "json_schema", "json_schema": spec}
        elif form == "json_object":
            body["response_format"] = {"type": "json_object", "schema": strict_schema(schema)}
        return body

    def ask(self, system: str, turns: list[Turn], schema: Mapping[str, Any]) -> Reply:
        return self._ask(system, turns, schema, None)

    def ask_streaming(
        self, system: str, turns: list[Turn], schema: Mapping[str, Any], on_tokens: TokenCallback
    ) -> Reply:
        """Like :meth:`ask`, streaming the answer: ``on_tokens`` hears the text so far as it grows."""
        return self._ask(system, turns, schema, on_tokens)

    def _ask(
        self, system: str, turns: list[Turn], schema: Mapping[str, Any], on_tokens: TokenCallback | None
    ) -> Reply:
        headers = {"content-type": "application/json", "accept": "application/json"}
        if self.settings.api_key:
            headers["authorization"] = f"Bearer {self.settings.api_key}"
        forms = self.formats()
        for index, form in enumerate(forms):
            body = self._body(system, turns, schema, form)
            stream: _Stream | None = None
            if on_tokens is not None:
                body["stream"] = True
                stream = _Stream(on_tokens)
            payload = json.dumps(body, ensure_ascii=False).encode()
            if stream is None:
                answer = self._transport(self.settings.url, headers, payload, self.settings.timeout)
            else:
                answer = self._stream_transport(
                    self.settings.url, headers, payload, self.settings.timeout, stream.feed
                )
            if answer.status in (429, 503):
                code, message = _error_message(answer.body)
                hint = answer.headers.get("retry-after")
                try:
                    retry_after = float(hint) if hint is not None else None
                except ValueError:
                    retry_after = None
                raise Throttled(_VENDOR, code, message, retry_after)
            if answer.status != 200:
                if index + 1 < len(forms) and answer.status in _REFUSALS:
                    _LOG.info(
                        "%s answered %d to %s output; trying %s",
                        self.settings.base_url,
                        answer.status,
                        form,
                        forms[index + 1],
                    )
                    continue
                code, message = _error_message(answer.body)
                raise ProviderError(_VENDOR, f"{answer.status} {code}", message)
            if stream is not None:
                reply = stream.reply()
            else:
                try:
                    data = json.loads(answer.body)
                except ValueError:
                    raise ProviderError(_VENDOR, "bad_response", "the answer is not JSON") from None
                reply = _reply(data)
            if self.settings.mode == "auto" and _WORKED.get(self.settings.base_url) != form:
                _WORKED[self.settings.base_url] = form
                _LOG.info("%s takes %s output", self.settings.base_url, form)
            return reply
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def close(self) -> None:
        """Each request opens its own connection; nothing is held open."""


def openai_provider(
    env: Mapping[str, str] | None = None,
    *,
    backoff: Backoff | None = None,
    transport: Transport = urllib_transport,
) -> ModelProvider:
    """A model provider over an OpenAI-compatible endpoint, configured from the environment."""
    settings = OpenAISettings.from_env(env)
    return ModelProvider(OpenAIChat(settings, transport), backoff=backoff, compact=settings.compact)
