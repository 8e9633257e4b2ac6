"""The day's live prices kept in a local SQLite table, so repeated sessions do not ask Naver again.

Only Naver's answers are kept (a fallback after a failure is not: the next session should try
again). An entry older than the TTL is ignored and replaced at the next successful lookup. Several
server processes may share the file: every call opens its own short connection and SQLite's
locking orders the writes.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

from aichef.knowledge.prices import PriceQuote

__all__ = ["DEFAULT_TTL", "PriceCache"]

# Shop prices change from day to day, not within a cooking session or an afternoon of them.
DEFAULT_TTL = timedelta(hours=12)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS live_prices (
    ingredient_key TEXT NOT NULL,
    language TEXT NOT NULL,
    fetched_at REAL NOT NULL,
    quotes TEXT NOT NULL,
    PRIMARY KEY (ingredient_key, language)
)
"""


class PriceCache:
    """Live quotes per (ingredient key, language), valid for `ttl` after they were fetched."""

    def __init__(
        self, path: Path, ttl: timedelta = DEFAULT_TTL, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = path
        self.ttl = ttl.total_seconds()
        self._clock = clock
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=5.0)

    def get(self, key: str, language: str) -> list[PriceQuote] | None:
        """The cached quotes, or None when there are none or they are older than the TTL."""
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT fetched_at, quotes FROM live_prices WHERE ingredient_key = ? AND language = ?",
                (key, language),
            ).fetchone()
        if row is None or self._clock() - float(row[0]) > self.ttl:
            return None
        try:
            return [PriceQuote(**raw) for raw in json.loads(row[1])]
        except (TypeError, ValueError):  # written by an older version: treat as absent
            return None

    def put(self, key: str, language: str, quotes: list[PriceQuote]) -> None:
        text = json.dumps([asdict(q) for q in quotes], ensure_ascii=False)
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT OR REPLACE INTO live_prices (ingredient_key, language, fetched_at, quotes)"
                " VALUES (?, ?, ?, ?)",
                (key, language, self._clock(), text),
            )

    def purge(self) -> int:
        """Drop expired entries; returns how many."""
        with closing(self._connect()) as db, db:
            cursor = db.execute("DELETE FROM live_prices WHERE fetched_at < ?", (self._clock() - self.ttl,))
            return cursor.rowcount
