"""`aichef serve`'s GET /metrics and JSON request log, on a real uvicorn server running sessions."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from web_support import LiveServer, free_port

from asl.observe import JSONFormatter, parse_samples

BODY = {"profile": {"target": "diabetes", "servings": 2}}
SECRET = "NAVER-SECRET-MARKER-9c2e"


def scrape(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    answer = httpx.get(f"{url}/metrics", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    return parse_samples(answer.text)


def value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_metrics_move_when_sessions_run_and_log_lines_are_json_without_secrets(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NAVER_CLIENT_SECRET", SECRET)
    with LiveServer() as server, caplog.at_level(logging.INFO):
        before = scrape(server.url)
        ids = []
        for _ in range(2):
            started = httpx.post(f"{server.url}/api/sessions", json=BODY, timeout=10)
            assert started.status_code == 202
            ids.append(started.json()["sessionId"])
        during = scrape(server.url)
        for session_id in ids:  # the result stream ends when the session has
            with httpx.stream("GET", f"{server.url}/api/sessions/{session_id}/events", timeout=30) as events:
                for _ in events.iter_lines():
                    pass
        assert httpx.get(f"{server.url}/api/sessions/not-a-session-id", timeout=10).status_code in (404, 422)
        after = scrape(server.url)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert 0 <= value(during, "aichef_sessions_in_progress") <= 2
    assert value(after, "aichef_sessions_in_progress") == 0
    assert moved("aichef_sessions_finished_total", status="completed") == 2
    route = "/api/sessions/{session_id}/events"
    assert moved("aichef_http_requests_total", method="POST", route="/api/sessions", status="202") == 2
    assert moved("aichef_http_requests_total", method="GET", route=route, status="200") == 2
    assert moved("aichef_http_requests_total", method="GET", route="/metrics", status="200") >= 2
    # the kitchen's own runtime: its executions and tasks
    machines = {dict(k[1]).get("state_machine") for k in after if k[0] == "asl_executions_started_total"}
    machine = next(m for m in machines if m and moved("asl_executions_started_total", state_machine=m) == 2)
    assert moved("asl_executions_finished_total", state_machine=machine, status="SUCCEEDED") == 2
    assert sum(v for (name, _), v in after.items() if name == "asl_task_duration_seconds_count") > 0
    raw_paths = [k for k in after if k[0] == "aichef_http_requests_total" and ids[0] in dict(k[1])["route"]]
    assert raw_paths == []  # route templates, not the session ids

    formatter = JSONFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    parsed = [json.loads(line) for line in lines]
    assert all({"time", "level", "logger", "message"} <= set(p) for p in parsed)
    requests = [p for p in parsed if p["logger"] == "aichef.web.requests"]
    assert all({"method", "path", "route", "status", "duration_ms"} <= set(p) for p in requests)
    posts = [p for p in requests if p["method"] == "POST" and p["route"] == "/api/sessions"]
    assert {p["session_id"] for p in posts} == set(ids)  # from the new session's Location
    streams = [p for p in requests if p["route"] == route]
    assert {p["session_id"] for p in streams} == set(ids)
    assert all(p["execution_arn"].endswith(":" + p["session_id"]) for p in streams)
    transitions = [p for p in parsed if p["logger"] == "asl.transitions"]
    for session_id in ids:
        assert any(p.get("execution_arn", "").endswith(":" + session_id) for p in transitions)
    assert all(SECRET not in line for line in lines)


def test_aichef_serve_command_writes_json_lines_and_answers_metrics(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "NAVER_CLIENT_SECRET": SECRET, "AICHEF_LOG_FORMAT": "json"}
    env.pop("AICHEF_PROVIDER", None)  # the offline recipes
    command = [sys.executable, "-m", "aichef.cli", "--data-dir", str(tmp_path), "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        started = httpx.post(f"{url}/api/sessions", json=BODY, timeout=10)
        assert started.status_code == 202
        session_id = started.json()["sessionId"]
        with httpx.stream("GET", f"{url}/api/sessions/{session_id}/events", timeout=30) as events:
            for _ in events.iter_lines():
                pass
        samples = scrape(url)
    finally:
        server.send_signal(signal.SIGINT)
        _, stderr = server.communicate(timeout=30)
    assert value(samples, "aichef_sessions_finished_total", status="completed") == 1
    assert value(samples, "aichef_sessions_in_progress") == 0
    logged = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    assert [line for line in stderr.splitlines() if not line.startswith(("{", "AI Chef:"))] == []
    assert any(p.get("session_id") == session_id and p["message"] == "request" for p in logged)
    assert SECRET not in stderr
