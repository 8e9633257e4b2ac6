"""asl: an embeddable, durable runtime for the Amazon States Language.

>>> from asl import StateMachine
>>> StateMachine({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "End": True}}}).run().output
1
"""

from __future__ import annotations

from asl.definition import load_definition
from asl.errors import ASLError, DefinitionError, ErrorName, Problem, StatesError
from asl.integrations.lambda_ import LambdaContext
from asl.runtime.clock import RealClock, VirtualClock
from asl.runtime.interpreter import Execution, StateMachine
from asl.validate import iter_errors, validate

__all__ = [
    "ASLError",
    "DefinitionError",
    "ErrorName",
    "Execution",
    "LambdaContext",
    "Problem",
    "RealClock",
    "StateMachine",
    "StatesError",
    "VirtualClock",
    "iter_errors",
    "load_definition",
    "validate",
]
