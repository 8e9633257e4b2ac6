"""asl: an embeddable, durable runtime for the Amazon States Language.

>>> from asl import StateMachine
>>> StateMachine({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "End": True}}}).run().output
1
"""

from __future__ import annotations

from asl.definition import load_definition
from asl.errors import ASLError, DefinitionError, ErrorName, ExecutionAlreadyExists, Problem, StatesError
from asl.integrations.lambda_ import LambdaContext
from asl.mocks import MockConfig, MockConfigError
from asl.runtime.activities import ActivityWorker
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
from asl.runtime.clock import RealClock, VirtualClock
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
    "Problem",
    "RealClock",
    "Runtime",
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
