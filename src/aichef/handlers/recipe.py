"""GenerateRecipe: a recipe from the configured provider, with nutrition and the diet verdicts.

Whatever the provider, AI Chef computes the nutrition itself and checks every rule; a
profile no recipe can satisfy raises :class:`ConstraintNotMet` naming the constraints.
"""

from __future__ import annotations

from typing import Any

from aichef.errors import AIChefError
from aichef.knowledge.generate import GeneratedRecipe, Unmet
from aichef.knowledge.pantry import on_hand
from aichef.models import SessionRequest
from aichef.sessions import writing_recorder
from aichef.tables import sessions_table

__all__ = ["ConstraintNotMet", "configured_provider", "handler", "recipe_payload"]


class ConstraintNotMet(AIChefError):
    """No recipe meets every constraint of the profile; the message names them."""


_providers: dict[str, Any] = {}


def configured_provider() -> Any:
    """The configured provider, built once per process (a missing key fails on first use)."""
    from aichef.config import settings
    from aichef.providers import get_provider

    name = settings().provider
    if name not in _providers:
        _providers[name] = get_provider(name)
    return _providers[name]


def recipe_payload(generated: GeneratedRecipe, provider: str) -> dict[str, Any]:
    """The handler's answer: the seeds' recipe plus what the later states need."""
    return {
        "recipe": _with_edible_grams(generated.recipe.model_dump(mode="json"), generated),
        "nutrition": generated.nutrition.as_dict(),
        "compliance": [rule.as_dict() for rule in generated.rules],
        "toBuy": [
            {"key": ingredient.key, "name": ingredient.name_ko, "grams": round(grams, 1)}
            for ingredient, grams in generated.to_buy
        ],
        "owned": sorted(
            {line.ingredient.key for line in generated.lines} - {i.key for i, _ in generated.to_buy}
        ),
        "notes": [change.describe() for change in generated.changes],
        "onHandShare": generated.on_hand_share,
        "provider": provider,
        # which library recipe was served: the page's servings control adapts the same dish again
        "sourceId": generated.source_id,
    }


def _with_edible_grams(recipe: dict[str, Any], generated: GeneratedRecipe) -> dict[str, Any]:
    """Lines weighed with bones or shell also show what is eaten ("닭 1마리 1,000 g (먹는 부분 680 g)").

    Both providers serve one ingredient line per weighed line, in order; a line already carrying
    ``edibleGrams`` is left as it is.
    """
    items = recipe["ingredients"]
    if len(items) != len(generated.lines):
        return recipe
    for item, line in zip(items, generated.lines, strict=True):
        if item.get("edibleGrams") is None and line.ingredient.edible_share < 1.0:
            item["edibleGrams"] = round(line.ingredient.edible_grams(line.grams), 1)
    return recipe


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = SessionRequest.model_validate(event["request"])
    provider = configured_provider()
    source = getattr(provider, "name", "offline")
    if hasattr(provider, "run"):  # a language model: say whether its recipe or the offline one was served
        # A model that streams shows on the session item how far it has written (pieces, not text).
        outcome = provider.run(request, on_tokens=writing_recorder(sessions_table(), request.sessionId))
        generated, served_by = outcome.result, f"{source} ({outcome.source})"
    else:
        generated, served_by = provider.generate(request), source
    if isinstance(generated, Unmet):
        raise ConstraintNotMet(generated.explanation)
    payload = recipe_payload(generated, served_by)
    # Pantry items are never bought (nor priced): they move from toBuy to owned.
    pantry = on_hand(request.profile)
    payload["owned"] = sorted(
        {*payload["owned"], *(x["key"] for x in payload["toBuy"] if x["key"] in pantry)}
    )
    payload["toBuy"] = [x for x in payload["toBuy"] if x["key"] not in pantry]
    language = request.profile.language
    payload["notes"] = [change.describe(language) for change in generated.changes] + list(generated.notes)
    return payload
