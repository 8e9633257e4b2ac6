"""Load test of `aichef serve` on loopback: many clients start sessions and poll them to the end.

Run: .venv/bin/python benchmarks/web_load.py [--sessions 1000] [--clients 50] [--deadline 300]

A real server (uvicorn, the local runtime, file-backed tables in a temporary folder, offline
providers) runs in a child process on 127.0.0.1. Each client, on its own keep-alive connection,
repeats: POST /api/sessions, then GET /api/sessions/{id} every --poll seconds until the session is
completed or failed. Bounded in count (--sessions) and time (--deadline): it stops by itself and
exits 1 if any session was lost (unknown to the server) or stuck (not finished by the deadline).
Afterwards every session's status and every completed session's result are read back once.

Prints: sessions per second (all sessions ended / wall time from the first POST to the last end),
p50/p99 of POST latency, p50/p99 of time from POST to the end seen by the client, status counts.
Goals (issue #6): >= 200 sessions/s on a 2-core machine, POST p99 < 250 ms.

--instant serves the same app over a service that validates the request and completes the session at
once: what the HTTP layer alone can carry, without the workflow.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

PROFILES: list[dict[str, Any]] = [
    {"profile": {"target": "keto", "allergies": ["nuts"], "servings": 2}},
    {"profile": {"target": "diabetes", "servings": 2}},
    {"profile": {"target": "diet", "servings": 1}, "constraints": {"maxCalories": 600}},
    {"profile": {"target": "baby_food", "babyAgeMonths": 9, "servings": 1}},
    {"profile": {"target": "fridge", "fridgeIngredients": ["계란", "두부", "대파"], "servings": 2}},
]
HOST = "127.0.0.1"  # loopback only: this script never sends traffic anywhere else


class Connection:
    """A minimal HTTP/1.1 keep-alive client: the load generator must cost the server's cores little."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        data = b"" if body is None else json.dumps(body).encode()
        head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\nContent-Length: {len(data)}\r\n"
        if body is not None:
            head += "Content-Type: application/json\r\n"
        self.writer.write(head.encode() + b"\r\n" + data)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        payload = await self.reader.readexactly(length)
        return status, json.loads(payload) if payload else None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


class Tally:
    def __init__(self, total: int) -> None:
        self.total = total
        self.next = 0
        self.post_latency: list[float] = []
        self.end_to_end: list[float] = []
        self.final: dict[str, str] = {}  # sessionId -> status seen last
        self.errors: list[str] = []
        self.last_end = 0.0


async def client(port: int, tally: Tally, poll: float, deadline: float) -> None:
    conn = Connection(port)
    try:
        while tally.next < tally.total and time.perf_counter() < deadline:
            index = tally.next
            tally.next += 1
            started = time.perf_counter()
            status, body = await conn.request("POST", "/api/sessions", PROFILES[index % len(PROFILES)])
            tally.post_latency.append(time.perf_counter() - started)
            if status != 202:
                tally.errors.append(f"POST answered {status}: {body}")
                continue
            session_id = body["sessionId"]
            tally.final[session_id] = body["status"]
            while time.perf_counter() < deadline:
                await asyncio.sleep(poll)
                status, body = await conn.request("GET", f"/api/sessions/{session_id}")
                if status != 200:
                    tally.final[session_id] = f"LOST ({status})"
                    break
                tally.final[session_id] = body["status"]
                if body["status"] in ("completed", "failed"):
                    now = time.perf_counter()
                    tally.end_to_end.append(now - started)
                    tally.last_end = max(tally.last_end, now)
                    break
    finally:
        await conn.close()


async def read_back(port: int, tally: Tally) -> list[str]:
    """Every session known and final, every completed one with a result (after the timing ended)."""
    problems: list[str] = []
    conn = Connection(port)
    try:
        for session_id in tally.final:
            status, body = await conn.request("GET", f"/api/sessions/{session_id}")
            if status != 200 or body["status"] not in ("completed", "failed"):
                problems.append(f"{session_id}: {status} {body}")
            elif body["status"] == "completed":
                status, result = await conn.request("GET", f"/api/sessions/{session_id}/result")
                if status != 200 or result.get("sessionId") != session_id:
                    problems.append(f"{session_id}: result answered {status}")
    finally:
        await conn.close()
    return problems


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


async def wait_healthy(port: int, limit: float) -> None:
    stop = time.perf_counter() + limit
    while True:
        try:
            conn = Connection(port)
            status, _ = await conn.request("GET", "/api/health")
            await conn.close()
            if status == 200:
                return
        except OSError:
            pass
        if time.perf_counter() > stop:
            raise SystemExit(f"server did not answer /api/health within {limit:.0f} s")
        await asyncio.sleep(0.1)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


