"""Amount parsing and unit conversion, checked against the units' definitions."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aichef.knowledge.ingredients import all_ingredients, get
from aichef.knowledge.units import (
    COUNT_UNITS,
    MASS_UNITS,
    VOLUME_UNITS,
    Amount,
    AmountError,
    canonical_unit,
    parse_amount,
    to_grams,
    weigh,
)


@pytest.mark.parametrize(
    ("text", "quantity", "unit"),
    [
        ("2", Fraction(2), None),
        ("1/2", Fraction(1, 2), None),
        ("1½", Fraction(3, 2), None),
        ("½컵", Fraction(1, 2), "컵"),
        ("⅓ 개", Fraction(1, 3), "개"),
        ("200g", Fraction(200), "g"),
        ("1컵", Fraction(1), "컵"),
        ("1과 1/2컵", Fraction(3, 2), "컵"),
        ("1 1/2 cups", Fraction(3, 2), "컵"),
        ("0.5 kg", Fraction(1, 2), "kg"),
        ("1,000g", Fraction(1000), "g"),
        ("1,5 kg", Fraction(3, 2), "kg"),
        ("1.5L", Fraction(3, 2), "L"),
        ("3 Tbsp", Fraction(3), "큰술"),
        ("1T", Fraction(1), "큰술"),
        ("1t", Fraction(1), "작은술"),
        ("2 tsp", Fraction(2), "작은술"),
        ("2 cloves", Fraction(2), "쪽"),
        ("한 줌", Fraction(1), "줌"),
        ("반 모", Fraction(1, 2), "모"),
        ("1큰술(15g)", Fraction(1), "큰술"),
        ("2개 정도", Fraction(2), "개"),
        ("1 pinch", Fraction(1), "꼬집"),
        ("10 ml", Fraction(10), "ml"),
    ],
)
def test_parse_amount_reads_what_cooks_write(text: str, quantity: Fraction, unit: str | None) -> None:
    amount = parse_amount(text)
    assert amount.quantity == quantity
    assert amount.unit == unit
    assert amount.vague is False
    assert amount.text == text


@pytest.mark.parametrize("text", ["약간", "적당량", "조금", "to taste", "약간만", "a little", "취향껏"])
def test_vague_amounts_have_no_quantity(text: str) -> None:
    amount = parse_amount(text)
    assert amount.vague is True
    assert amount.quantity is None
    assert amount.unit is None


def test_range_is_read_as_its_midpoint_and_keeps_its_ends() -> None:
    amount = parse_amount("2~3개")
    assert amount == Amount(Fraction(5, 2), "개", False, "2~3개", Fraction(2), Fraction(3))
    assert parse_amount("1-2 cups").quantity == Fraction(3, 2)
    assert parse_amount("2개").low is None


def test_unknown_unit_is_kept_as_written() -> None:
    amount = parse_amount("2 덩이")
    assert amount.quantity == 2
    assert amount.unit == "덩이"


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "empty"), ("   ", "empty"), ("abc", "no number"), ("1/0컵", "malformed"), ("3~2개", "upwards")],
)
def test_parse_amount_rejects_non_amounts_with_a_clear_message(text: str, reason: str) -> None:
    with pytest.raises(AmountError, match=reason) as info:
        parse_amount(text)
    assert repr(text) in str(info.value)
    assert "1/2컵" in str(info.value)  # says what is allowed


@given(st.integers(1, 999), st.integers(1, 64), st.sampled_from(["컵", "큰술", "g", "개", "ml", "kg"]))
def test_any_fraction_with_a_unit_round_trips(numerator: int, denominator: int, unit: str) -> None:
    amount = parse_amount(f"{numerator}/{denominator}{unit}")
    assert amount.quantity == Fraction(numerator, denominator)
    assert amount.unit == unit


def test_canonical_unit_maps_english_and_korean_spellings() -> None:
    assert canonical_unit("Tbsp") == "큰술"
    assert canonical_unit("tablespoons") == "큰술"
    assert canonical_unit("스푼") == "큰술"
    assert canonical_unit("teaspoon") == "작은술"
    assert canonical_unit("cups") == "컵"
    assert canonical_unit("Kg") == "kg"
    assert canonical_unit("liter") == "L"
    assert canonical_unit("clove") == "쪽"
    assert canonical_unit("sheet") == "장"
    assert canonical_unit("handful") == "줌"
    assert canonical_unit("덩이") is None
    assert canonical_unit("  ") is None


def test_unit_definitions() -> None:
    assert VOLUME_UNITS["컵"] == 200.0  # the Korean cup
    assert VOLUME_UNITS["큰술"] == 15.0
    assert VOLUME_UNITS["작은술"] == 5.0
    assert VOLUME_UNITS["L"] == 1000.0
    assert MASS_UNITS["kg"] == 1000.0
    assert MASS_UNITS["oz"] == 28.349523125  # international avoirdupois ounce
    assert MASS_UNITS["lb"] == 453.59237


@pytest.mark.parametrize(
    ("unit", "grams"), [("g", 1.0), ("kg", 1000.0), ("oz", 28.349523125), ("lb", 453.59237)]
)
def test_mass_units_convert_by_definition_for_any_food(unit: str, grams: float) -> None:
    for key in ("egg", "onion", "salt", "water"):
        assert to_grams(get(key), 2, unit) == pytest.approx(2 * grams)


def test_volume_units_use_the_density() -> None:
    milk = get("milk")
    density = milk.unit_grams["ml"]
    assert to_grams(milk, 1, "ml") == pytest.approx(density)
    assert to_grams(milk, 1, "L") == pytest.approx(1000 * density)
    assert to_grams(milk, 1, "컵") == pytest.approx(200 * density, abs=0.06)
    assert to_grams(milk, 2, "cups") == pytest.approx(400 * density, abs=0.12)
    assert to_grams(milk, 1, "큰술") == pytest.approx(15 * density, abs=0.06)
    assert to_grams(milk, 1, "tsp") == pytest.approx(5 * density, abs=0.06)
    assert to_grams(milk, 16, "꼬집") == pytest.approx(5 * density, abs=0.01)  # 16 pinches = 1 tsp


def test_a_food_specific_measure_wins_over_the_density() -> None:
    water = get("water")
    assert to_grams(water, 1, "컵") == 200.0
    assert to_grams(water, 1, "큰술") == 15.0


def test_count_units_weigh_what_the_table_says() -> None:
    assert to_grams(get("egg"), 2, "개") == 100.0
    assert to_grams(get("egg"), 2, "eggs") == 100.0
    assert to_grams(get("egg"), 3, None) == 150.0  # no unit means pieces
    assert to_grams(get("tofu"), 0.5, "모") == 150.0
    assert to_grams(get("garlic"), 3, "쪽") == 15.0
    assert to_grams(get("garlic"), 3, "cloves") == 15.0


def test_what_cannot_be_weighed_is_none_never_a_guess() -> None:
    egg = get("egg")
    assert "ml" not in egg.unit_grams
    assert to_grams(egg, 1, "컵") is None
    assert to_grams(egg, 1, "ml") is None
    assert to_grams(get("onion"), 1, "쪽") is None
    assert to_grams(get("onion"), 1, "덩이") is None
    assert to_grams(get("beef_brisket"), 1, "개") is None


def test_every_table_unit_is_a_known_unit() -> None:
    known = COUNT_UNITS | set(VOLUME_UNITS)
    for item in all_ingredients():
        assert set(item.unit_grams) <= known, item.key
        for unit, grams in item.unit_grams.items():
            if unit != "ml":
                assert to_grams(item, 1, unit) == pytest.approx(grams), (item.key, unit)


@given(
    st.floats(min_value=0, max_value=1000, allow_nan=False), st.sampled_from(["g", "컵", "큰술", "개", "kg"])
)
def test_to_grams_is_linear_in_quantity(quantity: float, unit: str) -> None:
    onion = get("onion")
    one = to_grams(onion, 1, unit)
    assert one is not None
    assert to_grams(onion, quantity, unit) == pytest.approx(quantity * one)


def test_weigh_turns_a_written_line_into_grams() -> None:
    line = weigh("계란", "2", "개")
    assert line.ingredient is get("egg")
    assert line.grams == 100.0
    assert line.problem is None
    assert weigh("두부", "반 모").grams == 150.0
    assert weigh("양파", "1/2개").grams == 100.0
    assert weigh("간장", "2", "Tbsp").grams == pytest.approx(2 * get("soy_sauce").unit_grams["큰술"])


def test_weigh_reports_what_it_cannot_weigh() -> None:
    vague = weigh("소금", "약간")
    assert vague.grams is None and vague.ingredient is get("salt")
    assert "not a measurable amount" in (vague.problem or "")
    unknown = weigh("유니콘 고기", "1", "개")
    assert unknown.ingredient is None and "unknown ingredient" in (unknown.problem or "")
    no_weight = weigh("달걀", "1", "컵")
    assert no_weight.grams is None
    assert "'컵'" in (no_weight.problem or "") and "개" in (no_weight.problem or "")
    unreadable = weigh("양파", "many")
    assert unreadable.grams is None and "cannot read amount" in (unreadable.problem or "")
