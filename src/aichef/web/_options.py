"""What the profile form may offer, taken from the models themselves so the page never drifts from them."""

from __future__ import annotations

from functools import cache
from typing import Any

from aichef import models
from aichef.knowledge import allergens

__all__ = ["form_options"]

# Display names for the models' values; the values themselves come from aichef.models.
_TARGETS: dict[str, tuple[str, str]] = {
    "keto": ("키토 (저탄수화물)", "Keto (low-carb)"),
    "baby_food": ("이유식", "Baby food"),
    "diabetes": ("당뇨 식단", "Diabetes-friendly"),
    "diet": ("다이어트", "Weight loss"),
    "fridge": ("냉장고 파먹기", "Cook from my fridge"),
}
_COOKING_LEVELS: dict[str, tuple[str, str]] = {
    "beginner": ("초보", "Beginner"),
    "intermediate": ("중급", "Intermediate"),
    "advanced": ("고급", "Advanced"),
}
_CUISINES: dict[str, tuple[str, str]] = {
    "any": ("상관없음", "Any"),
    "korean": ("한식", "Korean"),
    "western": ("양식", "Western"),
    "chinese": ("중식", "Chinese"),
    "japanese": ("일식", "Japanese"),
}
_LANGUAGES: dict[str, tuple[str, str]] = {"ko": ("한국어", "Korean"), "en": ("English", "English")}


def _choices(values: tuple[str, ...], labels: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    # A value the models gained but this table lacks still shows, under its own name.
    return [
        {"value": v, "label": {"ko": labels.get(v, (v, v))[0], "en": labels.get(v, (v, v))[1]}}
        for v in values
    ]


def _bounds(prop: dict[str, Any]) -> dict[str, Any]:
    """min/max/default of an integer field in a pydantic JSON schema (optional fields use anyOf)."""
    out: dict[str, Any] = {"default": prop.get("default")}
    for part in [prop, *prop.get("anyOf", [])]:
        if "minimum" in part:
            out["min"] = part["minimum"]
        if "exclusiveMinimum" in part:
            out["min"] = part["exclusiveMinimum"] + 1
        if "maximum" in part:
            out["max"] = part["maximum"]
    return out


@cache
def form_options() -> dict[str, Any]:
    """Every choice and numeric limit of the session request, with Korean and English labels."""
    profile = models.Profile.model_json_schema()
    props = profile["properties"]
    prefs = profile["$defs"]["Preferences"]["properties"]
    limits = models.Constraints.model_json_schema()["properties"]
    cuisine_enum: tuple[str, ...] = tuple(prefs["cuisine"]["enum"])
    return {
        "targets": _choices(models.TARGETS, _TARGETS),
        "cookingLevels": _choices(models.COOKING_LEVELS, _COOKING_LEVELS),
        "cuisines": _choices(cuisine_enum, _CUISINES),
        "languages": _choices(tuple(props["language"]["enum"]), _LANGUAGES),
        "healthConditions": [
            {"value": key, "label": {"ko": words[0], "en": key.replace("_", " ")}}
            for key, words in models.HEALTH_CONDITIONS.items()
        ],
        "allergens": [
            {"value": key, "label": {"ko": allergens.label(key, "ko"), "en": allergens.label(key, "en")}}
            for key in allergens.ALLERGENS
        ],
        "limits": {
            "budget": _bounds(props["budget"]),
            "servings": _bounds(props["servings"]),
            "babyAgeMonths": _bounds(props["babyAgeMonths"]),
            "spicyLevel": _bounds(prefs["spicyLevel"]),
            "maxCalories": _bounds(limits["maxCalories"]),
            "maxCookingTime": _bounds(limits["maxCookingTime"]),
        },
        "defaults": {
            "cookingLevel": props["cookingLevel"]["default"],
            "cuisine": prefs["cuisine"]["default"],
            "language": props["language"]["default"],
        },
    }
