"""The shipped ingredient table: SR28 figures kept exactly, names, tags, allergens and unit weights."""

from __future__ import annotations

import csv
import importlib.util
import json
import math
import os
import re
from pathlib import Path
from types import ModuleType

import pytest

from aichef.knowledge import ingredients
from aichef.knowledge.allergens import ALLERGENS
from aichef.knowledge.ingredients import CATEGORIES, TAGS, Ingredient, Nutrients, all_ingredients, get, lookup

ROOT = Path(__file__).resolve().parents[3]
SR28_CSV = Path(os.environ.get("AICHEF_SR28_CSV", ROOT.parent / "shared" / "data" / "usda-sr28-abbrev.csv"))
FIELDS = ("kcal", "protein_g", "fat_g", "carbohydrate_g", "fiber_g", "sugar_g", "sodium_mg")

# Copied by hand from USDA SR28 (abbreviated file) per 100 g: kcal, protein, fat, carbohydrate,
# fiber, sugar, sodium. None is a blank in SR28 (not analysed), which the table stores as 0.
SR28_EXPECTED: list[tuple[str, str, tuple[float | None, ...]]] = [
    ("onion", "11282", (40.0, 1.1, 0.1, 9.34, 1.7, 4.24, 4.0)),  # ONIONS,RAW
    ("garlic", "11215", (149.0, 6.36, 0.5, 33.06, 2.1, 1.0, 17.0)),  # GARLIC,RAW
    ("potato", "11352", (77.0, 2.05, 0.09, 17.49, 2.1, 0.82, 6.0)),  # POTATOES,FLESH & SKN,RAW
    ("sweet_potato", "11507", (86.0, 1.57, 0.05, 20.12, 3.0, 4.18, 55.0)),  # SWEET POTATO,RAW,UNPREP
    ("carrot", "11124", (41.0, 0.93, 0.24, 9.58, 2.8, 4.74, 69.0)),  # CARROTS,RAW
    ("cabbage", "11109", (25.0, 1.28, 0.1, 5.8, 2.5, 3.2, 18.0)),  # CABBAGE,RAW
    ("napa_cabbage", "11119", (16.0, 1.2, 0.2, 3.23, 1.2, 1.41, 9.0)),  # CABBAGE,CHINESE (PE-TSAI),RAW
    ("korean_radish", "11430", (18.0, 0.6, 0.1, 4.1, 1.6, 2.5, 21.0)),  # RADISHES,ORIENTAL,RAW
    ("spinach", "11457", (23.0, 2.86, 0.39, 3.63, 2.2, 0.42, 79.0)),  # SPINACH,RAW
    ("cucumber", "11205", (15.0, 0.65, 0.11, 3.63, 0.5, 1.67, 2.0)),  # CUCUMBER,WITH PEEL,RAW
    ("eggplant", "11209", (25.0, 0.98, 0.18, 5.88, 3.0, 3.53, 2.0)),  # EGGPLANT,RAW
    ("broccoli", "11090", (34.0, 2.82, 0.37, 6.64, 2.6, 1.7, 33.0)),  # BROCCOLI,RAW
    ("tomato", "11529", (18.0, 0.88, 0.2, 3.89, 1.2, 2.63, 5.0)),  # TOMATOES,RED,RIPE,RAW,YEAR RND AVERAGE
    ("kimchi", "11118", (15.0, 1.1, 0.5, 2.4, 1.6, 1.06, 498.0)),  # CABBAGE,KIMCHI
    ("shiitake", "11238", (34.0, 2.24, 0.49, 6.79, 2.5, 2.38, 9.0)),  # MUSHROOMS,SHIITAKE,RAW
    ("enoki", "11950", (37.0, 2.66, 0.29, 7.81, 2.7, 0.22, 3.0)),  # MUSHROOMS,ENOKI,RAW
    ("apple", "9003", (52.0, 0.26, 0.17, 13.81, 2.4, 10.39, 1.0)),  # APPLES,RAW,WITH SKIN
    ("asian_pear", "9340", (42.0, 0.5, 0.23, 10.65, 3.6, 7.05, 0.0)),  # PEARS,ASIAN,RAW
    ("banana", "9040", (89.0, 1.09, 0.33, 22.84, 2.6, 12.23, 1.0)),  # BANANAS,RAW
    ("strawberry", "9316", (32.0, 0.67, 0.3, 7.68, 2.0, 4.89, 1.0)),  # STRAWBERRIES,RAW
    ("pork_belly", "10005", (518.0, 9.34, 53.01, 0.0, 0.0, 0.0, 32.0)),  # PORK,FRSH,BELLY,RAW
    (
        "ground_beef",
        "23567",
        (215.0, 18.59, 15.0, 0.0, 0.0, 0.0, 66.0),
    ),  # BEEF,GROUND,85% LN MEAT / 15% FAT,RAW
    ("mackerel", "15046", (205.0, 18.6, 13.89, 0.0, 0.0, 0.0, 90.0)),  # MACKEREL,ATLANTIC,RAW
    (
        "pollock",
        "15066",
        (56.0, 12.19, 0.41, 0.0, 0.0, 0.0, 333.0),
    ),  # FISH,POLLOCK,ALASKA,RAW (MAY HAVE BEEN PREVIOUSLY
    ("squid", "15175", (92.0, 15.58, 1.38, 3.08, 0.0, 0.0, 44.0)),  # SQUID,MIXED SPECIES,RAW
    (
        "shrimp",
        "15149",
        (71.0, 13.61, 1.01, 0.91, 0.0, 0.0, 566.0),
    ),  # CRUSTACEANS,SHRIMP,MXD SP,RAW (MAYBE PREVIOUSLY FR
    ("egg", "1123", (143.0, 12.56, 9.51, 0.72, 0.0, 0.37, 142.0)),  # EGG,WHL,RAW,FRSH
    (
        "milk",
        "1211",
        (61.0, 3.15, 3.27, 4.78, 0.0, 5.05, 43.0),
    ),  # MILK,WHL,3.25% MILKFAT,WO/ ADDED VIT A & VITAMIN D
    ("tofu", "16427", (76.0, 8.08, 4.78, 1.87, 0.3, 0.62, 7.0)),  # TOFU,RAW,REG,PREP W/CA SULFATE
    (
        "soft_tofu",
        "16127",
        (61.0, 7.17, 3.69, 1.18, 0.2, 0.7, 8.0),
    ),  # TOFU,SOFT,PREP W/CA SULFATE&MAGNESIUM CHLORIDE (NI
    ("white_rice", "20052", (358.0, 6.5, 0.52, 79.15, 2.8, None, 1.0)),  # RICE,WHITE,SHORT-GRAIN,ENR,UNCKD
    ("cooked_rice", "20053", (130.0, 2.36, 0.19, 28.73, None, None, 0.0)),  # RICE,WHITE,SHORT-GRAIN,ENR,CKD
    (
        "wheat_flour",
        "20081",
        (364.0, 10.33, 0.98, 76.31, 2.7, 0.27, 2.0),
    ),  # WHEAT FLR,WHITE,ALL-PURPOSE,ENR,BLEACHED
    ("soy_sauce", "16123", (53.0, 8.14, 0.57, 4.93, 0.8, 0.4, 5493.0)),  # SOY SAU MADE FROM SOY&WHEAT (SHOYU)
    ("sesame_oil", "4058", (884.0, 0.0, 100.0, 0.0, 0.0, 0.0, 0.0)),  # OIL,SESAME,SALAD OR COOKING
    ("sugar", "19335", (387.0, 0.0, 0.0, 99.98, 0.0, 99.8, 1.0)),  # SUGARS,GRANULATED
    ("honey", "19296", (304.0, 0.3, 0.0, 82.4, 0.2, 82.12, 4.0)),  # HONEY
    ("salt", "2047", (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 38758.0)),  # SALT,TABLE
    ("peanut", "16087", (567.0, 25.8, 49.24, 16.13, 8.5, 4.72, 18.0)),  # PEANUTS,ALL TYPES,RAW
    ("walnut", "12155", (654.0, 15.23, 65.21, 13.71, 6.7, 2.61, 2.0)),  # WALNUTS,ENGLISH
]


