"""The eight state types, keyed by the ``Type`` string, and the compiler of a state list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asl.execution.frame import Scope
from asl.states.base import State
from asl.states.choice import ChoiceState
from asl.states.fail import FailState
from asl.states.map import MapState
from asl.states.parallel import ParallelState
from asl.states.pass_ import PassState
from asl.states.succeed import SucceedState
from asl.states.task import TaskState
from asl.states.wait import WaitState

__all__ = ["STATE_TYPES", "State", "compile_scope"]

STATE_TYPES: dict[str, type[State]] = {
    "Choice": ChoiceState,
    "Fail": FailState,
    "Map": MapState,
    "Parallel": ParallelState,
    "Pass": PassState,
    "Succeed": SucceedState,
    "Task": TaskState,
    "Wait": WaitState,
}


def compile_scope(spec: Mapping[str, Any], query_language: str = "JSONPath", where: str = "") -> Scope:
    """Compile ``{"StartAt": ..., "States": {...}}`` into runnable states."""
    language = spec.get("QueryLanguage", query_language)
    states = {
        name: STATE_TYPES[state["Type"]](name, state, language) for name, state in spec["States"].items()
    }
    return Scope(spec["StartAt"], states, language)
