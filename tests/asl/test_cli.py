"""The `asl` command: exit codes, messages, and output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asl.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
_WHERE_ARN = "arn:aws:lambda:us-east-1:123456789012:function:where"


def test_run_prints_the_output_and_a_history_table(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "run",
            str(EXAMPLES / "hello.asl.json"),
            "--handlers",
            str(EXAMPLES / "hello_handlers.py"),
            "--input",
            '{"name": "Ji-woo", "items": [1, 2, 3]}',
            "--history",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "MapIterationStarted" in out and "ExecutionSucceeded" in out
    result = json.loads(out[out.index("\n{") :])
    assert result == {"message": "Hello, Ji-woo! You sent 3 items.", "squares": [1, 4, 9]}


def test_validate_accepts_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(EXAMPLES / "hello.asl.json")]) == 0
    assert "valid" in capsys.readouterr().out


def test_invalid_definition_exits_2_with_pointer_and_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}))
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "/States/A/Next" in err and "Traceback" not in err


def test_yaml_definition_with_substitutions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "m.yaml"
    source.write_text("StartAt: A\nStates:\n  A:\n    Type: Pass\n    Result: ${Greeting}\n    End: true\n")
    assert main(["run", str(source), "-s", "Greeting=annyeong"]) == 0
    assert json.loads(capsys.readouterr().out) == "annyeong"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "no-such-file.json"], "cannot read the definition file"),
        (["run", str(EXAMPLES / "hello.asl.json"), "--input", "{not json"], "--input must be JSON"),
        (["run", str(EXAMPLES / "hello.asl.json"), "-s", "novalue"], "NAME=VALUE"),
        (["conformance", "/no/such/dir"], "no conformance cases"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_failed_execution_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "fail.json"
    source.write_text(
        json.dumps({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Oops", "Cause": "bad"}}})
    )
    assert main(["run", str(source)]) == 1
    assert "FAILED: Oops: bad" in capsys.readouterr().err


def test_executions_and_history_read_a_durable_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    from asl import ExecutionStore, Runtime, StateMachine

    async def record() -> None:
        runtime = Runtime(ExecutionStore(tmp_path / "executions.sqlite"))
        machine = StateMachine({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, name="Shop")
        arn = runtime.register(machine)
        started = await runtime.start_execution(arn, '{"n": 1}', name="order-7")
        await runtime.wait(started["executionArn"])
        await runtime.close()

    asyncio.run(record())
    store = str(tmp_path / "executions.sqlite")
    assert main(["executions", store]) == 0
    listing = capsys.readouterr().out
    assert "order-7" in listing and "SUCCEEDED" in listing
    assert main(["history", store, "order-7"]) == 0
    table = capsys.readouterr().out
    assert "PassStateEntered" in table and "ExecutionSucceeded" in table
    assert main(["history", store, "order-8"]) == 2
    assert main(["executions", str(tmp_path / "nothing.sqlite")]) == 2


def test_run_with_tables_serves_dynamodb_tasks_and_tells_handlers_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from asl.dynamodb import TableStore

    monkeypatch.setenv("ASL_TABLES", "unset-by-the-test")  # restored after the test: `run` sets it
    path = tmp_path / "tables.sqlite"
    with TableStore(path) as store:
        store.create_table("Notes", partition_key=("id", "S"))
    handlers = tmp_path / "where.py"
    handlers.write_text(
        "import os\n\ndef where(event, context):\n    return {'tables': os.environ['ASL_TABLES']}\n"
    )
    definition = tmp_path / "m.json"
    put = {"TableName": "Notes", "Item": {"id": {"S.$": "$.id"}, "tables": {"S.$": "$.found.tables"}}}
    definition.write_text(
        json.dumps(
            {
                "StartAt": "Where",
                "States": {
                    "Where": {"Type": "Task", "Resource": _WHERE_ARN, "ResultPath": "$.found", "Next": "Put"},
                    "Put": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::dynamodb:putItem",
                        "Parameters": put,
                        "End": True,
                    },
                },
            }
        )
    )
    argv = ["run", str(definition), "--handlers", str(handlers), "--tables", str(path)]
    assert main([*argv, "--input", '{"id": "n1"}']) == 0
    with TableStore(path) as store:
        item = store.table("Notes").get_item(Key={"id": "n1"})["Item"]
    assert item == {"id": "n1", "tables": str(path)}
    assert "SdkHttpMetadata" in capsys.readouterr().out  # putItem's own answer is the output


def test_run_without_tables_fails_a_dynamodb_task_and_a_bad_tables_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    definition = tmp_path / "m.json"
    task = {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem", "End": True}
    task["Parameters"] = {"TableName": "Notes", "Key": {"id": {"S": "n1"}}}
    definition.write_text(json.dumps({"StartAt": "Get", "States": {"Get": task}}))
    assert main(["run", str(definition)]) == 1
    capsys.readouterr()
    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("not sqlite")
    assert main(["run", str(definition), "--tables", str(not_a_database)]) == 2
    err = capsys.readouterr().err
    assert "--tables" in err and "notes.txt" in err and "Traceback" not in err
