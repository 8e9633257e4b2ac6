"""Korean particles after variable words, and rule texts a user reads: no internal words, no slips."""

from __future__ import annotations

import re

import pytest

from aichef.knowledge import _diet_rules
from aichef.korean import object_particle


@pytest.mark.parametrize(
    ("word", "particle"),
    [
        ("이상", "을"),  # 상: final ㅇ
        ("이하", "를"),  # 하: no final consonant
        ("8g", "을"),  # 팔 그램
        ("667mg", "을"),  # 밀리그램
        ("600 kcal", "를"),  # 킬로칼로리
        ("30%", "를"),  # 퍼센트
        ("12", "를"),  # 십이
        ("10", "을"),  # 십: a trailing 0 is read 십, 백 or 천, all ending in a consonant
        ("15분", "을"),
    ],
)
def test_object_particle_follows_how_the_word_is_read(word: str, particle: str) -> None:
    assert object_particle(word) == particle


def _every_rule() -> list[_diet_rules.Rule]:
    rules: list[_diet_rules.Rule] = []
    for value in vars(_diet_rules).values():
        if isinstance(value, _diet_rules.Rule):
            rules.append(value)
        elif isinstance(value, tuple):
            rules += [v for v in value if isinstance(v, _diet_rules.Rule)]
        elif isinstance(value, dict):
            for group in value.values():
                if isinstance(group, tuple):
                    rules += [v for v in group if isinstance(v, _diet_rules.Rule)]
    return rules


def test_rule_sources_cite_guidance_not_the_project_tracker() -> None:
    rules = _every_rule() + [_diet_rules.diet_kcal_rule(limit) for limit in (600, None)]
    assert len(rules) >= 10
    for rule in rules:
        # No tracker numbers, no field names such as maxCookingTime, no "user constraint".
        assert not re.search(r"issue|#\d|[a-z][A-Z]|\buser\b", rule.source), (rule.id, rule.source)
