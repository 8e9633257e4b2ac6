"""SIGTERM stops `aichef serve` promptly, even with a progress stream open on a session whose
recipe is waiting on a language model that never answers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from web_support import free_port


def test_sigterm_with_an_open_stream_on_a_stuck_session_exits_promptly(tmp_path: Path) -> None:
    silent = socket.socket()  # a "model server" that accepts and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = free_port()
    env = {
        **os.environ,
        "AICHEF_PROVIDER": "openai",
        "AICHEF_OPENAI_BASE_URL": f"http://127.0.0.1:{silent.getsockname()[1]}",
        "AICHEF_OPENAI_MODEL": "never-answers",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "aichef.cli", "--data-dir", str(tmp_path), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/api"
    lines: list[str] = []
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        started = httpx.post(f"{url}/sessions", json={"profile": {"target": "diet"}}, timeout=10)
        assert started.status_code == 202
        session_id = started.json()["sessionId"]

        def follow() -> None:
            try:
                with httpx.stream("GET", f"{url}/sessions/{session_id}/events", timeout=30) as events:
                    lines.extend(events.iter_lines())
            except httpx.HTTPError:
                pass

        reader = threading.Thread(target=follow, daemon=True)
        reader.start()
        for _ in range(200):
            if any(line.startswith("event: status") for line in lines):
                break
            time.sleep(0.05)
        began = time.monotonic()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
        took = time.monotonic() - began
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(10)
        silent.close()
    assert took < 10, f"SIGTERM took {took:.1f} s"
    assert any(line.startswith("event: status") for line in lines)
