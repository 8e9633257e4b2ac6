"""asl: an embeddable, durable runtime for the Amazon States Language.

>>> from asl import StateMachine
>>> StateMachine({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "End": True}}}).run().output
1
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from asl.definition import load_definition
    from asl.errors import (
        ASLError,
        DefinitionError,
        ErrorName,
        ExecutionAlreadyExists,
        Problem,
        StatesError,
    )
    from asl.execution.activities import ActivityWorker
    from asl.execution.clock import RealClock, VirtualClock
    from asl.integrations.lambda_ import LambdaContext
    from asl.integrations.outbox import Outbox, SentMessage
    from asl.mocks import MockConfig, MockConfigError
    from asl.runtime.api_errors import (
        ActivityDoesNotExist,
        ExecutionDoesNotExist,
        ExecutionNotRedrivable,
        InvalidArn,
        InvalidExecutionInput,
        InvalidName,
        InvalidOutput,
        InvalidToken,
        StateMachineDeleting,
        StateMachineDoesNotExist,
        TaskDoesNotExist,
        TaskTimedOut,
    )
    from asl.runtime.interpreter import Execution, StateMachine
    from asl.runtime.service import Runtime
    from asl.store.executions import ExecutionStore
    from asl.validate import iter_errors, validate

__all__ = [
    "ASLError",
    "ActivityDoesNotExist",
    "ActivityWorker",
    "DefinitionError",
    "ErrorName",
    "Execution",
    "ExecutionAlreadyExists",
    "ExecutionDoesNotExist",
    "ExecutionNotRedrivable",
    "ExecutionStore",
    "InvalidArn",
    "InvalidExecutionInput",
    "InvalidName",
    "InvalidOutput",
    "InvalidToken",
    "LambdaContext",
    "MockConfig",
    "MockConfigError",
    "Outbox",
    "Problem",
    "RealClock",
    "Runtime",
    "SentMessage",
    "StateMachine",
    "StateMachineDeleting",
    "StateMachineDoesNotExist",
    "StatesError",
    "TaskDoesNotExist",
    "TaskTimedOut",
    "VirtualClock",
    "iter_errors",
    "load_definition",
    "validate",
]

# Each public name is imported from its module on first use (PEP 562), so that importing one
# layer (``import asl.dynamodb``, ``import asl.query``) does not load the runtime and the
# execution store through this package's ``__init__``.
_HOMES: dict[str, str] = {
    "load_definition": "asl.definition",
    "ASLError": "asl.errors",
    "DefinitionError": "asl.errors",
    "ErrorName": "asl.errors",
    "ExecutionAlreadyExists": "asl.errors",
    "Problem": "asl.errors",
    "StatesError": "asl.errors",
    "LambdaContext": "asl.integrations.lambda_",
    "Outbox": "asl.integrations.outbox",
    "SentMessage": "asl.integrations.outbox",
    "MockConfig": "asl.mocks",
    "MockConfigError": "asl.mocks",
    "ActivityWorker": "asl.execution.activities",
    "ActivityDoesNotExist": "asl.runtime.api_errors",
    "ExecutionDoesNotExist": "asl.runtime.api_errors",
    "ExecutionNotRedrivable": "asl.runtime.api_errors",
    "InvalidArn": "asl.runtime.api_errors",
    "InvalidExecutionInput": "asl.runtime.api_errors",
    "InvalidName": "asl.runtime.api_errors",
    "InvalidOutput": "asl.runtime.api_errors",
    "InvalidToken": "asl.runtime.api_errors",
    "StateMachineDeleting": "asl.runtime.api_errors",
    "StateMachineDoesNotExist": "asl.runtime.api_errors",
    "TaskDoesNotExist": "asl.runtime.api_errors",
    "TaskTimedOut": "asl.runtime.api_errors",
    "RealClock": "asl.execution.clock",
    "VirtualClock": "asl.execution.clock",
    "Execution": "asl.runtime.interpreter",
    "StateMachine": "asl.runtime.interpreter",
    "Runtime": "asl.runtime.service",
    "ExecutionStore": "asl.store.executions",
    "iter_errors": "asl.validate",
    "validate": "asl.validate",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'asl' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # the next lookup finds it without calling this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """This package, keeping ``asl.validate`` the function once the submodule is imported."""

    def __setattr__(self, name: str, value: Any) -> None:
        # Importing the submodule asl.validate binds it here under the same name as the public
        # function; the eager imports this package used to make hid that by rebinding the name.
        if name == "validate" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
