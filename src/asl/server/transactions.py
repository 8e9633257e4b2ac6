"""DynamoDB's TransactWriteItems and TransactGetItems: the local client inside one SQLite transaction.

Each action runs as the single-item call it resembles (Put -> PutItem ...) while the
store's write transaction is held, so other writers wait and a cancelled transaction
rolls every write back. DynamoDB evaluates all conditions against the items as they were
before the transaction; running the actions in order gives the same answer because an
item may appear in at most one action (checked first, as DynamoDB checks it).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from botocore.exceptions import ClientError

from asl.dynamodb import Client
from asl.server._service import Backend
from asl.server._wire import AWSError

__all__ = ["transact_get_items", "transact_write_items"]

NAMESPACE = "com.amazonaws.dynamodb.v20120810"
_MAX_ACTIONS = 100


class _Cancelled(Exception):
    """Raised inside the transaction so that it rolls back; carries the reasons per action."""

    def __init__(self, reasons: list[dict[str, Any]]) -> None:
        super().__init__("transaction cancelled")
        self.reasons = reasons


def _validation(message: str) -> AWSError:
    return AWSError("ValidationException", message, namespace="com.amazon.coral.validate")


def _check_actions(client: Client, actions: list[dict[str, Any]], kinds: tuple[str, ...]) -> None:
    if not 1 <= len(actions) <= _MAX_ACTIONS:
        raise _validation(
            f"1 validation error detected: Value at 'transactItems' failed to satisfy constraint: "
            f"Member must have length between 1 and {_MAX_ACTIONS}, got {len(actions)}"
        )
    seen: set[tuple[str, str]] = set()
    for index, action in enumerate(actions):
        if len(action) != 1 or next(iter(action)) not in kinds:
            raise _validation(
                f"TransactItems[{index}] must hold exactly one of {', '.join(kinds)}, got {sorted(action)}"
            )
        ((kind, request),) = action.items()
        key = request.get("Key")
        if kind == "Put":
            names = [
                k["AttributeName"]
                for k in client.describe_table(TableName=request["TableName"])["Table"]["KeySchema"]
            ]
            key = {name: request["Item"][name] for name in names if name in request["Item"]}
        identity = (str(request["TableName"]), json.dumps(key, sort_keys=True, default=repr))
        if identity in seen:
            raise _validation("Transaction request cannot include multiple operations on one item")
        seen.add(identity)


def _condition_check(client: Client, request: dict[str, Any]) -> None:
    # DeleteItem evaluates the condition exactly as DynamoDB does; the item it took out is put
    # back at once, inside the same transaction, so nobody sees it gone
    old = client.delete_item(**request, ReturnValues="ALL_OLD").get("Attributes")
    if old is not None:
        client.put_item(TableName=request["TableName"], Item=old)


def _run_writes(backend: Backend, actions: list[dict[str, Any]]) -> None:
    client = backend.client
    _check_actions(client, actions, ("ConditionCheck", "Put", "Delete", "Update"))
    calls = {"Put": client.put_item, "Delete": client.delete_item, "Update": client.update_item}
    with backend.tables.transaction():
        reasons: list[dict[str, Any]] = []
        for action in actions:
            ((kind, request),) = action.items()
            try:
                if kind == "ConditionCheck":
                    _condition_check(client, request)
                else:
                    calls[kind](**request)
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                reason = {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
                response: dict[str, Any] = dict(error.response)
                if "Item" in response:  # ReturnValuesOnConditionCheckFailure=ALL_OLD
                    reason["Item"] = response["Item"]
                reasons.append(reason)
            else:
                reasons.append({"Code": "None"})
        if any(r["Code"] != "None" for r in reasons):
            raise _Cancelled(reasons)


async def transact_write_items(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    """TransactWriteItems: every action or none (ClientRequestToken is accepted, not remembered)."""
    try:
        await asyncio.to_thread(_run_writes, backend, params["TransactItems"])
    except _Cancelled as cancelled:
        codes = ", ".join(r["Code"] for r in cancelled.reasons)
        message = f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]"
        raise AWSError(
            "TransactionCanceledException",
            message,
            namespace=NAMESPACE,
            extra={"Message": message, "CancellationReasons": cancelled.reasons},
        ) from None
    return {}


def _run_reads(backend: Backend, actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    client = backend.client
    _check_actions(client, actions, ("Get",))
    with backend.tables.transaction():  # no write lands between two of the reads
        answers = [client.get_item(**action["Get"]) for action in actions]
    return [{"Item": a["Item"]} if "Item" in a else {} for a in answers]


async def transact_get_items(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    """TransactGetItems: the items as they all were at one moment, in the order asked."""
    return {"Responses": await asyncio.to_thread(_run_reads, backend, params["TransactItems"])}
