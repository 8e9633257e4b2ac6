"""`asl serve` as a user runs it: a subprocess serving boto3, with the --handlers of `asl run`."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from asl_serve_support import EXAMPLES, ROLE, client, eventually


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
    [("--region", "Seoul", "--region must be a region name"), ("--account", "12345", "--account must be 12")],
)
def test_serve_refuses_a_region_or_account_aws_would_not_have(
    tmp_path: Path, option: str, value: str, says: str
) -> None:
    command = [sys.executable, "-m", "asl.cli", "serve", "--data-dir", str(tmp_path), option, value]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert says in done.stderr and "Traceback" not in done.stderr
