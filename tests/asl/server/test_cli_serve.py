"""`asl serve` as a user runs it: a subprocess serving boto3, with the --handlers of `asl run`."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from asl_serve_support import EXAMPLES, ROLE, client, eventually

import asl.server
from asl.cli import main
from asl.server import Endpoint


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _answers(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = _free_port()
    command = [sys.executable, "-m", "asl.cli", "serve", "--port", str(port), "--data-dir", str(tmp_path)]
    process = subprocess.Popen(
        [*command, "--handlers", str(EXAMPLES / "hello_handlers.py"), "--region", "ap-northeast-2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        eventually(lambda: _answers(port) or process.poll() is not None, "asl serve to listen")
        assert process.poll() is None, process.communicate()[1]
        yield f"http://127.0.0.1:{port}", process
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_serve_runs_the_example_with_its_handlers_and_stops_on_ctrl_c(
    served: tuple[str, subprocess.Popen[str]], tmp_path: Path
) -> None:
    url, process = served
    sfn = client("stepfunctions", url)
    arn = sfn.create_state_machine(
        name="hello", definition=(EXAMPLES / "hello.asl.json").read_text(), roleArn=ROLE
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input='{"name": "Ara", "items": [3, 4, 5]}')[
        "executionArn"
    ]
    assert arn == "arn:aws:states:ap-northeast-2:123456789012:stateMachine:hello"  # --region
    described = eventually(
        lambda: (d := sfn.describe_execution(executionArn=execution))["status"] != "RUNNING" and d,
        "the execution to end",
    )
    assert json.loads(described["output"]) == {
        "message": "Hello, Ara! You sent 3 items.",
        "squares": [9, 16, 25],
    }

    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=20)
    assert process.returncode == 0
    assert f"data in {tmp_path}" in errors
    assert "Signature" not in errors  # the Authorization header is never logged
    assert {p.name for p in tmp_path.iterdir()} >= {"executions.sqlite", "tables.sqlite"}


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--region", "Seoul", "--region must be a region name"),
        ("--account", "12345", "--account must be 12"),
        (
            "--synchronous",
            "bogus",
            "argument --synchronous: invalid choice: 'bogus' (choose from 'full', 'normal')",
        ),
    ],
)
def test_serve_refuses_a_region_account_or_synchronous_level_it_does_not_know(
    tmp_path: Path, option: str, value: str, says: str
) -> None:
    command = [sys.executable, "-m", "asl.cli", "serve", "--data-dir", str(tmp_path), option, value]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert says in done.stderr and "Traceback" not in done.stderr


def test_serve_refuses_a_bad_synchronous_level_in_the_environment(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "asl.cli", "serve", "--data-dir", str(tmp_path), "--port", "0"]
    environment = {**os.environ, "ASL_SYNCHRONOUS": "always"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False, env=environment)
    assert done.returncode == 2
    assert "ASL_SYNCHRONOUS must be FULL or NORMAL (any case), got 'always'" in done.stderr
    assert "Traceback" not in done.stderr


def _levels_served(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> tuple[int, int]:
    """`PRAGMA synchronous` on the tables' and the executions' connections of the app `asl serve` builds."""
    seen: list[tuple[int, int]] = []

    async def look(app: Endpoint) -> tuple[int, int]:
        backend = await app.open()
        try:
            tables = backend.tables._engine.connection.execute("PRAGMA synchronous").fetchone()[0]
            executions = backend.runtime.store._db.execute("PRAGMA synchronous").fetchone()[0]
            return int(tables), int(executions)
        finally:
            await app.close()

    def instead_of_serving(app: Endpoint, host: str, port: int) -> None:
        seen.append(asyncio.run(look(app)))

    monkeypatch.setattr(asl.server, "serve", instead_of_serving)
    assert main(["serve", "--port", "0", *argv]) == 0
    assert len(seen) == 1
    return seen[0]


@pytest.mark.parametrize(
    ("option", "environment", "pragma"),
    [("full", None, 2), ("NORMAL", "FULL", 1), (None, "full", 2), (None, None, 1)],
)
def test_serve_opens_both_stores_at_the_synchronous_level_chosen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str | None, environment: str | None, pragma: int
) -> None:
    monkeypatch.delenv("ASL_SYNCHRONOUS", raising=False)
    if environment is not None:
        monkeypatch.setenv("ASL_SYNCHRONOUS", environment)
    argv = ["--data-dir", str(tmp_path)] + (["--synchronous", option] if option else [])
    assert _levels_served(monkeypatch, argv) == (pragma, pragma)
