"""Allergens: Korea's labelling list plus common English names, group words and substitutions.

Canonical keys are ASCII (``egg``, ``pine_nut`` ...). Ingredient rows carry these keys, both what a
product contains and what commercial products usually contain (된장: wheat; ``usual_allergens``);
a profile's free words ("계란", "nuts", "해산물", "키위") are turned into keys by :func:`expand`: a
named allergen is itself only (아몬드 is not 호두), a group word takes every member (견과류, 글루텐,
갑각류 ...), and any other food of the ingredient table becomes ``food:<key>``. Compare an avoid set
with :func:`carried` (an ingredient's allergens and its ``food:`` key), not with ``allergens`` alone.
Cross-contact ("may contain") is not tracked, and commercial products vary by brand.

>>> sorted(expand(["견과류"]))[:3]
['almond', 'brazil_nut', 'cashew']
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from functools import cache
from types import MappingProxyType

from aichef.knowledge import ingredients as _ingredients

__all__ = [
    "ALLERGENS",
    "CROSS_CONTACT",
    "FOOD_PREFIX",
    "GROUPS",
    "UnknownAllergen",
    "allowed_words",
    "carried",
    "closest",
    "expand",
    "label",
    "substitutes",
    "words",
]


# key -> (Korean label, English label). The first 19 are Korea's mandatory labelling list
# (식품 등의 표시기준, 알레르기 유발물질 표시); the rest are common abroad (EU/US lists).
_LABELS: dict[str, tuple[str, str]] = {
    "egg": ("알류(가금류)", "egg"),
    "milk": ("우유", "milk"),
    "buckwheat": ("메밀", "buckwheat"),
    "peanut": ("땅콩", "peanut"),
    "soy": ("대두", "soy"),
    "wheat": ("밀", "wheat"),
    "mackerel": ("고등어", "mackerel"),
    "crab": ("게", "crab"),
    "shrimp": ("새우", "shrimp"),
    "pork": ("돼지고기", "pork"),
    "peach": ("복숭아", "peach"),
    "tomato": ("토마토", "tomato"),
    "sulfites": ("아황산류", "sulfites"),
    "walnut": ("호두", "walnut"),
    "chicken": ("닭고기", "chicken"),
    "beef": ("쇠고기", "beef"),
    "squid": ("오징어", "squid"),
    "shellfish": ("조개류(굴, 전복, 홍합 포함)", "shellfish (oyster, abalone, mussel, clams)"),
    "pine_nut": ("잣", "pine nut"),
    "almond": ("아몬드", "almond"),
    "cashew": ("캐슈너트", "cashew"),
    "pistachio": ("피스타치오", "pistachio"),
    "hazelnut": ("헤이즐넛", "hazelnut"),
    "macadamia": ("마카다미아", "macadamia"),
    "pecan": ("피칸", "pecan"),
    "brazil_nut": ("브라질너트", "brazil nut"),
    "tree_nut": ("기타 견과류", "other tree nuts"),
    "sesame": ("참깨", "sesame"),
    "fish": ("생선", "fish"),
    "barley": ("보리", "barley"),
    "rye": ("호밀", "rye"),
    "oats": ("귀리", "oats"),
}

ALLERGENS: tuple[str, ...] = tuple(_LABELS)

_TREE_NUTS = frozenset(
    {"walnut", "pine_nut", "almond", "cashew", "pistachio", "hazelnut", "macadamia", "pecan", "brazil_nut",
     "tree_nut"}
)  # fmt: skip
_CRUSTACEANS = frozenset({"crab", "shrimp"})
# 조개류 (the "shellfish" key: clams, oysters, mussels, abalone, scallops) and 오징어 (squid, with
# cuttlefish and octopus, which share its allergy protein and are labelled with it here).
_MOLLUSCS = frozenset({"squid", "shellfish"})
_FISH = frozenset({"fish", "mackerel"})
# Gluten is in wheat, barley and rye. Oats hold no gluten of their own, but ordinary oats are
# milled with wheat and carry it (cross-contact), and only certified gluten-free oats are safe;
# AI Chef does not track certification, so a gluten allergy avoids oats as well.
_GLUTEN = frozenset({"wheat", "barley", "rye", "oats"})
# Fully refined soybean oil (식용유, 콩기름) is not counted as soy: refining removes the protein,
# EU Regulation 1169/2011 Annex II exempts it and FARE advises that most people with a soy allergy
# can eat it. Cold-pressed soy oil is not in the table.
CROSS_CONTACT: Mapping[str, str] = MappingProxyType(
    {"oats": "in the gluten group for cross-contact with wheat in milling (only certified oats are free)"}
)

# Group words expand to every member; an allergy list errs on the side of excluding more.
GROUPS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "nuts": _TREE_NUTS | {"peanut"},
        "견과류": _TREE_NUTS | {"peanut"},
        "tree nuts": _TREE_NUTS,
        "tree nut": _TREE_NUTS,
        "나무 견과류": _TREE_NUTS,
        "seafood": _FISH | _CRUSTACEANS | _MOLLUSCS,
        "해산물": _FISH | _CRUSTACEANS | _MOLLUSCS,
        "수산물": _FISH | _CRUSTACEANS | _MOLLUSCS,
        # In English "shellfish" means crustaceans and molluscs alike; 조개류 is the bivalves only.
        "shellfish": _CRUSTACEANS | _MOLLUSCS,
        "갑각류": _CRUSTACEANS,
        "crustaceans": _CRUSTACEANS,
        "crustacean": _CRUSTACEANS,
        "molluscs": _MOLLUSCS,
        "mollusks": _MOLLUSCS,
        "mollusc": _MOLLUSCS,
        "연체류": _MOLLUSCS,
        "연체동물": _MOLLUSCS,
        "gluten": _GLUTEN,
        "글루텐": _GLUTEN,
        "fish": _FISH,
        "생선": _FISH,
        "어류": _FISH,
        "meat": frozenset({"pork", "beef", "chicken"}),
        "육류": frozenset({"pork", "beef", "chicken"}),
    }
)

# Words (Korean, English, plural, loose spellings) for single allergens.
_SYNONYMS: dict[str, str] = {
    "eggs": "egg", "계란": "egg", "달걀": "egg", "알류": "egg", "난류": "egg", "알": "egg", "dairy": "milk",
    "유제품": "milk", "lactose": "milk", "유당": "milk", "cow's milk": "milk", "soba": "buckwheat",
    "peanuts": "peanut", "groundnut": "peanut", "soya": "soy", "soybean": "soy", "soybeans": "soy",
    "콩": "soy", "대두": "soy", "밀가루": "wheat", "crabs": "crab",
    "꽃게": "crab", "prawn": "shrimp", "prawns": "shrimp", "돼지": "pork", "돈육": "pork",
    "peaches": "peach", "tomatoes": "tomato", "sulfite": "sulfites", "sulphites": "sulfites",
    "sulphite": "sulfites", "sulfur dioxide": "sulfites", "아황산": "sulfites", "아황산염": "sulfites",
    "walnuts": "walnut", "닭": "chicken", "계육": "chicken", "소고기": "beef", "쇠고기": "beef",
    "우육": "beef", "조개": "shellfish", "조개류": "shellfish", "clam": "shellfish", "clams": "shellfish",
    "oyster": "shellfish", "oysters": "shellfish", "굴": "shellfish", "mussel": "shellfish",
    "mussels": "shellfish", "홍합": "shellfish", "abalone": "shellfish", "전복": "shellfish",
    "scallop": "shellfish", "가리비": "shellfish", "pine nut": "pine_nut", "pine nuts": "pine_nut",
    "pinenut": "pine_nut", "almonds": "almond", "cashews": "cashew", "cashew nut": "cashew",
    "캐슈": "cashew", "캐슈넛": "cashew", "pistachios": "pistachio", "hazelnuts": "hazelnut",
    "other tree nuts": "tree_nut", "깨": "sesame", "참깨": "sesame", "sesame seed": "sesame",
    "sesame seeds": "sesame", "통깨": "sesame", "깨소금": "sesame", "macadamias": "macadamia",
    "macadamia nut": "macadamia", "macadamia nuts": "macadamia", "pecans": "pecan",
    "brazil nuts": "brazil_nut", "브라질 너트": "brazil_nut", "보리쌀": "barley", "맥아": "barley",
    "엿기름": "barley", "malt": "barley", "호밀가루": "rye", "rye flour": "rye", "oat": "oats",
    "귀리쌀": "oats", "wheat flour": "wheat", "대게": "crab", "홍게": "crab", "털게": "crab", "게살": "crab",
    "게장": "crab", "밀크": "milk",
    # Dishes and cuts whose name says what they are made of, so that a recipe text naming them is read right.
    "오믈렛": "egg", "omelette": "egg", "omelet": "egg", "지단": "egg", "청국장": "soy", "제육": "pork",
    "보쌈": "pork", "돈가스": "pork", "돈까스": "pork", "탕수육": "pork", "치킨": "chicken", "한우": "beef",
    "우둔": "beef", "사골": "beef", "꼴뚜기": "squid", "한치": "squid", "calamari": "squid",
    "재첩": "shellfish", "꼬막": "shellfish", "수제비": "wheat", "부침개": "wheat", "meringue": "egg",
    "머랭": "egg", "whey": "milk", "유청": "milk", "custard": "milk", "커스터드": "milk", "tempeh": "soy",
    "템페": "soy", "couscous": "wheat", "쿠스쿠스": "wheat", "semolina": "wheat", "세몰리나": "wheat",
    "prosciutto": "pork", "프로슈토": "pork", "chorizo": "pork", "초리조": "pork", "pancetta": "pork",
    "판체타": "pork", "veal": "beef", "송아지고기": "beef",
    "닭갈비": "chicken",
}  # fmt: skip


def _normal(word: str) -> str:
    return " ".join(word.strip().lower().replace("_", " ").replace("-", " ").split())


def _build_index() -> dict[str, frozenset[str]]:
    index: dict[str, frozenset[str]] = {}
    for key, (ko, en) in _LABELS.items():
        index[_normal(key)] = frozenset({key})
        index[_normal(en)] = frozenset({key})
        # The Korean label as shown, and without its parenthesised examples: "조개류(굴, ...)" -> "조개류".
        index[_normal(ko)] = frozenset({key})
        index[_normal(ko.split("(")[0])] = frozenset({key})
    for word, key in _SYNONYMS.items():
        index[_normal(word)] = frozenset({key})
    for word, members in GROUPS.items():
        index[_normal(word)] = members
    return index


_INDEX = _build_index()


FOOD_PREFIX = "food:"


class UnknownAllergen(ValueError):
    """An allergy word that is neither an allergen, a group word nor a food of the ingredient table.

    ``word`` is what was given; ``allowed`` lists the closest known words, or when none is close,
    the canonical keys and group words.
    """

    def __init__(self, word: str, allowed: tuple[str, ...]) -> None:
        self.word = word
        self.allowed = allowed
        super().__init__(f"unknown allergen {word!r}; allowed: {', '.join(allowed)}")


def allowed_words() -> tuple[str, ...]:
    """The canonical keys followed by the group words, for error messages."""
    return ALLERGENS + tuple(GROUPS)


def _jamo(word: str) -> str:
    """Hangul syllables split into their letters, so that spelling distance works on letters:
    "키우" and "키위" differ by one letter, not by one of two syllables."""
    out: list[str] = []
    for ch in word:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            out += [chr(0x1100 + code // 588), chr(0x1161 + code % 588 // 28)]
            if code % 28:
                out.append(chr(0x11A7 + code % 28))
        else:
            out.append(ch)
    return "".join(out)


@cache
def _known_words() -> Mapping[str, str]:
    """Every word :func:`expand` accepts, spelt as letters (see :func:`_jamo`) -> the word:
    allergen and group words first, then the table's food names and aliases."""
    known: dict[str, str] = {}
    for word in _INDEX:
        known.setdefault(_jamo(word), word)
    for item in _ingredients.all_ingredients():
        for name in (item.name_ko, item.name_en, *item.aliases):
            known.setdefault(_jamo(_normal(name)), _normal(name))
    return MappingProxyType(known)


