"""`asl serve`'s GET /metrics (Prometheus text format) and its JSON log lines, checked over HTTP."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from asl_serve_support import ROLE, client, eventually

from asl.observe import Counter, Histogram, JSONFormatter, Registry, parse_samples
from asl.server import BackgroundServer, create_app


def parse(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    assert text.endswith("\n")
    return parse_samples(text)


def value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def scrape(url: str) -> tuple[str, str]:
    with urllib.request.urlopen(url + "/metrics", timeout=10) as answer:
        return answer.headers["Content-Type"], answer.read().decode("utf-8")


def test_the_exposition_escapes_labels_and_help_and_counts_buckets() -> None:
    registry = Registry()
    hits = Counter("t_hits_total", 'Hits\nwith "quotes"\\.', ("path",), registry=registry)
    hits.inc(path='a"b\\c\nd')
    hits.inc(2, path='a"b\\c\nd')
    took = Histogram("t_seconds", "Time.", ("kind",), buckets=(0.1, 1.0), registry=registry)
    for seconds in (0.05, 0.5, 5.0):
        took.observe(seconds, kind="x")
    text = registry.expose()
    assert '# HELP t_hits_total Hits\\nwith "quotes"\\\\.' in text
    assert "# TYPE t_hits_total counter" in text and "# TYPE t_seconds histogram" in text
    assert 't_hits_total{path="a\\"b\\\\c\\nd"} 3.0' in text
    samples = parse(text)
    assert value(samples, "t_seconds_bucket", kind="x", le="0.1") == 1
    assert value(samples, "t_seconds_bucket", kind="x", le="1.0") == 2
    assert value(samples, "t_seconds_bucket", kind="x", le="+Inf") == 3
    assert value(samples, "t_seconds_count", kind="x") == 3
    assert value(samples, "t_seconds_sum", kind="x") == pytest.approx(5.55)
    with pytest.raises(ValueError):
        hits.inc(-1, path="a")
    with pytest.raises(ValueError):
        hits.inc(wrong="a")
    assert value(samples, "t_hits_total", path='a"b\\c\nd') == 3  # escapes read back
    with pytest.raises(ValueError):
        parse_samples('t{a="unclosed} 1\n')


_MACHINE = {
    "StartAt": "Greet",
    "States": {
        "Greet": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "greet", "Payload.$": "$"},
            "Next": "Check",
        },
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$$.Execution.Input.fail", "BooleanEquals": True, "Next": "Broke"}],
            "Default": "Done",
        },
        "Broke": {"Type": "Fail", "Error": "Broke"},
        "Done": {"Type": "Succeed"},
    },
}


def _greet(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    return {"hello": "there"}


def test_metrics_move_when_executions_run_and_logs_are_json_without_secrets(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "SECRET-MARKER-5f1c"
    monkeypatch.setenv("NAVER_CLIENT_SECRET", secret)
    app = create_app(tmp_path, {"greet": _greet})
    with BackgroundServer(app) as server, caplog.at_level(logging.INFO):
        sfn = client("stepfunctions", server.url)
        arn = sfn.create_state_machine(name="observed", definition=json.dumps(_MACHINE), roleArn=ROLE)[
            "stateMachineArn"
        ]
        _, before_text = scrape(server.url)
        before = parse(before_text)
        ends = []
        for i, fail in enumerate((False, False, True)):
            started = sfn.start_execution(
                stateMachineArn=arn, name=f"run-{i}", input=json.dumps({"fail": fail, "key": secret})
            )
            ends.append(started["executionArn"])
        for execution in ends:
            eventually(
                lambda e=execution: sfn.describe_execution(executionArn=e)["status"] != "RUNNING",
                "the execution to end",
            )
        content_type, text = scrape(server.url)
    after = parse(text)
    assert content_type.startswith("text/plain; version=0.0.4")

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("asl_executions_started_total", state_machine="observed") == 3
    assert moved("asl_executions_finished_total", state_machine="observed", status="SUCCEEDED") == 2
    assert moved("asl_executions_finished_total", state_machine="observed", status="FAILED") == 1
    resource = "arn:aws:states:::lambda:invoke"
    assert moved("asl_task_duration_seconds_count", resource=resource) == 3
    assert moved("asl_task_duration_seconds_bucket", resource=resource, le="+Inf") == 3
    assert moved("asl_http_requests_total", action="AWSStepFunctions.StartExecution", status="200") == 3
    assert "# TYPE asl_task_duration_seconds histogram" in text

    formatter = JSONFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    parsed = [json.loads(line) for line in lines]  # each line is one JSON object
    assert all({"time", "level", "logger", "message"} <= set(p) for p in parsed)
    requests = [p for p in parsed if p["message"] == "request"]
    assert requests and all({"method", "path", "status", "duration_ms", "action"} <= set(p) for p in requests)
    entered = [p for p in parsed if p["message"] == "state entered" and p["execution_arn"] == ends[2]]
    assert [p["state"] for p in entered] == ["Greet", "Check", "Broke"]
    assert any(p["message"] == "execution ended" and p.get("status") == "FAILED" for p in parsed)
    assert all(secret not in line for line in lines)


def test_asl_serve_command_writes_json_lines_and_answers_metrics(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "asl.cli", "serve", "--port", str(port), "--data-dir", str(tmp_path)]
    env = {**os.environ, "NAVER_CLIENT_SECRET": "SECRET-MARKER-5f1c"}
    process = subprocess.Popen([*command, "--log-format", "json"], stderr=subprocess.PIPE, text=True, env=env)
    try:
        url = f"http://127.0.0.1:{port}"

        def listening() -> bool:
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", port)) == 0 or process.poll() is not None

        eventually(listening, "asl serve to listen")
        sfn = client("stepfunctions", url)
        arn = sfn.create_state_machine(
            name="plain", definition='{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}', roleArn=ROLE
        )["stateMachineArn"]
        done = sfn.start_execution(stateMachineArn=arn, input='{"key": "SECRET-MARKER-5f1c"}')["executionArn"]
        eventually(lambda: sfn.describe_execution(executionArn=done)["status"] == "SUCCEEDED", "the end")
        samples = parse(scrape(url)[1])
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert value(samples, "asl_executions_finished_total", state_machine="plain", status="SUCCEEDED") == 1
    logged = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    plain = [line for line in stderr.splitlines() if not line.startswith(("{", "asl serve:"))]
    assert plain == []  # uvicorn's own lines are JSON too
    assert any(p["message"] == "request" and p["action"] == "AWSStepFunctions.StartExecution" for p in logged)
    assert any(p.get("execution_arn") == done and p["message"] == "execution ended" for p in logged)
    assert "SECRET-MARKER-5f1c" not in stderr
