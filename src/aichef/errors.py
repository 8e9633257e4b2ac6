"""AI Chef's error family: one root, input errors that name the field and what is allowed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["AIChefError", "FieldProblem", "InvalidInput", "ProviderError"]


class AIChefError(Exception):
    """Root of every error AI Chef raises on purpose; callers catch this one class."""


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one input field: where, what is wrong, and what would be accepted.

    >>> FieldProblem("profile.target", "unknown value 'ketoo'", ("keto", "diet")).message()
    "profile.target: unknown value 'ketoo'; allowed: keto, diet"
    """

    field: str
    problem: str
    allowed: tuple[str, ...] = ()

    def message(self) -> str:
        text = f"{self.field}: {self.problem}"
        if self.allowed:
            text += "; allowed: " + ", ".join(self.allowed)
        return text


class InvalidInput(AIChefError):
    """Input that cannot be used; carries every problem found (collect, then raise)."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        if not problems:
            raise ValueError("InvalidInput needs at least one problem")
        self.problems: tuple[FieldProblem, ...] = tuple(problems)
        super().__init__("; ".join(p.message() for p in self.problems))

    @classmethod
    def one(cls, field_name: str, problem: str, allowed: Iterable[str] = ()) -> InvalidInput:
        """Shortcut for the common case of a single bad field."""
        return cls([FieldProblem(field_name, problem, tuple(allowed))])

    @property
    def field(self) -> str:
        """The first offending field, for callers that show only one."""
        return self.problems[0].field


class ProviderError(AIChefError):
    """An outside service (e.g. Naver Shopping) failed; `code` is the vendor's or ours, never a secret."""

    def __init__(self, provider: str, code: str, reason: str) -> None:
        self.provider = provider
        self.code = code
        self.reason = reason
        super().__init__(f"{provider} [{code}]: {reason}")
