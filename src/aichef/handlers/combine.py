"""CombineResults: recipe, nutrition, verdicts and the costed shopping plan in the seeds' shape.

The combined result goes back to the workflow once, as the JSON text SaveResults stores, with
``expiresAt`` (epoch seconds, 7 days after it was generated, a TTL DynamoDB honours) and the
``summary`` the notification carries. Not as an object as well: every later state's history
would carry it twice, and Step Functions caps a state's data at 256 KiB.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from aichef.knowledge.ingredients import Ingredient, get
from aichef.knowledge.pantry import pantry_keys
from aichef.knowledge.prices import PriceQuote
from aichef.knowledge.shopping import build_plan

__all__ = ["RESULT_TTL", "VERSION", "handler"]

VERSION = "1.0"
RESULT_TTL = timedelta(days=7)


class _FetchedPrices:
    """The quotes the price Map fetched, as a PriceSource for the plan."""

    name = "fetched"

    def __init__(self, quotes: list[list[dict[str, Any]]]) -> None:
        self._by_key: dict[str, list[PriceQuote]] = {}
        for group in quotes:
            for raw in group:
                quote = PriceQuote(**raw)
                self._by_key.setdefault(quote.ingredient_key, []).append(quote)

    def quotes(self, ingredient: Ingredient) -> list[PriceQuote]:
        return self._by_key[ingredient.key]


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    state = event["request"]
    generated = state["generated"]
    profile = state["profile"]
    recipe = generated["recipe"]
    language = profile.get("language") or "ko"
    lines = [(get(item["key"]), float(item["grams"])) for item in generated["toBuy"]]
    pantry = pantry_keys(profile.get("pantry", "default"))
    # Lines the recipe uses but does not buy: pantry items are "assumed", the rest (the fridge) "owned".
    kept = [get(key) for key in generated.get("owned", []) if key != "water"]
    plan = build_plan(
        lines,
        _FetchedPrices(state["prices"]["quotes"]),
        servings=recipe["servings"],
        budget=profile.get("budget"),
        pantry=pantry,
        also_assumed=[i for i in kept if i.key in pantry],
        also_owned=[i for i in kept if i.key not in pantry],
        language=language,
    ).to_dict()
    generated_at = event.get("generatedAt") or datetime.now().astimezone().isoformat()
    moment = datetime.fromisoformat(generated_at.replace("Z", "+00:00"))
    combined = {
        "sessionId": state["sessionId"],
        "recipe": recipe,
        "pricing": plan,
        "summary": {
            "totalCost": plan["totalEstimatedCost"],
            "costPerServing": plan["costPerServing"],
            "estimatedCookingTime": recipe["cookingTime"],
            "difficultyLevel": recipe["difficulty"],
            "withinBudget": plan["withinBudget"],
            "overBudgetBy": plan["summary"]["overBudgetBy"],
            "pricesAreEstimates": plan["isEstimate"],
        },
        "nutrition": generated["nutrition"],
        "compliance": generated["compliance"],
        "notes": generated["notes"],
        "provider": generated["provider"],
        "target": profile["target"],
        "language": language,
        "generatedAt": generated_at,
        "version": VERSION,
    }
    return {
        "sessionId": combined["sessionId"],
        "summary": combined["summary"],
        "result": {
            # the text SaveResults stores, written here once (States.JsonToString would print it
            # again, in Java's style, at several times the cost)
            "json": json.dumps(combined, ensure_ascii=False, separators=(",", ":")),
            "expiresAt": int((moment + RESULT_TTL).timestamp()),
        },
    }