async def run(args: argparse.Namespace, port: int) -> int:
    await wait_healthy(port, 30)
    tally = Tally(args.sessions)
    begun = time.perf_counter()
    deadline = begun + args.deadline
    await asyncio.gather(*(client(port, tally, args.poll, deadline) for _ in range(args.clients)))
    wall = (tally.last_end or time.perf_counter()) - begun
    counts: dict[str, int] = {}
    for status in tally.final.values():
        counts[status] = counts.get(status, 0) + 1
    ended = counts.get("completed", 0) + counts.get("failed", 0)
    problems = await read_back(port, tally)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        f"sessions: {len(tally.final)} started of {args.sessions} by {args.clients} clients; "
        f"statuses {counts}"
    )
    print(f"completed or failed per second: {ended / wall:.1f}  (wall {wall:.2f} s)")
    post = [1000 * value for value in tally.post_latency]
    print(
        f"POST latency: p50 {percentile(post, 0.50):.1f} ms, p99 {percentile(post, 0.99):.1f} ms, "
        f"max {max(post):.1f} ms"
    )
    if tally.end_to_end:
        ends = [1000 * value for value in tally.end_to_end]
        print(
            f"POST to end seen: p50 {statistics.median(ends):.0f} ms, p99 {percentile(ends, 0.99):.0f} ms "
            f"(polling every {1000 * args.poll:.0f} ms)"
        )
    for line in (tally.errors + problems)[:10]:
        print("problem:", line)
    lost_or_stuck = len(tally.final) - ended + len(tally.errors) + len(problems)
    print(f"lost or stuck: {lost_or_stuck}")
    return 1 if lost_or_stuck or len(tally.final) < args.sessions else 0


class InstantKitchen:
    """Validates like the Kitchen, then completes the session at once (no workflow, no tables)."""

    def __init__(self) -> None:
        self.sessions: dict[str, dict[str, Any]] = {}

    async def start_session(self, body: Any, owner: str | None = None) -> dict[str, Any]:
        import uuid

        from aichef.models import parse_session

        request = parse_session({"sessionId": uuid.uuid4().hex, **body})
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        session = {
            "sessionId": request.sessionId,
            "status": "completed",
            "phase": "finished",
            "progress": 100,
        }
        self.sessions[request.sessionId] = {**session, "error": None, "createdAt": now, "updatedAt": now}
        return {
            **self.sessions[request.sessionId],
            "status": "processing",
            "phase": "recipe_generation",
            "progress": 0,
        }

    def get_session(self, session_id: str) -> dict[str, Any] | None:
        return self.sessions.get(session_id)

    def get_result_text(self, session_id: str) -> str | None:
        return json.dumps({"sessionId": session_id}) if session_id in self.sessions else None

    def list_sessions(self, limit: int = 20, owner: str | None = None) -> list[dict[str, Any]]:
        return list(self.sessions.values())[-limit:][::-1]

    async def subscribe(self, session_id: str) -> Any:
        if session_id in self.sessions:
            yield self.sessions[session_id]

    async def close(self) -> None:
        return None


def serve_instant(port: int) -> int:
    import uvicorn

    from aichef.web import create_app

    uvicorn.run(create_app(InstantKitchen()), host=HOST, port=port, log_level="warning", lifespan="off")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--poll", type=float, default=0.1, help="seconds between a client's status reads")
    parser.add_argument("--deadline", type=float, default=300.0, help="seconds before the test gives up")
    parser.add_argument("--instant", action="store_true", help="measure the HTTP layer alone")
    parser.add_argument("--workers", type=int, default=1, help="server processes (aichef serve --workers)")
    parser.add_argument("--serve-instant", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_instant:
        return serve_instant(args.serve_instant)
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="aichef-load-") as data_dir:
        code = (
            "import sys; from aichef.web import serve; "
            f"sys.exit(serve({HOST!r}, {port}, {data_dir!r}, log_level='warning', workers={args.workers}))"
        )
        # Offline providers and reference prices: no key may send the server to the network.
        env = {k: v for k, v in os.environ.items() if not k.startswith("NAVER_")} | {
            "AICHEF_PROVIDER": "offline"
        }
        command = [sys.executable, "-c", code]
        if args.instant:
            command = [sys.executable, __file__, "--serve-instant", str(port)]
        server = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
        try:
            return asyncio.run(run(args, port))
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    sys.exit(main())
