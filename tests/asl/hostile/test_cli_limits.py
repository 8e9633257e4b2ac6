"""`asl run` and `asl validate` with hostile files and inputs: exit 2 and one line, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asl.cli import main

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


@pytest.fixture
def machine(tmp_path: Path) -> Path:
    path = tmp_path / "pass.asl.json"
    path.write_text(json.dumps(PASS))
    return path


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[" * 50_000 + "]" * 50_000, "nests deeper than"),
        ('{"x": NaN}', "NaN"),
        ('{"x": -Infinity}', "Infinity"),
        (json.dumps({"x": "a" * (256 * 1024)}), "256 KiB"),
    ],
)
def test_a_hostile_input_exits_2_with_one_line(
    machine: Path, text: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(machine), "--input", text]) == 2
    err = capsys.readouterr().err.strip()
    assert says in err and "Traceback" not in err
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize("command", ["run", "validate"])
def test_a_deeply_nested_definition_exits_2_with_one_line(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deep.asl.json"
    path.write_text(
        '{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": '
        + "[" * 20_000
        + "]" * 20_000
        + ', "End": true}}}'
    )
    assert main([command, str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "nests deeper than" in err and "Traceback" not in err


def test_a_definition_over_one_mebibyte_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "huge.asl.json"
    definition = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Result": "a" * (1024 * 1024), "End": True}},
    }
    path.write_text(json.dumps(definition))
    assert main(["run", str(path)]) == 2
    assert "1 MB" in capsys.readouterr().err


@pytest.mark.parametrize(
    "state",
    [
        {
            "Type": "Pass",
            "Parameters": {"x.$": "States.Format('{}', " * 5_000 + "1" + ")" * 5_000},
            "End": True,
        },
        {
            "Type": "Pass",
            "QueryLanguage": "JSONata",
            "Output": "{% " + "(" * 50_000 + "1" + ")" * 50_000 + " %}",
            "End": True,
        },
    ],
    ids=["intrinsic", "jsonata"],
)
def test_a_deeply_nested_expression_exits_2(
    tmp_path: Path, state: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deep.asl.json"
    path.write_text(json.dumps({"StartAt": "P", "States": {"P": state}}))
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert "nests too deeply" in err and "Traceback" not in err
