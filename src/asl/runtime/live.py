"""An execution running in this process, as the runtime's API sees it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from asl.runtime.interpreter import Execution
from asl.store.rows import ExecutionRecord

__all__ = ["LiveExecution"]


@dataclass
class LiveExecution:
    """An execution running here: its row (kept current), the interpreter's object, its task."""

    record: ExecutionRecord
    execution: Execution
    task: asyncio.Task[None] | None = None
    stopping: bool = False