@pytest.mark.parametrize(("key", "ndb_no", "expected"), SR28_EXPECTED, ids=[row[0] for row in SR28_EXPECTED])
def test_single_food_matches_sr28_exactly(key: str, ndb_no: str, expected: tuple[float | None, ...]) -> None:
    food = get(key)
    assert food.ndb_no == ndb_no
    # A whole fish's figures are SR28's own; only its unknown edible share is noted.
    assert food.approximation is None or food.approximation.startswith("edible portion unknown"), key
    for name, value in zip(FIELDS, expected, strict=True):
        assert getattr(food.per_100g, name) == (0.0 if value is None else value), name
        assert (name in food.missing) == (value is None), name


def test_table_is_large_and_keys_are_unique_snake_case() -> None:
    items = all_ingredients()
    assert len(items) >= 420
    keys = [item.key for item in items]
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", key) for key in keys)


def test_every_row_uses_the_shared_vocabularies() -> None:
    for item in all_ingredients():
        assert item.category in CATEGORIES, item.key
        assert item.tags <= set(TAGS), item.key
        assert item.allergens <= set(ALLERGENS), item.key
        assert re.fullmatch(r"\d{4,5}", item.ndb_no), item.key
        assert item.name_ko and item.name_en and item.usda_description, item.key


def test_every_name_and_alias_finds_its_own_row() -> None:
    for item in all_ingredients():
        for name in (item.key, item.name_ko, item.name_en, *item.aliases):
            assert lookup(name) is item, (name, item.key)


