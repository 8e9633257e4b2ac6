"""The last safety gate: checks a recipe exactly as it will be served, whoever wrote or adapted it.

It is deliberately separate from the adaptation code: it trusts nothing the adapter did and reads
only the served texts (title, description, ingredient lines, steps) and the resolved lines
(ingredient, grams for the whole recipe). An empty list from :func:`inspect` means the recipe may
be served; otherwise each :class:`Violation` says in plain words, in the profile's language, what
is wrong. The rules:

- ``gate.allergen``: no word for a declared allergen (its own words, its group's, and the names
  and aliases of every food in the ingredient table that contains or usually contains it) in any
  text, and no line whose ingredient carries it.
- ``gate.sodium``: sodium per serving at most 2,000 mg (the WHO daily limit: no single serving may
  hold a whole day's sodium), or the stricter limit the profile's diet rules set, or ``sodium_limit_mg``.
- ``gate.seasoning``: no single seasoning beyond a plausible amount per serving (:data:`SEASONING_LIMITS_G`).
- ``gate.zero_line``: no line whose amount or weight rounds to zero as it is shown.
- ``gate.unlisted_ingredient``: a step names only foods that are among the lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from types import MappingProxyType

from aichef.knowledge import allergens as _allergens
from aichef.knowledge.ingredients import Ingredient, all_ingredients, get, lookup, normalise_name
from aichef.knowledge.mentions import Mention, Scanner
from aichef.models import Profile, Recipe

__all__ = [
    "MAX_SODIUM_MG",
    "SALT_LIMIT_G",
    "SEASONING_LIMITS_G",
    "SWEETENER_LIMIT_G",
    "Violation",
    "inspect",
    "seasoning_limit",
    "sodium_limit",
]

# WHO Guideline: Sodium intake for adults and children (2012): < 2,000 mg sodium a day. One
# serving may never hold more than the whole day's limit, whatever the target.
MAX_SODIUM_MG = 2000.0

# Salt: WHO's daily limit is 5 g of salt (2,000 mg sodium); more than 6 g in one serving is not a
# plausible amount of seasoning for any dish (AI Chef issue: "salt over 6 g fails").
SALT_LIMIT_G = 6.0

# Largest plausible amount per serving, in grams, for seasonings where too much is a mistake rather
# than a taste. Spoon weights are SR28's household measures (tablespoon of soy sauce 16 g, 16123;
# of fish sauce 18 g, 6179; of miso 17 g, 16112; of oyster sauce 18 g, 6176; teaspoon of sugar
# 4.2 g, 19335). Sources and reasoning:
# - soy sauces, 2 tablespoons (32 g, about 1,800 mg sodium): Korean home recipes season one
#   serving with at most 1-2 큰술 (e.g. 불고기, 장조림); more is a scaling error.
# - fish sauce and salted shrimp, 1 tablespoon (18 g, about 1,400 mg sodium): saltier still,
#   used by the teaspoon in 김치찌개 or 계란찜.
# - fermented pastes (된장, 고추장, 쌈장, 춘장, 미소), 2.5 tablespoons (43 g, about 1,600 mg
#   sodium as miso): a 된장찌개 or 떡볶이 uses about 1-2 큰술 per serving.
# - oyster sauce, teriyaki, hoisin, Worcestershire, 2 tablespoons (36 g).
# - stock powder (다시다, chicken stock), 5 g, under one SR28 packet (6 g, 6075; about 1,300 mg
#   sodium): a pot of soup for several takes a teaspoon or two.
# - sugar, syrups and honey, 25 g: WHO Guideline: Sugars intake (2015) asks that free sugars stay
#   below 10 % of energy (50 g a day at 2,000 kcal) and ideally 5 % (25 g a day); more than the
#   ideal day's amount in one serving is not a plausible main-dish seasoning.
SEASONING_LIMITS_G: Mapping[str, float] = MappingProxyType(
    {
        "salt": SALT_LIMIT_G,
        "soy_sauce": 32.0, "soup_soy_sauce": 32.0, "low_sodium_soy_sauce": 32.0, "tamari": 32.0,
        "tsuyu": 32.0,
        "fish_sauce": 18.0, "salted_shrimp": 18.0,
        "doenjang": 43.0, "gochujang": 43.0, "ssamjang": 43.0, "chunjang": 43.0, "miso": 43.0,
        "chogochujang": 43.0,
        "oyster_sauce": 36.0, "teriyaki_sauce": 36.0, "hoisin_sauce": 36.0, "worcestershire": 36.0,
        "beef_bouillon": 5.0, "chicken_bouillon": 5.0,
    }
)  # fmt: skip
SWEETENER_LIMIT_G = 25.0  # sugars, syrups, honey and jam (category "sweetener"): see above
# Any other salty seasoning: no more sodium than 6 g of salt brings (SR28 02047: 38,758 mg/100 g).
_SALT_SODIUM_MG = SALT_LIMIT_G * 387.58


@dataclass(frozen=True)
class Violation:
    """One reason a recipe may not be served: ``rule`` an id (``gate.allergen`` ...), ``detail``
    plain words in the profile's language."""

    rule: str
    detail: str


