"""Korean money as people type it: the accepted forms and the refused ones (oracle amounts written here)."""

from __future__ import annotations

import pytest

from aichef.errors import InvalidInput
from aichef.models import parse_profile
from aichef.money import MAX_KRW, MoneyError, parse_krw


@pytest.mark.parametrize(
    ("text", "won"),
    [
        ("30000", 30000),
        ("30,000", 30000),
        ("3만원", 30000),
        ("3만", 30000),
        ("3만 5천원", 35000),
        ("3만5천", 35000),
        ("₩30,000", 30000),
        ("￦30000", 30000),
        ("30,000원", 30000),
        ("30000 원", 30000),
        ("KRW 30,000", 30000),
        ("1만 2,500원", 12500),
        ("2.5만원", 25000),
        ("5천원", 5000),
        ("35만", 350000),
        ("1,000,000", 1_000_000),
        ("1000만원", 10_000_000),
        ("  30000  ", 30000),
        (30000, 30000),
        (30000.0, 30000),
    ],
)
def test_accepted_forms(text: object, won: int) -> None:
    assert parse_krw(text) == won


@pytest.mark.parametrize(
    "text",
    ["", "삼만원", "3만원만", "30,00", "1,0000", "5천 3만", "3천 2천", "3.5", "-3000", "0", "0원", "1억",
     "10,000,001", "20000000", "3만 원 5천", "30000원원", "30000$", "$30,000", "abc", "3e4", "NaN",
     True, False, None, 3.5, -1, 0, [30000], {"won": 30000}],
)  # fmt: skip
def test_refused_forms_say_what_is_allowed(text: object) -> None:
    with pytest.raises(MoneyError) as caught:
        parse_krw(text)
    message = str(caught.value)
    assert "3만원" in message and f"{MAX_KRW:,}" in message


def test_the_profile_reads_the_budget_and_names_the_field_when_it_cannot() -> None:
    assert parse_profile({"target": "keto", "budget": "3만 5천원"}).budget == 35000
    assert parse_profile({"target": "keto"}).budget == 30000
    for bad in ("삼만원", True, 20_000_000):
        with pytest.raises(InvalidInput) as caught:
            parse_profile({"target": "keto", "budget": bad})
        assert [p.field for p in caught.value.problems] == ["profile.budget"]
