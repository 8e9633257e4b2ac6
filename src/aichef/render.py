"""The combined result as a person reads it in a terminal: recipe, nutrition, verdicts, shopping list."""

from __future__ import annotations

import unicodedata
from typing import Any

__all__ = ["format_amount", "ingredient_text", "progress_bar", "render_result", "render_sessions"]

_LABELS = {
    "ko": {
        "servings": "인분",
        "serving": "인분",
        "minutes": "분",
        "ingredients": "재료",
        "steps": "만드는 법",
        "nutrition": "영양 (1인분, USDA SR28 기준)",
        "energy": "열량",
        "protein": "단백질",
        "fat": "지방",
        "carbohydrate": "탄수화물",
        "fiber": "식이섬유",
        "net_carbs": "순탄수화물",
        "sugar": "당류",
        "sodium": "나트륨",
        "share": "에너지 비율",
        "compliance": "식단 기준 점검",
        "shopping": "장보기 목록",
        "estimate": "참고 가격(추정치)",
        "live": "실시간",
        "owned": "이미 있는 재료",
        "notes": "조정 내용",
        "used": "사용",
        "left": "남음",
        "summary": "장보기 요약",
        "approx": "근사값 사용",
        "edible": "먹는 부분",
    },
    "en": {
        "servings": " servings",
        "serving": " serving",
        "minutes": " min",
        "ingredients": "Ingredients",
        "steps": "Steps",
        "nutrition": "Nutrition per serving (USDA SR28)",
        "energy": "Energy",
        "protein": "Protein",
        "fat": "Fat",
        "carbohydrate": "Carbohydrate",
        "fiber": "Fiber",
        "net_carbs": "Net carbs",
        "sugar": "Sugars",
        "sodium": "Sodium",
        "share": "Energy share",
        "compliance": "Diet checks",
        "shopping": "Shopping list",
        "estimate": "reference estimate",
        "live": "live",
        "owned": "Already owned",
        "notes": "Adjustments",
        "used": "used",
        "left": "left over",
        "summary": "Shopping summary",
        "approx": "approximations used",
        "edible": "edible part",
    },
}
_VERDICT = {"pass": "✓", "warn": "!", "fail": "✗"}


