"""The offline provider: AI Chef's own recipe library through the offline generator, no network."""

from __future__ import annotations

from aichef.knowledge.generate import GeneratedRecipe, Unmet, generate
from aichef.models import SessionRequest

__all__ = ["OfflineProvider"]


class OfflineProvider:
    """The default provider; always available and deterministic for a given request.

    >>> from aichef.models import SessionRequest
    >>> request = SessionRequest.model_validate({"sessionId": "s", "profile": {"target": "diet"}})
    >>> OfflineProvider().generate(request).recipe.servings
    2
    """

    name = "offline"

    def generate(self, request: SessionRequest) -> GeneratedRecipe | Unmet:
        return generate(request)

    def close(self) -> None:
        """Nothing to release; present so every provider can be closed alike."""
