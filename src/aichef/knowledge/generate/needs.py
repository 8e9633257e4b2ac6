"""Stage 1 of the generator: what a profile asks of every dish, worked out once per request.

The profile is read here and nowhere after: the allergens to avoid (expanded once), the fridge and
pantry keys, the banned tags and the diet rules' checker.
"""

from __future__ import annotations

from dataclasses import dataclass

from aichef.knowledge import diets, pantry
from aichef.knowledge.diets import Checker
from aichef.models import Constraints, Profile, SessionRequest

__all__ = ["Needs", "needs_for"]


@dataclass(frozen=True)
class Needs:
    """The request as the later stages need it.

    ``fridge`` are the keys of the user's fridge words, ``pantry`` the keys assumed at home,
    ``owned`` both (what need not be bought); ``seed`` varies the pick between equally good dishes.
    """

    profile: Profile
    constraints: Constraints | None
    seed: str
    avoid: frozenset[str]
    fridge: frozenset[str]
    pantry: frozenset[str]
    banned_tags: frozenset[str]
    checker: Checker

    @property
    def owned(self) -> frozenset[str]:
        return self.fridge | self.pantry

    @property
    def language(self) -> str:
        return self.profile.language

    @property
    def ko(self) -> bool:
        return self.profile.language == "ko"


def needs_for(request: SessionRequest | Profile, constraints: Constraints | None = None) -> Needs:
    """The needs of a request (its own constraints unless given) or of a bare profile."""
    if isinstance(request, SessionRequest):
        profile, constraints, seed = request.profile, constraints or request.constraints, request.sessionId
    else:
        profile, seed = request, ""
    fridge = diets.on_hand_keys(profile) if profile.target == "fridge" else frozenset()
    assumed = pantry.on_hand(profile)
    # The fridge share rule counts what need not be bought: the fridge and the pantry alike.
    checker = diets.checker(profile, constraints, fridge | assumed)
    return Needs(
        profile=profile,
        constraints=constraints,
        seed=seed,
        avoid=checker.avoid,
        fridge=fridge,
        pantry=assumed,
        banned_tags=diets.banned_tags(profile),
        checker=checker,
    )
