"""FetchPrice: the quotes for one ingredient, live (Naver Shopping) or from the reference table.

``mode: "reference"`` is the workflow's fallback after a failed live lookup: a labelled
estimate carrying the reason, never shown as a live price.
"""

from __future__ import annotations

import sqlite3
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from aichef import secrets
from aichef.errors import InvalidInput
from aichef.knowledge.ingredients import get
from aichef.knowledge.prices import PriceQuote, PriceSource, ReferencePriceSource

if TYPE_CHECKING:
    from aichef.providers._price_cache import PriceCache

__all__ = ["handler"]

_sources: dict[str, PriceSource] = {}


def _shared_cache() -> PriceCache | None:
    """The day's live prices in the local data directory (local backend); None where it cannot be kept."""
    from aichef.config import settings
    from aichef.providers._price_cache import PriceCache

    config = settings()
    if config.backend != "local":
        return None
    try:
        return PriceCache(config.data_dir / "live-prices.sqlite")
    except (OSError, sqlite3.Error):  # a read-only disk: every session asks Naver, as before
        return None


def _live_source(language: str) -> PriceSource:
    """Naver when keys are configured (it falls back by itself), else the reference table."""
    if language not in _sources:
        if secrets.naver_configured():
            from aichef.providers.naver import NaverPriceSource, NaverShoppingClient

            _sources[language] = NaverPriceSource(
                NaverShoppingClient.from_env(), language=language, cache=_shared_cache()
            )
        else:
            _sources[language] = ReferencePriceSource(language=language)
    return _sources[language]


_QUOTE_FIELDS = tuple(f.name for f in fields(PriceQuote))


def handler(event: dict[str, Any], context: Any) -> list[dict[str, Any]]:
    item = event.get("ingredient") or {}
    key = item.get("key")
    try:
        ingredient = get(str(key))
    except KeyError:
        raise InvalidInput.one("ingredient.key", f"unknown ingredient {key!r}") from None
    language = event.get("language") or "ko"
    if event.get("mode") == "reference":
        reason = event.get("reason") or ""
        why = (
            f"실시간 가격 조회 실패: {reason}" if language == "ko" else f"live price lookup failed: {reason}"
        )
        quotes = ReferencePriceSource(language=language).quotes(ingredient, why if reason else "")
    else:
        quotes = _live_source(language).quotes(ingredient)
    # Every field of a quote is a str, number, bool or None: a shallow dict is what dataclasses.asdict
    # gives, without its recursive deep copy (the dearest part of this handler).
    return [{name: getattr(quote, name) for name in _QUOTE_FIELDS} for quote in quotes]