def _name(item: Ingredient, ko: bool) -> str:
    return item.name_ko if ko else item.name_en


def _subject(word: str) -> str:
    """The Korean subject particle for ``word``: 이 after a final consonant (소금이), 가 after a
    vowel (간장이 / 두부가); 이(가) when the word does not end in Hangul."""
    last = word.strip()[-1:] or " "
    code = ord(last) - 0xAC00
    if not 0 <= code < 11172:
        return "이(가)"
    return "이" if code % 28 else "가"


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}".rstrip("0").rstrip(".")


# ---- allergens ----


@dataclass(frozen=True)
class _Vocabulary:
    """Every food name and allergen word, scanned once per text (longest first, so that a longer
    safe name hides the allergen word inside it: 땅콩 is not 콩), and what each word means."""

    scanner: Scanner
    food: Mapping[str, str]  # word -> ingredient key
    allergens: Mapping[str, frozenset[str]]  # allergen or group word -> allergen keys


@cache
def _vocabulary() -> _Vocabulary:
    food: dict[str, str] = {}
    for item in all_ingredients():
        for word in (item.key.replace("_", " "), item.name_ko, item.name_en, *item.aliases):
            food.setdefault(_word(word), item.key)
    allergen_words = {_word(word): keys for word, keys in _allergens.words().items()}
    words = {word: word for word in (*food, *allergen_words) if word}
    return _Vocabulary(Scanner(words), MappingProxyType(food), MappingProxyType(allergen_words))


@lru_cache(maxsize=8192)  # the same library steps are checked for candidate after candidate
def _mentions(text: str) -> tuple[Mention, ...]:
    return tuple(_vocabulary().scanner.find(text))


def _word(text: str) -> str:
    return text.lower().strip()


def _allergen_hit(word: str, avoid: frozenset[str]) -> tuple[str, str] | None:
    """("word" or "food", the allergen key) when ``word`` means an avoided allergen: as one of the
    allergen's own words (콩, gluten) or as the name of a food that carries it (간장)."""
    vocabulary = _vocabulary()
    hit = sorted(vocabulary.allergens.get(word, frozenset()) & avoid)
    if hit:
        return "word", hit[0]
    key = vocabulary.food.get(word)
    carried = sorted(_allergens.carried(get(key)) & avoid) if key else []
    return ("food", carried[0]) if carried else None


def _refers_to_a_safe_line(word: str, safe_names: Sequence[str]) -> bool:
    """A food's general name that ends a listed safe line's name refers to that line: "the noodles"
    in a recipe with glass noodles, "면" with 쌀국수면. The allergen words themselves are never read
    this way ("milk" stays milk even beside soy milk)."""
    word = normalise_name(word)
    return any(name != word and name.endswith(word) for name in safe_names)


