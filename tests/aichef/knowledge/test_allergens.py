"""Allergen words, groups, labels and substitutions."""

from __future__ import annotations

import pytest

from aichef.errors import InvalidInput
from aichef.knowledge import allergens
from aichef.knowledge.allergens import ALLERGENS, GROUPS, UnknownAllergen, carried, expand, label, substitutes
from aichef.knowledge.ingredients import all_ingredients, get, lookup
from aichef.models import parse_profile

KOREA_LIST = [
    "egg", "milk", "buckwheat", "peanut", "soy", "wheat", "mackerel", "crab", "shrimp", "pork", "peach",
    "tomato",
    "sulfites", "walnut", "chicken", "beef", "squid", "shellfish", "pine_nut",
]  # fmt: skip


def test_public_names_are_exactly_all() -> None:
    public = {name for name in vars(allergens) if not name.startswith("_") and name not in {"annotations"}}
    imported = {"Iterable", "Mapping", "MappingProxyType", "cache", "difflib"}
    assert set(allergens.__all__) == public - imported
    assert allergens.__all__ == sorted(allergens.__all__)


def test_korea_labelling_list_and_common_extras_are_canonical_keys() -> None:
    assert set(KOREA_LIST) <= set(ALLERGENS)
    assert {"almond", "cashew", "pistachio", "hazelnut", "tree_nut", "sesame", "fish"} <= set(ALLERGENS)
    assert len(ALLERGENS) == len(set(ALLERGENS))


@pytest.mark.parametrize(
    ("word", "keys"),
    [
        ("계란", {"egg"}),
        ("달걀", {"egg"}),
        ("Eggs", {"egg"}),
        ("우유", {"milk"}),
        ("dairy", {"milk"}),
        ("땅콩", {"peanut"}),
        ("대두", {"soy"}),
        ("밀", {"wheat"}),
        ("gluten", {"wheat", "barley", "rye", "oats"}),
        ("글루텐", {"wheat", "barley", "rye", "oats"}),
        ("호밀", {"rye"}),
        ("보리", {"barley"}),
        ("귀리", {"oats"}),
        ("아몬드", {"almond"}),
        ("마카다미아", {"macadamia"}),
        ("pecans", {"pecan"}),
        ("brazil nuts", {"brazil_nut"}),
        ("고등어", {"mackerel"}),
        ("새우", {"shrimp"}),
        ("prawns", {"shrimp"}),
        ("돼지고기", {"pork"}),
        ("복숭아", {"peach"}),
        ("아황산류", {"sulfites"}),
        ("호두", {"walnut"}),
        ("쇠고기", {"beef"}),
        ("소고기", {"beef"}),
        ("오징어", {"squid"}),
        ("조개류", {"shellfish"}),
        ("굴", {"shellfish"}),
        ("잣", {"pine_nut"}),
        ("Pine nuts", {"pine_nut"}),
        ("pine_nut", {"pine_nut"}),
        ("참깨", {"sesame"}),
    ],
)
def test_single_words_expand_to_their_key(word: str, keys: set[str]) -> None:
    assert expand([word]) == keys


def test_group_words_expand_to_every_member() -> None:
    tree_nuts = {
        "walnut", "pine_nut", "almond", "cashew", "pistachio", "hazelnut", "macadamia", "pecan", "brazil_nut",
        "tree_nut",
    }  # fmt: skip
    assert expand(["nuts"]) == tree_nuts | {"peanut"}
    assert expand(["견과류"]) == tree_nuts | {"peanut"}
    assert expand(["tree nuts"]) == tree_nuts
    assert expand(["seafood"]) == {"fish", "mackerel", "crab", "shrimp", "squid", "shellfish"}
    assert expand(["해산물"]) == expand(["seafood"])
    assert expand(["shellfish"]) == {"crab", "shrimp", "squid", "shellfish"}
    assert expand(["갑각류"]) == {"crab", "shrimp"}
    assert expand(["생선"]) == {"fish", "mackerel"}
    for members in GROUPS.values():
        assert members <= set(ALLERGENS)


def test_expand_unions_several_words_and_accepts_nothing() -> None:
    assert expand(["계란", "milk", "새우"]) == {"egg", "milk", "shrimp"}
    assert expand([]) == frozenset()


def test_unknown_word_names_itself_and_the_allowed_words() -> None:
    with pytest.raises(UnknownAllergen) as info:
        expand(["계란", "kryptonite"])
    assert info.value.word == "kryptonite"
    assert "egg" in info.value.allowed and "견과류" in info.value.allowed
    assert "kryptonite" in str(info.value) and "allowed" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_labels_in_korean_and_english() -> None:
    assert label("egg") == "알류(가금류)"
    assert label("pine_nut", "en") == "pine nut"
    assert label("soy", language="ko") == "대두"
    for key in ALLERGENS:
        assert label(key, "ko") and label(key, "en")
    with pytest.raises(KeyError, match="unicorn"):
        label("unicorn")


