"""Reviewing a model's recipe: schema check, ingredient lines mapped to the table and weighed, nutrition
computed here (the model's numbers are never used), diet rules and allergies checked, repair feedback."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import ValidationError

from aichef.knowledge import diets, gate, nutrition
from aichef.knowledge.allergens import label
from aichef.knowledge.diets import RuleResult
from aichef.knowledge.generate import GeneratedRecipe, Line
from aichef.knowledge.generate.needs import needs_for
from aichef.knowledge.ingredients import Ingredient, all_ingredients, lookup
from aichef.knowledge.units import MASS_UNITS, VOLUME_UNITS, canonical_unit, to_grams
from aichef.models import Recipe, RecipeIngredient, SessionRequest
from aichef.providers._schema_check import schema_errors, short
from aichef.providers.prompts import TOOL_NAME, recipe_schema

_TARGET_TITLES = {
    "keto": ("키토", "Keto"), "diabetes": ("당뇨", "Diabetes"), "diet": ("다이어트", "Diet"),
    "baby_food": ("이유식", "Baby food"), "fridge": ("냉장고 파먹기", "Fridge"),
}  # fmt: skip


@dataclass(frozen=True)
class Review:
    """The verdict on one model recipe: ``served`` when it may be used, else the ``problems`` (each
    naming the field or rule id) that the feedback asks the model to fix."""

    served: GeneratedRecipe | None
    problems: tuple[str, ...]
    language: str = "ko"

    def feedback(self) -> str:
        """Repair instructions for the model, in the profile's language."""
        listed = "\n".join(f"- {p}" for p in self.problems)
        if self.language == "ko":
            return (
                "제출한 레시피를 그대로 쓸 수 없습니다. 아래 문제를 모두 고친 레시피 전체를 "
                f"`{TOOL_NAME}` 도구로 다시 제출하세요:\n{listed}"
            )
        return (
            "The submitted recipe cannot be served as it is. Fix every problem below and submit the "
            f"whole recipe again with the `{TOOL_NAME}` tool:\n{listed}"
        )


def _units_for(item: Ingredient) -> str:
    units = list(MASS_UNITS)[:2] + [u for u in item.unit_grams if u != "ml"]
    if "ml" in item.unit_grams:
        units += [u for u in VOLUME_UNITS if u not in units]
    return ", ".join(dict.fromkeys(units))


def _suggest(name: str, ko: bool) -> str:
    names = [i.name_ko if ko else i.name_en for i in all_ingredients()]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    if not close:
        return ""
    return (" 비슷한 이름: " if ko else " close names: ") + ", ".join(close)


def _map_lines(data: Mapping[str, Any], ko: bool) -> tuple[list[Line], list[str]]:
    lines: list[Line] = []
    problems: list[str] = []
    for index, raw in enumerate(data["ingredients"]):
        name, amount, unit = str(raw["name"]).strip(), float(raw["amount"]), str(raw["unit"]).strip()
        item = lookup(name)
        if item is None:
            text = (
                "은(는) 재료표에 없는 이름입니다; 허용 목록의 이름을 쓰세요."
                if ko
                else " is not in the ingredient table; use a name from the allowed list."
            )
            problems.append(f"ingredients[{index}].name: '{name}'{text}{_suggest(name, ko)}")
            continue
        grams = to_grams(item, amount, unit)
        if grams is None:
            what = (
                "단위를 무게로 바꿀 수 없습니다; 쓸 수 있는 단위"
                if ko
                else "cannot be weighed in this unit; use"
            )
            problems.append(f"ingredients[{index}].unit: '{unit}' ({name}) {what}: {_units_for(item)}")
            continue
        shown_unit = canonical_unit(unit) or unit
        lines.append(Line(item, grams, amount, shown_unit if ko else unit, name))
    return lines, problems


@cache
def _names() -> tuple[tuple[str, Ingredient], ...]:
    """Names to look for in free text, lower case, longest first: main names of two characters or
    more, aliases of three or more (short aliases such as 안심 or 사태 are everyday words too)."""
    pairs = {
        (name.lower(), item.key): item
        for item in all_ingredients()
        for name in (item.name_ko, item.name_en, *(a for a in item.aliases if len(a) >= 3))
        if len(name) >= 2
    }
    return tuple(sorted(((name, item) for (name, _), item in pairs.items()), key=lambda p: -len(p[0])))


def _whole_word(text: str, start: int, end: int) -> bool:
    """Latin names must stand alone ("ham" not in "shame"); Korean ones attach particles ("새우를")."""
    if not text[start:end].isascii():
        return True
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalpha()) and not (after.isascii() and after.isalpha())