def _allergen_violations(
    recipe: Recipe, lines: Sequence[tuple[Ingredient, float]], avoid: frozenset[str], ko: bool
) -> list[Violation]:
    found: list[Violation] = []
    for item, _grams in lines:
        carried = _allergens.carried(item) & avoid
        if carried:
            labels = ", ".join(_allergens.label(k, "ko" if ko else "en") for k in sorted(carried))
            found.append(
                Violation(
                    "gate.allergen",
                    f"재료 '{_name(item, ko)}'에 피해야 할 알레르기 성분({labels})이 들어 있습니다"
                    if ko
                    else f"The ingredient '{_name(item, ko)}' contains an allergen to avoid ({labels})",
                )
            )
    safe = [item for item, _ in lines if not _allergens.carried(item) & avoid]
    for line in recipe.ingredients:
        written = lookup(line.name)
        if written is not None and not _allergens.carried(written) & avoid:
            safe.append(written)
    safe_names = [
        normalise_name(name) for item in safe for name in (item.name_ko, item.name_en, *item.aliases)
    ]
    safe_names += [normalise_name(line.name) for line in recipe.ingredients if lookup(line.name) in safe]
    for where, text in _texts(recipe, ko):
        for mention in _mentions(text):
            hit = _allergen_hit(mention.meaning or "", avoid)
            if hit is None:
                continue
            kind, key = hit
            if kind == "food" and _refers_to_a_safe_line(mention.word, safe_names):
                continue
            label = _allergens.label(key, "ko" if ko else "en")
            word = mention.word
            found.append(
                Violation(
                    "gate.allergen",
                    f"{where}에 '{word}'{_subject(word)} 있습니다: 피해야 할 알레르기({label})"
                    if ko
                    else f"{where} names '{word}', which is an allergen to avoid ({label})",
                )
            )
    return _unique(found)


def _texts(recipe: Recipe, ko: bool) -> list[tuple[str, str]]:
    places: list[tuple[str, str]] = [
        ("요리 이름" if ko else "The title", recipe.recipeName),
        ("설명" if ko else "The description", recipe.description),
    ]
    places += [("재료 목록" if ko else "The ingredient list", line.name) for line in recipe.ingredients]
    places += [(f"{n}단계" if ko else f"Step {n}", step) for n, step in enumerate(recipe.instructions, 1)]
    return places


def _unique(items: Iterable[Violation]) -> list[Violation]:
    return list(dict.fromkeys(items))


# ---- sodium and seasonings ----


def sodium_limit(profile: Profile, sodium_limit_mg: float | None = None) -> float:
    """The sodium limit per serving: 2,000 mg, or a stricter one from the argument or the profile's
    hard diet rules (e.g. 1,000 mg for hypertension or kidney disease)."""
    from aichef.knowledge.diets import rules_for  # the diet rules import this package's models

    limit = MAX_SODIUM_MG
    for rule in rules_for(profile):
        if rule.hard and rule.unit == "mg" and rule.id.endswith("sodium") and rule.fail is not None:
            limit = min(limit, rule.fail)
    if sodium_limit_mg is not None:
        limit = min(limit, sodium_limit_mg)
    return limit


def _sodium_violations(
    lines: Sequence[tuple[Ingredient, float]], servings: int, limit: float, ko: bool
) -> list[Violation]:
    sodium = sum(item.nutrients_for(grams).sodium_mg for item, grams in lines) / servings
    # Compared as shown (0.1 mg): a recipe sized to exactly the limit is within it.
    if round(sodium, 1) <= limit:
        return []
    return [
        Violation(
            "gate.sodium",
            f"1인분 나트륨이 {_number(sodium)} mg으로 한도 {_number(limit)} mg을 넘습니다"
            if ko
            else f"Sodium per serving is {_number(sodium)} mg, above the limit of {_number(limit)} mg",
        )
    ]


