"""Korean particles that depend on the word before them (을/를 after a word, a number or a unit).

A particle after a variable word is chosen by how that word is read aloud: "8g" is read "팔 그램",
which ends in a consonant, so it takes 을; "이하" ends in a vowel, so it takes 를.

>>> [object_particle(w) for w in ("이상", "이하", "8g", "600 kcal", "30%", "2")]
['을', '를', '을', '를', '를', '를']
"""

from __future__ import annotations

__all__ = ["object_particle"]

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
# How a trailing digit is read (Sino-Korean): 영 일 이 삼 사 오 육 칠 팔 구.
_DIGIT_ENDS_IN_CONSONANT = {"0": True, "1": True, "2": False, "3": True, "4": False, "5": False,
                            "6": True, "7": True, "8": True, "9": False}  # fmt: skip
# How a trailing unit is read: 그램, 밀리그램, 킬로그램, 킬로칼로리, 퍼센트, 밀리리터, 분, 개.
_UNIT_ENDS_IN_CONSONANT = {"g": True, "mg": True, "kg": True, "kcal": False, "%": False, "ml": False,
                           "l": False, "min": True}  # fmt: skip


def _ends_in_consonant(word: str) -> bool:
    text = word.rstrip(" )]").lower()
    if not text:
        return False
    last = text[-1]
    if _HANGUL_FIRST <= ord(last) <= _HANGUL_LAST:
        return (ord(last) - _HANGUL_FIRST) % 28 != 0
    for unit in sorted(_UNIT_ENDS_IN_CONSONANT, key=len, reverse=True):
        if text.endswith(unit):
            return _UNIT_ENDS_IN_CONSONANT[unit]
    if last.isdigit():
        return _DIGIT_ENDS_IN_CONSONANT[last]
    return False


def object_particle(word: str) -> str:
    """을 after a word read with a final consonant, 를 after one read with a vowel."""
    return "을" if _ends_in_consonant(word) else "를"