def test_lookup_ignores_case_and_spaces_and_knows_korean_and_english() -> None:
    assert lookup("대파") is get("green_onion")
    assert lookup("  Green  Onion ") is get("green_onion")
    assert lookup("SCALLION") is get("scallion")
    assert lookup("다진 마늘") is get("garlic")
    assert lookup("다진마늘") is get("garlic")
    assert lookup("계란") is get("egg")
    assert lookup("soy_sauce") is get("soy_sauce")
    assert lookup("진간장") is get("soy_sauce")
    assert lookup("no such food") is None
    assert lookup("") is None


def test_get_unknown_key_raises_key_error_naming_it() -> None:
    with pytest.raises(KeyError, match="unicorn"):
        get("unicorn")


def test_approximations_say_why() -> None:
    approximated = [item for item in all_ingredients() if item.approximation is not None]
    assert len(approximated) >= 20
    for item in approximated:
        assert len(item.approximation or "") > 20, item.key
    assert "miso" in (get("gochujang").approximation or "").lower()
    assert "miso" in (get("doenjang").approximation or "").lower()
    assert get("fish_sauce").approximation is not None
    assert get("rice_cake").approximation is not None


def test_scaled_rows_say_so_and_stay_proportional_to_their_source() -> None:
    rice_flour = get("rice_flour").per_100g
    rice_cake = get("rice_cake")
    assert "x 0.68" in (rice_cake.approximation or "")
    assert rice_cake.ndb_no == get("rice_flour").ndb_no
    assert rice_cake.per_100g.kcal == pytest.approx(rice_flour.kcal * 0.68)
    assert rice_cake.per_100g.sodium_mg == pytest.approx(rice_flour.sodium_mg * 0.68)


@pytest.mark.parametrize("key", ["salt", "black_pepper", "vegetable_oil", "olive_oil", "soy_sauce", "sugar",
                                 "water", "vinegar", "sesame_oil", "sesame_seeds"])  # fmt: skip
def test_staples_are_tagged(key: str) -> None:
    assert "staple" in get(key).tags


@pytest.mark.parametrize("key", ["garlic", "onion", "egg", "green_onion", "gochujang", "honey"])
def test_non_staples_are_not_tagged(key: str) -> None:
    assert "staple" not in get(key).tags


