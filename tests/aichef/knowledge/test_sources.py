"""Every nutrition figure traces to a named source; every stand-in says it is one.

The published Korean figures below are copied from the sources named next to them, so the
test does not read the product's own files to decide what is right.
"""

from __future__ import annotations

import re

import pytest

from aichef.knowledge.ingredients import all_ingredients, get


def test_no_row_lacks_a_source() -> None:
    for item in all_ingredients():
        sr28 = f"USDA SR28 NDB_No {item.ndb_no}"
        if item.source == sr28:
            continue
        # A published table or test: named, dated, and the SR28 row for the figures it did not give.
        assert item.source.endswith(f"other figures: {sr28}"), item.key
        assert re.search(r"\b(19|20)\d\d\b", item.source), item.key
        assert item.approximation, f"{item.key}: a partly published row must say what stays approximate"


# Processed Korean products and foods SR28 lacks: each stands in for something else and must say so.
STAND_INS = (
    "gochujang", "doenjang", "ssamjang", "chogochujang", "chunjang", "soup_soy_sauce", "tsuyu",
    "salted_shrimp", "fish_sauce", "smoked_duck", "fish_cake", "cooking_wine", "rice_wine",
    "ham", "imitation_crab", "perilla_leaves", "perilla_oil", "oligosaccharide_syrup", "rice_cake",
    "pork_backbone", "blood_sausage", "dumplings",
)  # fmt: skip


@pytest.mark.parametrize("key", STAND_INS)
def test_every_stand_in_says_it_is_one(key: str) -> None:
    assert len(get(key).approximation or "") > 20, key


def test_rows_sharing_an_sr28_food_are_stand_ins_except_one() -> None:
    by_ndb: dict[str, list[str]] = {}
    for item in all_ingredients():
        by_ndb.setdefault(item.ndb_no, []).append(item.key)
    for ndb, keys in by_ndb.items():
        plain = [k for k in keys if get(k).approximation is None]
        assert len(plain) <= 1, (ndb, plain)


# (key, nutrient, value per 100 g, source) as published
PUBLISHED = [
    ("gochujang", "sodium_mg", 2436.0, "한국소비자원 2012-10-09: 18 가정용 고추장, average"),
    ("gochujang", "sugar_g", 27.0, "한국소비자원 2012-10-09: 18 가정용 고추장, average"),
    ("fish_cake", "sodium_mg", 787.7, "한국소비자원 2018-12-03: 13 조리용 어묵, average"),
    ("spam", "sodium_mg", 794.21, "소비자시민모임 2017-05-25: 23 캔햄, average"),
    ("ssamjang", "sodium_mg", 3011.0, "영양과 건강 저널 via 헬스조선 2023-06-09: 쌈장 average"),
    ("cooking_wine", "sodium_mg", 32.0, "식약처 미림 per 100 g"),
    ("cooking_wine", "carbohydrate_g", 35.5, "식약처 미림 per 100 g"),
    ("soup_soy_sauce", "sodium_mg", 8085 / 1.082, "한국소비자원 2016-09-04: 한식간장 8,085 mg/100 ml"),
]


@pytest.mark.parametrize(
    ("key", "nutrient", "value", "where"), PUBLISHED, ids=[f"{p[0]}-{p[1]}" for p in PUBLISHED]
)
def test_processed_korean_products_carry_the_published_figures(
    key: str, nutrient: str, value: float, where: str
) -> None:
    item = get(key)
    assert getattr(item.per_100g, nutrient) == pytest.approx(value, rel=0.001), where
    assert nutrient in item.source.split(":")[0], item.source


def test_published_sugar_is_never_above_carbohydrate() -> None:
    # (SR28's own analyses may differ a little, e.g. milk; a published sugar over a proxy's is a floor.)
    for item in all_ingredients():
        if item.source.startswith("USDA"):
            continue
        assert item.per_100g.sugar_g <= item.per_100g.carbohydrate_g + 1e-9, item.key