def seasoning_limit(item: Ingredient) -> float | None:
    """The largest plausible grams per serving of this seasoning, or ``None`` if it has no limit."""
    if item.key in SEASONING_LIMITS_G:
        return SEASONING_LIMITS_G[item.key]
    # Sugars and syrups only: ketchup or corn flakes carry added sugar but are eaten by the spoonful
    # or the bowl, and the diet rules already weigh their sugar.
    if item.category == "sweetener" and item.per_100g.sugar_g > 0:
        return SWEETENER_LIMIT_G
    if "salty_seasoning" in item.tags and item.per_100g.sodium_mg > 0:
        return _SALT_SODIUM_MG * 100.0 / item.per_100g.sodium_mg
    return None


def _seasoning_violations(
    lines: Sequence[tuple[Ingredient, float]], servings: int, ko: bool
) -> list[Violation]:
    found: list[Violation] = []
    totals: dict[str, tuple[Ingredient, float]] = {}
    for item, grams in lines:
        previous = totals.get(item.key, (item, 0.0))[1]
        totals[item.key] = (item, previous + grams)
    for item, grams in totals.values():
        limit = seasoning_limit(item)
        per_serving = grams / servings
        if limit is not None and round(per_serving, 1) > limit:
            name = _name(item, ko)
            found.append(
                Violation(
                    "gate.seasoning",
                    f"{name}{_subject(name)} 1인분에 {_number(per_serving)} g으로 너무 많습니다 "
                    f"(최대 {_number(limit)} g)"
                    if ko
                    else f"{_name(item, ko)} is {_number(per_serving)} g per serving, too much "
                    f"(at most {_number(limit)} g)",
                )
            )
    return found


# ---- lines ----


def _zero_violations(recipe: Recipe, lines: Sequence[tuple[Ingredient, float]], ko: bool) -> list[Violation]:
    """Lines shown as nothing: an amount of 0, or a weight that is 0 g at the precision shown (0.1 g)."""
    found: list[Violation] = []
    for line in recipe.ingredients:
        if round(line.amount, 2) == 0 or (line.grams is not None and round(line.grams, 1) == 0):
            found.append(_zero(line.name, ko))
    for item, grams in lines:
        if round(grams, 1) == 0:
            found.append(_zero(_name(item, ko), ko))
    return _unique(found)


def _zero(name: str, ko: bool) -> Violation:
    return Violation(
        "gate.zero_line",
        f"재료 '{name}'의 양이 0 g입니다: 빼거나 양을 정해야 합니다"
        if ko
        else f"The ingredient '{name}' comes to 0 g: leave it out or give it an amount",
    )


# Water for boiling, rinsing or soaking is not an ingredient a cook buys or measures.
_NEVER_UNLISTED = frozenset({"water", "sparkling_water"})
# Foods a step may make in the pot from listed ones: a stock from water (and anything simmered in
# it), rendered fat or oil, a chili oil from chili flakes and oil. key -> categories of which at
# least one must be listed, and ingredient keys of which at least one must be listed (empty: any).
_MADE_IN_THE_DISH: Mapping[str, tuple[frozenset[str], frozenset[str]]] = MappingProxyType(
    {
        "anchovy_stock": (frozenset(), frozenset({"water"})),
        "vegetable_oil": (frozenset({"oil", "meat", "poultry"}), frozenset()),
        "chili_oil": (frozenset({"oil"}), frozenset({"gochugaru", "cayenne", "red_chili"})),
    }
)
_HANGUL_SYLLABLES = re.compile(r"[\uac00-\ud7a3]+")
_ENGLISH_WORDS = re.compile(r"[a-z]{3,}")


def _family(mentioned: Ingredient, listed: Ingredient) -> bool:
    """Whether a step's word for ``mentioned`` may stand for the listed food: the same category
    and allergens, and a shared name part (the first Korean syllable or two syllables in a row, or
    an English word): 닭고기 for 닭다리살, 연두부 for 순두부, "mushrooms" for shiitake mushrooms."""
    if mentioned.category != listed.category or mentioned.allergens != listed.allergens:
        return False
    a, b = mentioned.name_ko.replace(" ", ""), listed.name_ko.replace(" ", "")
    if a[:1] == b[:1] and _HANGUL_SYLLABLES.fullmatch(a[:1]):
        return True
    if any(a[i : i + 2] in b for i in range(len(a) - 1) if _HANGUL_SYLLABLES.fullmatch(a[i : i + 2])):
        return True
    english = set(_ENGLISH_WORDS.findall(mentioned.name_en.lower()))
    return bool(english & set(_ENGLISH_WORDS.findall(listed.name_en.lower())))


