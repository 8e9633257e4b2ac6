"""Fixture sessions for the daily analysis: loads sessions.json into a local sessions table.

    python examples/daily_analysis/seed.py /tmp/analysis.sqlite

2026-11-20 has 12 sessions, 3 of them failed (an anomaly); 2026-11-21 has 24, one failed and
one still running; 2026-11-22 has 3 (not analysed by the sample event, whose "previous day" is
2026-11-21).
"""

from __future__ import annotations

import json
import os
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

SESSIONS = Path(__file__).with_name("sessions.json")
SESSIONS_TABLE = os.environ.get("SESSIONS_TABLE", "AiChefSessions")


def load_sessions(path: Path = SESSIONS) -> list[dict[str, Any]]:
    """The fixture's session items; numbers as Decimal, as DynamoDB takes them."""
    items: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    return items


def seed(store: Any, sessions: list[dict[str, Any]] | None = None) -> int:
    """Put the sessions into ``store``'s sessions table (created if missing); answer how many."""
    items = load_sessions() if sessions is None else sessions
    table = store.create_table(SESSIONS_TABLE, partition_key=("sessionId", "S"), exist_ok=True)
    with table.batch_writer() as batch:
        for item in items:
            batch.put_item(Item=item)
    return len(items)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python examples/daily_analysis/seed.py TABLES.sqlite", file=sys.stderr)
        return 2
    from asl.dynamodb import TableStore

    with TableStore(argv[0]) as store:
        count = seed(store)
    print(f"{count} sessions in {SESSIONS_TABLE} of {argv[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