def test_milk_is_replaced_by_soy_milk_unless_soy_is_avoided() -> None:
    assert substitutes("milk", frozenset({"milk"}))[0] == "soy_milk"
    no_soy = substitutes("milk", frozenset({"milk", "soy"}))
    assert no_soy[0] == "almond_milk"
    assert "soy_milk" not in no_soy
    assert "almond_milk" not in substitutes("milk", frozenset({"milk", "soy", "almond"}))


def test_common_allergen_foods_have_a_substitute() -> None:
    for key, avoid in [
        ("egg", {"egg"}),
        ("milk", {"milk"}),
        ("butter", {"milk"}),
        ("soy_sauce", {"soy", "wheat"}),
        ("tofu", {"soy"}),
        ("wheat_flour", {"wheat"}),
        ("somen", {"wheat"}),
        ("shrimp", {"shrimp"}),
        ("squid", {"squid"}),
        ("mackerel", {"mackerel", "fish"}),
        ("peanut", {"peanut"}),
        ("walnut", {"walnut"}),
        ("pork_belly", {"pork"}),
        ("beef_sirloin", {"beef"}),
        ("chicken_breast", {"chicken"}),
        ("tomato", {"tomato"}),
        ("peach", {"peach"}),
        ("sesame_oil", {"sesame"}),
        ("oyster_sauce", {"shellfish", "soy", "wheat"}),
    ]:
        found = substitutes(key, frozenset(avoid))
        assert found, key
        assert get(found[0]).allergens.isdisjoint(avoid), key


def test_substitutes_never_carry_an_avoided_allergen_and_always_exist() -> None:
    for item in all_ingredients():
        for allergen in item.allergens:
            for avoid in (frozenset({allergen}), item.allergens):
                for key in substitutes(item.key, avoid):
                    assert key != item.key
                    assert get(key).allergens.isdisjoint(avoid), (item.key, key)


def test_substitutes_of_an_unknown_ingredient_is_empty() -> None:
    assert substitutes("unicorn", frozenset({"egg"})) == []


def test_substitution_tables_name_only_real_ingredients() -> None:
    # Data check on the private tables: a misspelt key would silently offer nothing.
    for original, candidates in allergens._SUBSTITUTES.items():
        assert isinstance(candidates, tuple), original
        for key in (original, *candidates):
            get(key)
    for allergen, candidates in allergens._BY_ALLERGEN.items():
        assert allergen in ALLERGENS
        assert isinstance(candidates, tuple), allergen
        for key in candidates:
            get(key)


# ---- Korea's allergen model: compound products, groups, foods by name ----

# What Korean commercial products contain, written here from their usual labels (식품 등의 표시기준
# allergen labelling), not read from the product's table: name -> (contains, usually contains).
COMPOUND_PRODUCTS: dict[str, tuple[set[str], set[str]]] = {
    "간장": ({"soy", "wheat"}, set()),
    "국간장": ({"soy", "wheat"}, set()),
    "된장": ({"soy"}, {"wheat"}),
    "고추장": ({"wheat", "soy"}, set()),
    "쌈장": ({"soy", "wheat"}, set()),
    "춘장": ({"soy", "wheat"}, set()),
    "초고추장": ({"soy", "wheat"}, set()),
    "굴소스": ({"shellfish", "wheat"}, set()),
    "어묵": ({"fish", "wheat"}, set()),
    "맛살": ({"fish", "egg", "wheat"}, set()),
    "김치": (set(), {"fish", "shrimp"}),
    "마요네즈": ({"egg"}, set()),
    "카레": (set(), {"wheat", "milk"}),
    "쯔유": ({"soy", "wheat", "fish"}, set()),
    "데리야끼 소스": ({"soy", "wheat"}, set()),
    "만두": ({"wheat", "pork", "soy"}, set()),
    "새우젓": ({"shrimp"}, set()),
    "액젓": ({"fish"}, set()),
    "라면": ({"wheat"}, set()),
    "빵가루": ({"wheat"}, set()),
    "부침가루": ({"wheat"}, set()),
    "메밀면": ({"buckwheat"}, set()),
    "맥주": ({"barley"}, set()),
    "보리": ({"barley"}, set()),
    "오트밀": ({"oats"}, set()),
    "두부": ({"soy"}, set()),
    "유부": ({"soy"}, set()),
    "콩나물": ({"soy"}, set()),
    "참기름": ({"sesame"}, set()),
    "페스토": ({"milk", "pine_nut"}, set()),
    "다시다": ({"beef"}, set()),
}


