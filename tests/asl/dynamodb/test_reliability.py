"""Reliability: no lost updates under threads and processes; a killed writer leaves no half-written item."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from asl.dynamodb import TableStore


def test_eight_threads_adding_to_one_item_lose_nothing(tmp_path: Path) -> None:
    with TableStore(tmp_path / "tables.sqlite") as store:
        table = store.create_table("counters", partition_key=("id", "S"))
        errors: list[BaseException] = []

        def work() -> None:
            try:
                for _ in range(1000):
                    table.update_item(
                        Key={"id": "c"},
                        UpdateExpression="ADD #c :one",
                        ExpressionAttributeNames={"#c": "counter"},
                        ExpressionAttributeValues={":one": 1},
                    )
            except BaseException as exc:  # a failure in a thread must fail the test
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert table.get_item(Key={"id": "c"})["Item"]["counter"] == 8000


def test_conditional_updates_from_threads_are_atomic(store: TableStore) -> None:
    """Optimistic locking: each of many version-checked updates succeeds exactly once per version."""
    table = store.create_table("locks", partition_key=("id", "S"))
    table.put_item(Item={"id": "v", "version": 0})
    wins: list[int] = []

    def work() -> None:
        for _ in range(200):
            current = table.get_item(Key={"id": "v"})["Item"]["version"]
            try:
                table.update_item(
                    Key={"id": "v"},
                    UpdateExpression="SET version = :next",
                    ConditionExpression="version = :seen",
                    ExpressionAttributeValues={":next": current + 1, ":seen": current},
                )
                wins.append(int(current))
            except ClientError as error:
                assert error.response["Error"]["Code"] == "ConditionalCheckFailedException"

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = table.get_item(Key={"id": "v"})["Item"]["version"]
    assert sorted(wins) == list(range(int(final)))  # every version won by exactly one writer


_WORKER = textwrap.dedent(
    """
    import sys
    from asl.dynamodb import TableStore
    store = TableStore(sys.argv[1])
    table = store.table("counters")
    for _ in range(int(sys.argv[2])):
        table.update_item(
            Key={"id": "c"}, UpdateExpression="ADD hits :one", ExpressionAttributeValues={":one": 1}
        )
    """
)


def test_processes_sharing_the_file_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "tables.sqlite"
    with TableStore(path) as store:
        store.create_table("counters", partition_key=("id", "S"))
    workers = [subprocess.Popen([sys.executable, "-c", _WORKER, str(path), "300"]) for _ in range(3)]
    with TableStore(path) as store:
        table = store.table("counters")
        for _ in range(300):
            table.update_item(
                Key={"id": "c"}, UpdateExpression="ADD hits :one", ExpressionAttributeValues={":one": 1}
            )
        assert [w.wait() for w in workers] == [0, 0, 0]
        assert table.get_item(Key={"id": "c"})["Item"]["hits"] == 1200


_WRITER = textwrap.dedent(
    """
    import hashlib, sys
    from asl.dynamodb import TableStore
    store = TableStore(sys.argv[1])
    table = store.table("blobs")
    i = 0
    while True:
        payload = (str(i) * 5000)[:20000 + i % 7000]
        digest = hashlib.sha256(payload.encode()).hexdigest()
        table.put_item(Item={"id": f"b{i % 50}", "payload": payload, "digest": digest, "n": i})
        table.update_item(
            Key={"id": "tally"}, UpdateExpression="SET payload = :p, digest = :d ADD n :one",
            ExpressionAttributeValues={":p": payload, ":d": digest, ":one": 1},
        )
        i += 1
        if i == 200:
            print("writing", flush=True)  # the parent kills us from here on, mid-stream
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_sigkill_mid_write_leaves_a_readable_table(tmp_path: Path) -> None:
    path = tmp_path / "tables.sqlite"
    with TableStore(path) as store:
        store.create_table("blobs", partition_key=("id", "S"))
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "writing"
    os.kill(writer.pid, signal.SIGKILL)
    assert writer.wait() == -signal.SIGKILL
    writer.stdout.close()
    with TableStore(path) as store:
        assert store.engine.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        items = store.table("blobs").scan()["Items"]
        assert len(items) == 51
        for item in items:  # every item is whole: its digest matches its payload
            assert hashlib.sha256(item["payload"].encode()).hexdigest() == item["digest"]
        tally = store.table("blobs").get_item(Key={"id": "tally"})["Item"]["n"]
        assert tally >= 200
