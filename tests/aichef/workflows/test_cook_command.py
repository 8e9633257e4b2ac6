"""The `aichef` command: cook, sessions, show; bad input; 200 random profiles end to end."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path
from typing import Any

import pytest

from aichef.cli import main
from aichef.knowledge import allergens
from aichef.knowledge.ingredients import lookup


def cook(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["cook", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cook_prints_recipe_nutrition_verdicts_and_shopping_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cook(
        capsys, "--target", "keto", "--allergy", "nuts", "--budget", "30000", "--servings", "2"
    )
    assert code == 0, err
    for heading in ("재료", "만드는 법", "영양 (1인분", "식단 기준 점검", "장보기 목록", "1인분 비용"):
        assert heading in out
    assert "100%" in err and "completed" in err  # the progress bar reached the end


def test_cook_reads_korean_money_and_the_pantry_choice(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cook(capsys, "--target", "keto", "--budget", "3만 5천원", "--pantry", "none", "--json")
    assert code == 0, err
    pricing = json.loads(out)["pricing"]
    assert pricing["budget"] == 35000
    assert pricing["assumedInPantry"] == []
    code, out, err = cook(capsys, "--target", "keto", "--budget", "₩35,000", "--json")
    assert code == 0, err
    pricing = json.loads(out)["pricing"]
    assert pricing["budget"] == 35000
    bought = {item["ingredientKey"] for item in pricing["items"]}
    assert not bought & {"salt", "black_pepper", "sesame_oil", "soy_sauce", "vegetable_oil", "garlic"}


def test_cook_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cook(capsys, "--target", "diet", "--language", "en", "--max-calories", "600")
    assert code == 0
    assert "Nutrition per serving" in out and "Shopping list" in out


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--target", "paleo"], "profile.target"),
        (["--target", "keto", "--budget", "-5"], "profile.budget"),
        (["--target", "keto", "--budget", "삼만원"], "profile.budget"),
        (["--target", "keto", "--budget", "20,000,000"], "profile.budget"),
        (["--target", "keto", "--pantry", "소금,유니콘"], "profile.pantry"),
        (["--target", "keto", "--allergy", "unicorn"], "profile.allergies"),
        (["--target", "baby_food"], "babyAgeMonths"),
    ],
)
def test_bad_input_exits_2_naming_the_field_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], argv: list[str], field: str, tmp_path: Path
) -> None:
    code, _, err = cook(capsys, *argv)
    assert code == 2
    assert field in err and "Traceback" not in err
    assert main(["sessions"]) == 0
    assert "processing" not in capsys.readouterr().out  # no session was created


def test_sessions_and_show_replay_a_past_session(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cook(capsys, "--target", "diabetes", "--json")
    assert code == 0
    result = json.loads(out)
    assert main(["sessions"]) == 0
    listing = capsys.readouterr().out
    assert result["sessionId"] in listing and "completed" in listing
    assert main(["show", result["sessionId"], "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == result
    assert main(["show", "no-such-session"]) == 2


ALLERGY_WORDS = ["nuts", "우유", "egg", "새우", "밀", "soy", "peanut", "seafood", "돼지고기", "beef"]
FRIDGE_WORDS = [
    "계란",
    "두부",
    "대파",
    "양파",
    "감자",
    "당근",
    "애호박",
    "김치",
    "돼지고기",
    "닭가슴살",
    "버섯",
    "시금치",
]


def _random_profile(rng: random.Random, target: str) -> list[str]:
    argv = [
        "--target",
        target,
        "--servings",
        str(rng.randint(1, 6)),
        "--budget",
        str(rng.choice([10000, 30000, 60000])),
    ]
    for word in rng.sample(ALLERGY_WORDS, rng.choice([0, 0, 1, 2])):
        argv += ["--allergy", word]
    if rng.random() < 0.4:
        argv += ["--max-time", str(rng.choice([15, 30, 45, 60]))]
    if rng.random() < 0.4:
        argv += ["--max-calories", str(rng.choice([350, 500, 700]))]
    if target == "baby_food":
        argv += ["--age-months", str(rng.randint(6, 36))]
    if target == "fridge":
        argv += ["--fridge", ",".join(rng.sample(FRIDGE_WORDS, rng.randint(2, 6)))]
    return argv


def _check(argv: list[str], result: dict[str, Any]) -> None:
    """Independent checks of a result: no declared allergen, no failed hard rule, limits kept."""
    values = dict(zip(argv[::2], argv[1::2], strict=False))
    declared = allergens.expand([argv[i + 1] for i, a in enumerate(argv) if a == "--allergy"])
    for item in result["recipe"]["ingredients"]:
        ingredient = lookup(item["name"])
        assert ingredient is not None, item["name"]
        assert not (ingredient.allergens & declared), (item["name"], declared)
    assert not [r for r in result["compliance"] if r["hard"] and r["verdict"] == "fail"]
    if "--max-time" in values:
        assert result["recipe"]["cookingTime"] <= int(values["--max-time"])
    if "--max-calories" in values:
        assert result["nutrition"]["perServing"]["kcal"] <= int(values["--max-calories"]) + 0.5


def test_200_random_profiles_complete_or_name_the_unmet_constraint(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rng = random.Random(20261122)
    targets = ["keto", "baby_food", "diabetes", "diet", "fridge"]
    completed = 0
    for i in range(200):
        argv = _random_profile(rng, targets[i % 5])
        code, out, err = cook(capsys, *argv, "--json")
        assert code in (0, 1), err
        if code == 0:
            _check(argv, json.loads(out))
            completed += 1
        else:
            failure = json.loads(out)
            assert failure["status"] == "failed"
            assert failure["error"]["code"] == "ConstraintNotMet"
            assert failure["error"]["message"]
    assert completed >= 150


def test_a_missing_model_credential_is_reported_at_start(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AICHEF_PROVIDER", "anthropic")
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    code, _, err = cook(capsys, "--target", "keto")
    assert code == 2
    assert "ANTHROPIC_API_KEY" in err and "Traceback" not in err


def test_a_bad_durability_level_is_reported_at_start(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASL_SYNCHRONOUS", "sometimes")
    code, _, err = cook(capsys, "--target", "keto")
    assert code == 2
    assert "ASL_SYNCHRONOUS" in err and "FULL or NORMAL" in err and "Traceback" not in err


def test_the_kitchen_opens_both_stores_at_the_durability_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aichef.service import Kitchen

    monkeypatch.setenv("ASL_SYNCHRONOUS", "full")
    kitchen = Kitchen(data_dir=tmp_path)
    try:
        assert kitchen.store.synchronous == kitchen.runtime.store.synchronous == "FULL"
    finally:
        asyncio.run(kitchen.close())