def closest(word: str, n: int = 5) -> tuple[str, ...]:
    """The known allergy words nearest in spelling to ``word`` (difflib on letters), best first.

    >>> closest("peanutt")[0]
    'peanut'
    >>> closest("키우")[0]
    '키위'
    """
    known = _known_words()
    found = difflib.get_close_matches(_jamo(_normal(word)), known, n=n, cutoff=0.6)
    return tuple(dict.fromkeys(known[letters] for letters in found))


@cache
def _food_keys(key: str) -> frozenset[str]:
    """A food avoided by name, with the table's foods made of it: 사과 -> 사과, 사과식초, 사과주스.

    "Made of it" is read from the Korean names, where compounds are written as one word: a food
    whose Korean name contains this food's Korean name (two syllables or more). English names
    are not used for this: "sweet potato" contains "potato" but is another plant.
    """
    food = _ingredients.get(key)
    keys = {key}
    if len(food.name_ko.replace(" ", "")) > 1:
        for item in _ingredients.all_ingredients():
            if food.name_ko in item.name_ko:
                keys.add(item.key)
    return frozenset(FOOD_PREFIX + k for k in keys)


def expand(words: Iterable[str]) -> frozenset[str]:
    """Turn allergy words into the keys to avoid: allergen keys (Korean or English, single or group
    words) and, for any other food of the ingredient table named in Korean or English, ``food:<key>``
    for it and the foods made of it (see :func:`carried`).

    >>> sorted(expand(["계란", "shellfish"]))
    ['crab', 'egg', 'shellfish', 'shrimp', 'squid']
    >>> sorted(expand(["키위"]))
    ['food:kiwi']
    """
    keys: set[str] = set()
    for word in words:
        found = _INDEX.get(_normal(word))
        if found is None:
            item = _ingredients.lookup(word)
            if item is None:
                raise UnknownAllergen(word, closest(word) or allowed_words())
            found = _food_keys(item.key)
        keys |= found
    return frozenset(keys)


