"""The offline recipe generator's entry points, kept under their first name for code that imports them
from here: the pipeline itself is :mod:`aichef.knowledge.generate`."""

from __future__ import annotations

from aichef.knowledge.generate import Change, GeneratedRecipe, Line, Unmet, adapt_recipe, generate

__all__ = ["Change", "GeneratedRecipe", "Line", "Unmet", "adapt_recipe", "generate"]