def _listed(mention: Mention, items: Sequence[Ingredient], written: Sequence[str]) -> bool:
    key = _vocabulary().food.get(mention.meaning or "")
    if key is None or key in _NEVER_UNLISTED or any(item.key == key for item in items):
        return True
    word = normalise_name(mention.word)
    # Part of a listed name ("파" with 쪽파), or a listed name with a preparation ("다진 돼지고기").
    if any(word in name or (len(name) > 1 and name in word) for name in written):
        return True
    if key in _MADE_IN_THE_DISH:
        categories, keys = _MADE_IN_THE_DISH[key]
        if (not categories or any(i.category in categories for i in items)) and (
            not keys or any(i.key in keys for i in items)
        ):
            return True
    mentioned = get(key)
    return any(_family(mentioned, item) for item in items)


_INSTEAD_AFTER = re.compile(r"^\S{0,2}\s*(대신|없이)")
_INSTEAD_BEFORE = re.compile(r"(instead of|without|no)\s+$", re.IGNORECASE)


def _instead_of(step: str, mention: Mention) -> bool:
    """ "밥 대신", "instead of rice": the step names a food only to say it is not used."""
    after = step[mention.start + len(mention.word) :]
    return bool(_INSTEAD_AFTER.match(after) or _INSTEAD_BEFORE.search(step[: mention.start]))


def _unlisted_violations(
    recipe: Recipe, lines: Sequence[tuple[Ingredient, float]], ko: bool
) -> list[Violation]:
    """Steps that name a food of the table that is not among the lines.

    A word also counts as listed when it is part of a listed food's names or of a line's written
    name ("파" with 쪽파), names a listed food with a preparation ("다진 돼지고기"), names the same
    kind of food (see :func:`_family`), or something made in the dish from listed foods (a stock,
    a chili oil). Water is never counted.
    """
    items = [item for item, _ in lines]
    written = [normalise_name(w) for item in items for w in (item.name_ko, item.name_en, *item.aliases)]
    written += [normalise_name(line.name) for line in recipe.ingredients]
    found: list[Violation] = []
    for n, step in enumerate(recipe.instructions, 1):
        for mention in _mentions(step):
            if _listed(mention, items, written) or _instead_of(step, mention):
                continue
            found.append(
                Violation(
                    "gate.unlisted_ingredient",
                    f"{n}단계에 재료 목록에 없는 '{mention.word}'{_subject(mention.word)} 나옵니다"
                    if ko
                    else f"Step {n} names '{mention.word}', which is not in the ingredient list",
                )
            )
    return _unique(found)


def inspect(
    recipe: Recipe,
    lines: Sequence[tuple[Ingredient, float]],
    profile: Profile,
    sodium_limit_mg: float | None = None,
) -> list[Violation]:
    """Every reason ``recipe`` may not be served to ``profile``; empty when it may be.

    ``lines`` are the resolved ingredients with grams for the whole recipe (``recipe.servings``
    servings). ``sodium_limit_mg`` may make the sodium limit stricter, never looser.
    """
    ko = profile.language == "ko"
    servings = max(1, recipe.servings)
    avoid = profile.allergen_keys()
    found: list[Violation] = []
    if avoid:
        found += _allergen_violations(recipe, lines, avoid, ko)
    found += _sodium_violations(lines, servings, sodium_limit(profile, sodium_limit_mg), ko)
    found += _seasoning_violations(lines, servings, ko)
    found += _zero_violations(recipe, lines, ko)
    found += _unlisted_violations(recipe, lines, ko)
    return found
