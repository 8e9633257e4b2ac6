"""Outside services AI Chef can use; each falls back to offline data when unavailable."""

from __future__ import annotations

from aichef.providers.naver import NaverItem, NaverPriceSource, NaverShoppingClient

__all__ = ["NaverItem", "NaverPriceSource", "NaverShoppingClient"]
