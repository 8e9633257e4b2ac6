"""Which foods a recipe text names: longest-match scanning of Korean and English food words.

A text is scanned once with every known word at once, longest word first, so that "땅콩" is read
as peanut and not as 콩 (soy), "콩나물" as soybean sprouts, "eggplant" as eggplant and not as egg.
Words that only look like food ("밀어 펴다" rolls dough out, "맛있게" ends in 게 but is no crab,
"깨끗이" is not sesame) are listed as :data:`NOT_FOOD` and read as nothing.

Korean has no spaces inside compounds, so a Korean word matches anywhere, except the one-syllable
words in :data:`WORD_START_ONLY`, which are too common inside other words and grammar endings
(게, 알, 김 ...); those match only at the start of a word, and their compounds that do mean the
food ("꽃게", "메추리알") are words of their own. English words match whole words only, with an
optional plural "s"/"es".

>>> scan = Scanner({"콩": "soy", "땅콩": "peanut", "egg": "egg"})
>>> [m.meaning for m in scan.find("땅콩과 콩나물, eggplant and eggs")]
['peanut', 'soy', 'egg']
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["NOT_FOOD", "WORD_START_ONLY", "Mention", "Scanner"]

_HANGUL = re.compile(r"[\uac00-\ud7a3]")

# Words that contain a food word but name no food. Each is read as nothing, so the food word
# inside it is not a hit. Keep them specific: a word here can hide a real mention.
NOT_FOOD: frozenset[str] = frozenset(
    {
        # 밀 (wheat): to push, roll out, seal, press close, density
        "밀어", "밀고", "밀면서", "밀대", "밀폐", "밀봉", "밀착", "밀도", "밀려", "밀리", "밀집", "비밀",
        "은밀", "정밀", "세밀", "치밀", "긴밀", "친밀",
        # 콩 (soy) in Hong Kong
        "홍콩",
        # 깨 (sesame): clean, to break (an egg), to wake, to bite
        "깨끗", "깨뜨", "깨트", "깨서", "깨어", "깨지", "깨진", "깨물", "으깨", "을 깨 넣", "를 깨 넣",
        "을 깨고", "를 깨고",
        # 굴 (oyster): to roll, rolling, bends
        "굴려", "굴리", "굴러", "굴곡", "얼굴", "동굴",
        # 알 (egg): just right, to know, grains, alcohol, aluminium, pungent, thrifty
        "알맞", "알아", "알갱이", "알코올", "알루미늄", "알싸", "알뜰", "알록", "알약",
        "쌀알", "콩알", "낱알", "알레르기", "알러지", "알리오", "알프레도", "알 덴테",
        # 게 (crab): moreover; "게" as an ending is handled by WORD_START_ONLY
        "게다가",
        # 김 (laver) as steam; 배 (pear) as times; 무 (radish) in 무치다 and others; 밤 as night
        "김이 오", "김이 나", "김을 빼", "김이 빠", "한 김", "밤새", "하룻밤", "한밤", "밤사이", "두 배",
        "세 배", "배로", "배어", "배도록", "배합", "갓 지은", "갓 구운", "갓 짠", "감싸", "감아", "감소",
        "감칠",
        "무게", "무렵", "무르", "무른", "무너", "무침", "무치", "무친", "무칩", "무쳐", "무칠", "파이팅",
        # 조 (millet): a little, to knead, adjusted, carefully, a piece, cooking, braised
        "조금", "조물", "조정", "조절", "조심", "조각", "조리", "조림", "조합",
        # 마 (yam): dry, last, finish, whole counts of animals; 램 (lamb) in scramble
        "마른", "마지막", "마무리", "마저", "마리", "마찬가지", "스크램블",
        # "steaks" of tofu or cauliflower: a shape, not a cut of beef
        "steak",
        # 물 (water) inside other words
        "물기", "국물", "나물",
    }
)  # fmt: skip

# One-syllable Korean food words that match only at the start of a word (see the module text).
WORD_START_ONLY: frozenset[str] = frozenset(
    {"게", "알", "김", "배", "파", "무", "밥", "물", "조", "마", "램", "릭", "갓", "감"}
)


@dataclass(frozen=True)
class Mention:
    """``word`` as written in the text, found at ``start``; ``meaning`` is what it stands for (an
    ingredient or allergen key)."""

    word: str
    meaning: str | None
    start: int


def _is_korean(word: str) -> bool:
    return _HANGUL.search(word) is not None


def _trie(words: list[str]) -> str:
    """A regex matching any of ``words``, longest first, shaped as a trie; a space in a word
    matches any run of spaces or none ("soy sauce", "soysauce")."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _node_pattern(root)


def _node_pattern(node: dict[str, Any]) -> str:
    branches = [
        (r"\s*" if ch == " " else re.escape(ch)) + _node_pattern(child)
        for ch, child in sorted(node.items())
        if ch
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # A word may end here: the rest is optional, and greedy, so a longer word is preferred.
    return f"(?:{body})?" if "" in node else body


class Scanner:
    """Finds the words of a vocabulary (word -> meaning) in texts, longest word first."""

    def __init__(self, vocabulary: Mapping[str, str], not_food: frozenset[str] = NOT_FOOD) -> None:
        words: dict[str, str | None] = {}
        for word, meaning in vocabulary.items():
            if word.strip():
                words[word.lower().strip()] = meaning
        # A word that names no food wins even over a food name spelt the same ("steak" of tofu).
        words.update({w.lower(): None for w in not_food})
        self._meanings = words
        korean = [w for w in words if _is_korean(w) and w not in WORD_START_ONLY]
        word_start = [w for w in words if w in WORD_START_ONLY]
        english = [w for w in words if not _is_korean(w)]
        # One trie-shaped pattern per kind of word: the regex engine then follows a word letter by
        # letter instead of trying thousands of alternatives at every position, and a trie's
        # optional tails are greedy, so the longest word wins. Korean words match anywhere (a
        # longer word found first hides the shorter one inside it), the WORD_START_ONLY syllables at
        # the start of a word, English words as whole words with an optional plural.
        patterns = []
        if korean:
            patterns.append(_trie(korean))
        if word_start:
            patterns.append(rf"(?<![\uac00-\ud7a3])(?:{_trie(word_start)})")
        if english:
            patterns.append(rf"(?<![a-z])(?:{_trie(english)})(?:e?s)?(?![a-z])")
        self._pattern = re.compile("|".join(patterns), re.IGNORECASE) if patterns else None
        self._by_norm = {re.sub(r"\s+", "", w): w for w in words}

    def find(self, text: str) -> Iterator[Mention]:
        """Every food word in ``text`` (NOT_FOOD words left out), left to right, none overlapping."""
        if self._pattern is None:
            return
        for match in self._pattern.finditer(text):
            found = re.sub(r"\s+", "", match.group(0).lower())
            word = self._by_norm.get(found)
            if word is None:  # an English plural: strip the ending we allowed
                word = self._by_norm.get(found.removesuffix("es")) or self._by_norm.get(
                    found.removesuffix("s")
                )
            if word is None:
                continue
            meaning = self._meanings[word]
            if meaning is not None:
                yield Mention(match.group(0), meaning, match.start())
