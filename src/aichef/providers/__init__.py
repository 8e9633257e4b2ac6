"""Outside services AI Chef can use; each falls back to offline data when unavailable.

Recipe providers are chosen by name or by ``AICHEF_PROVIDER``: ``offline`` (the default, no
network), ``bedrock``, ``anthropic`` or ``openai`` (any OpenAI-compatible endpoint).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from aichef.providers._loop import ModelProvider, Outcome, Round
from aichef.providers.base import ProviderConfigError, RecipeProvider, Throttled
from aichef.providers.naver import NaverItem, NaverPriceSource, NaverShoppingClient
from aichef.providers.offline import OfflineProvider
from asl.extras import missing_extra

__all__ = [
    "PROVIDERS",
    "ModelProvider",
    "NaverItem",
    "NaverPriceSource",
    "NaverShoppingClient",
    "OfflineProvider",
    "Outcome",
    "ProviderConfigError",
    "RecipeProvider",
    "Round",
    "Throttled",
    "get_provider",
]

PROVIDERS: tuple[str, ...] = ("offline", "bedrock", "anthropic", "openai")


def get_provider(name: str | None = None, env: Mapping[str, str] | None = None) -> RecipeProvider:
    """The recipe provider called ``name`` (else ``AICHEF_PROVIDER``, else ``offline``), configured
    from the environment. Everything it needs is checked now: a missing key or model raises
    :class:`ProviderConfigError` naming the variable, before any recipe is asked for.

    >>> get_provider("offline").name
    'offline'
    """
    env = os.environ if env is None else env
    chosen = (name or env.get("AICHEF_PROVIDER", "") or "offline").strip().lower()
    if chosen == "offline":
        return OfflineProvider()
    if chosen == "bedrock":
        from aichef.providers.bedrock import bedrock_provider

        return bedrock_provider(env)
    if chosen == "anthropic":
        try:
            from aichef.providers.anthropic import anthropic_provider
        except ImportError as err:
            message = missing_extra(err, "providers", ("anthropic",))
            if message is None:
                raise
            raise ProviderConfigError("anthropic", "AICHEF_PROVIDER", f"is anthropic but {message}") from None
        return anthropic_provider(env)
    if chosen == "openai":
        from aichef.providers.openai_compat import openai_provider

        return openai_provider(env)
    source = "get_provider(name)" if name else "AICHEF_PROVIDER"
    raise ProviderConfigError(chosen, source, f"got {chosen!r}; allowed: {', '.join(PROVIDERS)}")
