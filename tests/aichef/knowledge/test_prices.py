"""The reference price table (dated, labelled estimates, every ingredient) and quote arithmetic."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import pytest

from aichef.knowledge.ingredients import Ingredient, all_ingredients, get
from aichef.knowledge.packages import parse_package
from aichef.knowledge.prices import (
    PriceQuote,
    ReferencePriceSource,
    load_reference_table,
    table_from_json,
)


def raw_table() -> dict[str, Any]:
    text = resources.files("aichef.knowledge").joinpath("data/prices.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def test_every_ingredient_has_its_own_price() -> None:
    table = load_reference_table()
    missing = [i.key for i in all_ingredients() if i.key not in table.items]
    assert missing == []
    assert all(price.basis == "item" for price in table.items.values())


def test_no_price_for_an_unknown_ingredient_key() -> None:
    known = {i.key for i in all_ingredients()}
    assert set(load_reference_table().items) <= known


def test_table_is_dated_in_krw_and_labelled_an_estimate() -> None:
    table = load_reference_table()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", table.as_of)
    assert table.currency == "KRW"
    assert "추정" in table.label_ko and "estimate" in table.label_en
    assert "not a live price" in table.label_en


def test_every_category_has_a_fallback() -> None:
    categories = {i.category for i in all_ingredients()} | {"other"}
    assert categories <= set(load_reference_table().categories)


def test_prices_per_100g_are_plausible() -> None:
    # Catches a package entered in kg instead of g (or a missing zero) rather than judging prices.
    for key, price in load_reference_table().items.items():
        per_100g = price.price_krw * 100 / price.package_grams
        assert 20 <= per_100g <= 40_000, (key, per_100g)


def test_weight_labels_agree_with_package_grams() -> None:
    checked = 0
    for key, entry in raw_table()["items"].items():
        package = parse_package(entry["package"])
        if package is None or package.unit == "ml":  # liquids: grams depend on density
            continue
        grams = package.grams(get(key))
        if grams is None:
            continue
        checked += 1
        assert grams == pytest.approx(entry["package_grams"], rel=0.15), (key, entry)
    assert checked > 300


def test_reference_quote_is_labelled_with_date_and_reason() -> None:
    source = ReferencePriceSource()
    quote = source.quote(get("onion"), reason="네이버 응답 없음")
    table = load_reference_table()
    assert (quote.source, quote.is_estimate, quote.as_of) == ("reference", True, table.as_of)
    assert quote.price_krw == table.items["onion"].price_krw
    assert table.label_ko in quote.note and table.as_of in quote.note and "네이버 응답 없음" in quote.note
    assert quote.product_name.startswith("양파")
    quotes = source.quotes(get("onion"))
    assert quotes[0] == source.quote(get("onion"))  # the typical package first
    assert len(quotes) >= 3  # 소포장 to 대용량
    assert all(q.is_estimate and q.as_of == table.as_of and table.label_ko in q.note for q in quotes)


def test_other_sizes_are_plausible_and_their_labels_agree_with_their_weight() -> None:
    checked = 0
    for key, entry in raw_table()["items"].items():
        for size in entry.get("other_sizes", []):
            assert 20 <= size["price_krw"] * 100 / size["package_grams"] <= 40_000, (key, size)
            package = parse_package(size["package"])
            if package is None or package.unit == "ml":
                continue
            grams = package.grams(get(key))
            if grams is not None:
                checked += 1
                assert grams == pytest.approx(size["package_grams"], rel=0.15), (key, size)
    assert checked > 150


def test_two_sizes_of_the_same_weight_are_refused() -> None:
    one = {"price_krw": 100, "package_grams": 100, "package": "100g"}
    data = {**raw_table(), "items": {"x": {**one, "other_sizes": [one]}}}
    with pytest.raises(ValueError, match="same weight"):
        table_from_json(data)


def test_english_reference_quote() -> None:
    quote = ReferencePriceSource(language="en").quote(get("onion"))
    assert quote.product_name.startswith("onion") or quote.product_name.lower().startswith("onion")
    assert "not a live price" in quote.note


def test_ingredient_added_later_falls_back_to_its_category_with_a_label() -> None:
    newcomer = Ingredient(**{**get("spinach").__dict__, "key": "sea_spinach_new"})
    quote = ReferencePriceSource().quote(newcomer)
    category = load_reference_table().categories["vegetable"]
    assert (quote.price_krw, quote.package_grams) == (category.price_krw, category.package_grams)
    assert "vegetable" in quote.note and quote.is_estimate


def test_quote_arithmetic() -> None:
    quote = PriceQuote("onion", "양파 1.5kg", "마트", 4500, 1500.0, "1.5kg", "reference", True, "2026-11-22")
    assert quote.packages_for(100) == 1
    assert quote.packages_for(1500) == 1
    assert quote.packages_for(1500.0000001) == 1  # float noise is not a second bag
    assert quote.packages_for(1501) == 2
    assert quote.purchase_cost(3100) == 3 * 4500
    assert quote.cost_of(150) == 450
    assert quote.krw_per_100g == 300


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"items": {"x": {"price_krw": -1, "package_grams": 100, "package": "100g"}}}, "positive"),
        ({"items": {"x": {"price_krw": 100, "package": "100g"}}}, "package_grams"),
        ({"categories": {}}, "other"),
    ],
)
def test_bad_tables_are_refused_with_the_place(change: dict[str, Any], message: str) -> None:
    data = {**raw_table(), **change}
    with pytest.raises(ValueError, match=message):
        table_from_json(data)
