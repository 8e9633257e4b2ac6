"""AI Chef: personalised recipes, real nutrition and costed shopping plans."""

from __future__ import annotations

__all__: list[str] = []
