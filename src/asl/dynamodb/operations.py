"""DynamoDB's low-level operations on a :class:`~asl.dynamodb.TableStore`, in the wire's shapes.

The public surface for callers outside this package that speak DynamoDB's request and
response dictionaries themselves (the Step Functions ``dynamodb:*Item`` integrations): they
use these names, never this package's private modules.
"""

from __future__ import annotations

from ._errors import DynamoError, request_id
from ._operations import delete_item, get_item, put_item, update_item
from ._params import check_legacy, request_fields
from .values import to_storage

__all__ = [
    "DynamoError",
    "check_legacy",
    "delete_item",
    "get_item",
    "put_item",
    "request_fields",
    "request_id",
    "to_storage",
    "update_item",
]