def test_diet_tags_mark_the_foods_the_rules_look_for() -> None:
    for key in ("sugar", "corn_syrup", "oligosaccharide_syrup", "honey", "maesil_syrup", "maple_syrup"):
        assert "added_sugar" in get(key).tags, key
    assert get("honey").tags >= {"honey", "added_sugar"}
    assert "honey" not in get("sugar").tags
    for key in ("white_rice", "cooked_rice", "somen", "white_bread", "wheat_flour", "potato", "sweet_potato",
                "rice_cake", "corn_starch", "glass_noodles", "ramen_noodles"):  # fmt: skip
        assert "starch_staple" in get(key).tags, key
    for key in ("salt", "soy_sauce", "doenjang", "gochujang", "fish_sauce", "ssamjang", "oyster_sauce",
                "salted_shrimp", "beef_bouillon"):  # fmt: skip
        assert "salty_seasoning" in get(key).tags, key
    for key in ("gochugaru", "gochujang", "cheongyang_chili"):
        assert "spicy" in get(key).tags, key
    for key in ("walnut", "peanut", "pine_nut", "almond"):
        assert "whole_nut" in get(key).tags, key
    assert "whole_nut" not in get("peanut_butter").tags
    assert "whole_grape" in get("grapes").tags
    assert "meat" in get("pork_belly").tags and "meat" in get("chicken_breast").tags
    assert "seafood" in get("shrimp").tags and "seafood" not in get("tofu").tags


def test_allergens_of_common_korean_foods() -> None:
    assert get("soy_sauce").allergens == {"soy", "wheat"}
    assert {"soy", "wheat"} <= get("gochujang").allergens
    assert "soy" in get("doenjang").allergens
    assert "soy" in get("tofu").allergens and "soy" in get("soybean_sprouts").allergens
    assert "egg" in get("mayonnaise").allergens
    assert "milk" in get("butter").allergens
    assert "shellfish" in get("oyster_sauce").allergens
    assert "shrimp" in get("salted_shrimp").allergens
    assert "fish" in get("fish_sauce").allergens and "fish" in get("anchovy_dried").allergens
    assert {"mackerel", "fish"} <= get("mackerel").allergens
    assert "pine_nut" in get("pine_nut").allergens and "sesame" in get("sesame_oil").allergens
    assert "wheat" in get("somen").allergens and "wheat" not in get("rice_noodles").allergens
    assert "buckwheat" in get("buckwheat_noodles").allergens
    assert "tomato" in get("ketchup").allergens and "peach" in get("peach").allergens
    assert get("onion").allergens == frozenset()


def test_every_animal_food_carries_an_allergen_or_is_a_known_exception() -> None:
    # Korea's list names pork, beef, chicken, fish and shellfish groups; duck and lamb are not on it.
    exceptions = {"duck", "duck_lean", "smoked_duck", "turkey_breast", "lamb", "lamb_rack"}
    for item in all_ingredients():
        if item.category in ("meat", "poultry", "seafood", "egg", "dairy") and item.key not in exceptions:
            assert item.allergens, item.key


def test_unit_weights_are_positive_and_volumes_agree_with_the_density() -> None:
    for item in all_ingredients():
        for unit, grams in item.unit_grams.items():
            assert grams > 0, (item.key, unit)
            assert unit in item.unit_sources, (item.key, unit)
        density = item.unit_grams.get("ml")
        if density is None:
            continue
        for unit, ml in (("컵", 200.0), ("큰술", 15.0), ("작은술", 5.0)):
            # Only units measured from the same SR28 household weight as the density itself.
            if unit in item.unit_grams and item.unit_sources[unit].endswith(item.unit_sources["ml"]):
                # Each Korean measure is its millilitres times the density (rounded to 0.1 g).
                assert math.isclose(
                    item.unit_grams[unit], ml * density, abs_tol=0.06 + ml * density * 0.002
                ), (
                    item.key,
                    unit,
                )


def test_household_weights_come_from_sr28_where_it_has_them() -> None:
    egg = get("egg")
    assert egg.unit_grams["개"] == 50.0
    assert "1 large" in egg.unit_sources["개"]
    # SR28: soy sauce 1 tbsp (14.79 ml) = 16 g, so a 15 ml 큰술 weighs 16.2 g.
    assert get("soy_sauce").unit_grams["큰술"] == pytest.approx(16.0 / 14.787 * 15, abs=0.05)
    # SR28: sugar 1 tsp = 4.2 g.
    assert get("sugar").unit_grams["작은술"] == pytest.approx(4.2 / 4.929 * 5, abs=0.05)


