"""Amazon Bedrock through boto3's bedrock-runtime Converse API, the recipe forced as a tool call.

Configuration (environment): ``AICHEF_BEDROCK_MODEL_ID`` (e.g. ``anthropic.claude-3-5-sonnet-20240620-v1:0``),
``AICHEF_BEDROCK_INFERENCE_PROFILE`` (an inference profile id or ARN, used instead of the model id when
set), ``AWS_REGION`` (or ``AWS_DEFAULT_REGION``), the usual AWS credentials, and
``AICHEF_BEDROCK_ENDPOINT_URL`` to point the client elsewhere (tests use a local server).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aichef.errors import ProviderError
from aichef.providers._loop import ModelProvider
from aichef.providers._retry import Backoff
from aichef.providers.base import ProviderConfigError, Reply, Throttled, Turn, json_from_text
from aichef.providers.prompts import TOOL_DESCRIPTION, TOOL_NAME

__all__ = ["BedrockChat", "BedrockSettings", "bedrock_provider"]

_VENDOR = "bedrock"
# Error codes Bedrock uses for "slow down / try again shortly".
_RETRYABLE = frozenset(
    {
        "ThrottlingException",
        "ServiceUnavailableException",
        "ModelNotReadyException",
        "TooManyRequestsException",
    }
)


@dataclass(frozen=True)
class BedrockSettings:
    """Where and what to call; ``model_ref`` is the inference profile when given, else the model id."""

    model_id: str
    region: str
    inference_profile: str | None = None
    endpoint_url: str | None = None
    max_tokens: int = 4096
    temperature: float = 0.4
    timeout: float = 60.0

    @property
    def model_ref(self) -> str:
        return self.inference_profile or self.model_id

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> BedrockSettings:
        """Read the environment; :class:`ProviderConfigError` names the first missing variable."""
        env = os.environ if env is None else env
        model_id = env.get("AICHEF_BEDROCK_MODEL_ID", "").strip()
        profile = env.get("AICHEF_BEDROCK_INFERENCE_PROFILE", "").strip() or None
        if not model_id and not profile:
            raise ProviderConfigError(
                _VENDOR,
                "AICHEF_BEDROCK_MODEL_ID",
                "is not set; set it to a Bedrock model id such as "
                "anthropic.claude-3-5-sonnet-20240620-v1:0 (or set AICHEF_BEDROCK_INFERENCE_PROFILE)",
            )
        region = (env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "").strip()
        if not region:
            raise ProviderConfigError(
                _VENDOR, "AWS_REGION", "is not set; set it to the Bedrock region, e.g. us-east-1"
            )
        endpoint = env.get("AICHEF_BEDROCK_ENDPOINT_URL", "").strip() or None
        if endpoint is not None and not endpoint.startswith(("http://", "https://")):
            raise ProviderConfigError(
                _VENDOR,
                "AICHEF_BEDROCK_ENDPOINT_URL",
                f"must start with http:// or https://, got {endpoint!r}",
            )
        return cls(model_id or (profile or ""), region, profile, endpoint)


def _message(turn: Turn) -> dict[str, Any]:
    if turn.role == "user":
        if turn.answers is not None:
            result = {"toolUseId": turn.answers, "content": [{"text": turn.text}], "status": "error"}
            return {"role": "user", "content": [{"toolResult": result}]}
        return {"role": "user", "content": [{"text": turn.text}]}
    reply = turn.reply
    assert reply is not None  # an assistant turn always carries the reply it repeats
    if reply.call_id is not None and isinstance(reply.arguments, dict):
        use = {"toolUseId": reply.call_id, "name": TOOL_NAME, "input": reply.arguments}
        return {"role": "assistant", "content": [{"toolUse": use}]}
    return {"role": "assistant", "content": [{"text": str(reply.arguments) or "(empty)"}]}


def _reply(response: Mapping[str, Any]) -> Reply:
    content = response.get("output", {}).get("message", {}).get("content", [])
    usage = response.get("usage", {})
    counts = {k: int(usage[k]) for k in ("inputTokens", "outputTokens") if isinstance(usage.get(k), int)}
    texts: list[str] = []
    for block in content:
        use = block.get("toolUse")
        if use is not None and use.get("name") == TOOL_NAME:
            return Reply(use.get("input"), use.get("toolUseId"), counts)
        if "text" in block:
            texts.append(str(block["text"]))
    return Reply(json_from_text("\n".join(texts)), None, counts)


class BedrockChat:
    """One Converse call per ask, forcing the recipe tool with ``toolChoice``."""

    vendor = _VENDOR

    def __init__(self, settings: BedrockSettings, client: Any = None) -> None:
        self.settings = settings
        self.model = settings.model_ref
        self._client = client if client is not None else _client(settings)

    def ask(self, system: str, turns: list[Turn], schema: Mapping[str, Any]) -> Reply:
        from botocore.exceptions import BotoCoreError, ClientError

        tool = {
            "toolSpec": {"name": TOOL_NAME, "description": TOOL_DESCRIPTION, "inputSchema": {"json": schema}}
        }
        try:
            response = self._client.converse(
                modelId=self.settings.model_ref,
                system=[{"text": system}],
                messages=[_message(t) for t in turns],
                toolConfig={"tools": [tool], "toolChoice": {"tool": {"name": TOOL_NAME}}},
                inferenceConfig={
                    "maxTokens": self.settings.max_tokens,
                    "temperature": self.settings.temperature,
                },
            )
        except ClientError as exc:
            raise _error(exc) from exc
        except BotoCoreError as exc:
            raise ProviderError(_VENDOR, "network", f"cannot reach Bedrock: {exc}") from exc
        return _reply(response)

    def close(self) -> None:
        self._client.close()


def _error(exc: Any) -> ProviderError:
    error = exc.response.get("Error", {})
    meta = exc.response.get("ResponseMetadata", {})
    code = str(error.get("Code") or "Unknown")
    message = str(error.get("Message") or exc)
    status = int(meta.get("HTTPStatusCode") or 0)
    if code in _RETRYABLE or status in (429, 503):
        hint = meta.get("HTTPHeaders", {}).get("retry-after")
        try:
            retry_after = float(hint) if hint is not None else None
        except ValueError:
            retry_after = None
        return Throttled(_VENDOR, code, message, retry_after)
    return ProviderError(_VENDOR, code, message)


def _client(settings: BedrockSettings) -> Any:
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(region_name=settings.region)
    if session.get_credentials() is None:
        raise ProviderConfigError(
            _VENDOR,
            "AWS_ACCESS_KEY_ID",
            "is not set and no other AWS credentials were found; set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE",
        )
    # botocore's own retries are off: throttling is retried by our backoff, with jitter, once.
    config = Config(
        retries={"total_max_attempts": 1},
        read_timeout=settings.timeout,
        connect_timeout=min(10.0, settings.timeout),
    )
    return session.client("bedrock-runtime", endpoint_url=settings.endpoint_url, config=config)


def bedrock_provider(
    env: Mapping[str, str] | None = None, *, backoff: Backoff | None = None, client: Any = None
) -> ModelProvider:
    """A model provider over Bedrock, configured from the environment (fails fast when incomplete)."""
    return ModelProvider(BedrockChat(BedrockSettings.from_env(env), client), backoff=backoff)