def carried(item: _ingredients.Ingredient) -> frozenset[str]:
    """The keys an ingredient answers to when avoiding: its allergens (contained or usually
    contained) and ``food:<its key>``. Compare with an avoid set from :func:`expand`:
    ``carried(item) & profile.allergen_keys()``."""
    return item.allergens | item.usual_allergens | {FOOD_PREFIX + item.key}


def words() -> Mapping[str, frozenset[str]]:
    """Every word a user may give for an allergy or group (Korean and English), with its keys.

    The gate scans recipe texts for these words as well as for the foods that carry the allergen.
    """
    words: dict[str, frozenset[str]] = {}
    for key, (ko, en) in _LABELS.items():
        words[key.replace("_", " ")] = frozenset({key})
        words[en] = frozenset({key})
        words[ko.split("(")[0]] = frozenset({key})
    for word, key in _SYNONYMS.items():
        words[word] = frozenset({key})
    for word, members in GROUPS.items():
        words[word] = members
    return MappingProxyType(words)


def label(key: str, language: str = "ko") -> str:
    """The display name of a canonical key (or of a ``food:`` key) in Korean (``ko``) or English (``en``)."""
    if key.startswith(FOOD_PREFIX):
        food = _ingredients.get(key.removeprefix(FOOD_PREFIX))
        return food.name_ko if language == "ko" else food.name_en
    if key not in _LABELS:
        raise KeyError(f"unknown allergen key {key!r}; allowed: {', '.join(ALLERGENS)}")
    ko, en = _LABELS[key]
    return ko if language == "ko" else en


