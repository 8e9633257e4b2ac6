"""What the generator works out for one profile, kept for the next request with the same profile.

Everything before ranking depends on the profile and constraints only, never on the session: the
candidates, each dish adapted (:func:`.adapt.adapt`), its gate check (:func:`.checks.check`) and what
ranks it apart from the session's jitter (:func:`.rank.grade`, :func:`.rank.base`). The
session id only varies the pick between equally good dishes (the jitter of :mod:`.rank`), so requests
that differ only in it (the common case: the same household cooking again, the five targets of a
load test) reuse this work instead of adapting about thirty dishes again. Every value kept is
immutable; a bounded number of profiles is kept, the least recently used dropped first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from aichef.knowledge.generate.adapt import Attempt, adapt
from aichef.knowledge.generate.candidates import Candidate, candidates
from aichef.knowledge.generate.checks import Checked, check
from aichef.knowledge.generate.needs import Needs
from aichef.knowledge.generate.rank import Assessed, Grade, assess, base, ceiling, grade
from aichef.knowledge.recipes import LibraryRecipe, load_library

__all__ = ["Memo", "memo_for"]

_SIZE = 256  # profiles kept; each holds at most one attempt and one check per library dish
_S = TypeVar("_S")
_T = TypeVar("_T")


class Memo:
    """One profile's candidates, attempts and checks, built for the library they came from."""

    def __init__(self, needs: Needs) -> None:
        self.library = load_library()
        self.candidates: list[Candidate] = candidates(needs)
        # Keyed by the candidate's recipe id; each value also keeps the object it was made from, so
        # that a different candidate under the same id (a test's own recipe) is worked out afresh.
        self._attempts: dict[str, tuple[Candidate, Attempt]] = {}
        self._checks: dict[str, tuple[Attempt, Checked]] = {}
        self._grades: dict[str, tuple[Attempt, Grade]] = {}
        self._bases: dict[str, tuple[LibraryRecipe, float]] = {}

    def adapt(self, item: Candidate, needs: Needs) -> Attempt:
        """:func:`.adapt.adapt`, once per dish."""
        return _kept(self._attempts, item.recipe.id, item, lambda: adapt(item, needs))

    def check(self, attempt: Attempt, needs: Needs) -> Checked:
        """:func:`.checks.check`, once per attempt."""
        return _kept(self._checks, attempt.recipe.id, attempt, lambda: check(attempt, needs))

    def ceiling(self, recipe: LibraryRecipe, needs: Needs) -> float:
        """:func:`.rank.ceiling` for this session, the profile's part (:func:`.rank.base`) kept."""
        return ceiling(recipe, needs, self._base(recipe, needs))

    def assess(self, attempt: Attempt, needs: Needs) -> Assessed:
        """:func:`.rank.assess` for this session, the profile's parts (:func:`.rank.grade`) kept."""
        part = _kept(self._grades, attempt.recipe.id, attempt, lambda: grade(attempt, needs))
        return assess(attempt, needs, part, self._base(attempt.recipe, needs))

    def _base(self, recipe: LibraryRecipe, needs: Needs) -> float:
        return _kept(self._bases, recipe.id, recipe, lambda: base(recipe, needs))


def _kept(store: dict[str, tuple[_S, _T]], key: str, source: _S, work: Callable[[], _T]) -> _T:
    found = store.get(key)
    if found is not None and found[0] is source:
        return found[1]
    value = work()
    store[key] = (source, value)
    return value


_MEMOS: OrderedDict[tuple[str, str], Memo] = OrderedDict()
_LOCK = threading.Lock()


def memo_for(needs: Needs) -> Memo:
    """The memo of this profile and constraints (a new one when the recipe library changed)."""
    constraints = "" if needs.constraints is None else needs.constraints.model_dump_json()
    key = (needs.profile.model_dump_json(), constraints)
    with _LOCK:
        memo = _MEMOS.get(key)
        if memo is not None and memo.library is load_library():
            _MEMOS.move_to_end(key)
            return memo
    memo = Memo(needs)
    with _LOCK:
        _MEMOS[key] = memo
        _MEMOS.move_to_end(key)
        while len(_MEMOS) > _SIZE:
            _MEMOS.popitem(last=False)
    return memo
