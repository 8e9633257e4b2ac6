"""The last safety gate. Every oracle (allergen words, sodium figures, limits) is written here, in
the test, and not read from the product's tables."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

import pytest

from aichef.knowledge.gate import Violation, inspect
from aichef.knowledge.ingredients import Ingredient, get
from aichef.models import Profile, Recipe, RecipeIngredient

# USDA SR28 02047 (salt, table): 38,758 mg sodium per 100 g.
SALT_SODIUM_MG_PER_G = 387.58
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _recipe(
    lines: Sequence[tuple[str, float]],
    steps: Sequence[str],
    title: str = "채소 볶음",
    description: str = "간단한 볶음 요리",
    servings: int = 1,
    names: Sequence[str] | None = None,
) -> tuple[Recipe, list[tuple[Ingredient, float]]]:
    resolved = [(get(key), grams) for key, grams in lines]
    written = names or [item.name_ko for item, _ in resolved]
    recipe = Recipe(
        recipeName=title,
        description=description,
        cookingTime=20,
        difficulty="쉬움",
        servings=servings,
        ingredients=[
            RecipeIngredient(name=name, amount=grams, unit="g", grams=grams)
            for name, (_, grams) in zip(written, resolved, strict=True)
        ],
        instructions=list(steps),
    )
    return recipe, resolved


def _rules(found: list[Violation]) -> list[str]:
    return [v.rule for v in found]


def _profile(*allergies: str, language: str = "ko", **extra: object) -> Profile:
    return Profile.model_validate(
        {"target": "diet", "allergies": list(allergies), "language": language, **extra}
    )


PLAIN = [("zucchini", 150.0), ("onion", 50.0), ("olive_oil", 10.0), ("salt", 1.0)]


def test_violation_is_the_contract_shape() -> None:
    assert [f.name for f in dataclasses.fields(Violation)] == ["rule", "detail"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Violation("gate.sodium", "x").rule = "y"  # type: ignore[misc]


def test_a_plain_recipe_passes() -> None:
    recipe, lines = _recipe(PLAIN, ["애호박과 양파를 썬다", "올리브유에 볶고 소금으로 간한다"])
    assert inspect(recipe, lines, _profile()) == []
    assert inspect(recipe, lines, _profile("대두", "밀", "알류")) == []


# ---- allergens: words in texts, with the false hits that must not count ----

# (allergy as the user types it, text, whether the text names the allergen). Written from what the
# words mean in Korean and English, not from the product's tables.
TEXT_CASES = [
    ("대두", "간장을 곁들인다", True),
    ("대두", "콩나물을 데친다", True),  # soybean sprouts are soy
    ("대두", "된장을 푼다", True),
    ("대두", "두부를 썬다", True),
    ("대두", "땅콩을 뿌린다", False),  # peanut is not soy
    ("대두", "완두콩을 삶는다", False),  # green peas are not soy
    ("대두", "홍콩식 볶음", False),
    ("soy", "Serve with soy sauce.", True),
    ("밀", "밀가루를 묻힌다", True),
    ("밀", "통밀빵을 굽는다", True),
    ("밀", "반죽을 밀대로 밀어 편다", False),  # to roll out, a rolling pin
    ("밀", "메밀을 삶는다", False),  # buckwheat is not wheat
    ("밀", "간장으로 간한다", True),  # soy sauce is brewed with wheat
    ("밀", "고추장을 넣는다", True),
    ("밀", "어묵을 썬다", True),
    ("밀", "카레를 푼다", True),  # curry roux holds flour
    ("wheat", "Coat in flour.", True),
    ("알류", "달걀을 푼다", True),
    ("알류", "메추리알을 삶는다", True),
    ("알류", "마요네즈를 바른다", True),
    ("알류", "맛살을 찢는다", True),
    ("알류", "간을 알맞게 맞춘다", False),
    ("알류", "알레르기 걱정이 없다", False),
    ("알류", "알리오 올리오", False),
    ("알류", "면을 알 덴테로 삶는다", False),
    ("egg", "Fry the eggs.", True),
    ("egg", "Grill the eggplant.", False),
    ("참깨", "참깨를 뿌린다", True),
    ("참깨", "깨소금을 뿌린다", True),
    ("참깨", "참기름을 두른다", True),
    ("참깨", "깨끗이 씻는다", False),
    ("참깨", "감자를 으깬다", False),
    ("참깨", "달걀을 깨 넣는다", False),
    ("게", "꽃게를 손질한다", True),
    ("게", "게살을 올린다", True),
    ("게", "맛있게 볶는다", False),
    ("조개류", "굴소스로 간한다", True),
    ("조개류", "홍합을 씻는다", True),
    ("조개류", "공을 굴려 빚는다", False),
    ("조개류", "새송이버섯을 굽는다", False),  # king oyster mushroom
    ("shellfish", "Add the oyster mushrooms.", False),
    ("새우", "새우젓으로 간한다", True),
    ("새우", "김치를 곁들인다", True),  # kimchi is usually seasoned with salted shrimp
    ("생선", "김치를 곁들인다", True),  # ... or fish sauce
    ("생선", "액젓을 넣는다", True),
    ("땅콩", "땅콩버터를 바른다", True),
    ("peanut", "Spread the peanut butter.", True),
    ("우유", "버터를 녹인다", True),
    ("우유", "치즈를 올린다", True),
    ("milk", "Pour in the coconut milk.", False),
    ("milk", "Spread the peanut butter.", False),
    ("milk", "Pour in the milk.", True),
    ("돼지고기", "돼지호박을 썬다", False),  # a zucchini, not pork
    ("돼지고기", "햄을 썬다", True),
    ("돼지고기", "제육볶음을 담는다", True),
    ("알류", "치즈 오믈렛", True),
    ("알류", "지단을 올린다", True),
    ("닭고기", "치킨을 튀긴다", True),
    ("쇠고기", "사골 국물을 붓는다", True),
    ("쇠고기", "버섯 불고기", False),  # 불고기 is a way of marinating; its meat is named on its own
    ("오징어", "꼴뚜기를 볶는다", True),
    ("조개류", "재첩국", True),
    ("닭고기", "닭갈비 양념", True),
    ("쇠고기", "닭갈비 양념", False),  # 닭갈비 is chicken, whatever 갈비 alone means
    ("쇠고기", "다시다를 넣는다", True),  # beef stock powder
    ("견과류", "호두를 올린다", True),
    ("호두", "견과류를 올린다", True),  # the group word may hide walnuts
    ("아몬드", "호두를 올린다", False),  # a specific nut is its own allergen
    ("견과류", "아몬드를 올린다", True),
    ("tree nuts", "Scatter the pecans.", True),
    ("글루텐", "보리밥을 짓는다", True),
    ("글루텐", "귀리를 불린다", True),  # oats: cross-contact with wheat
    ("gluten", "Pour in the beer.", True),  # barley malt
    ("글루텐", "쌀을 불린다", False),
    ("갑각류", "새우를 굽는다", True),
    ("갑각류", "오징어를 굽는다", False),
    ("연체류", "오징어를 굽는다", True),
    ("연체류", "새우를 굽는다", False),
    ("shellfish", "Grill the shrimp.", True),  # English shellfish: crustaceans and molluscs
    ("shellfish", "Grill the squid.", True),
    ("생선", "고등어를 굽는다", True),
    ("생선", "연어를 굽는다", True),
    ("고등어", "연어를 굽는다", False),
    ("키위", "키위를 썬다", True),  # any food of the table can be avoided by name
    ("kiwi", "Slice the kiwi.", True),
    ("망고", "망고를 올린다", True),
    ("사과", "사과식초를 넣는다", True),
    ("감자", "고구마를 찐다", False),
]


@pytest.mark.parametrize(("allergy", "text", "hit"), TEXT_CASES)
def test_allergen_words_in_a_step(allergy: str, text: str, hit: bool) -> None:
    recipe, lines = _recipe(PLAIN, ["애호박과 양파를 썬다", text])
    found = [v for v in inspect(recipe, lines, _profile(allergy)) if v.rule == "gate.allergen"]
    assert bool(found) is hit, found


@pytest.mark.parametrize("where", ["title", "description"])
def test_allergen_words_in_the_title_and_description(where: str) -> None:
    texts = {"title": "채소 볶음", "description": "간단한 볶음 요리"}
    texts[where] = "간장 채소 볶음"
    recipe, lines = _recipe(PLAIN, ["애호박을 볶는다"], **texts)
    found = inspect(recipe, lines, _profile("대두"))
    assert "gate.allergen" in _rules(found)
    assert any("간장" in v.detail for v in found)


def test_an_ingredient_line_carrying_the_allergen_fails_even_with_neutral_texts() -> None:
    recipe, lines = _recipe(
        [*PLAIN, ("doenjang", 20.0)], ["애호박을 볶는다"], names=["애호박", "양파", "올리브유", "소금", "장"]
    )
    found = inspect(recipe, lines, _profile("밀"))  # 된장 usually holds wheat
    assert "gate.allergen" in _rules(found)


def test_a_general_word_for_a_safe_listed_line_is_not_a_hit() -> None:
    recipe, lines = _recipe(
        [("glass_noodles", 80.0), ("spinach", 50.0), ("salt", 1.0)],
        ["Soak the noodles in water.", "Toss the noodles with the spinach."],
    )
    assert inspect(recipe, lines, _profile("wheat", language="en")) == []


def test_allergen_details_are_plain_words_in_the_profile_language() -> None:
    recipe, lines = _recipe(PLAIN, ["Serve with soy sauce."])
    ko = inspect(recipe, lines, _profile("대두"))
    en = inspect(recipe, lines, _profile("soy", language="en"))
    assert ko and en
    assert all(HANGUL.search(v.detail) for v in ko)
    assert all(not HANGUL.search(v.detail) for v in en)
    for v in ko + en:
        assert "gate." not in v.detail and "Error" not in v.detail and "{" not in v.detail


# ---- sodium ----


def _salted(sodium_mg: float, servings: int = 1) -> tuple[Recipe, list[tuple[Ingredient, float]]]:
    grams = sodium_mg * servings / SALT_SODIUM_MG_PER_G
    return _recipe(
        [("zucchini", 150.0), ("salt", grams)], ["애호박을 썰어 소금을 넣고 볶는다"], servings=servings
    )


@pytest.mark.parametrize(("sodium", "passes"), [(1999.0, True), (2000.0, True), (2001.0, False)])
@pytest.mark.parametrize("target", ["keto", "diabetes", "diet", "fridge", "baby_food"])
def test_sodium_per_serving_is_at_most_2000_mg_for_every_target(
    sodium: float, passes: bool, target: str
) -> None:
    zucchini_per_serving = 150 * 0.08 / 2  # SR28 11477 zucchini: 8 mg per 100 g, 150 g for two
    recipe, lines = _salted(sodium - zucchini_per_serving, servings=2)
    extra: dict[str, object] = {"target": target}
    if target == "baby_food":
        extra["babyAgeMonths"] = 15
    if target == "fridge":
        extra["fridgeIngredients"] = ["애호박"]
    profile = Profile.model_validate(extra)
    assert ("gate.sodium" not in _rules(inspect(recipe, lines, profile))) is passes


def test_sodium_limit_is_stricter_for_low_salt_conditions_and_when_asked() -> None:
    recipe, lines = _salted(1200.0)
    assert "gate.sodium" not in _rules(inspect(recipe, lines, _profile()))
    # Hypertension: at most half the day's 2,000 mg in one serving.
    found = inspect(recipe, lines, _profile(healthConditions=["고혈압"]))
    assert "gate.sodium" in _rules(found)
    assert any("1,000" in v.detail for v in found)
    assert "gate.sodium" in _rules(inspect(recipe, lines, _profile(), sodium_limit_mg=1100))
    # An argument never loosens the limit.
    recipe, lines = _salted(2100.0)
    assert "gate.sodium" in _rules(inspect(recipe, lines, _profile(), sodium_limit_mg=5000))


# ---- seasonings ----


@pytest.mark.parametrize(("salt_g", "fails"), [(5.9, False), (6.0, False), (6.1, True), (50.0, True)])
def test_salt_over_6_g_per_serving_fails(salt_g: float, fails: bool) -> None:
    recipe, lines = _recipe(
        [("zucchini", 300.0), ("salt", salt_g * 2)], ["애호박을 소금에 볶는다"], servings=2
    )
    found = [v for v in inspect(recipe, lines, _profile()) if v.rule == "gate.seasoning"]
    assert bool(found) is fails
    if fails:  # plain Korean with the right particle: 소금이, not 소금가
        assert found[0].detail.startswith("소금이 1인분에") and "최대 6 g" in found[0].detail


@pytest.mark.parametrize(
    ("key", "ok_g", "too_much_g"),
    [
        ("soy_sauce", 30.0, 60.0),  # two tablespoons are plenty for one serving
        ("fish_sauce", 15.0, 40.0),
        ("gochujang", 30.0, 80.0),
        ("sugar", 20.0, 60.0),  # WHO: ideally under 25 g of free sugars a day
        ("honey", 20.0, 60.0),
    ],
)
def test_other_seasonings_have_a_plausible_ceiling(key: str, ok_g: float, too_much_g: float) -> None:
    for grams, fails in ((ok_g, False), (too_much_g, True)):
        recipe, lines = _recipe([("zucchini", 300.0), (key, grams)], ["애호박을 볶는다"])
        found = [v for v in inspect(recipe, lines, _profile()) if v.rule == "gate.seasoning"]
        assert bool(found) is fails, (key, grams)
        if fails:
            assert get(key).name_ko in found[0].detail


# ---- lines that round to nothing ----


@pytest.mark.parametrize(("grams", "fails"), [(0.0, True), (0.04, True), (0.3, False), (1.0, False)])
def test_a_line_that_rounds_to_0_g_fails(grams: float, fails: bool) -> None:
    recipe, lines = _recipe([("zucchini", 150.0), ("black_pepper", grams)], ["애호박을 볶고 후추를 뿌린다"])
    assert ("gate.zero_line" in _rules(inspect(recipe, lines, _profile()))) is fails


def test_a_shown_amount_of_zero_fails() -> None:
    recipe, lines = _recipe([("zucchini", 150.0), ("salt", 1.0)], ["애호박을 볶는다"])
    shown = recipe.model_copy(
        update={
            "ingredients": [*recipe.ingredients[:1], RecipeIngredient(name="소금", amount=0, unit="작은술")]
        }
    )
    assert "gate.zero_line" in _rules(inspect(shown, lines, _profile()))


# ---- steps name only listed ingredients ----


@pytest.mark.parametrize(
    ("lines", "step", "fails"),
    [
        (PLAIN, "간장을 두른다", True),  # soy sauce is not a line
        (PLAIN, "찹쌀을 불린다", True),
        (PLAIN, "끓는 물에 데친 뒤 찬물에 헹군다", False),  # water is never an ingredient line
        (PLAIN, "양파를 다져 볶는다", False),
        (PLAIN, "간을 알맞게 맞춰 조물조물 무친다", False),
        (PLAIN, "김이 오른 찜기에 찐다", False),  # steam, not laver
        (PLAIN, "밥 대신 채소를 곁들인다", False),  # named only to say it is not used
        ([("chicken_thigh", 300.0), ("salt", 1.0)], "닭고기를 굽는다", False),  # same kind: 닭다리살
        ([("chicken_thigh", 300.0), ("salt", 1.0)], "소고기를 굽는다", True),
        ([("soft_tofu", 300.0), ("salt", 1.0)], "연두부를 넣는다", False),
        ([("doenjang", 20.0), ("water", 300.0)], "Dissolve the miso.", True),  # miso is not doenjang
        ([("shiitake", 50.0), ("salt", 1.0)], "Fry the mushrooms.", False),
        ([("gochugaru", 5.0), ("vegetable_oil", 15.0)], "고춧가루를 기름에 볶아 고추기름을 만든다", False),
    ],
)
def test_steps_name_only_listed_ingredients(lines: list[tuple[str, float]], step: str, fails: bool) -> None:
    recipe, resolved = _recipe(lines, [step])
    found = [v for v in inspect(recipe, resolved, _profile()) if v.rule == "gate.unlisted_ingredient"]
    assert bool(found) is fails, found
    if fails:
        assert "1단계" in found[0].detail


def test_the_reported_soy_case_is_refused_for_every_reason_it_was_unsafe() -> None:
    # As served before the gate: 콩나물 replaced by 50 g of salt, steps still naming 콩나물 and 간장.
    recipe, lines = _recipe(
        [
            ("brown_rice_cooked", 420.0),
            ("spinach", 100.0),
            ("carrot", 60.0),
            ("shiitake", 40.0),
            ("salt", 50.0),
        ],
        [
            "시금치와 콩나물을 데쳐 다진 마늘과 참기름 절반으로 무친다.",
            "밥 위에 나물을 올리고 간장을 곁들인다.",
        ],
        title="현미 채소 비빔밥",
        description="현미밥에 데친 채소를 올린 비빔밥",
        servings=2,
    )
    found = inspect(recipe, lines, _profile("soy", target="fridge", fridgeIngredients=["당근"]))
    rules = set(_rules(found))
    assert {"gate.allergen", "gate.sodium", "gate.seasoning", "gate.unlisted_ingredient"} <= rules
    words = " ".join(v.detail for v in found)
    assert "콩나물" in words and "간장" in words and "소금" in words


def test_english_details_read_as_sentences() -> None:
    recipe, lines = _recipe(PLAIN, ["Fry the zucchini.", "Serve with soy sauce."], title="Soy zucchini")
    details = [v.detail for v in inspect(recipe, lines, _profile("soy", language="en"))]
    assert "Step 2 names 'soy sauce', which is an allergen to avoid (soy)" in details
    assert any(d.startswith("The title names 'Soy'") for d in details)
