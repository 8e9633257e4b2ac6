"""Expired items give their space back: a table file shrinks after its TTL purge, as the execution
store's file does after its purge (both use SQLite's incremental vacuum)."""

from __future__ import annotations

from pathlib import Path

from asl.dynamodb import TableStore


def test_purging_expired_items_shrinks_the_file(tmp_path: Path) -> None:
    now = [1_800_000_000.0]
    path = tmp_path / "tables.sqlite"
    store = TableStore(path, clock=lambda: now[0])
    table = store.create_table("sessions", ttl_attribute="expiresAt")
    for number in range(600):
        table.put_item(Item={"id": f"s{number}", "body": "x" * 2000, "expiresAt": int(now[0]) + 60})
    table.put_item(Item={"id": "kept", "body": "y"})  # no expiry: never purged
    store.purge_expired()  # nothing has expired yet
    full = path.stat().st_size + Path(f"{path}-wal").stat().st_size
    now[0] += 3600
    assert store.purge_expired() == 600
    left = path.stat().st_size + Path(f"{path}-wal").stat().st_size
    assert left < full / 4, (full, left)
    assert table.get_item(Key={"id": "kept"})["Item"]["body"] == "y"
    store.close()