def _mentions(data: Mapping[str, Any], avoid: frozenset[str], ko: bool) -> list[str]:
    """Avoided allergens named in the dish's name or steps though absent from its lines ("새우젓을 넣는다"):
    the cook follows the steps, so they must be as safe as the list. A name inside a longer one
    ("milk" in "coconut milk", "egg" in "eggplant") does not count on its own."""
    if not avoid:
        return []
    texts = [("recipeName", str(data["recipeName"]))]
    texts += [(f"instructions[{i}]", str(step)) for i, step in enumerate(data["instructions"])]
    problems: list[str] = []
    for where, text in texts:
        lowered = text.lower()
        spans: list[tuple[int, int, Ingredient]] = []
        for name, item in _names():
            start = lowered.find(name)
            while start >= 0:
                if _whole_word(lowered, start, start + len(name)):
                    spans.append((start, start + len(name), item))
                start = lowered.find(name, start + 1)
        found: dict[str, str] = {}
        for start, end, item in spans:
            hit = item.allergens & avoid
            # Only the longest name counts: a safe one hides its parts, an unsafe one is reported itself.
            inside = any(s <= start and end <= e and (e - s) > (end - start) for s, e, _ in spans)
            if hit and not inside:
                found.setdefault(
                    text[start:end], ", ".join(label(a, "ko" if ko else "en") for a in sorted(hit))
                )
        for word, allergy in found.items():
            text_ = (
                f"알레르기 식품 '{word}'({allergy})을(를) 언급합니다; 빼고 다시 쓰세요"
                if ko
                else (f"mentions '{word}' ({allergy} allergy); leave it out")
            )
            problems.append(f"[allergy.declared] {where}: {text_}")
    return problems


def _note(results: list[RuleResult], request: SessionRequest, source_id: str) -> str:
    profile = request.profile
    ko = profile.language == "ko"
    title = _TARGET_TITLES[profile.target][0 if ko else 1]
    prefix = profile.target.split("_")[0]
    picked = [r for r in results if r.id.split(".")[0] in (prefix, "condition", "allergy")]
    picked += [r for r in results if r.verdict == "warn" and r not in picked]
    made = (
        f"AI 모델({source_id})이 만든 레시피, 영양은 USDA SR28로 계산"
        if ko
        else f"recipe by the model {source_id}; nutrition computed from USDA SR28"
    )
    return f"[{title}] " + " / ".join([*(r.explanation for r in picked), made])


def review(data: object, request: SessionRequest, source_id: str) -> Review:
    """Check one model recipe (the tool's arguments) and, when every hard rule passes, serve it.

    The model's nutrition figures, if any slipped in, are rejected by the schema: the served
    nutrition is :func:`nutrition.compute` of the weighed ingredient lines.
    """
    profile = request.profile
    ko = profile.language == "ko"
    language = profile.language
    if not isinstance(data, dict):
        got = short(data)
        text = "JSON 객체가 아닙니다" if ko else "is not a JSON object"
        return Review(None, (f"(recipe): {text}: {got}",), language)
    errors = schema_errors(data, recipe_schema(request))
    if errors:
        return Review(None, tuple(errors), language)
    lines, problems = _map_lines(data, ko)
    if problems:
        return Review(None, tuple(problems), language)
    pairs = [(x.ingredient, x.grams) for x in lines]
    report = nutrition.compute(pairs, profile.servings)
    cooking_time = int(data["cookingTime"])
    texture = str(data["texture"])
    # The generator's own reading of the profile: the fridge share counts the pantry as on hand, so a
    # model's recipe is judged exactly as an offline one.
    needs = needs_for(request)
    results = needs.checker.check(pairs, report, cooking_time, texture)
    blocking = [f"[{r.id}] {r.explanation}" for r in diets.hard_failures(results)]
    blocking += _mentions(data, profile.allergen_keys(), ko)
    if blocking:
        return Review(None, tuple(blocking), language)
    on_hand = needs.owned
    share: float | None = None
    if profile.target == "fridge":
        needed = {x.ingredient.key for x in lines if "staple" not in x.ingredient.tags}
        share = 100.0 * len(needed & on_hand) / len(needed) if needed else 100.0
    try:
        recipe = Recipe(
            recipeName=data["recipeName"],
            description=data["description"],
            cookingTime=cooking_time,
            difficulty=data["difficulty"],
            servings=profile.servings,
            ingredients=[
                RecipeIngredient(
                    name=x.written, amount=round(x.amount, 2), unit=x.unit, grams=round(x.grams, 1)
                )
                for x in lines
            ],
            instructions=[str(step).strip() for step in data["instructions"]],
            targetNote=_note(results, request, source_id),
        )
    except ValidationError as exc:  # the schema should have caught it; never let it escape mid-run
        problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False)]
        return Review(None, tuple(problems), language)
    # The last safety gate, as for the offline generator: allergen words anywhere, sodium, seasoning
    # amounts, zero lines, and steps that name only listed ingredients.
    violations = gate.inspect(recipe, pairs, profile)
    if violations:
        return Review(None, tuple(f"[{v.rule}] {v.detail}" for v in violations), language)
    to_buy = tuple(
        (x.ingredient, x.grams)
        for x in lines
        if x.ingredient.key != "water"
        and not (profile.target == "fridge" and "staple" in x.ingredient.tags)
        and not (profile.target == "fridge" and x.ingredient.key in on_hand)
    )
    served = GeneratedRecipe(
        recipe=recipe,
        source_id=source_id,
        texture=texture,
        lines=tuple(lines),
        nutrition=report,
        rules=tuple(results),
        changes=(),
        on_hand_share=share,
        to_buy=to_buy,
    )
    return Review(served, (), language)
