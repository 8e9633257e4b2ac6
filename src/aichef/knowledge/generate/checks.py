"""Stage 5 of the generator: the last safety gate on the recipe exactly as it would be served.

The diet rules have screened the adapted lines (:mod:`.adapt`); here the served texts and lines go
through :func:`aichef.knowledge.gate.inspect` (allergen words anywhere, sodium, seasoning amounts,
zero lines, steps naming only listed foods), which trusts nothing the adapter did.
"""

from __future__ import annotations

from dataclasses import dataclass

from aichef.knowledge import gate
from aichef.knowledge.gate import Violation
from aichef.knowledge.generate.adapt import Attempt
from aichef.knowledge.generate.needs import Needs
from aichef.knowledge.generate.steps import build
from aichef.models import Recipe

__all__ = ["Checked", "check"]


@dataclass(frozen=True)
class Checked:
    """An adapted dish built for serving and the gate's verdict on it (empty ``violations``: servable)."""

    attempt: Attempt
    recipe: Recipe
    violations: tuple[Violation, ...]


def check(attempt: Attempt, needs: Needs) -> Checked:
    """Build the dish as served and put it through the gate."""
    recipe = build(attempt.recipe, attempt.lines, needs.profile.servings, needs.language)
    lines = [(x.ingredient, x.grams) for x in attempt.lines if not x.dropped]
    return Checked(attempt, recipe, tuple(gate.inspect(recipe, lines, needs.profile)))
