"""Acceptance of the offline generator: what a cook can trust, checked on every served recipe.

The oracles are written here, independent of the product's tables: the words that betray each
allergen (Korean and English, compound Korean products included: 간장 carries soy and wheat), the
food words a step may use only when a line lists them, and the sodium limit.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from functools import cache

import pytest

from aichef.knowledge.generate import GeneratedRecipe, Unmet, adapt_recipe, generate
from aichef.knowledge.ingredients import lookup
from aichef.knowledge.recipes import load_library
from aichef.knowledge.shopping import estimate_purchase
from aichef.models import Profile, Recipe, SessionRequest

# Allergy -> (words a user may type, words that must not appear in anything served).
_ALLERGIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "egg": (("달걀", "계란", "egg", "eggs"), ("달걀", "계란", "메추리알", "마요네즈", "egg", "mayonnaise")),
    "milk": (
        ("우유", "milk", "유제품"),
        (
            "우유",
            "버터",
            "치즈",
            "생크림",
            "요거트",
            "요구르트",
            "연유",
            "milk",
            "butter",
            "cheese",
            "cream",
            "yogurt",
        ),
    ),
    "peanut": (("땅콩", "peanut"), ("땅콩", "peanut")),
    "soy": (
        ("대두", "콩", "soy"),
        (
            "간장",
            "된장",
            "고추장",
            "쌈장",
            "춘장",
            "두부",
            "콩나물",
            "두유",
            "대두",
            "미소",
            "soy",
            "tofu",
            "doenjang",
            "gochujang",
            "miso",
        ),
    ),
    "wheat": (
        ("밀", "wheat", "밀가루"),
        (
            "밀가루",
            "부침가루",
            "튀김가루",
            "빵",
            "국수",
            "우동",
            "스파게티",
            "파스타",
            "라면",
            "간장",
            "고추장",
            "flour",
            "bread",
            "noodle",
            "pasta",
            "spaghetti",
            "udon",
            "wheat",
            "soy sauce",
        ),
    ),
    "shrimp": (("새우", "shrimp"), ("새우", "shrimp", "prawn")),
    "mackerel": (("고등어", "mackerel"), ("고등어", "mackerel")),
    "crab": (("게", "crab"), ("꽃게", "게살", "crab")),
    "fish": (
        ("생선", "fish"),
        (
            "고등어",
            "연어",
            "대구",
            "명태",
            "동태",
            "멸치",
            "참치",
            "삼치",
            "갈치",
            "꽁치",
            "어묵",
            "액젓",
            "생선",
            "fish",
            "salmon",
            "tuna",
            "anchovy",
            "anchovies",
            "cod",
            "mackerel",
        ),
    ),
    "pork": (
        ("돼지고기", "pork"),
        ("돼지", "삼겹살", "목살", "베이컨", "햄", "소시지", "스팸", "pork", "bacon", "ham", "sausage"),
    ),
    "beef": (("소고기", "beef"), ("소고기", "쇠고기", "차돌", "beef")),
    "chicken": (("닭고기", "chicken"), ("닭", "chicken")),
    "sesame": (("참깨", "sesame"), ("참깨", "통깨", "깨소금", "참기름", "sesame", "tahini")),
    "walnut": (("호두", "walnut"), ("호두", "walnut")),
    "tree_nuts": (
        ("견과류", "tree nuts"),
        (
            "호두",
            "아몬드",
            "캐슈",
            "피스타치오",
            "잣",
            "walnut",
            "almond",
            "cashew",
            "pistachio",
            "pine nut",
            "hazelnut",
            "pecan",
            "macadamia",
        ),
    ),
    "clams": (
        ("조개류", "조개"),
        (
            "굴소스",
            "생굴",
            "조개",
            "바지락",
            "홍합",
            "전복",
            "가리비",
            "oyster",
            "clam",
            "mussel",
            "scallop",
            "abalone",
        ),
    ),
    "shellfish": (
        ("shellfish",),
        (
            "굴소스",
            "생굴",
            "조개",
            "바지락",
            "홍합",
            "전복",
            "가리비",
            "oyster",
            "clam",
            "mussel",
            "scallop",
            "abalone",
        ),
    ),
    "squid": (("오징어", "squid"), ("오징어", "squid")),
    "tomato": (("토마토", "tomato"), ("토마토", "케첩", "tomato", "ketchup")),
    "peach": (("복숭아", "peach"), ("복숭아", "peach")),
}
# English "shellfish" also means crustaceans and squid.
_ALSO = {"shellfish": ("shrimp", "crab", "squid"), "tree_nuts": ("walnut",)}
# Fridge foods that tempt each allergy.
_TEMPT: dict[str, tuple[str, ...]] = {
    "egg": ("달걀",),
    "milk": ("우유", "버터", "치즈"),
    "peanut": ("땅콩",),
    "soy": ("두부", "콩나물", "간장"),
    "wheat": ("밀가루", "우동", "식빵"),
    "shrimp": ("새우",),
    "mackerel": ("고등어",),
    "crab": ("꽃게",),
    "fish": ("고등어", "연어", "멸치"),
    "pork": ("돼지고기", "삼겹살", "베이컨"),
    "beef": ("소고기",),
    "chicken": ("닭가슴살", "닭다리"),
    "sesame": ("참기름",),
    "walnut": ("호두",),
    "tree_nuts": ("아몬드", "잣"),
    "shellfish": ("굴", "바지락"),
    "clams": ("바지락", "홍합"),
    "squid": ("오징어",),
    "tomato": ("토마토",),
    "peach": ("복숭아",),
}
_EVERYDAY = (
    "양파",
    "대파",
    "마늘",
    "당근",
    "감자",
    "애호박",
    "양배추",
    "표고버섯",
    "밥",
    "김치",
    "시금치",
    "무",
    "배추",
    "숙주",
    "부추",
    "파프리카",
    "브로콜리",
    "가지",
    "오이",
    "상추",
)
# Food words a step may use only when an ingredient line names that food (synonyms together).
_STEP_FOODS: tuple[tuple[str, ...], ...] = (
    ("두부",),
    ("달걀", "계란"),
    ("간장",),
    ("된장",),
    ("고추장",),
    ("설탕",),
    ("참기름",),
    ("들기름",),
    ("양파",),
    ("당근",),
    ("감자",),
    ("돼지고기", "삼겹살", "목살"),
    ("소고기", "쇠고기"),
    ("새우",),
    ("오징어",),
    ("우유",),
    ("버터",),
    ("치즈",),
    ("김치",),
    ("애호박",),
    ("콩나물",),
    ("숙주",),
    ("시금치",),
    ("멸치",),
    ("고춧가루",),
    ("꿀",),
    ("올리브유",),
    ("식용유",),
)
_TARGETS = ("keto", "diabetes", "diet", "baby_food", "fridge")
_SODIUM_LIMIT_MG = 2000.0
PROFILES = 1000


def _hits(text: str, words: tuple[str, ...]) -> list[str]:
    found = []
    text = re.sub(r"(?i)oyster mushroom", "mushroom", text)  # a mushroom, not a mollusc
    for word in words:
        if word.isascii():
            if re.search(rf"(?<![a-z]){re.escape(word)}(?:e?s)?(?![a-z])", text.lower()):
                found.append(word)
        elif word in text:
            found.append(word)
    return found


def _texts(recipe: Recipe) -> list[str]:
    return [
        recipe.recipeName,
        recipe.description,
        *recipe.instructions,
        *(x.name for x in recipe.ingredients),
    ]


def _forbidden(allergies: tuple[str, ...]) -> tuple[str, ...]:
    keys = set(allergies)
    for key in allergies:
        keys |= set(_ALSO.get(key, ()))
    return tuple(word for key in sorted(keys) for word in _ALLERGIES[key][1])


def _profiles() -> list[tuple[SessionRequest, tuple[str, ...]]]:
    rng = random.Random(20261207)
    out: list[tuple[SessionRequest, tuple[str, ...]]] = []
    for index in range(PROFILES):
        target = _TARGETS[index % len(_TARGETS)]
        keys = tuple(rng.sample(sorted(_ALLERGIES), rng.randint(1, 3)))
        words = [rng.choice(_ALLERGIES[k][0]) for k in keys]
        profile: dict[str, object] = {
            "target": target,
            "allergies": words,
            "servings": rng.randint(1, 8),
            "language": "en" if rng.random() < 0.2 else "ko",
        }
        if target == "baby_food":
            profile["babyAgeMonths"] = rng.randint(6, 36)
        if target == "fridge":
            tempt = [w for k in keys for w in _TEMPT[k]]
            profile["fridgeIngredients"] = rng.sample(tempt, min(2, len(tempt))) + rng.sample(_EVERYDAY, 4)
        request = SessionRequest.model_validate({"sessionId": f"p{index}", "profile": profile})
        out.append((request, keys))
    return out


@cache
def _served() -> list[tuple[SessionRequest, tuple[str, ...], GeneratedRecipe | Unmet]]:
    return [(request, keys, generate(request)) for request, keys in _profiles()]


def _sodium_per_serving(result: GeneratedRecipe) -> float:
    total = sum(line.ingredient.per_100g.sodium_mg * line.grams / 100 for line in result.lines)
    return total / result.recipe.servings


def _problems(result: GeneratedRecipe, forbidden: tuple[str, ...]) -> list[str]:
    recipe = result.recipe
    problems = [
        f"allergen word {hit!r} in {text!r}" for text in _texts(recipe) for hit in _hits(text, forbidden)
    ]
    if _sodium_per_serving(result) > _SODIUM_LIMIT_MG:
        problems.append(f"sodium {_sodium_per_serving(result):.0f} mg per serving")
    problems += [f"0 g line {x.name}" for x in recipe.ingredients if not x.grams or round(x.grams) == 0]
    problems += [f"0 amount line {x.name}" for x in recipe.ingredients if x.amount <= 0]
    if recipe.recipeName and result.language == "ko":
        names = " ".join(x.name for x in recipe.ingredients)
        for group in _STEP_FOODS:
            for step in recipe.instructions:
                used = [w for w in group if w in step]
                if used and not any(w in names for w in group):
                    problems.append(f"step names {used[0]!r}, not listed: {step!r}")
    return problems


def test_a_thousand_profiles_every_served_recipe_is_safe() -> None:
    served = _served()
    assert len(served) == PROFILES
    assert Counter(r.profile.target for r, _, _ in served) == dict.fromkeys(_TARGETS, PROFILES // 5)
    problems = []
    for request, keys, result in served:
        if isinstance(result, GeneratedRecipe):
            problems += [
                f"{request.sessionId} {keys} {result.source_id}: {p}"
                for p in _problems(result, _forbidden(keys))
            ]
        else:
            assert result.constraints and result.explanation
    assert problems == []


def test_most_of_the_thousand_profiles_are_served() -> None:
    counts = Counter(r.profile.target for r, _, g in _served() if isinstance(g, GeneratedRecipe))
    print("served per target:", dict(counts))
    for target in _TARGETS:
        assert counts[target] >= 0.6 * PROFILES / len(_TARGETS), counts


def test_the_soy_case_is_coherent_or_refused_naming_the_constraint() -> None:
    fridge = ["당근", "마늘", "밥", "부추", "애호박", "표고버섯", "현미밥"]
    result = generate(Profile(target="fridge", allergies=["soy"], fridgeIngredients=fridge))
    if isinstance(result, Unmet):
        assert result.constraints and result.explanation
        return
    assert _problems(result, _forbidden(("soy",))) == []
    assert _sodium_per_serving(result) <= _SODIUM_LIMIT_MG
    assert not any(
        line.ingredient.key == "salt" and line.grams > 12 for line in result.lines
    )  # no 50 g of salt
    # The dish cooks the fridge: it uses what is there.
    used = {line.ingredient.key for line in result.lines}
    assert len(used & {lookup(w).key for w in fridge if lookup(w)}) >= 2  # type: ignore[union-attr]


# Korea's labelling list (식품 등의 표시기준), as a user would type each allergy.
_LABELLED = (
    "알류",
    "우유",
    "메밀",
    "땅콩",
    "대두",
    "밀",
    "고등어",
    "게",
    "새우",
    "돼지고기",
    "복숭아",
    "토마토",
    "아황산류",
    "호두",
    "닭고기",
    "쇠고기",
    "오징어",
    "조개류",
    "잣",
)
_LABELLED_ORACLE = {
    "알류": "egg",
    "우유": "milk",
    "땅콩": "peanut",
    "대두": "soy",
    "밀": "wheat",
    "고등어": "mackerel",
    "게": "crab",
    "새우": "shrimp",
    "돼지고기": "pork",
    "복숭아": "peach",
    "토마토": "tomato",
    "호두": "walnut",
    "닭고기": "chicken",
    "쇠고기": "beef",
    "오징어": "squid",
    "조개류": "clams",
}


def test_every_recipe_for_every_labelled_allergy_adapts_cleanly_or_is_not_offered() -> None:
    counts: Counter[str] = Counter()
    problems = []
    for recipe in load_library():
        # A dish no target claims (삼계탕's glutinous rice) is still served when a cook picks it.
        target = sorted(recipe.targets - {"fridge"} or recipe.targets or {"fridge"})[0]
        fridge = [line.item for line in recipe.lines]
        for word in _LABELLED:
            profile = Profile(
                target=target,
                allergies=[word],
                servings=recipe.servings,
                fridgeIngredients=fridge,
                babyAgeMonths=recipe.baby_age[1] if recipe.baby_age else None,
            )
            result = adapt_recipe(recipe, profile)
            if isinstance(result, Unmet):
                counts["not offered"] += 1
                continue
            counts["adapted" if result.changes else "safe as written"] += 1
            oracle = _LABELLED_ORACLE.get(word)
            if oracle is not None:
                problems += [f"{recipe.id} / {word}: {p}" for p in _problems(result, _forbidden((oracle,)))]
    print("recipe x labelled allergy:", dict(counts))
    assert problems == []
    assert counts["adapted"] > 0 and counts["safe as written"] > counts["not offered"]


@pytest.mark.parametrize("target", _TARGETS)
def test_the_budget_chooses(target: str) -> None:
    fridge = ["양파", "대파", "달걀", "두부", "김치", "밥"]
    for budget in (10_000, 20_000, 30_000, 50_000):
        for servings in (1, 2, 4):
            profile = Profile(
                target=target,
                budget=budget,
                servings=servings,
                fridgeIngredients=fridge,
                babyAgeMonths=10 if target == "baby_food" else None,
            )
            result = generate(SessionRequest(sessionId=f"b{budget}{servings}", profile=profile))
            if isinstance(result, Unmet):
                continue
            assert result.purchase is not None
            if result.purchase <= budget:
                continue
            # Over budget: the result says by how much, and no servable dish of the library fits.
            over = f"{result.purchase - budget:,}"
            assert any(over in note for note in result.notes), (result.notes, over)
            pantry = _pantry_and_fridge(profile)
            for recipe in load_library():
                other = adapt_recipe(recipe, profile)
                if isinstance(other, GeneratedRecipe) and (target != "fridge"):
                    cost = estimate_purchase([(x.ingredient, x.grams) for x in other.lines], pantry)
                    assert cost > budget, (
                        f"{recipe.id} fits {budget} at {cost} but {result.source_id} was served"
                    )


def _pantry_and_fridge(profile: Profile) -> frozenset[str]:
    from aichef.knowledge.pantry import on_hand

    fridge = (
        {lookup(w).key for w in profile.fridgeIngredients if lookup(w)}
        if profile.target == "fridge"
        else set()
    )  # type: ignore[union-attr]
    return on_hand(profile) | frozenset(fridge)


# Everyday fridges (what a Korean home might have on a weekday evening).
_FRIDGES: tuple[tuple[str, ...], ...] = (
    ("떡국떡", "소고기", "계란", "대파"),
    ("돼지고기", "김치", "두부", "양파"),
    ("닭가슴살", "양파", "당근", "감자"),
    ("두부", "애호박", "양파", "대파"),
    ("계란", "대파", "당근"),
    ("감자", "양파", "당근", "돼지고기"),
    ("콩나물", "대파", "마늘"),
    ("시금치", "마늘", "참기름"),
    ("오징어", "양파", "당근", "대파"),
    ("고등어", "무", "대파"),
    ("삼겹살", "상추", "마늘"),
    ("소고기", "무", "대파"),
    ("닭다리", "감자", "당근", "양파"),
    ("애호박", "양파", "표고버섯"),
    ("김치", "밥", "계란"),
    ("양배추", "당근", "계란"),
    ("숙주", "소고기", "대파"),
    ("두부", "김치", "대파"),
    ("브로콜리", "두부", "마늘"),
    ("가지", "마늘", "대파"),
    ("새우", "양파", "마늘"),
    ("배추", "돼지고기", "대파"),
    ("오이", "양파", "당근"),
    ("버섯", "양파", "소고기"),
    ("계란", "시금치"),
    ("연어", "양파", "레몬"),
    ("닭가슴살", "브로콜리", "양파"),
    ("어묵", "양파", "대파"),
    ("감자", "계란", "양파"),
    ("부추", "계란", "당근"),
    ("무", "멸치", "대파"),
    ("돼지고기", "애호박", "양파", "두부"),
)
_PROTEINS = (
    "소고기",
    "돼지고기",
    "삼겹살",
    "닭가슴살",
    "닭다리",
    "계란",
    "두부",
    "오징어",
    "고등어",
    "새우",
    "연어",
    "어묵",
)
_SAME = {"계란": ("달걀", "계란"), "삼겹살": ("삼겹살", "돼지고기"), "닭다리": ("닭",), "닭가슴살": ("닭",)}


def test_fridge_mode_cooks_the_fridge() -> None:
    assert len(_FRIDGES) >= 30
    served = 0
    problems = []
    for index, fridge in enumerate(_FRIDGES):
        result = generate(
            SessionRequest(
                sessionId=f"f{index}", profile=Profile(target="fridge", fridgeIngredients=list(fridge))
            )
        )
        if isinstance(result, Unmet):
            assert "가장 가까운 요리" in result.explanation  # names the closest dishes and what they lack
            continue
        served += 1
        names = " ".join(x.name for x in result.recipe.ingredients)
        proteins = [p for p in fridge if p in _PROTEINS]
        if proteins and not any(w in names for p in proteins for w in _SAME.get(p, (p,))):
            problems.append(f"{fridge}: {result.recipe.recipeName} ({names}) uses none of {proteins}")
    assert served >= 0.9 * len(_FRIDGES), served
    assert problems == []


def test_stopping_early_serves_what_adapting_every_dish_would() -> None:
    from aichef.knowledge.generate import needs_for
    from aichef.knowledge.generate.adapt import adapt
    from aichef.knowledge.generate.candidates import candidates
    from aichef.knowledge.generate.checks import check
    from aichef.knowledge.generate.rank import assess, order

    for request, _ in _profiles()[:100]:
        needs = needs_for(request)
        every = [adapt(c, needs) for c in candidates(needs)]
        ranked = order([assess(a, needs) for a in every if not a.blocking])
        best = next((x for x in ranked if x.cooks_fridge and not check(x.attempt, needs).violations), None)
        served = generate(request)
        expected = None if best is None else best.attempt.recipe.id
        assert (served.source_id if isinstance(served, GeneratedRecipe) else None) == expected, request
