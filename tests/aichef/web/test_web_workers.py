"""`aichef serve --workers 2`: two processes share the port and the sessions, each its own store."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _call(url: str, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    headers = {"content-type": "application/json", "X-AIChef-Client": "workers-test-browser-0001"}
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_two_workers_serve_sessions_from_one_folder(tmp_path: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aichef.cli",
            "--data-dir",
            str(tmp_path),
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        env={**os.environ, "AICHEF_PROVIDER": "offline"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/api"
    try:
        for _ in range(200):
            try:
                _call(f"{base}/health")
                break
            except OSError:
                time.sleep(0.1)
        ids = [_call(f"{base}/sessions", {"profile": {"target": "diet"}})["sessionId"] for _ in range(6)]
        for session_id in ids:
            for _ in range(300):
                if _call(f"{base}/sessions/{session_id}")["status"] in ("completed", "failed"):
                    break
                time.sleep(0.05)
            assert _call(f"{base}/sessions/{session_id}")["status"] == "completed"
            assert _call(f"{base}/sessions/{session_id}/result")["sessionId"] == session_id
        listed = {s["sessionId"] for s in _call(f"{base}/sessions?limit=50")["sessions"]}
        assert set(ids) <= listed
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert (tmp_path / "executions.sqlite").exists() and (tmp_path / "executions-2.sqlite").exists()
