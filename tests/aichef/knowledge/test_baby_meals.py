"""1,000 seeded baby and toddler profiles from 6 to 36 months through the generator.

The oracles are word lists written here, read from the served recipe's ingredient names, so a
mis-tagged ingredient or a mis-wired rule in the product cannot hide a mistake.
"""

from __future__ import annotations

import random
from collections import Counter

from aichef.knowledge.generator import GeneratedRecipe, generate
from aichef.knowledge.recipes import load_library
from aichef.models import SessionRequest

SEED = 20231012
PROFILES = 1000

# Meat, poultry, fish, egg, tofu and pulses (WHO 2023: meat, fish or eggs daily; pulses often).
IRON_WORDS = ("소고기", "쇠고기", "우둔", "닭", "돼지", "오리", "달걀", "계란", "노른자", "메추리알", "두부",
              "대구", "연어", "생선", "동태", "명태", "고등어", "새우", "렌틸", "콩")  # fmt: skip
NOT_IRON = ("콩나물", "두유")  # a "콩" word that is no pulse
HONEY_WORDS = ("꿀",)
SALT_WORDS = ("소금", "간장", "된장", "고추장", "쌈장", "춘장", "액젓", "젓갈", "새우젓", "굴소스", "다시다",
              "치킨스톡", "김치", "미소", "어묵", "햄", "베이컨", "슬라이스 치즈")  # fmt: skip
SUGAR_WORDS = ("설탕", "올리고당", "물엿", "조청", "시럽", "잼", "연유", "매실청", "과일청", "케첩")
COW_MILK_WORDS = ("우유",)
NOT_COW_MILK = ("두유", "아몬드 우유", "쌀우유")
CHOKING_WORDS = ("호두", "땅콩", "아몬드", "잣", "캐슈", "피스타치오", "헤이즐넛", "마카다미아", "피칸",
                 "밤", "은행", "포도", "방울토마토", "팝콘")  # fmt: skip
NOT_CHOKING = ("포도씨유", "땅콩버터", "아몬드가루", "아몬드 우유", "밤호박")
# Textures by stage (WHO 2023; 대한소아청소년과학회): first and last month, textures that fit.
STAGES = (
    (6, 8, {"puree", "mashed"}),
    (9, 11, {"mashed", "soft_chunks"}),
    (12, 23, {"soft_chunks", "finger_food"}),
    (24, 36, {"soft_chunks", "finger_food", "regular"}),
)


def _has(names: list[str], words: tuple[str, ...], unless: tuple[str, ...] = ()) -> bool:
    return any(word in name for name in names for word in words if not any(u in name for u in unless))


def _fits(age: int) -> set[str]:
    return next(textures for first, last, textures in STAGES if first <= age <= last)


def _served() -> list[tuple[int, list[str], GeneratedRecipe, list[str]]]:
    rng = random.Random(SEED)
    served = []
    for index in range(PROFILES):
        age = rng.randint(6, 36)
        allergies = ["달걀"] if rng.random() < 0.1 else []
        request = SessionRequest.model_validate(
            {
                "sessionId": f"baby-{index}",
                "profile": {
                    "target": "baby_food",
                    "babyAgeMonths": age,
                    "servings": rng.randint(1, 3),
                    "allergies": allergies,
                },
            }
        )
        result = generate(request)
        assert isinstance(result, GeneratedRecipe), (age, result)
        served.append((age, allergies, result, [line.name for line in result.recipe.ingredients]))
    return served


SERVED = _served()


def test_every_age_from_6_to_36_months_is_served() -> None:
    assert {age for age, *_ in SERVED} == set(range(6, 37))


def test_at_least_80_percent_of_meals_from_7_months_have_an_iron_rich_food() -> None:
    meals = [names for age, _, _, names in SERVED if age >= 7]
    with_iron = sum(1 for names in meals if _has(names, IRON_WORDS, NOT_IRON))
    assert with_iron >= 0.8 * len(meals), (with_iron, len(meals))


def test_no_honey_salt_sugar_or_cow_milk_under_12_months() -> None:
    for age, _, result, names in SERVED:
        if age < 12:
            assert not _has(names, HONEY_WORDS), (age, result.source_id, names)
            assert not _has(names, SALT_WORDS), (age, result.source_id, names)
            assert not _has(names, SUGAR_WORDS), (age, result.source_id, names)
            assert not _has(names, COW_MILK_WORDS, NOT_COW_MILK), (age, result.source_id, names)


def test_no_honey_or_added_sugar_before_24_months() -> None:
    for age, _, result, names in SERVED:
        if age < 24:
            assert not _has(names, HONEY_WORDS + SUGAR_WORDS), (age, result.source_id, names)


def test_no_whole_nuts_or_grapes_under_4_years() -> None:
    for age, _, result, names in SERVED:
        assert not _has(names, CHOKING_WORDS, NOT_CHOKING), (age, result.source_id, names)


def test_textures_match_the_stage() -> None:
    for age, _, result, _ in SERVED:
        assert result.texture in _fits(age), (age, result.source_id, result.texture)


def test_egg_is_offered_unless_declared() -> None:
    egg = ("달걀", "계란", "노른자", "메추리알")
    declared = [names for _, allergies, _, names in SERVED if allergies]
    assert declared and not any(_has(names, egg) for names in declared)
    offered = [names for _, allergies, _, names in SERVED if not allergies]
    assert sum(1 for names in offered if _has(names, egg)) >= 0.1 * len(offered)


def test_the_iron_rule_steers_the_pick_away_from_meals_without_iron() -> None:
    """From 12 to 18 months the library holds age-fitting meals with and without an iron-rich food;
    picked blindly among them, about that share of meals would lack one. Served, far fewer do."""
    fitting = [
        recipe
        for recipe in load_library()
        if recipe.baby_age and recipe.baby_age[0] <= 12 and recipe.baby_age[1] >= 18
        and recipe.texture in _fits(12)
    ]  # fmt: skip
    without = [r for r in fitting if not _has([line.item for line in r.lines], IRON_WORDS, NOT_IRON)]
    assert len(without) >= 3  # the test means something only while such meals exist
    blind = len(without) / len(fitting)
    meals = [names for age, allergies, _, names in SERVED if 12 <= age <= 18 and not allergies]
    lacking = sum(1 for names in meals if not _has(names, IRON_WORDS, NOT_IRON)) / len(meals)
    assert lacking < blind / 3, (lacking, blind)


def test_toddlers_get_toddler_meals() -> None:
    picked = Counter(result.source_id for age, _, result, _ in SERVED if age >= 24)
    library = {recipe.id: recipe for recipe in load_library()}
    for source_id in picked:
        low, high = library[source_id].baby_age or (0, 0)
        assert low <= 36 and high >= 24, source_id
