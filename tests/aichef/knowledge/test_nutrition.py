"""Recipe nutrition: sums of SR28 rows by weight, per serving, net carbs, energy shares, sources."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aichef.knowledge.ingredients import Nutrients, all_ingredients, get
from aichef.knowledge.nutrition import ENERGY_FACTORS, compute, energy_share


def test_one_food_at_100_g_is_its_sr28_row() -> None:
    egg = get("egg")
    report = compute([(egg, 100.0)], servings=1)
    assert report.total == egg.per_100g
    assert report.per_serving == egg.per_100g


def test_lines_add_up_and_divide_by_servings() -> None:
    rice, egg, oil = get("cooked_rice"), get("egg"), get("sesame_oil")
    report = compute([(rice, 210.0), (egg, 50.0), (oil, 13.6)], servings=2)
    expected_kcal = 130 * 2.1 + 143 * 0.5 + 884 * 0.136
    assert report.total.kcal == pytest.approx(expected_kcal)
    assert report.per_serving.kcal == pytest.approx(expected_kcal / 2)
    assert report.total.protein_g == pytest.approx(2.36 * 2.1 + 12.56 * 0.5)
    assert report.total.sodium_mg == pytest.approx(0 * 2.1 + 142 * 0.5 + 0)
    assert report.servings == 2


def test_net_carbs_are_carbohydrate_minus_fiber() -> None:
    onion = get("onion")  # SR28: carbohydrate 9.34 g, fiber 1.7 g per 100 g
    report = compute([(onion, 200.0)], servings=4)
    assert report.net_carbs_total_g == pytest.approx((9.34 - 1.7) * 2)
    assert report.net_carbs_g == pytest.approx((9.34 - 1.7) * 2 / 4)
    assert report.per_serving.net_carbs_g == pytest.approx(report.net_carbs_g)


def test_energy_shares_follow_the_factors_and_add_to_100() -> None:
    belly = get("pork_belly")
    share = compute([(belly, 300.0)], servings=3).energy_share
    protein, fat = 9.34 * 4, 53.01 * 9
    assert share["fat"] == pytest.approx(100 * fat / (protein + fat))
    assert share["protein"] == pytest.approx(100 * protein / (protein + fat))
    assert share["carbohydrate"] == 0
    assert sum(share.values()) == pytest.approx(100)
    assert ENERGY_FACTORS == {"protein": 4.0, "fat": 9.0, "net_carbohydrate": 4.0, "fiber": 2.0}


def test_fiber_counts_two_kcal_per_gram_in_the_carbohydrate_share() -> None:
    share = energy_share(Nutrients(carbohydrate_g=10, fiber_g=4, protein_g=1))
    carbs = 6 * 4 + 4 * 2
    assert share["carbohydrate"] == pytest.approx(100 * carbs / (carbs + 4))


def test_no_energy_gives_zero_shares() -> None:
    assert energy_share(Nutrients()) == {"protein": 0.0, "fat": 0.0, "carbohydrate": 0.0}
    assert compute([(get("salt"), 5.0)], servings=1).energy_share["fat"] == 0.0


def test_sources_keep_ndb_numbers_grams_and_approximations() -> None:
    report = compute([(get("egg"), 50.0), (get("gochujang"), 17.0)], servings=1)
    assert report.sources[0] == {
        "key": "egg",
        "ndb_no": "1123",
        "grams": 50.0,
        "edibleGrams": 50.0,  # SR28's egg weight is without the shell already
        "source": "USDA SR28 NDB_No 1123",
        "approximation": None,
    }
    assert report.sources[1]["ndb_no"] == "16112"
    assert "miso" in (report.sources[1]["approximation"] or "").lower()


def test_empty_recipe_is_all_zero() -> None:
    report = compute([], servings=2)
    assert report.total == Nutrients()
    assert report.sources == []


def test_bad_servings_and_negative_grams_are_refused() -> None:
    with pytest.raises(ValueError, match="servings"):
        compute([(get("egg"), 50.0)], servings=0)
    with pytest.raises(ValueError, match="egg"):
        compute([(get("egg"), -1.0)], servings=1)


def test_as_dict_is_rounded_and_names_every_nutrient() -> None:
    data = compute([(get("egg"), 55.0)], servings=2).as_dict()
    assert data["servings"] == 2
    assert data["perServing"]["kcal"] == round(143 * 0.55 / 2, 1)
    assert set(data["perServing"]) == {
        "kcal", "protein_g", "fat_g", "carbohydrate_g", "fiber_g", "sugar_g", "sodium_mg", "net_carbs_g",
    }  # fmt: skip
    assert set(data["energyShare"]) == {"protein", "fat", "carbohydrate"}
    assert data["sources"][0]["ndb_no"] == "1123"


keys = st.sampled_from([item.key for item in all_ingredients()])


@given(st.lists(st.tuples(keys, st.floats(0, 2000, allow_nan=False)), max_size=8), st.integers(1, 12))
def test_per_serving_times_servings_is_the_total(lines: list[tuple[str, float]], servings: int) -> None:
    report = compute([(get(key), grams) for key, grams in lines], servings)
    assert report.per_serving.kcal * servings == pytest.approx(report.total.kcal, abs=1e-6)
    assert report.per_serving.sodium_mg * servings == pytest.approx(report.total.sodium_mg, abs=1e-6)
    assert report.net_carbs_total_g >= 0
    shares = report.energy_share.values()
    assert all(0 <= value <= 100 for value in shares)
    assert sum(shares) == pytest.approx(100) or sum(shares) == 0
