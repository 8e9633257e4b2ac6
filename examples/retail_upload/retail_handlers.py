"""Lambda handlers for retail_upload.asl.json: read and check a retailer's price list, parse rows, store them.

Plain ``handler(event, context)`` functions, as Lambda calls them. On Lambda (where
``AWS_LAMBDA_FUNCTION_NAME`` is set) they use boto3: S3 for the uploaded object and DynamoDB
for the rows. Anywhere else the "bucket" is a folder (``$RETAIL_LOCAL_S3``, else ``s3/``
beside this file, holding ``<bucket>/<key>``) and the tables are local ``asl.dynamodb`` tables
in ``$ASL_TABLES`` (what ``asl run --tables PATH`` sets), else asl's default file.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import threading
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

UPLOADS_TABLE = "RetailUploads"
ROWS_TABLE = "RetailPriceRows"
MAX_BYTES = 200_000  # the rows travel in the state; Step Functions caps a state's data at 256 KiB
HEADER = ("product", "unit", "pack_size", "price_krw", "in_stock")
UNITS = frozenset({"g", "kg", "ml", "L", "개", "봉", "팩", "병", "묶음"})
STOCK = {"y": True, "yes": True, "true": True, "1": True, "예": True}
STOCK.update({"n": False, "no": False, "false": False, "0": False, "아니오": False})
MAX_PRICE_KRW = 10_000_000
_PRICE = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)$")  # 3980 or 3,980; no decimals: the won has no minor unit

_lock = threading.Lock()
_store: Any = None


class InvalidUpload(Exception):
    """The uploaded file cannot be read as a price list (size, encoding or header): the error name
    Step Functions sees is this class name, which the definition's Catch records."""


# -- handlers --------------------------------------------------------------------------------


