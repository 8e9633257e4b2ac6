"""The pantry: ingredients assumed at home, so the shopping list does not buy them for one spoonful.

A profile's ``pantry`` is ``"default"`` (the Korean basics in ``data/pantry.json``), ``"none"``
(an empty kitchen: everything is bought) or the user's own list of words ("소금", "간장" ...).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aichef.models import Profile

__all__ = ["PantryItem", "default_pantry", "on_hand", "pantry_keys", "resolve_words", "unknown_words"]


@dataclass(frozen=True)
class PantryItem:
    """One thing a Korean kitchen keeps, why we assume it, and the table keys the same bottle serves."""

    key: str
    covers: tuple[str, ...]
    reason_ko: str
    reason_en: str

    def reason(self, language: str) -> str:
        return self.reason_ko if language == "ko" else self.reason_en


@cache
def default_pantry() -> tuple[PantryItem, ...]:
    """The default Korean pantry, in the order of ``data/pantry.json``."""
    text = resources.files("aichef.knowledge").joinpath("data/pantry.json").read_text("utf-8")
    return tuple(
        PantryItem(
            str(row["key"]), tuple(row.get("covers", ())), str(row["reason_ko"]), str(row["reason_en"])
        )
        for row in json.loads(text)["items"]
    )


@cache
def _covers() -> dict[str, frozenset[str]]:
    return {item.key: frozenset({item.key, *item.covers}) for item in default_pantry()}


def resolve_words(words: Iterable[str]) -> frozenset[str]:
    """Ingredient keys for the user's pantry words; a default item brings the keys it covers
    (식용유 also stands for 카놀라유). Words the table does not know are skipped here; the
    profile refuses them before this is reached."""
    from aichef.knowledge.ingredients import lookup

    covers = _covers()
    keys: set[str] = set()
    for word in words:
        found = lookup(word)
        if found is not None:
            keys |= covers.get(found.key, {found.key})
    return frozenset(keys)


def unknown_words(words: Iterable[str]) -> list[str]:
    """The words that name no ingredient in the table (for the profile's validation)."""
    from aichef.knowledge.ingredients import lookup

    return [word for word in words if lookup(word) is None]


@cache
def _default_keys() -> frozenset[str]:
    return frozenset(key for keys in _covers().values() for key in keys)


def on_hand(profile: Profile) -> frozenset[str]:
    """Ingredient keys assumed at home for this profile; empty when ``profile.pantry == "none"``."""
    return pantry_keys(profile.pantry)


def pantry_keys(pantry: str | Sequence[str]) -> frozenset[str]:
    """Keys for a pantry choice as the profile stores it ("none", "default" or a list of words)."""
    if pantry == "none":
        return frozenset()
    if pantry == "default":
        return _default_keys()
    if isinstance(pantry, str):  # a stored word other than none/default: one ingredient name
        return resolve_words([pantry])
    return resolve_words(pantry)