# Ingredient key -> replacements in order of preference (culinary fit first). Each candidate
# is filtered against the allergens to avoid and against the ingredient table at call time.
_SUBSTITUTES: dict[str, tuple[str, ...]] = {
    "milk": ("soy_milk", "almond_milk", "rice_milk", "coconut_milk"),
    "low_fat_milk": ("soy_milk", "almond_milk", "rice_milk"),
    "milk_powder": ("soy_flour", "almond_flour"),
    "condensed_milk": ("coconut_cream", "rice_syrup"),
    "ghee": ("olive_oil", "canola_oil"),
    "unsalted_butter": ("olive_oil", "canola_oil"),
    "sliced_cheese": ("tofu", "avocado"),
    "heavy_cream": ("coconut_milk", "coconut_cream", "soy_milk"),
    "butter": ("olive_oil", "canola_oil"),
    "cheddar_cheese": ("tofu", "avocado"),
    "mozzarella_cheese": ("tofu", "avocado"),
    "parmesan_cheese": ("sesame_seeds", "tofu"),
    "cream_cheese": ("avocado", "tofu"),
    "yogurt": ("soy_yogurt", "coconut_milk"),
    "greek_yogurt": ("soy_yogurt", "coconut_milk"),
    "egg": ("tofu", "soft_tofu", "chia_seeds", "flaxseed"),
    "egg_yolk": ("tofu", "soft_tofu"),
    "egg_white": ("tofu", "soft_tofu"),
    "quail_egg": ("tofu", "potato"),
    "mayonnaise": ("avocado", "greek_yogurt", "soy_yogurt"),
    "tofu": ("egg", "chicken_breast", "button_mushroom", "king_oyster_mushroom"),
    "soft_tofu": ("egg", "button_mushroom"),
    "soy_sauce": ("salt", "fish_sauce"),
    "soy_milk": ("almond_milk", "rice_milk", "milk"),
    "doenjang": ("salt", "fish_sauce"),
    "gochujang": ("gochugaru", "salt"),
    "ssamjang": ("gochugaru", "salt"),
    "chunjang": ("salt",),
    "soup_soy_sauce": ("salt", "fish_sauce"),
    "tsuyu": ("salt", "fish_sauce"),
    "teriyaki_sauce": ("salt", "honey"),
    "wheat_flour": ("rice_flour", "potato_starch", "corn_starch", "buckwheat_flour"),
    "bread_flour": ("rice_flour", "potato_starch"),
    "bread_crumbs": ("rice_flour", "corn_starch", "almond_flour"),
    "wheat_noodles": ("rice_noodles", "glass_noodles", "buckwheat_noodles", "zucchini"),
    "ramen_noodles": ("rice_noodles", "glass_noodles"),
    "udon": ("rice_noodles", "glass_noodles"),
    "spaghetti": ("rice_noodles", "zucchini", "glass_noodles"),
    "white_bread": ("rice_cake", "cooked_rice", "sweet_potato"),
    "whole_wheat_bread": ("rice_cake", "brown_rice_cooked", "sweet_potato"),
    "buckwheat_noodles": ("rice_noodles", "glass_noodles", "wheat_noodles"),
    "buckwheat_flour": ("rice_flour", "potato_starch"),
    "peanut": ("sunflower_seeds", "pumpkin_seeds"),
    "peanut_butter": ("sunflower_seed_butter", "tahini"),
    "walnut": ("pumpkin_seeds", "sunflower_seeds"),
    "pine_nut": ("sunflower_seeds", "pumpkin_seeds"),
    "almond": ("pumpkin_seeds", "sunflower_seeds"),
    "cashew": ("sunflower_seeds", "pumpkin_seeds"),
    "almond_flour": ("rice_flour", "buckwheat_flour"),
    "almond_milk": ("soy_milk", "rice_milk", "milk"),
    "sesame_seeds": ("sunflower_seeds", "pumpkin_seeds"),
    "sesame_oil": ("perilla_oil", "olive_oil", "canola_oil"),
    "tahini": ("sunflower_seed_butter",),
    "shrimp": ("chicken_breast", "squid", "pollock", "king_oyster_mushroom"),
    "salted_shrimp": ("fish_sauce", "salt"),
    "crab": ("imitation_crab", "pollock", "chicken_breast"),
    "imitation_crab": ("chicken_breast", "egg"),
    "squid": ("octopus", "shrimp", "chicken_breast", "king_oyster_mushroom"),
    "octopus": ("squid", "shrimp", "chicken_breast", "king_oyster_mushroom"),
    "clam": ("mussel", "shrimp", "anchovy_dried", "button_mushroom"),
    "oyster": ("mussel", "clam", "button_mushroom"),
    "mussel": ("clam", "shrimp", "button_mushroom"),
    "abalone": ("king_oyster_mushroom", "squid"),
    "scallop": ("shrimp", "king_oyster_mushroom"),
    "oyster_sauce": ("soy_sauce", "salt"),
    "mackerel": ("spanish_mackerel", "salmon", "pollock", "cod"),
    "spanish_mackerel": ("salmon", "pollock", "cod"),
    "salmon": ("cod", "pollock", "chicken_breast", "tofu"),
    "tuna_canned": ("chicken_breast", "tofu", "egg"),
    "cod": ("pollock", "chicken_breast", "tofu"),
    "pollock": ("cod", "chicken_breast", "tofu"),
    "anchovy_dried": ("shiitake_dried", "kelp"),
    "fish_sauce": ("soy_sauce", "salt"),
    "pork_belly": ("beef_brisket", "chicken_thigh", "duck"),
    "pork_shoulder": ("beef_chuck", "chicken_thigh"),
    "pork_loin": ("chicken_breast", "beef_sirloin"),
    "ground_pork": ("ground_beef", "ground_chicken", "tofu"),
    "ham": ("chicken_breast", "tofu"),
    "bacon": ("button_mushroom", "chicken_thigh"),
    "spam": ("chicken_breast", "tofu"),
    "vienna_sausage": ("chicken_breast", "tofu"),
    "beef_brisket": ("pork_shoulder", "chicken_thigh", "button_mushroom"),
    "beef_sirloin": ("pork_loin", "chicken_breast", "duck"),
    "beef_chuck": ("pork_shoulder", "chicken_thigh"),
    "beef_short_ribs": ("pork_spareribs", "chicken_thigh"),
    "beef_tenderloin": ("pork_tenderloin", "chicken_breast"),
    "ground_beef": ("ground_pork", "ground_chicken", "tofu"),
    "beef_broth": ("vegetable_broth", "kelp"),
    "chicken_breast": ("tofu", "pork_loin", "beef_sirloin", "shrimp"),
    "chicken_thigh": ("pork_shoulder", "duck", "tofu"),
    "chicken_whole": ("duck", "pork_shoulder"),
    "chicken_wings": ("duck", "pork_spareribs"),
    "ground_chicken": ("ground_pork", "ground_beef", "tofu"),
    "chicken_broth": ("vegetable_broth", "kelp"),
    "tomato": ("red_bell_pepper", "carrot", "pumpkin"),
    "cherry_tomato": ("red_bell_pepper", "strawberry", "cucumber"),
    "tomato_paste": ("gochugaru", "red_bell_pepper", "paprika_powder"),
    "tomato_sauce": ("red_bell_pepper", "pumpkin"),
    "ketchup": ("gochujang", "oligosaccharide_syrup"),
    "peach": ("apple", "asian_pear", "apricot"),
    "canned_peach": ("asian_pear", "apple"),
    "red_wine": ("grape_juice", "apple_juice"),
    "raisins": ("dates", "dried_cranberries"),
    "dried_apricot": ("dates", "raisins"),
    "barley": ("brown_rice", "white_rice"),
    "barley_cooked": ("brown_rice_cooked", "cooked_rice"),
    "oats": ("quinoa", "brown_rice"),
    "oatmeal": ("quinoa", "white_rice"),
}

