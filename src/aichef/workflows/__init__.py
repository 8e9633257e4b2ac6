"""The recipe workflow: its ASL definition and how to run it on the local ``asl`` runtime.

``recipe.asl.json`` is the one definition; ``${...}`` placeholders name the functions and
tables, filled in by SAM/CloudFormation on AWS and by :func:`local_substitutions` here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from typing import Any

from aichef.config import FUNCTION_NAMES, settings
from asl import StateMachine
from asl.dynamodb import TableStore

__all__ = ["load_definition", "local_machine", "local_substitutions"]


def load_definition() -> dict[str, Any]:
    """The definition as written, placeholders and all."""
    text = resources.files("aichef.workflows").joinpath("recipe.asl.json").read_text("utf-8")
    definition: dict[str, Any] = json.loads(text)
    return definition


def local_substitutions() -> dict[str, str]:
    config = settings()
    return {**FUNCTION_NAMES, "SessionsTable": config.sessions_table, "ResultsTable": config.results_table}


def local_machine(
    store: TableStore,
    *,
    clock: Any = None,
    task_threads: bool = True,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> StateMachine:
    """The workflow on the in-process runtime, with the local tables and handlers."""
    from aichef.handlers import local_handlers

    return StateMachine(
        load_definition(),
        local_handlers(),
        local_substitutions(),
        name="aichef-recipe",
        clock=clock,
        tables=store,
        task_threads=task_threads,
        on_event=on_event,
    )
