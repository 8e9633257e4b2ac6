"""examples/daily_analysis end to end on the asl runtime: a quiet day, an anomaly, retries and failures."""

from __future__ import annotations

import copy
import json
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from asl import Execution, StateMachine, StatesError, VirtualClock, iter_errors, load_definition
from asl.cli import main
from asl.dynamodb import TableStore

FOLDER = Path(__file__).resolve().parents[2] / "examples" / "daily_analysis"
DEFINITION = FOLDER / "daily_analysis.asl.json"
EVENT: dict[str, Any] = json.loads((FOLDER / "event.json").read_text(encoding="utf-8"))
SESSIONS: list[dict[str, Any]] = json.loads((FOLDER / "sessions.json").read_text(encoding="utf-8"))


@pytest.fixture
def seeded(store: TableStore, analysis: ModuleType, seed: ModuleType) -> TableStore:
    seed.seed(store)
    return store


def _run(
    handlers: dict[str, Any], store: TableStore, time: str = EVENT["time"]
) -> tuple[Execution, dict[str, Any] | None]:
    event = copy.deepcopy(EVENT)
    event["time"] = time
    execution = StateMachine(DEFINITION, handlers, tables=store, clock=VirtualClock()).run(event)
    day = (datetime.fromisoformat(time) - timedelta(days=1)).date().isoformat()
    report = store.table("AiChefDailyReports").get_item(Key={"reportDate": day}).get("Item")
    return execution, report


def _entered(execution: Execution) -> list[str]:
    return [
        e["stateEnteredEventDetails"]["name"] for e in execution.history if "stateEnteredEventDetails" in e
    ]


def _expected(day: str) -> dict[str, Any]:
    """The day's figures worked out from the fixture file directly."""
    sessions = [s for s in SESSIONS if s["createdAt"].startswith(day)]
    status = Counter(s["status"] for s in sessions)
    costs = [Decimal(s["costKrw"]) / s["servings"] for s in sessions if s["status"] == "COMPLETED"]
    return {
        "sessions": len(sessions),
        "failed": status["FAILED"],
        "failureRate": round(status["FAILED"] / (status["FAILED"] + status["COMPLETED"]), 4),
        "averageCostPerServingKrw": round(sum(costs) / len(costs)),
        "failuresByPhase": dict(Counter(s["phase"] for s in sessions if s["status"] == "FAILED")),
    }


def test_the_definition_is_valid() -> None:
    assert list(iter_errors(load_definition(DEFINITION))) == []


def test_a_quiet_day_is_reported_without_an_alert(analysis: ModuleType, seeded: TableStore) -> None:
    execution, report = _run(analysis.HANDLERS, seeded)
    assert execution.status == "SUCCEEDED", execution.cause
    expected = _expected("2026-11-21")
    output = execution.output
    assert {key: output[key] for key in expected} == expected
    assert output["reportDate"] == "2026-11-21" and output["status"] == "OK" and output["alert"] == "NONE"
    assert sum(target["sessions"] for target in output["byTarget"].values()) == expected["sessions"]

    assert report is not None
    assert (report["status"], report["sessions"], report["alert"]) == ("OK", expected["sessions"], "NONE")
    assert report["failureRate"] == Decimal(str(expected["failureRate"]))
    assert json.loads(report["report"])["failuresByPhase"] == expected["failuresByPhase"]
    assert seeded.count_items("AiChefAlerts") == 0

    kinds = Counter(e["type"] for e in execution.history)
    assert kinds["ParallelStateStarted"] == 1 and kinds["TaskScheduled"] == 3 + 1  # 3 branches + putItem
    assert "SendAlert" not in _entered(execution)


def test_a_day_with_too_many_failures_sends_an_alert(analysis: ModuleType, seeded: TableStore) -> None:
    execution, report = _run(analysis.HANDLERS, seeded, time="2026-11-21T00:10:00Z")
    assert execution.status == "SUCCEEDED", execution.cause
    expected = _expected("2026-11-20")
    assert expected["failureRate"] > 0.1  # the fixture's bad day
    assert execution.output["status"] == "ANOMALY"
    assert execution.output["failuresByPhase"] == expected["failuresByPhase"]
    assert "SendAlert" in _entered(execution)
    alert = seeded.table("AiChefAlerts").get_item(Key={"reportDate": "2026-11-20"})["Item"]
    assert f"{expected['failureRate']:.1%}" in alert["message"] and "RECIPE_FAILED 2" in alert["message"]
    assert report is not None and report["status"] == "ANOMALY"
    assert report["alert"] == f"SENT: {alert['message']}"


