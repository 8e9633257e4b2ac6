"""Allergen words, groups, labels and substitutions."""

from __future__ import annotations

import pytest

from aichef.knowledge import allergens
from aichef.knowledge.allergens import ALLERGENS, GROUPS, UnknownAllergen, expand, label, substitutes
from aichef.knowledge.ingredients import all_ingredients, get

KOREA_LIST = [
    "egg", "milk", "buckwheat", "peanut", "soy", "wheat", "mackerel", "crab", "shrimp", "pork", "peach",
    "tomato",
    "sulfites", "walnut", "chicken", "beef", "squid", "shellfish", "pine_nut",
]  # fmt: skip


def test_public_names_are_exactly_all() -> None:
    public = {name for name in vars(allergens) if not name.startswith("_") and name not in {"annotations"}}
    imported = {"Iterable", "Mapping", "MappingProxyType", "cache", "difflib", "re"}
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
