"""Package sizes read from shopping titles as Korean shops write them."""

from __future__ import annotations

import pytest

from aichef.knowledge.packages import PackageSize, clean_title, parse_package


@pytest.mark.parametrize(
    ("title", "quantity", "unit", "packs"),
    [
        ("국산 양파 3kg", 3000, "g", 1),
        ("국산 <b>양파</b> 1.5KG 망", 1500, "g", 1),
        ("양파 1,000g", 1000, "g", 1),
        ("2.5키로 햇고구마", 2500, "g", 1),
        ("감자 5킬로 특품", 5000, "g", 1),
        ("찌개두부 300g x 3개", 300, "g", 3),
        ("부침두부 300g*2", 300, "g", 2),
        ("두부 300g 3개", 300, "g", 3),
        ("3팩 x 500g 방울토마토", 500, "g", 3),
        ("사과 2kg 10개 내외", 2000, "g", 1),  # pieces inside a big bag, not bags
        ("총 1.2kg (300g x 4)", 1200, "g", 1),  # the stated total wins
        ("사과 5kg (1과 250g)", 5000, "g", 1),  # the per-piece note is ignored
        ("서울우유 1L", 1000, "ml", 1),
        ("흰우유 900ml*2", 900, "ml", 2),
        ("참기름 320ML 1+1", 320, "ml", 2),
        ("올리브유 1.5ℓ", 1500, "ml", 1),
        ("냉동 새우 1 lb", 453.59237, "g", 1),
        ("무염버터 8 oz", 226.796185, "g", 1),
        ("특란 30구", 30, "개", 1),
        ("유정란 10개입", 10, "개", 1),
        ("대파 1단", 1, "단", 1),
        ("절임배추 3포기", 3, "포기", 1),
    ],
)
def test_titles(title: str, quantity: float, unit: str, packs: int) -> None:
    package = parse_package(title)
    assert package is not None
    assert package.quantity == pytest.approx(quantity)
    assert (package.unit, package.packs) == (unit, packs)


@pytest.mark.parametrize("title", ["맛있는 감자", "", "<b>양파</b> 산지직송", "0kg 양파"])
def test_titles_without_a_size(title: str) -> None:
    assert parse_package(title) is None


def test_kg_is_never_read_as_g() -> None:
    package = parse_package("양파 10kg")
    assert package is not None and package.total == 10_000


def test_total_and_label() -> None:
    assert PackageSize(300, "g", 3, "300g").total == 900
    assert PackageSize(300, "g", 3, "300g").label() == "300g×3"
    assert PackageSize(3000, "g", 1, "3kg").label() == "3kg"
    assert PackageSize(1000, "ml", 2, "1L").label() == "1L×2"
    assert PackageSize(30, "개", 1, "30구").label() == "30개"


def test_clean_title_strips_tags_and_entities() -> None:
    assert clean_title("<b>양파</b> &amp; <b>마늘</b>  세트") == "양파 & 마늘 세트"


def test_grams_for_an_ingredient_by_weight_volume_and_count() -> None:
    from aichef.knowledge.ingredients import get

    egg, milk, spinach = get("egg"), get("milk"), get("spinach")
    assert PackageSize(300, "g", 3, "300g").grams(egg) == 900
    thirty = parse_package("특란 30구")
    assert thirty is not None and thirty.grams(egg) == pytest.approx(30 * egg.unit_grams["개"])
    litre = parse_package("우유 1L")
    assert litre is not None and litre.grams(milk) == pytest.approx(1000 * milk.unit_grams["ml"])
    bunch = parse_package("시금치 1단")
    assert bunch is not None and bunch.grams(spinach) == spinach.unit_grams["단"]


def test_a_count_the_ingredient_has_no_weight_for_is_not_guessed() -> None:
    from aichef.knowledge.ingredients import get

    package = parse_package("무염버터 3마리")  # nonsense count: butter has no weight per 마리
    assert package is not None and package.grams(get("butter")) is None
