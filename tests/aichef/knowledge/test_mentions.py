"""Scanning texts for food words: longest match, word starts, whole English words."""

from __future__ import annotations

from aichef.knowledge.mentions import Scanner

VOCABULARY = {
    "콩": "soy",
    "콩나물": "soybean_sprouts",
    "땅콩": "peanut",
    "게": "crab",
    "꽃게": "crab",
    "egg": "egg",
    "soy sauce": "soy_sauce",
    "간장": "soy_sauce",
}


def _found(text: str) -> list[tuple[str, str | None]]:
    return [(m.word, m.meaning) for m in Scanner(VOCABULARY).find(text)]


def test_the_longest_word_wins() -> None:
    assert _found("땅콩과 콩나물과 콩") == [("땅콩", "peanut"), ("콩나물", "soybean_sprouts"), ("콩", "soy")]


def test_one_syllable_words_that_end_other_words_match_only_at_a_word_start() -> None:
    assert _found("맛있게 볶은 꽃게와 게") == [("꽃게", "crab"), ("게", "crab")]


def test_english_words_are_whole_words_with_plurals_and_flexible_spaces() -> None:
    assert _found("Eggs, eggplant and SOY  SAUCE") == [("Eggs", "egg"), ("SOY  SAUCE", "soy_sauce")]


def test_words_that_only_look_like_food_are_not_mentions() -> None:
    assert _found("깨끗이 씻어 밀대로 밀어 편다") == []
    assert [m.start for m in Scanner(VOCABULARY).find("진간장과 간장")] == [1, 5]
