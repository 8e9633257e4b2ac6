"""The errors of the runtime's Step Functions API, named as AWS names them, all in one place."""

from __future__ import annotations

from asl.errors import ASLError, ExecutionAlreadyExists
from asl.execution.activities import ActivityDoesNotExist
from asl.execution.callbacks import InvalidToken, TaskDoesNotExist, TaskTimedOut

__all__ = [
    "MAX_TAGS",
    "ActivityDoesNotExist",
    "ConflictException",
    "ExecutionAlreadyExists",
    "ExecutionDoesNotExist",
    "ExecutionNotRedrivable",
    "InvalidArn",
    "InvalidExecutionInput",
    "InvalidLoggingConfiguration",
    "InvalidName",
    "InvalidOutput",
    "InvalidToken",
    "ResourceNotFound",
    "ServiceQuotaExceededException",
    "StateMachineDeleting",
    "StateMachineDoesNotExist",
    "TaskDoesNotExist",
    "TaskTimedOut",
    "TooManyTags",
    "ValidationException",
    "error_code",
]


class ExecutionDoesNotExist(ASLError):
    """No execution has this ARN."""


class StateMachineDoesNotExist(ASLError):
    """No state machine has this ARN."""


class StateMachineDeleting(ASLError):
    """The state machine is being deleted (its running executions have not all ended yet)."""


class ExecutionNotRedrivable(ASLError):
    """The execution cannot be redriven (still running, succeeded, EXPRESS, too old ...)."""


class InvalidArn(ASLError):
    """The ARN is not an ARN of the expected kind."""


class InvalidName(ASLError):
    """The name breaks AWS's naming rules."""


class InvalidExecutionInput(ASLError):
    """The execution input is not JSON."""


class InvalidLoggingConfiguration(ASLError):
    """A loggingConfiguration AWS refuses (a level other than OFF needs exactly one destination)."""


class ValidationException(ASLError):
    """A parameter breaks one of AWS's constraints (a length, a range)."""


class InvalidOutput(ASLError):
    """The task output sent with SendTaskSuccess is not JSON."""


#: AWS: a Step Functions resource has at most 50 tags
MAX_TAGS = 50


class ResourceNotFound(ASLError):
    """No resource (here: state machine) has this ARN."""


class ConflictException(ASLError):
    """The change would leave versions or aliases inconsistent (a revisionId that does not match,
    a version an alias routes to, an alias of that name with another configuration)."""


class ServiceQuotaExceededException(ASLError):
    """A machine would have more than 1,000 versions or 100 aliases (AWS's quotas)."""


class TooManyTags(ASLError):
    """A resource would have more than :data:`MAX_TAGS` tags."""


def error_code(error: ASLError) -> str:
    """The AWS error code of an API error (its class name)."""
    return type(error).__name__
