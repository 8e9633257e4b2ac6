"""Failures raised while a state evaluates its fields, before they know the state's name.

AWS words such errors as ``An error occurred while executing the state 'X' (entered at
the event id #N). <detail>``. Evaluation code raises :class:`StateFailure` with the
detail only; the state that was running adds the prefix (see ``asl.states.base``).
"""

from __future__ import annotations

from asl.errors import StatesError

__all__ = ["StateFailure"]


class StateFailure(StatesError):
    """A ``States.Runtime`` or ``States.QueryEvaluationError`` still missing its state prefix."""

    def __init__(
        self, error: str, detail: str, *, location: str | None = None, prefixed: bool = True
    ) -> None:
        super().__init__(error, detail)
        self.detail = detail
        self.location = location
        # a few AWS messages name no state (a JSONata Map's input that is not an array)
        self.prefixed = prefixed

    def in_state(self, state_name: str, entered_event_id: int) -> StatesError:
        """The error as AWS reports it, naming the state and where it was entered."""
        if not self.prefixed:
            return StatesError(self.error, self.detail)
        cause = (
            f"An error occurred while executing the state '{state_name}' "
            f"(entered at the event id #{entered_event_id}). {self.detail}"
        )
        return StatesError(self.error, cause)