def validate_file(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Check the object's size, encoding and header; answer its rows and how many may be rejected."""
    bucket, key = str(event["bucket"]), str(event["key"])
    if not _on_lambda():  # make the tables a stack makes on AWS: RecordFailedUpload needs them too
        _table(UPLOADS_TABLE)
    data = _read_object(bucket, key)
    if not data.strip():
        raise InvalidUpload(f"{key}: the file is empty")
    if len(data) > MAX_BYTES:
        raise InvalidUpload(f"{key}: {len(data)} bytes; at most {MAX_BYTES} bytes are allowed")
    try:
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark
    except UnicodeDecodeError as err:
        raise InvalidUpload(
            f"{key}: not UTF-8 (byte {err.start}); save the sheet as 'CSV UTF-8', not CP949/EUC-KR"
        ) from None
    try:
        lines = list(csv.reader(io.StringIO(text)))
    except csv.Error as err:  # e.g. a quote never closed, swallowing the rest of the file into one field
        raise InvalidUpload(f"{key}: not a CSV text file ({err})") from None
    header = tuple(cell.strip().lower() for cell in lines[0])
    if header != HEADER:
        raise InvalidUpload(f"{key}: the header must be {','.join(HEADER)}; got {','.join(header)}")
    rows = [
        {"line": number, "cells": cells}
        for number, cells in enumerate(lines[1:], start=2)
        if any(cell.strip() for cell in cells)  # blank lines are not rows
    ]
    if not rows:
        raise InvalidUpload(f"{key}: the header has no rows under it")
    share = event.get("maxRejectedShare", 0.2)
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
        raise ValueError(f"maxRejectedShare must be a number from 0 to 1, got {share!r}")
    # a hair above the product so 0.29 * 100 is 29, not 28.999...
    return {"rows": rows, "rowCount": len(rows), "maxRejected": math.floor(len(rows) * share + 1e-9)}


def parse_rows(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Check each row of a chunk; a bad row is answered with its line and reason, never raised."""
    valid: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    for row in event["rows"]:
        item, reason = _parse_row(row["cells"])
        if item is None:
            rejected.append({"line": row["line"], "reason": reason})
        else:
            valid.append({"line": row["line"], **item})
    return {"valid": valid, "rejected": rejected}


def write_rows(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Write a chunk's valid rows with BatchWriteItem (25 per request); answer their line numbers."""
    upload_id = str(event["uploadId"])
    table = _table(ROWS_TABLE)
    with table.batch_writer() as batch:
        for row in event["items"]:
            batch.put_item(Item={"uploadId": upload_id, **_for_dynamodb(row)})
    return {"written": [row["line"] for row in event["items"]]}


HANDLERS: dict[str, Callable[[dict[str, Any], Any], dict[str, Any]]] = {
    "retail-validate-file": validate_file,
    "retail-parse-rows": parse_rows,
    "retail-write-rows": write_rows,
}


# -- rows --------------------------------------------------------------------------------------


def _parse_row(cells: list[str]) -> tuple[dict[str, Any] | None, str]:
    """The row as an item, or None and the reason naming the column and what it allows."""
    if len(cells) != len(HEADER):
        return None, f"{len(cells)} columns; expected {len(HEADER)} ({','.join(HEADER)})"
    product, unit, pack, price, stock = (cell.strip() for cell in cells)
    if not product or len(product) > 100:
        return None, "product: a name of 1 to 100 characters is required"
    if unit not in UNITS:
        return None, f"unit: {unit!r} is not one of {', '.join(sorted(UNITS))}"
    try:
        pack_size = Decimal(pack)
    except InvalidOperation:
        return None, f"pack_size: {pack!r} is not a number"
    if not pack_size.is_finite() or pack_size <= 0:
        return None, f"pack_size: {pack!r} must be a number above 0"
    if not _PRICE.match(price) or not 0 < int(price.replace(",", "")) <= MAX_PRICE_KRW:
        return None, f"price_krw: {price!r} must be whole won from 1 to {MAX_PRICE_KRW:,}"
    if stock.lower() not in STOCK:
        return None, f"in_stock: {stock!r} is not one of Y, N, true, false, 1, 0, 예, 아니오"
    item = {
        "product": product,
        "unit": unit,
        "packSize": float(pack_size) if pack_size != pack_size.to_integral() else int(pack_size),
        "priceKrw": int(price.replace(",", "")),
        "inStock": STOCK[stock.lower()],
    }
    return item, ""


def _for_dynamodb(row: dict[str, Any]) -> dict[str, Any]:
    # DynamoDB (boto3 and asl.dynamodb alike) refuses floats: numbers go in as Decimal
    return {k: Decimal(str(v)) if isinstance(v, float) else v for k, v in row.items()}


# -- where objects and tables live -------------------------------------------------------------


def _on_lambda() -> bool:
    return "AWS_LAMBDA_FUNCTION_NAME" in os.environ


def _read_object(bucket: str, key: str) -> bytes:
    if _on_lambda():
        import boto3

        body: bytes = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
        return body
    root = Path(os.environ.get("RETAIL_LOCAL_S3") or Path(__file__).parent / "s3").resolve()
    path = (root / bucket / key).resolve()
    if not path.is_relative_to(root):
        raise InvalidUpload(f"key {key!r} leaves the local bucket folder")
    try:
        return path.read_bytes()
    except OSError as err:
        raise InvalidUpload(f"s3://{bucket}/{key}: cannot read {path}: {err.strerror}") from None


def create_tables(store: Any) -> None:
    """Create the two tables in an ``asl.dynamodb.TableStore`` if they are missing."""
    store.create_table(UPLOADS_TABLE, partition_key=("uploadId", "S"), exist_ok=True)
    store.create_table(ROWS_TABLE, partition_key=("uploadId", "S"), sort_key=("line", "N"), exist_ok=True)


def use_store(store: Any) -> None:
    """Serve the tables from this ``TableStore`` (tests give an in-memory one); None forgets it."""
    global _store
    with _lock:
        _store = store
    if store is not None:
        create_tables(store)


def _table(name: str) -> Any:
    if _on_lambda():
        import boto3

        return boto3.resource("dynamodb").Table(name)
    global _store
    with _lock:
        if _store is None:
            from asl.dynamodb import TableStore

            _store = TableStore(os.environ.get("ASL_TABLES") or None)
            create_tables(_store)
        return _store.table(name)
