"""The exceptions of the runtime, named as AWS Step Functions names them.

There is one root, :class:`ASLError`. A definition that cannot be loaded or
validated raises :class:`DefinitionError`; a failure while an execution runs is a
:class:`StatesError` carrying the AWS error name (``States.Runtime``,
``States.TaskFailed``, ``Lambda.ResourceNotFoundException`` ...) and its cause, so
that Retry and Catch can match it exactly as AWS does.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ASLError",
    "DefinitionError",
    "ErrorName",
    "ExecutionAlreadyExists",
    "Problem",
    "StatesError",
]


class ASLError(Exception):
    """Root of every exception this package raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a definition: a code, a message and where it is.

    ``location`` is a JSON pointer into the definition, such as ``/States/Fetch/Next``.
    """

    code: str
    message: str
    location: str

    def __str__(self) -> str:
        return f"{self.code} at {self.location or '/'}: {self.message}"


class DefinitionError(ASLError):
    """A definition that cannot be loaded, or that validation rejects.

    ``problems`` lists every problem found, in definition order.
    """

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("SCHEMA_VALIDATION_FAILED", problems, "")]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = problems
        summary = "; ".join(str(p) for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"Invalid State Machine Definition: {summary}{more}")


class ExecutionAlreadyExists(ASLError):
    """An execution with this name already exists with another input."""


class ErrorName:
    """The predefined error names of the States Language."""

    ALL = "States.ALL"
    DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
    EXCEED_TOLERATED_FAILURE = "States.ExceedToleratedFailureThreshold"
    HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
    INTRINSIC_FAILURE = "States.IntrinsicFailure"
    ITEM_READER_FAILED = "States.ItemReaderFailed"
    NO_CHOICE_MATCHED = "States.NoChoiceMatched"
    PARAMETER_PATH_FAILURE = "States.ParameterPathFailure"
    PERMISSIONS = "States.Permissions"
    QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"
    RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
    RESULT_WRITER_FAILED = "States.ResultWriterFailed"
    RUNTIME = "States.Runtime"
    TASK_FAILED = "States.TaskFailed"
    TIMEOUT = "States.Timeout"
    BRANCH_FAILED = "States.BranchFailed"

    #: errors that ``States.ALL`` does not catch (the spec: "terminal" errors).
    NOT_CAUGHT_BY_ALL = frozenset({RUNTIME, DATA_LIMIT_EXCEEDED})


class StatesError(ASLError):
    """A runtime failure with an AWS error name and cause.

    >>> StatesError("States.TaskFailed", "boom").error
    'States.TaskFailed'
    """

    def __init__(self, error: str | None, cause: str | None = None) -> None:
        self.error = error
        self.cause = cause
        super().__init__(f"{error}: {cause}" if cause else str(error))
