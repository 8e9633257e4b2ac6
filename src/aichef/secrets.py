"""Credentials read at run time: from the environment, else from a Secrets Manager secret it names.

Locally the Naver keys come from ``NAVER_CLIENT_ID`` / ``NAVER_CLIENT_SECRET``. On AWS the template
sets only ``AICHEF_NAVER_SECRET_ID`` (a secret's name or ARN holding both keys as JSON); the function
reads it with ``GetSecretValue`` on first use and keeps it in memory for the life of the sandbox,
so the keys never sit in the function's configuration and a rotated secret is picked up by new
sandboxes without a redeploy. Values are never logged or put in an error message.

>>> naver_keys({"NAVER_CLIENT_ID": "id", "NAVER_CLIENT_SECRET": "secret"})
('id', 'secret')
>>> naver_keys({}) is None
True
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping
from typing import Any

from aichef.errors import ProviderError

__all__ = ["NAVER_SECRET_VARIABLE", "SecretFetcher", "clear_cache", "naver_configured", "naver_keys"]

NAVER_SECRET_VARIABLE = "AICHEF_NAVER_SECRET_ID"
SecretFetcher = Callable[[str], str]
_lock = threading.Lock()
_cache: dict[str, dict[str, Any]] = {}


def _invalid(secret_id: str, problem: str) -> ProviderError:
    return ProviderError(
        "secretsmanager", "InvalidSecret", f"secret {secret_id!r} ({NAVER_SECRET_VARIABLE}) {problem}"
    )


def _secrets_manager(secret_id: str) -> str:
    import boto3  # only on AWS: the local path never needs it

    reply = boto3.client("secretsmanager").get_secret_value(SecretId=secret_id)
    return str(reply["SecretString"])


def _secret(secret_id: str, fetch: SecretFetcher) -> dict[str, Any]:
    with _lock:
        if secret_id not in _cache:
            try:
                value = json.loads(fetch(secret_id))
            except ValueError:
                raise _invalid(secret_id, "is not a JSON object") from None
            if not isinstance(value, dict):
                raise _invalid(secret_id, "is not a JSON object")
            _cache[secret_id] = value
        return _cache[secret_id]


def naver_keys(
    env: Mapping[str, str] | None = None, fetch: SecretFetcher = _secrets_manager
) -> tuple[str, str] | None:
    """(client id, client secret) for Naver Shopping, or None when none is configured."""
    env = os.environ if env is None else env
    client_id = env.get("NAVER_CLIENT_ID", "").strip()
    secret = env.get("NAVER_CLIENT_SECRET", "").strip()
    if client_id and secret:
        return client_id, secret
    secret_id = env.get("AICHEF_NAVER_SECRET_ID", "").strip()
    if not secret_id:
        return None
    value = _secret(secret_id, fetch)
    client_id = str(value.get("NAVER_CLIENT_ID", "")).strip()
    secret = str(value.get("NAVER_CLIENT_SECRET", "")).strip()
    if not client_id or not secret:
        raise _invalid(secret_id, "must hold NAVER_CLIENT_ID and NAVER_CLIENT_SECRET")
    return client_id, secret


def naver_configured(env: Mapping[str, str] | None = None) -> bool:
    """Whether live prices are configured (keys in the environment or a secret named), without fetching."""
    env = os.environ if env is None else env
    keys = env.get("NAVER_CLIENT_ID", "").strip() and env.get("NAVER_CLIENT_SECRET", "").strip()
    return bool(keys or env.get("AICHEF_NAVER_SECRET_ID", "").strip())


def clear_cache() -> None:
    """Forget fetched secrets (tests; a process that must see a rotated secret at once)."""
    with _lock:
        _cache.clear()