# When an ingredient has no entry above, try these per allergen (still filtered by ``avoid``).
_BY_ALLERGEN: dict[str, tuple[str, ...]] = {
    "milk": ("soy_milk", "olive_oil", "tofu"),
    "egg": ("tofu", "potato"),
    "wheat": ("rice_flour", "rice_noodles", "cooked_rice", "potato_starch"),
    "buckwheat": ("rice_noodles", "rice_flour"),
    "soy": ("salt", "chicken_breast", "egg"),
    "peanut": ("sunflower_seeds", "pumpkin_seeds"),
    "tree_nut": ("sunflower_seeds", "pumpkin_seeds"),
    "walnut": ("sunflower_seeds", "pumpkin_seeds"),
    "pine_nut": ("sunflower_seeds", "pumpkin_seeds"),
    "almond": ("sunflower_seeds", "pumpkin_seeds"),
    "cashew": ("sunflower_seeds", "pumpkin_seeds"),
    "pistachio": ("sunflower_seeds", "pumpkin_seeds"),
    "hazelnut": ("sunflower_seeds", "pumpkin_seeds"),
    "macadamia": ("sunflower_seeds", "pumpkin_seeds"),
    "pecan": ("sunflower_seeds", "pumpkin_seeds"),
    "brazil_nut": ("sunflower_seeds", "pumpkin_seeds"),
    "barley": ("brown_rice", "cooked_rice", "rice_flour"),
    "rye": ("rice_flour", "cooked_rice"),
    "oats": ("quinoa", "white_rice", "rice_flour"),
    "sesame": ("sunflower_seeds", "perilla_oil", "olive_oil"),
    "fish": ("chicken_breast", "tofu", "shiitake_dried"),
    "mackerel": ("salmon", "pollock", "chicken_breast"),
    "crab": ("chicken_breast", "pollock"),
    "shrimp": ("chicken_breast", "pollock", "tofu"),
    "squid": ("chicken_breast", "king_oyster_mushroom"),
    "shellfish": ("shrimp", "chicken_breast", "button_mushroom"),
    "pork": ("chicken_thigh", "beef_chuck", "tofu"),
    "beef": ("pork_shoulder", "chicken_thigh", "tofu"),
    "chicken": ("pork_loin", "tofu", "beef_sirloin"),
    "tomato": ("red_bell_pepper", "carrot"),
    "peach": ("apple", "asian_pear"),
    "sulfites": ("apple", "dates"),
}


