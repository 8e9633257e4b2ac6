"""examples/retail_upload end to end on the asl runtime: accepted, rejected, retried and failed uploads."""

from __future__ import annotations

import copy
import csv
import json
import math
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from asl import Execution, StateMachine, StatesError, VirtualClock, iter_errors, load_definition
from asl.cli import main
from asl.dynamodb import TableStore

FOLDER = Path(__file__).resolve().parents[2] / "examples" / "retail_upload"
DEFINITION = FOLDER / "retail_upload.asl.json"
EVENT: dict[str, Any] = json.loads((FOLDER / "event.json").read_text(encoding="utf-8"))
SAMPLE = FOLDER / "s3" / "retail-uploads" / "emart" / "2026-11-21.csv"
HEADER = "product,unit,pack_size,price_krw,in_stock\n"


def _run(retail: ModuleType, store: TableStore, event: dict[str, Any] = EVENT) -> Execution:
    machine = StateMachine(DEFINITION, retail.HANDLERS, tables=store, clock=VirtualClock())
    return machine.run(event)


def _event_for(key: str, event_id: str = "upload-1") -> dict[str, Any]:
    event = copy.deepcopy(EVENT)
    event["id"] = event_id
    event["detail"]["object"]["key"] = key
    return event


def _bucket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str, data: bytes) -> dict[str, Any]:
    """Put one object in a local bucket folder of its own and answer the event announcing it."""
    path = tmp_path / "retail-uploads" / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    monkeypatch.setenv("RETAIL_LOCAL_S3", str(tmp_path))
    return _event_for(key)


def _entered(execution: Execution) -> list[str]:
    return [
        e["stateEnteredEventDetails"]["name"] for e in execution.history if "stateEnteredEventDetails" in e
    ]


def _upload(store: TableStore, upload_id: str) -> dict[str, Any]:
    item: dict[str, Any] = store.table("RetailUploads").get_item(Key={"uploadId": upload_id})["Item"]
    return item


def test_the_definition_is_valid() -> None:
    assert list(iter_errors(load_definition(DEFINITION))) == []


def test_the_sample_is_accepted_with_its_bad_rows_reported(retail: ModuleType, store: TableStore) -> None:
    rows = [r for r in csv.reader(SAMPLE.read_text(encoding="utf-8").splitlines()[1:]) if r]
    execution = _run(retail, store)
    assert execution.status == "SUCCEEDED", execution.cause
    output = execution.output
    assert output["status"] == "ACCEPTED"
    assert output["rowCount"] == len(rows)
    assert [r["line"] for r in output["rejected"]] == [10, 12, 14, 15]
    assert output["rejected"][0]["reason"].startswith("pack_size:")
    assert output["rejected"][3]["reason"].startswith("in_stock:")
    assert output["writtenCount"] == len(rows) - 4

    kinds = Counter(e["type"] for e in execution.history)
    assert kinds["MapIterationStarted"] == kinds["MapIterationSucceeded"] == math.ceil(len(rows) / 5)
    assert "MarkAccepted" in _entered(execution) and "MarkRejected" not in _entered(execution)

    summary = _upload(store, EVENT["id"])
    assert summary["status"] == "ACCEPTED" and summary["key"] == "emart/2026-11-21.csv"
    assert summary["rowCount"] == len(rows) and summary["rejectedCount"] == 4
    assert json.loads(summary["rejections"]) == output["rejected"]
    staged = store.table("RetailPriceRows").query(
        KeyConditionExpression="uploadId = :u", ExpressionAttributeValues={":u": EVENT["id"]}
    )["Items"]
    assert len(staged) == len(rows) - 4
    tofu = staged[0]
    assert (tofu["line"], tofu["product"], tofu["unit"]) == (2, "두부 (국산콩)", "g")
    assert (tofu["packSize"], tofu["priceKrw"], tofu["inStock"]) == (300, 2480, True)
    onion = next(item for item in staged if item["product"] == "양파")
    assert str(onion["packSize"]) == "1.5"


