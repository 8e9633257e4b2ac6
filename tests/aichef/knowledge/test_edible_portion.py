"""Nutrition of what is eaten: a whole chicken's bones are weighed when bought but never eaten.

The oracle below is written from USDA SR28 figures (kcal per 100 g of the edible part and
Refuse_Pct of each NDB row), independent of the product's table and code.
"""

from __future__ import annotations

import pytest

from aichef.handlers.recipe import recipe_payload
from aichef.knowledge import nutrition
from aichef.knowledge.generator import GeneratedRecipe, adapt_recipe
from aichef.knowledge.ingredients import all_ingredients, get
from aichef.models import Profile
from aichef.render import render_result

# SR28: NDB_No -> (kcal per 100 g edible portion, Refuse_Pct)
SR28 = {
    "chicken, broilers or fryers, meat and skin, raw (05006)": (215.0, 32.0),
    "rice, white, glutinous, raw (20054)": (370.0, 0.0),
    "garlic, raw (11215)": (149.0, 0.0),  # 13 % refuse, but recipes weigh peeled cloves
    "jujube, raw (09146)": (79.0, 7.0),  # whole jujubes: the pit is thrown away
    "onions, welsh, raw (11293)": (34.0, 0.0),  # weighed trimmed
    "onions, raw (11282)": (40.0, 0.0),  # weighed peeled
    "spices, pepper, black (02030)": (251.0, 0.0),
}
CHICKEN, RICE, GARLIC, JUJUBE, GREEN_ONION, ONION, PEPPER = SR28


def _kcal(lines: list[tuple[str, float]]) -> float:
    return sum(grams * (1 - SR28[food][1] / 100) * SR28[food][0] / 100 for food, grams in lines)


# The two dishes as the library writes them (water and salt have no energy).
BAEKSUK = [(CHICKEN, 1000), (GARLIC, 30), (JUJUBE, 20), (GREEN_ONION, 50), (ONION, 100), (PEPPER, 0.5)]
SAMGYETANG = [(CHICKEN, 600), (RICE, 60), (GARLIC, 30), (JUJUBE, 20), (GREEN_ONION, 20)]
# The SR28 food each served line stands for; a diet rule may have cut a line (the rice), so the
# oracle weighs what is served, line by line.
BY_KEY = {"chicken_whole": CHICKEN, "glutinous_rice": RICE, "garlic": GARLIC, "jujube": JUJUBE,
          "green_onion": GREEN_ONION, "onion": ONION, "black_pepper": PEPPER}  # fmt: skip


def _served(recipe_id: str, servings: int) -> GeneratedRecipe:
    served = adapt_recipe(recipe_id, Profile(target="diet", servings=servings))
    assert isinstance(served, GeneratedRecipe), served
    return served


@pytest.mark.parametrize(
    ("recipe_id", "servings", "lines", "bought", "eaten"),
    [("dak_baeksuk", 4, BAEKSUK, 1000, 680), ("samgyetang", 2, SAMGYETANG, 600, 408)],
)
def test_whole_chicken_dishes_count_and_show_the_edible_part(
    recipe_id: str, servings: int, lines: list[tuple[str, float]], bought: float, eaten: float
) -> None:
    served = _served(recipe_id, servings)
    served_lines = [(BY_KEY[x.ingredient.key], x.grams) for x in served.lines if x.ingredient.key in BY_KEY]
    assert {food for food, _ in served_lines} == {food for food, _ in lines}
    oracle = _kcal(served_lines) / servings
    assert served.nutrition.per_serving.kcal == pytest.approx(oracle, rel=0.05)
    # Counting the bones as meat would be a third too much.
    assert served.nutrition.per_serving.kcal < 0.8 * (oracle + 215 * 0.32 * bought / 100 / servings)
    payload = recipe_payload(served, "offline")
    chicken = [item for item in payload["recipe"]["ingredients"] if item["grams"] == bought]
    assert len(chicken) == 1 and chicken[0]["edibleGrams"] == pytest.approx(eaten)
    others = [item for item in payload["recipe"]["ingredients"] if item["grams"] != bought]
    assert all(item.get("edibleGrams") in (None, pytest.approx(item["grams"] * 0.93)) for item in others)
    source = next(s for s in served.nutrition.sources if s["key"] == "chicken_whole")
    assert (source["grams"], source["edibleGrams"]) == (bought, pytest.approx(eaten))


def test_the_terminal_shows_bought_and_eaten_grams() -> None:
    served = _served("dak_baeksuk", 4)
    payload = recipe_payload(served, "offline")
    result = {
        **payload,
        "language": "ko",
        "pricing": {"items": [], "totalEstimatedCost": 0, "costPerServing": 0},
    }
    text = render_result(result)
    assert "(1000 g, 먹는 부분 680 g)" in text
    english = render_result({**result, "language": "en"})
    assert "(1000 g, edible part 680 g)" in english


def test_rows_weighed_as_eaten_lose_nothing() -> None:
    # 닭가슴살 200 g is meat already; an egg's SR28 weight is without its shell.
    for key in ("chicken_breast", "egg", "chicken_thigh", "banana", "walnut"):
        item = get(key)
        assert not item.bought_with_refuse, key
        assert item.edible_grams(200) == 200
    assert get("chicken_whole").refuse_pct == 32.0
    assert get("chicken_whole").edible_grams(1000) == pytest.approx(680)
    report = nutrition.compute([(get("chicken_whole"), 100.0)], servings=1)
    assert report.total.kcal == pytest.approx(215 * 0.68)


def test_every_row_bought_with_refuse_says_what_is_thrown_away() -> None:
    bought = [item for item in all_ingredients() if item.bought_with_refuse]
    assert {"chicken_whole", "beef_short_ribs", "chicken_drumstick", "mackerel", "clam"} <= {
        i.key for i in bought
    }
    for item in bought:
        assert item.refuse_desc, item.key
        if item.refuse_pct == 0:  # SR28 gives no edible share for a whole fish or shellfish
            assert "edible portion unknown" in (item.approximation or ""), item.key
    for item in all_ingredients():  # the refuse of every food that has some is named, bought or not
        assert (item.refuse_desc is not None) == (item.refuse_pct > 0 or item.bought_with_refuse), item.key
    assert get("egg").refuse_desc == "shell" and get("banana").refuse_desc == "skin"
