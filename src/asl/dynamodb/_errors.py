"""The DynamoDB errors the local store raises, and their botocore ``ClientError`` form."""

from __future__ import annotations

import functools
import os
from typing import Any

from botocore.exceptions import ClientError

from asl.errors import ASLError

# Each random byte picks one of 32 characters (256 is a multiple of 32, so all are equally likely):
# the alphabet and spread of base64.b32encode, at the cost of one C-level translate.
_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_TO_ALPHABET = bytes(_ALPHABET[b % 32] for b in range(256))


def request_id() -> str:
    """A request id shaped like DynamoDB's (52 upper-case letters and digits)."""
    return os.urandom(52).translate(_TO_ALPHABET).decode("ascii")


class DynamoError(ASLError):
    """A DynamoDB service error: its code (``ValidationException`` ...) and message.

    ``item`` carries the old item for ``ReturnValuesOnConditionCheckFailure=ALL_OLD``.
    """

    def __init__(self, code: str, message: str, item: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.item = item


def validation(message: str) -> DynamoError:
    """A ``ValidationException`` with DynamoDB's own message text."""
    return DynamoError("ValidationException", message)


def conditional_failed(item: dict[str, Any] | None = None) -> DynamoError:
    """The error of a condition that evaluated to false."""
    return DynamoError("ConditionalCheckFailedException", "The conditional request failed", item)


def table_not_found(name: str) -> DynamoError:
    """The error of an operation on a table that does not exist."""
    return DynamoError("ResourceNotFoundException", f"Requested resource not found: Table: {name} not found")


def response_metadata(rid: str) -> dict[str, Any]:
    """The ``ResponseMetadata`` block boto3 adds to every response."""
    return {
        "RequestId": rid,
        "HTTPStatusCode": 200,
        "HTTPHeaders": {
            "server": "Server",
            "content-type": "application/x-amz-json-1.0",
            "x-amzn-requestid": rid,
        },
        "RetryAttempts": 0,
    }


@functools.cache
def _exception_classes() -> Any:
    # botocore builds one ClientError subclass per modelled error; building them once from
    # the service model lets `except client.exceptions.ConditionalCheckFailedException` work.
    import botocore.session
    from botocore.errorfactory import ClientExceptionsFactory

    model = botocore.session.get_session().get_service_model("dynamodb")
    return ClientExceptionsFactory().create_client_exceptions(model)


def client_exceptions() -> Any:
    """The ``client.exceptions`` object of a boto3 DynamoDB client."""
    return _exception_classes()


def to_client_error(error: DynamoError, operation: str) -> ClientError:
    """Convert to the ``ClientError`` subclass boto3 would raise for ``operation``."""
    rid = request_id()
    response: dict[str, Any] = {
        "Error": {"Code": error.code, "Message": error.message},
        "ResponseMetadata": {**response_metadata(rid), "HTTPStatusCode": 400},
        "message": error.message,
    }
    if error.item is not None:
        response["Item"] = error.item
    cls = _exception_classes().from_code(error.code)
    result: ClientError = cls(response, operation)
    return result
