"""Prices in KRW: the quote type, the PriceSource protocol and the shipped, dated reference table."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from aichef.knowledge.ingredients import Ingredient

__all__ = [
    "REFERENCE_VENDOR",
    "PriceQuote",
    "PriceSource",
    "ReferencePrice",
    "ReferencePriceSource",
    "ReferenceTable",
    "load_reference_table",
    "table_from_json",
]

Source = Literal["naver", "reference"]
REFERENCE_VENDOR = "참고 가격표"


@dataclass(frozen=True)
class PriceQuote:
    """One way to buy an ingredient: a package of `package_grams` for `price_krw`.

    `is_estimate` is True for anything that is not a live listing; `note` says why a
    fallback was used (e.g. "Naver quota spent") so it is never shown as a live price.

    >>> q = PriceQuote("onion", "양파 3kg", "마트", 6000, 3000.0, "3kg", "naver", False, "2026-11-22")
    >>> q.packages_for(3500), q.purchase_cost(3500), q.cost_of(300)
    (2, 12000, 600)
    """

    ingredient_key: str
    product_name: str
    vendor: str
    price_krw: int
    package_grams: float
    package_label: str
    source: Source
    is_estimate: bool
    as_of: str
    link: str | None = None
    product_id: str | None = None
    note: str = ""

    def packages_for(self, grams: float) -> int:
        """Whole packages to buy to have at least `grams` (at least one)."""
        # Small tolerance: 1000.0000001 g of a 1 kg bag is still one bag.
        return max(1, math.ceil(grams / self.package_grams - 1e-6))

    def purchase_cost(self, grams: float) -> int:
        """What the shopper pays: whole packages."""
        return self.packages_for(grams) * self.price_krw

    def cost_of(self, grams: float) -> int:
        """The share of the price for just the amount used, rounded to the won."""
        return round(self.price_krw * grams / self.package_grams)

    @property
    def krw_per_100g(self) -> float:
        return self.price_krw * 100.0 / self.package_grams


class PriceSource(Protocol):
    """Where quotes come from. `quotes` never raises and never returns an empty list:
    a source that cannot answer returns a labelled reference estimate instead."""

    @property
    def name(self) -> str: ...

    def quotes(self, ingredient: Ingredient) -> list[PriceQuote]: ...


@dataclass(frozen=True)
class ReferencePrice:
    """A typical retail package: `price_krw` for `package_grams` (label as a Korean shop writes it)."""

    price_krw: int
    package_grams: float
    package_label: str
    basis: str = "item"  # "item": priced for this food; "category": from the category's rate


@dataclass(frozen=True)
class ReferenceTable:
    """The shipped reference table: dated, in KRW, explicitly estimates."""

    as_of: str
    currency: str
    label_ko: str
    label_en: str
    method: str
    items: Mapping[str, ReferencePrice]
    categories: Mapping[str, ReferencePrice]
    # Every size a shop sells of an item (소포장 .. 대용량), the typical package (`items`) first.
    sizes: Mapping[str, tuple[ReferencePrice, ...]] = field(default_factory=lambda: MappingProxyType({}))

    def entry(self, ingredient: Ingredient) -> tuple[ReferencePrice, str]:
        """The typical package for this ingredient and how it was found ("item" or "category:<name>")."""
        found = self.items.get(ingredient.key)
        if found is not None:
            return found, found.basis
        by_category = self.categories.get(ingredient.category) or self.categories["other"]
        return by_category, f"category:{ingredient.category}"

    def entries(self, ingredient: Ingredient) -> tuple[tuple[ReferencePrice, ...], str]:
        """Every package size known for this ingredient (typical first) and how they were found."""
        typical, basis = self.entry(ingredient)
        return self.sizes.get(ingredient.key, (typical,)), basis


def _price(raw: Mapping[str, Any], where: str) -> ReferencePrice:
    try:
        price = ReferencePrice(
            int(raw["price_krw"]),
            float(raw["package_grams"]),
            str(raw["package"]),
            str(raw.get("basis", "item")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"prices.json {where}: needs price_krw, package_grams, package ({exc})") from None
    if price.price_krw <= 0 or price.package_grams <= 0:
        raise ValueError(f"prices.json {where}: price and package size must be positive")
    return price


def table_from_json(data: Mapping[str, Any]) -> ReferenceTable:
    """Build a table from the prices.json structure (also used by tests with small tables)."""
    categories = {name: _price(raw, f"categories.{name}") for name, raw in data["categories"].items()}
    if "other" not in categories:
        raise ValueError("prices.json categories: an 'other' entry is required as the last fallback")
    return ReferenceTable(
        as_of=str(data["as_of"]),
        currency=str(data["currency"]),
        label_ko=str(data["label_ko"]),
        label_en=str(data["label_en"]),
        method=str(data.get("method", "")),
        items=MappingProxyType({key: _price(raw, f"items.{key}") for key, raw in data["items"].items()}),
        categories=MappingProxyType(categories),
        sizes=MappingProxyType({key: _sizes(key, raw) for key, raw in data["items"].items()}),
    )


def _sizes(key: str, raw: Mapping[str, Any]) -> tuple[ReferencePrice, ...]:
    sizes = [_price(raw, f"items.{key}")]
    for i, other in enumerate(raw.get("other_sizes", ())):
        sizes.append(_price(other, f"items.{key}.other_sizes[{i}]"))
    if len({size.package_grams for size in sizes}) != len(sizes):
        raise ValueError(f"prices.json items.{key}: two package sizes of the same weight")
    return tuple(sizes)


@cache
def load_reference_table() -> ReferenceTable:
    """The table shipped in aichef/knowledge/data/prices.json."""
    text = resources.files("aichef.knowledge").joinpath("data/prices.json").read_text("utf-8")
    return table_from_json(json.loads(text))


class ReferencePriceSource:
    """Offline prices from the reference table; every quote is labelled an estimate with its date.

    >>> from aichef.knowledge.ingredients import get
    >>> quote = ReferencePriceSource().quote(get("onion"))
    >>> quote.source, quote.is_estimate
    ('reference', True)
    """

    def __init__(self, table: ReferenceTable | None = None, language: str = "ko") -> None:
        self._table = table
        self._language = language

    @property
    def name(self) -> str:
        return "reference"

    @property
    def table(self) -> ReferenceTable:
        if self._table is None:
            self._table = load_reference_table()
        return self._table

    def quote(self, ingredient: Ingredient, reason: str = "") -> PriceQuote:
        """The typical package's quote; `reason` (why no live price) is kept in the note."""
        entry, basis = self.table.entry(ingredient)
        return self._quote(ingredient, entry, basis, reason)

    def quotes(self, ingredient: Ingredient, reason: str = "") -> list[PriceQuote]:
        """One quote per package size sold, the typical package first."""
        entries, basis = self.table.entries(ingredient)
        return [self._quote(ingredient, entry, basis, reason) for entry in entries]

    def _quote(self, ingredient: Ingredient, entry: ReferencePrice, basis: str, reason: str) -> PriceQuote:
        table = self.table
        label = table.label_ko if self._language == "ko" else table.label_en
        notes = [f"{label} ({table.as_of})"]
        if basis.startswith("category:"):
            notes.append(
                f"{ingredient.category} 평균 단가로 추정"
                if self._language == "ko"
                else f"estimated from the {ingredient.category} category average"
            )
        if reason:
            notes.append(reason)
        name = ingredient.name_ko if self._language == "ko" else ingredient.name_en
        return PriceQuote(
            ingredient_key=ingredient.key,
            product_name=f"{name} {entry.package_label}",
            vendor=REFERENCE_VENDOR if self._language == "ko" else "reference price table",
            price_krw=entry.price_krw,
            package_grams=entry.package_grams,
            package_label=entry.package_label,
            source="reference",
            is_estimate=True,
            as_of=table.as_of,
            note="; ".join(notes),
        )