def test_a_day_without_sessions_reports_zeros(analysis: ModuleType, seeded: TableStore) -> None:
    execution, report = _run(analysis.HANDLERS, seeded, time="2026-11-25T00:10:00Z")
    assert execution.status == "SUCCEEDED", execution.cause
    assert report is not None
    assert (report["sessions"], report["failureRate"], report["averageCostPerServingKrw"]) == (0, 0, 0)
    assert execution.output["byTarget"] == {} and report["status"] == "OK"


def test_a_throttled_branch_is_retried(analysis: ModuleType, seeded: TableStore) -> None:
    calls: list[str] = []

    def throttled_once(event: dict[str, Any], context: Any) -> dict[str, Any]:
        calls.append(event["day"])
        if len(calls) == 1:
            raise StatesError("Lambda.ServiceException", "Lambda is unavailable.")
        result: dict[str, Any] = analysis.cost_per_serving(event, context)
        return result

    handlers = {**analysis.HANDLERS, "analysis-cost-per-serving": throttled_once}
    execution, report = _run(handlers, seeded)
    assert execution.status == "SUCCEEDED", execution.cause
    assert calls == ["2026-11-21", "2026-11-21"]
    failed = [e["taskFailedEventDetails"]["error"] for e in execution.history if e["type"] == "TaskFailed"]
    assert failed == ["Lambda.ServiceException"]
    assert execution.output["averageCostPerServingKrw"] == _expected("2026-11-21")["averageCostPerServingKrw"]
    assert report is not None and report["status"] == "OK"


def test_a_failing_branch_is_caught_and_recorded(analysis: ModuleType, seeded: TableStore) -> None:
    def broken(event: dict[str, Any], context: Any) -> dict[str, Any]:
        raise KeyError("phase")

    handlers = {**analysis.HANDLERS, "analysis-failures-by-phase": broken}
    execution, report = _run(handlers, seeded)
    assert (execution.status, execution.error) == ("FAILED", "KeyError")
    assert Counter(e["type"] for e in execution.history)["ParallelStateFailed"] == 1
    assert _entered(execution)[-2:] == ["RecordFailedReport", "AnalysisFailed"]
    assert report is not None and (report["status"], report["error"]) == ("FAILED", "KeyError")
    assert "phase" in json.loads(report["cause"])["errorMessage"]


def test_an_alert_that_cannot_be_sent_is_noted_in_the_report(
    analysis: ModuleType, seeded: TableStore
) -> None:
    def unreachable(event: dict[str, Any], context: Any) -> dict[str, Any]:
        raise ConnectionError("sns unreachable")

    handlers = {**analysis.HANDLERS, "analysis-send-alert": unreachable}
    execution, report = _run(handlers, seeded, time="2026-11-21T00:10:00Z")
    assert execution.status == "SUCCEEDED", execution.cause
    assert report is not None and (report["status"], report["alert"]) == (
        "ANOMALY",
        "NOT SENT: ConnectionError",
    )
    assert seeded.count_items("AiChefAlerts") == 0


def test_the_scan_reads_every_page(
    analysis: ModuleType, seeded: TableStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = analysis.sessions_per_target({"day": "2026-11-21"}, None)
    pages: list[int] = []

    class SmallPages:
        """The sessions table answering 5 items a scan, as a big table answers 1 MB."""

        def scan(self, **params: Any) -> dict[str, Any]:
            page: dict[str, Any] = seeded.table("AiChefSessions").scan(Limit=5, **params)
            pages.append(page["ScannedCount"])
            return page

    monkeypatch.setattr(analysis, "_table", lambda name: SmallPages())
    assert analysis.sessions_per_target({"day": "2026-11-21"}, None) == whole
    assert whole["sessions"] == 24 and len(pages) == len(SESSIONS) // 5 + 1


@pytest.mark.parametrize("day", [None, "21-11-2026", "2026-11-21T00:00"])
def test_a_bad_day_is_refused_with_the_format(analysis: ModuleType, day: str | None) -> None:
    with pytest.raises(ValueError, match="day must be a date as YYYY-MM-DD"):
        analysis.sessions_per_target({"day": day}, None)


def test_seed_then_asl_run_as_the_readme_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], seed: ModuleType
) -> None:
    monkeypatch.setenv("ASL_TABLES", "set-by-asl-run")  # restored after the test
    tables = str(tmp_path / "analysis.sqlite")
    assert seed.main([tables]) == 0
    assert seed.main([]) == 2
    argv = ["run", str(DEFINITION), "--handlers", str(FOLDER / "analysis_handlers.py"), "--tables", tables]
    assert main([*argv, "--input", f"@{FOLDER / 'event.json'}"]) == 0
    output = json.loads(capsys.readouterr().out.split("\n", 1)[1])  # after the seed's line
    assert (output["reportDate"], output["status"]) == ("2026-11-21", "OK")
    with TableStore(tables) as store:
        assert (
            store.table("AiChefDailyReports").get_item(Key={"reportDate": "2026-11-21"})["Item"]["sessions"]
            == 24
        )
