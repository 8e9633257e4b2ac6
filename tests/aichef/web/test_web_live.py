"""A real uvicorn server on 127.0.0.1: the WebSocket, the event stream over a socket, and serve()."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from web_support import LiveServer
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from aichef.web import serve

BODY = {"profile": {"target": "diabetes", "servings": 2}}


def start(server: LiveServer, body: dict[str, Any] = BODY) -> str:
    response = httpx.post(f"{server.url}/api/sessions", json=body, timeout=10)
    assert response.status_code == 202
    session_id: str = response.json()["sessionId"]
    return session_id


def test_websocket_sends_each_change_then_end(live_server: LiveServer) -> None:
    session_id = start(live_server)
    messages: list[dict[str, Any]] = []
    with connect(f"ws://127.0.0.1:{live_server.port}/api/sessions/{session_id}/ws", open_timeout=10) as ws:
        while True:
            message = json.loads(ws.recv(timeout=10))
            messages.append(message)
            if message["type"] == "end":
                break
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000
    statuses = [m["session"] for m in messages if m["type"] == "status"]
    progress = [s["progress"] for s in statuses]
    assert progress == sorted(progress) and progress[-1] == 100
    assert statuses[-1]["status"] == "completed" and messages[-1] == {"type": "end"}


def test_websocket_for_an_unknown_session_says_so_and_closes(live_server: LiveServer) -> None:
    with connect(f"ws://127.0.0.1:{live_server.port}/api/sessions/nope/ws", open_timeout=10) as ws:
        message = json.loads(ws.recv(timeout=10))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert message["type"] == "error" and message["error"]["code"] == "not_found"
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4404


def test_event_stream_over_a_socket_arrives_as_it_happens(live_server: LiveServer) -> None:
    session_id = start(live_server, {"profile": {"target": "keto", "servings": 1}})
    names: list[str] = []
    with httpx.stream("GET", f"{live_server.url}/api/sessions/{session_id}/events", timeout=10) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-store"
        names = [line.removeprefix("event: ") for line in response.iter_lines() if line.startswith("event: ")]
    assert names[-1] == "end" and set(names[:-1]) == {"status"}


def test_serve_refuses_a_port_out_of_range(capsys: pytest.CaptureFixture[str]) -> None:
    assert serve("127.0.0.1", 70000, None) == 2
    assert "--port must be between 0 and 65535" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_serve_runs_until_interrupted_and_keeps_sessions_in_the_data_dir(tmp_path: Path) -> None:
    port = _free_port()
    code = (
        f"import sys; from aichef.web import serve; sys.exit(serve('127.0.0.1', {port}, {str(tmp_path)!r}))"
    )
    env = {**os.environ, "AICHEF_PROVIDER": "offline"}
    process = subprocess.Popen([sys.executable, "-c", code], env=env, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        response = httpx.post(f"{url}/api/sessions", json={**BODY, "sessionId": "kept"}, timeout=10)
        assert response.status_code == 202
        with httpx.stream("GET", f"{url}/api/sessions/kept/events", timeout=10) as events:
            for _ in events.iter_lines():
                pass
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert f"http://127.0.0.1:{port}/" in err
    assert (tmp_path / "tables.sqlite").exists()