def _width(text: str) -> int:
    """Display width: Hangul and other wide characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _won(amount: Any, language: str = "ko") -> str:
    if amount is None:
        return "-"
    return f"{int(amount):,} KRW" if language == "en" else f"{int(amount):,}원"


# The reference table's vendor name as the English page says it.
_VENDORS_EN = {"참고 가격표": "reference price table"}


# Kitchen fractions: a cook reads "½개", never "0.5개" or "0.38개".
_FRACTIONS = ((0.25, "¼"), (1 / 3, "⅓"), (0.5, "½"), (2 / 3, "⅔"), (0.75, "¾"))
# English units as a count reads them: "2 cloves", "1 clove"; spoons and weights do not change.
_PLURALS = {"leaf": "leaves", "pinch": "pinches", "whole": "whole", "Tbsp": "Tbsp", "tsp": "tsp"}
_WEIGHTS = frozenset({"g", "kg", "ml"})


def format_amount(amount: float, unit: str, language: str = "ko") -> str:
    """An amount as a cook reads it: weights as numbers ("600g"), counts and spoons in the nearest
    kitchen fraction ("½개", "1¼큰술", "¾ cup"; never "0.38개").
    English puts a space before the unit and counts above one in the plural ("2 cloves")."""
    if unit in _WEIGHTS:
        number = f"{amount:,.0f}" if amount >= 10 else f"{amount:g}"
    else:
        # The nearest kitchen fraction: 0.38 of a pear is a third, 1.3 spoons one and a third.
        whole = int(amount)
        options = [(0.0, ""), *_FRACTIONS, (1.0, "")] if whole else [*_FRACTIONS, (1.0, "")]
        value, glyph = min(options, key=lambda option: abs(amount - whole - option[0]))
        whole += int(value)  # 1.97 -> 2 (value 1.0, no glyph); a fraction's value is below 1
        number = f"{whole or ''}{glyph}" if glyph else f"{whole}"
    if language != "en":
        return f"{number}{unit}"
    if unit not in _WEIGHTS and amount > 1 and unit:
        unit = _PLURALS.get(unit, unit + "s")
    return f"{number} {unit}"


def ingredient_text(item: dict[str, Any], language: str = "ko") -> str:
    """One ingredient line: name, amount in kitchen units and, unless the unit is already grams,
    the weight; bones or shell add the edible part ("닭 1마리 (1000 g, 먹는 부분 680 g)")."""
    t = _LABELS["en" if language == "en" else "ko"]
    text = f"{item['name']} {format_amount(item['amount'], item['unit'], language)}"
    grams = item.get("grams")
    edible = item.get("edibleGrams")
    if grams and edible is not None:
        return f"{text} ({grams:g} g, {t['edible']} {edible:g} g)"
    if grams and item["unit"] != "g":
        return f"{text} ({grams:g} g)"
    return text


def render_result(result: dict[str, Any]) -> str:
    language = result.get("language", "ko")
    t = _LABELS["en" if language == "en" else "ko"]
    recipe = result["recipe"]
    lines = [
        f"🍳 {recipe['recipeName']}",
        f"   {recipe['description']}",
        f"   {recipe['cookingTime']}{t['minutes']} · {recipe['difficulty']}"
        f" · {recipe['servings']}{t['serving'] if recipe['servings'] == 1 else t['servings']}",
        "",
        t["ingredients"],
    ]
    for item in recipe["ingredients"]:
        lines.append(f"  - {ingredient_text(item, language)}")
    lines += ["", t["steps"]]
    lines += [f"  {i}. {step}" for i, step in enumerate(recipe["instructions"], 1)]
    if recipe.get("targetNote"):
        lines += ["", f"  {recipe['targetNote']}"]
    lines += ["", _nutrition(result["nutrition"], t), "", t["compliance"]]
    for rule in result.get("compliance", []):
        title = rule["title"]["en" if language == "en" else "ko"]
        explanation = rule["explanation"]
        text = explanation if explanation.startswith(title) else f"{title}: {explanation}"
        lines.append(f"  {_VERDICT.get(rule['verdict'], '?')} {text}")
    lines += ["", _shopping(result["pricing"], t, "en" if language == "en" else "ko")]
    if result.get("notes"):
        lines += ["", t["notes"]] + [f"  - {note}" for note in result["notes"]]
    return "\n".join(lines)


def _nutrition(nutrition: dict[str, Any], t: dict[str, str]) -> str:
    per = nutrition["perServing"]
    rows = [
        (t["energy"], f"{per.get('kcal', 0):.0f} kcal"),
        (t["protein"], f"{per.get('protein_g', 0):.1f} g"),
        (t["fat"], f"{per.get('fat_g', 0):.1f} g"),
        (t["carbohydrate"], f"{per.get('carbohydrate_g', 0):.1f} g"),
        (t["fiber"], f"{per.get('fiber_g', 0):.1f} g"),
        (t["net_carbs"], f"{per.get('net_carbs_g', 0):.1f} g"),
        (t["sugar"], f"{per.get('sugar_g', 0):.1f} g"),
        (t["sodium"], f"{per.get('sodium_mg', 0):.0f} mg"),
    ]
    share = nutrition.get("energyShare", {})
    text = [t["nutrition"]] + [f"  {_pad(name, 16)}{value:>10}" for name, value in rows]
    text.append(
        f"  {t['share']}: {t['protein']} {share.get('protein', 0):.0f}%"
        f" · {t['fat']} {share.get('fat', 0):.0f}%"
        f" · {t['carbohydrate']} {share.get('carbohydrate', 0):.0f}%"
    )
    approximations = sum(1 for s in nutrition.get("sources", []) if s.get("approximation"))
    if approximations:
        text.append(f"  ({t['approx']}: {approximations})")
    return "\n".join(text)


def _shopping(plan: dict[str, Any], t: dict[str, str], language: str) -> str:
    from aichef.knowledge.summary import purchase_summary

    text = [t["shopping"]]
    for item in plan["items"]:
        label = t["estimate"] if item.get("isEstimate") else t["live"]
        left = item.get("leftoverGrams", 0)
        vendor = _VENDORS_EN.get(item["vendor"], item["vendor"]) if language == "en" else item["vendor"]
        text.append(
            f"  - {_pad(item['ingredient'], 14)} {item['package']} · {vendor} · "
            f"{_won(item['purchaseCost'], language)} ({t['used']} {item['neededGrams']:g} g ≈ "
            f"{_won(item['costOfAmountNeeded'], language)}"
            + (
                f" · {t['left']} {left:,.0f} g ≈ {_won(item.get('valueLeftover', 0), language)}"
                if left
                else ""
            )
            + f") [{label}]"
        )
    if plan.get("alreadyOwned"):
        text.append(f"  {t['owned']}: {', '.join(plan['alreadyOwned'])}")
    # The same sentences as the page and the API: one function writes them (stored results too).
    summary = plan.get("summary") or purchase_summary(plan, language)
    text += ["", t["summary"]] + [f"  {line}" for line in summary["lines"]]
    return "\n".join(text)


def progress_bar(
    progress: int, phase: str, width: int = 30, *, writing: Any = None, language: str = "ko"
) -> str:
    """One line of progress; ``writing`` (the session's ``{"pieces": n}`` while a model streams its
    recipe) adds how far it has written.

    >>> progress_bar(10, "recipe_generation", 10, writing={"pieces": 42})
    '[█·········]  10% recipe_generation · 모델이 쓰는 중 42'
    >>> progress_bar(10, "recipe_generation", 10, writing={"pieces": 7}, language="en")
    '[█·········]  10% recipe_generation · model writing 7'
    """
    filled = round(width * max(0, min(progress, 100)) / 100)
    line = f"[{'█' * filled}{'·' * (width - filled)}] {progress:3d}% {phase}"
    pieces = writing.get("pieces") if isinstance(writing, dict) else None
    if isinstance(pieces, int) and pieces > 0 and phase == "recipe_generation":
        line += f" · {'model writing' if language == 'en' else '모델이 쓰는 중'} {pieces}"
    return line


def render_sessions(sessions: list[dict[str, Any]]) -> str:
    rows = [("SESSION", "CREATED", "TARGET", "STATUS", "PROGRESS")]
    for s in sessions:
        rows.append(
            (
                s["sessionId"],
                str(s.get("createdAt", "")),
                str(s.get("target", "")),
                s["status"],
                f"{s.get('progress', 0)}%",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    return "\n".join("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in rows)