def test_too_many_bad_rows_reject_the_upload(
    retail: ModuleType, store: TableStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = (
        HEADER
        + "두부,g,300,2480,Y\n대파,묶음,1,3280,Y\n양파,lb,1,4980,Y\n애호박,개,1,19.90,Y\n현미,kg,4,18900,Y\n"
    )
    event = _bucket(tmp_path, monkeypatch, "lotte/bad.csv", body.encode())
    execution = _run(retail, store, event)
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output["status"] == "REJECTED"
    assert "MarkRejected" in _entered(execution) and "MarkAccepted" not in _entered(execution)
    summary = _upload(store, "upload-1")
    assert summary["status"] == "REJECTED" and summary["rejectedCount"] == 2  # 5 rows allow 1
    reasons = {r["line"]: r["reason"] for r in json.loads(summary["rejections"])}
    assert reasons[4].startswith("unit: 'lb'") and reasons[5].startswith("price_krw: '19.90'")


def test_a_throttled_parse_is_retried(retail: ModuleType, store: TableStore) -> None:
    calls: list[int] = []

    def throttled_once(event: dict[str, Any], context: Any) -> dict[str, Any]:
        calls.append(len(event["rows"]))
        if len(calls) == 1:
            raise StatesError("Lambda.TooManyRequestsException", "Rate Exceeded.")
        result: dict[str, Any] = retail.parse_rows(event, context)
        return result

    handlers = {**retail.HANDLERS, "retail-parse-rows": throttled_once}
    execution = StateMachine(DEFINITION, handlers, tables=store, clock=VirtualClock()).run(EVENT)
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output["status"] == "ACCEPTED"
    failed = [e for e in execution.history if e["type"] == "TaskFailed"]
    assert [e["taskFailedEventDetails"]["error"] for e in failed] == ["Lambda.TooManyRequestsException"]
    kinds = Counter(e["type"] for e in execution.history)
    assert len(calls) == kinds["MapIterationStarted"] + 1
    assert store.count_items("RetailPriceRows") == execution.output["writtenCount"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ((HEADER + "두부,g,300,2480,Y\n").encode("cp949"), "not UTF-8"),
        (b"name,price\n\xeb\x91\x90\xeb\xb6\x80,2480\n", "the header must be product,unit"),
        (b" \n", "the file is empty"),
        ((HEADER + '두부,g,300,"2480,Y\n' + "a" * 150_000).encode(), "not a CSV text file"),
        (HEADER.encode(), "no rows"),
        ((HEADER + "두부,g,300,2480,Y\n" * 20_000).encode(), "at most 200000 bytes"),
    ],
    ids=["cp949", "header", "empty", "open-quote", "header-only", "too-big"],
)
def test_an_unreadable_file_is_recorded_as_a_failed_upload(
    retail: ModuleType,
    store: TableStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    data: bytes,
    reason: str,
) -> None:
    event = _bucket(tmp_path, monkeypatch, "emart/upload.csv", data)
    execution = _run(retail, store, event)
    assert (execution.status, execution.error) == ("FAILED", "InvalidUpload")
    assert reason in json.loads(execution.cause or "{}")["errorMessage"]
    summary = _upload(store, "upload-1")
    assert summary["status"] == "FAILED" and summary["error"] == "InvalidUpload"
    assert reason in summary["cause"]
    assert store.count_items("RetailPriceRows") == 0
    assert "ProcessChunks" not in _entered(execution)


def test_a_key_outside_the_local_bucket_is_refused(retail: ModuleType, store: TableStore) -> None:
    execution = _run(retail, store, _event_for("../../retail_handlers.py"))
    assert execution.error == "InvalidUpload"
    assert "leaves the local bucket folder" in _upload(store, "upload-1")["cause"]


def test_a_failing_write_fails_the_map_and_is_recorded(retail: ModuleType, store: TableStore) -> None:
    def broken(event: dict[str, Any], context: Any) -> dict[str, Any]:
        raise RuntimeError("the rows table is unreachable")

    handlers = {**retail.HANDLERS, "retail-write-rows": broken}
    execution = StateMachine(DEFINITION, handlers, tables=store, clock=VirtualClock()).run(EVENT)
    assert (execution.status, execution.error) == ("FAILED", "RuntimeError")
    kinds = Counter(e["type"] for e in execution.history)
    assert kinds["MapStateFailed"] == 1 and kinds["MapIterationFailed"] >= 1
    assert _entered(execution)[-2:] == ["RecordFailedUpload", "UploadFailed"]
    summary = _upload(store, EVENT["id"])
    assert summary["status"] == "FAILED" and "unreachable" in summary["cause"]


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        (["두부", "g", "300", "2480"], "4 columns"),
        (["두부", "lb", "300", "2480", "Y"], "unit: 'lb'"),
        (["두부", "g", "0", "2480", "Y"], "pack_size: '0' must be a number above 0"),
        (["두부", "g", "nan", "2480", "Y"], "pack_size: 'nan'"),
        (["두부", "g", "300", "2,48", "Y"], "price_krw: '2,48'"),
        (["두부", "g", "300", "20,000,000", "Y"], "price_krw: '20,000,000'"),
        (["두부", "g", "300", "2480", "재고"], "in_stock: '재고'"),
    ],
)
def test_row_rules_name_the_column_and_what_it_allows(
    retail: ModuleType, cells: list[str], reason: str
) -> None:
    result = retail.parse_rows({"rows": [{"line": 7, "cells": cells}]}, None)
    assert result["valid"] == []
    assert result["rejected"][0]["line"] == 7 and reason in result["rejected"][0]["reason"]


def test_asl_run_with_tables_runs_the_sample_as_the_readme_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASL_TABLES", "set-by-asl-run")  # restored after the test
    tables = tmp_path / "retail.sqlite"
    argv = ["run", str(DEFINITION), "--handlers", str(FOLDER / "retail_handlers.py")]
    assert main([*argv, "--tables", str(tables), "--input", f"@{FOLDER / 'event.json'}"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "ACCEPTED"
    with TableStore(tables) as store:
        assert _upload(store, EVENT["id"])["status"] == "ACCEPTED"
        assert store.count_items("RetailPriceRows") == 16

    missing = tmp_path / "missing.sqlite"  # a fresh file: the failure is recorded in a table made on the way
    assert main([*argv, "--tables", str(missing), "--input", json.dumps(_event_for("emart/none.csv"))]) == 1
    assert "InvalidUpload" in capsys.readouterr().err
    with TableStore(missing) as store:
        assert _upload(store, "upload-1")["status"] == "FAILED"