def test_nutrients_scale_add_and_net_carbs() -> None:
    a = Nutrients(kcal=100, protein_g=2, fat_g=1, carbohydrate_g=20, fiber_g=5, sugar_g=3, sodium_mg=10)
    b = Nutrients(kcal=50, carbohydrate_g=1, fiber_g=3)
    assert a.scaled(0.5).kcal == 50
    assert (a + b).kcal == 150
    assert (a + b).fiber_g == 8
    assert a.net_carbs_g == 15
    assert b.net_carbs_g == 0  # never negative
    assert (a * 2).sodium_mg == 20
    assert a.as_dict()["net_carbs_g"] == 15


def test_nutrients_for_grams_uses_per_100g() -> None:
    egg = get("egg")
    assert egg.nutrients_for(50).kcal == pytest.approx(71.5)
    assert egg.nutrients_for(0).protein_g == 0


def test_ingredient_is_frozen() -> None:
    egg: Ingredient = get("egg")
    with pytest.raises(AttributeError):
        egg.key = "chicken"  # type: ignore[misc]


def test_recipe_library_names_all_resolve() -> None:
    recipes_dir = Path(ingredients.__file__).parent / "data" / "recipes"
    files = sorted(recipes_dir.glob("*.json"))
    if not files:
        pytest.skip(f"no recipe library at {recipes_dir} yet")
    unresolved: list[str] = []
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        for recipe in data["recipes"] if isinstance(data, dict) else data:
            for line in recipe["ingredients"]:
                name = line.get("item") or line.get("key") or line.get("name")
                if name is None or lookup(name) is None:
                    unresolved.append(f"{path.name}:{recipe.get('id')}:{name}")
    assert unresolved == []


def _load_build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_ingredients", ROOT / "tools" / "build_ingredients.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


needs_sr28 = pytest.mark.skipif(
    not SR28_CSV.exists(), reason=f"SR28 CSV not found at {SR28_CSV}; set AICHEF_SR28_CSV to cross-check"
)


@needs_sr28
def test_whole_table_matches_sr28_rows() -> None:
    with SR28_CSV.open(encoding="utf-8", newline="") as handle:
        sr28 = {row["NDB_No"]: row for row in csv.DictReader(handle)}
    columns = (
        "Energ_Kcal", "Protein_(g)", "Lipid_Tot_(g)", "Carbohydrt_(g)", "Fiber_TD_(g)", "Sugar_Tot_(g)",
        "Sodium_(mg)",
    )  # fmt: skip
    for item in all_ingredients():
        row = sr28[item.ndb_no]
        assert item.usda_description == row["Shrt_Desc"], item.key
        assert item.refuse_pct == float(row["Refuse_Pct"] or 0), item.key
        factor = 1.0
        match = re.search(r"SR28 figures x ([\d.]+)", item.approximation or "")
        if match:
            factor = float(match.group(1))
        # A processed Korean product names the nutrients a published table replaced ("sodium_mg: ...").
        replaced = set(item.source.split(":")[0].split(", ")) if not item.source.startswith("USDA") else set()
        if "sugar_g" in replaced:
            replaced.add("carbohydrate_g")  # raised to the published sugar where that is higher
        for name, column in zip(FIELDS, columns, strict=True):
            if name in replaced:
                continue
            expected = float(row[column]) * factor if row[column].strip() else 0.0
            assert getattr(item.per_100g, name) == pytest.approx(expected, abs=1e-3), (item.key, name)


@needs_sr28
def test_shipped_json_is_what_the_build_script_makes() -> None:
    build = _load_build_script()
    shipped = (Path(ingredients.__file__).parent / "data" / "ingredients.json").read_text(encoding="utf-8")
    assert build.render(SR28_CSV) == shipped


def test_lookup_drops_preparation_words_only_when_the_name_is_unknown() -> None:
    assert lookup("냉동 새우") is get("shrimp")
    assert lookup("깐 마늘") is get("garlic")
    assert lookup("onion, chopped") is get("onion")
    assert lookup("양파 (중간 크기)") is get("onion")
    assert lookup("다진 돼지고기") is get("ground_pork")  # an alias of its own, not pork shoulder
    assert lookup("생강") is get("ginger")  # "생" is dropped only as a whole word
    assert lookup("다진") is None
    assert lookup("frozen unicorn") is None
