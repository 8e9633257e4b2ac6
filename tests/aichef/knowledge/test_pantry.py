"""The pantry: what a profile assumes at home, and the purchase estimate that leaves it out."""

from __future__ import annotations

import pytest

from aichef.errors import InvalidInput
from aichef.knowledge.ingredients import get
from aichef.knowledge.pantry import default_pantry, on_hand
from aichef.knowledge.shopping import estimate_purchase
from aichef.models import parse_profile

# The Korean basics the issue names, written here independently of data/pantry.json.
KOREAN_BASICS = {"salt", "black_pepper", "sugar", "vegetable_oil", "sesame_oil", "soy_sauce", "gochugaru",
                 "garlic", "sesame_seeds", "vinegar"}  # fmt: skip


def test_default_pantry_holds_the_korean_basics_each_with_a_reason() -> None:
    profile = parse_profile({"target": "keto"})
    assert profile.pantry == "default"
    assert on_hand(profile) >= KOREAN_BASICS
    for item in default_pantry():
        assert item.reason_ko.strip() and item.reason_en.strip()
        get(item.key)  # every key is a real ingredient
        for key in item.covers:
            get(key)


def test_pantry_none_assumes_nothing() -> None:
    assert on_hand(parse_profile({"target": "keto", "pantry": "none"})) == frozenset()
    assert on_hand(parse_profile({"target": "keto", "pantry": "없음"})) == frozenset()


def test_own_pantry_list_from_words_or_a_comma_text() -> None:
    assert on_hand(parse_profile({"target": "diet", "pantry": ["소금", "간장"]})) == {"salt", "soy_sauce"}
    owned = on_hand(parse_profile({"target": "diet", "pantry": "소금, 식용유"}))
    assert {"salt", "vegetable_oil", "canola_oil"} <= owned
    assert "soy_sauce" not in owned


@pytest.mark.parametrize("value", ["소금,없는재료", 5, True, {"a": 1}])
def test_bad_pantry_is_refused_naming_the_field(value: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_profile({"target": "diet", "pantry": value})
    assert all(p.field.startswith("profile.pantry") for p in caught.value.problems)


def test_estimate_purchase_leaves_out_pantry_and_water() -> None:
    lines = [(get("salt"), 2.0), (get("onion"), 300.0), (get("water"), 500.0)]
    with_salt = estimate_purchase(lines, frozenset())
    without = estimate_purchase(lines, frozenset({"salt"}))
    assert with_salt > without > 0
    assert estimate_purchase([(get("water"), 500.0)], frozenset()) == 0