@pytest.mark.parametrize("name", sorted(COMPOUND_PRODUCTS))
def test_every_compound_product_carries_its_allergens(name: str) -> None:
    item = lookup(name)
    assert item is not None, name
    contains, usually = COMPOUND_PRODUCTS[name]
    assert contains | usually <= item.allergens, (name, item.allergens)
    assert usually <= item.usual_allergens, (name, item.usual_allergens)
    # Avoiding any one of them keeps the product out.
    for allergen in contains | usually:
        assert carried(item) & expand([label(allergen)]), (name, allergen)


def test_usually_contains_is_a_subset_of_the_allergens_on_every_row() -> None:
    for item in all_ingredients():
        assert item.usual_allergens <= item.allergens, item.key
        assert item.allergens <= set(ALLERGENS), item.key


TREE_NUTS = {"호두", "잣", "아몬드", "캐슈", "피스타치오", "마카다미아", "헤이즐넛", "피칸", "브라질너트"}


@pytest.mark.parametrize(
    ("group", "members", "not_members"),
    [
        ("tree nuts", TREE_NUTS, {"땅콩", "참깨", "코코넛"}),
        ("견과류", TREE_NUTS | {"땅콩"}, {"참깨"}),
        ("글루텐", {"밀", "보리", "호밀", "귀리"}, {"쌀", "메밀", "옥수수"}),
        ("gluten", {"wheat", "barley", "rye", "oats"}, {"rice", "buckwheat"}),
        ("갑각류", {"새우", "게"}, {"오징어", "굴", "고등어"}),
        ("crustaceans", {"shrimp", "crab"}, {"squid", "oyster"}),
        ("연체류", {"오징어", "굴", "전복", "홍합"}, {"새우", "게", "고등어"}),
        ("molluscs", {"squid", "oyster", "mussel", "abalone"}, {"shrimp", "crab"}),
        ("생선", {"고등어", "fish"}, {"새우", "오징어", "굴"}),
        ("shellfish", {"shrimp", "crab", "squid", "oyster", "mussel", "abalone", "clam"}, {"mackerel"}),
        ("조개류", {"굴", "전복", "홍합", "조개"}, {"새우", "오징어"}),
    ],
)
def test_each_group_expands_to_its_members_and_no_more(
    group: str, members: set[str], not_members: set[str]
) -> None:
    keys = expand([group])
    for word in members:
        assert expand([word]) <= keys, (group, word)
    for word in not_members:
        assert not expand([word]) & keys, (group, word)


def test_a_named_nut_is_its_own_allergen_and_the_group_word_takes_them_all() -> None:
    almond_only = expand(["아몬드"])
    walnut = get("walnut")
    assert not carried(walnut) & almond_only  # an almond allergy may still have walnuts
    assert carried(get("almond")) & almond_only
    assert carried(walnut) & expand(["견과류"])
    assert carried(walnut) & expand(["tree nuts"])


def test_oats_are_in_the_gluten_group_for_cross_contact() -> None:
    assert "oats" in expand(["gluten"]) and "oats" not in expand(["밀"])
    assert "oats" in allergens.CROSS_CONTACT


@pytest.mark.parametrize(
    ("word", "food"), [("키위", "kiwi"), ("kiwi", "kiwi"), ("망고", "mango"), ("Mango", "mango")]
)
def test_any_food_of_the_table_can_be_avoided_by_name(word: str, food: str) -> None:
    keys = expand([word])
    assert carried(get(food)) & keys
    assert not carried(get("apple")) & keys
    assert label(f"food:{food}", "ko") == get(food).name_ko


def test_a_food_named_in_korean_takes_the_foods_made_of_it() -> None:
    keys = expand(["사과"])
    assert carried(get("apple_vinegar")) & keys  # 사과식초
    assert not carried(get("sweet_potato")) & expand(["감자"])  # 고구마 is another plant


@pytest.mark.parametrize(("word", "nearest"), [("키우", "키위"), ("peanutt", "peanut"), ("새우졋", "새우젓")])
def test_an_unknown_word_is_refused_naming_the_closest_known_words(word: str, nearest: str) -> None:
    with pytest.raises(UnknownAllergen) as info:
        expand([word])
    assert info.value.word == word
    assert info.value.allowed[0] == nearest
    assert nearest in str(info.value)


def test_the_profile_refuses_an_unknown_word_naming_the_field_and_the_closest_words() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_profile({"target": "diet", "allergies": ["키우"]})
    (problem,) = info.value.problems
    assert problem.field == "profile.allergies"
    assert "키우" in problem.problem
    assert "키위" in problem.allowed


def test_a_food_avoided_by_name_is_offered_foods_of_its_kind() -> None:
    avoid = expand(["키위"])
    offered = substitutes("kiwi", avoid)
    assert offered and "kiwi" not in offered
    assert all(get(key).category == get("kiwi").category for key in offered)
    assert all(not carried(get(key)) & avoid for key in offered)
