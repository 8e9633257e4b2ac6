"""Local DynamoDB: tables on SQLite with DynamoDB's expressions, errors and boto3's shapes."""

from __future__ import annotations

from .client import Client
from .store import TableStore, default_path
from .table import BatchWriter, Table
from .values import to_plain, to_typed

__all__ = ["BatchWriter", "Client", "Table", "TableStore", "default_path", "to_plain", "to_typed"]
