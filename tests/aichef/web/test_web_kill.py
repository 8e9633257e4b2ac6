"""`aichef serve --workers 2` killed (SIGKILL, every process) while clients start sessions with ids
they chose, some of which Step Functions would refuse. After a restart on the same folder, every
session is completed, failed with a reason, or was never acknowledged and does not exist."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

from web_support import free_port

CLIENT = {"X-AIChef-Client": "kill-test-browser-000001"}


def _call(url: str, body: dict[str, Any] | None = None, timeout: float = 5) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"content-type": "application/json", **CLIENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _serve(folder: Path, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aichef.cli",
            "--data-dir",
            str(folder),
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        env={**os.environ, "AICHEF_PROVIDER": "offline"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill reaches the workers too
    )


def _healthy(base: str) -> None:
    for _ in range(300):
        try:
            if _call(f"{base}/health", timeout=1)[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server did not start")


def test_killed_workers_leave_no_orphan_session(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}/api"
    tried: list[str] = []
    acknowledged: set[str] = set()
    refused: set[str] = set()
    stop = threading.Event()

    def client(n: int) -> None:
        k = 0
        while not stop.is_set():
            valid = k % 4 != 3
            session_id = f"kill-{n}-{k}" if valid else f"kill {n}/{k}"  # a space and a slash: refused
            k += 1
            tried.append(session_id)
            try:
                status, _ = _call(
                    f"{base}/sessions", {"sessionId": session_id, "profile": {"target": "diet"}}
                )
            except (OSError, http.client.HTTPException, ValueError):
                continue  # the server died under this request: never acknowledged
            if status == 202:
                acknowledged.add(session_id)
            elif status == 422:
                refused.add(session_id)

    server = _serve(tmp_path, port)
    try:
        _healthy(base)
        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        while len(acknowledged) < 30:
            time.sleep(0.01)
        os.killpg(server.pid, signal.SIGKILL)
        stop.set()
        for thread in threads:
            thread.join(30)
    finally:
        with_killed = server
        if with_killed.poll() is None:
            os.killpg(with_killed.pid, signal.SIGKILL)
        with_killed.wait(30)

    server = _serve(tmp_path, port)
    try:
        _healthy(base)
        for session_id in tried:
            if session_id in refused:
                continue
            for _ in range(600):
                status, body = _call(f"{base}/sessions/{quote(session_id, safe='')}")
                if status in (404, 422) or body["status"] in ("completed", "failed"):
                    break
                time.sleep(0.05)
            if session_id in acknowledged:
                assert status == 200, session_id
            if status == 200:  # acknowledged, or written before the reply was lost: it ended
                assert body["status"] == "completed" or body["error"]["message"], (session_id, body)
                assert body["status"] in ("completed", "failed"), (session_id, body)
        for session_id in refused:
            assert " " in session_id  # only the ids Step Functions would refuse were refused
        listed = _call(f"{base}/sessions?limit=100")[1]["sessions"]
        assert {s["sessionId"] for s in listed} <= set(tried) - refused
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