def substitutes(ingredient_key: str, avoid: frozenset[str]) -> list[str]:
    """Ingredient keys that can stand in for ``ingredient_key`` and carry none of ``avoid``.

    Candidates come from a culinary table, then from per-allergen defaults; every candidate
    must exist in the ingredient table and be free of the avoided allergens.

    >>> substitutes("milk", frozenset({"milk", "soy"}))[0]
    'almond_milk'
    """
    try:
        original = _ingredients.get(ingredient_key)
    except KeyError:
        return []
    generic: list[str] = []
    for allergen in sorted(carried(original) & avoid):
        generic.extend(_BY_ALLERGEN.get(allergen, ()))
    # Culinary matches first; the generic stand-ins only when none of those is safe.
    result = _safe(_SUBSTITUTES.get(ingredient_key, ()), ingredient_key, avoid)
    result = result or _safe(generic, ingredient_key, avoid)
    if not result and FOOD_PREFIX + ingredient_key in avoid:
        # A food avoided by name (키위) has no allergen table of its own: offer foods of its kind
        # (another fruit) that nothing in ``avoid`` rules out, the closest in sugar and energy first
        # and with the same tags (a starch staple for potato), not avocado for kiwi.
        def distance(item: _ingredients.Ingredient) -> float:
            a, b = item.per_100g, original.per_100g
            other_role = 100.0 if item.tags != original.tags else 0.0  # a starch for a starch
            return other_role + abs(a.sugar_g - b.sugar_g) + abs(a.kcal - b.kcal) / 10

        same_kind = sorted(
            (i for i in _ingredients.all_ingredients() if i.category == original.category), key=distance
        )
        result = _safe((i.key for i in same_kind), ingredient_key, avoid)[:4]
    return result


def _safe(candidates: Iterable[str], original_key: str, avoid: frozenset[str]) -> list[str]:
    result: list[str] = []
    for key in candidates:
        if key == original_key or key in result:
            continue
        try:
            candidate = _ingredients.get(key)
        except KeyError:
            continue
        if carried(candidate) & avoid:
            continue
        result.append(key)
    return result
