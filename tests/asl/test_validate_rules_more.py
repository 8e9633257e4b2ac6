"""Validation rules teams meet: repeated keys, Map limits given twice, Lambda ARN qualifiers.

Each rule follows AWS's documentation: a Lambda function ARN is
``arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`` with a name of letters, digits,
hyphens and underscores and at most one qualifier, a version (``$LATEST`` or a number) or an alias;
a Distributed Map's ``ReaderConfig`` and ``ItemBatcher`` take a limit as a number or as a path
(``MaxItems``/``MaxItemsPath``, ``MaxItemsPerBatch``/``MaxItemsPerBatchPath``,
``MaxInputBytesPerBatch``/``MaxInputBytesPerBatchPath``), not both. JSON keeps the later value of a
repeated key and drops the earlier without a word, so a repeat is an error naming both places.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from asl import StateMachine
from asl.cli import main
from asl.definition import load_definition, read_definition
from asl.errors import DefinitionError
from asl.validate import iter_errors

SCHEMA = "SCHEMA_VALIDATION_FAILED"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:"


def _problems(definition: dict[str, Any]) -> list[tuple[str, str]]:
    return [(problem.code, problem.location) for problem in iter_errors(definition)]


def _task(resource: str) -> dict[str, Any]:
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, "End": True}}}


def _distributed_map(**parts: Any) -> dict[str, Any]:
    return {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                **parts,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "End": True}},
                },
                "End": True,
            }
        },
    }


# --- Lambda function ARNs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "resource",
    [
        FUNCTION + "work",
        FUNCTION + "work:$LATEST",
        FUNCTION + "work:7",
        FUNCTION + "work:prod",
        FUNCTION + "work:blue_green-2",
        "arn:aws-cn:lambda:cn-north-1:123456789012:function:work:live",
        "arn:aws:states:::lambda:invoke",
    ],
)
def test_well_formed_lambda_arns_pass(resource: str) -> None:
    assert _problems(_task(resource)) == []


@pytest.mark.parametrize(
    ("resource", "words"),
    [
        (FUNCTION + "work:", "is empty"),  # an empty alias or version
        (FUNCTION + "work:pr.od", "malformed"),
        (FUNCTION + "work:$latest", "malformed"),  # $LATEST is the only $ qualifier, in capitals
        (FUNCTION + "work:" + "a" * 129, "malformed"),  # an alias has at most 128 characters
        (FUNCTION + "work:1:2", "at most one alias or version"),
        (FUNCTION + "wo.rk", "function name"),
        (FUNCTION + "a" * 65, "function name"),  # a function name has at most 64 characters
    ],
)
def test_malformed_lambda_arns_are_invalid_resources(resource: str, words: str) -> None:
    problems = list(iter_errors(_task(resource)))
    assert [(p.code, p.location) for p in problems] == [("INVALID_RESOURCE", "/States/T/Resource")]
    assert words in problems[0].message


# --- ReaderConfig and ItemBatcher: a limit as a number or as a path, not both --------------------


def _reader(**config: Any) -> dict[str, Any]:
    return {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON", **config},
        "Parameters": {"Bucket": "b", "Key": "k.json"},
    }


def test_reader_config_with_max_items_or_its_path_passes() -> None:
    assert _problems(_distributed_map(ItemReader=_reader(MaxItems=10))) == []
    assert _problems(_distributed_map(ItemReader=_reader(MaxItemsPath="$.limit"))) == []


def test_reader_config_with_both_max_items_and_its_path_fails() -> None:
    definition = _distributed_map(ItemReader=_reader(MaxItems=10, MaxItemsPath="$.limit"))
    problems = list(iter_errors(definition))
    assert [(p.code, p.location) for p in problems] == [
        (SCHEMA, "/States/M/ItemReader/ReaderConfig/MaxItemsPath")
    ]
    assert "MaxItems" in problems[0].message and "use one" in problems[0].message


def test_reader_config_checks_its_limit_and_path() -> None:
    definition = _distributed_map(ItemReader=_reader(MaxItems=-1))
    assert _problems(definition) == [(SCHEMA, "/States/M/ItemReader/ReaderConfig/MaxItems")]
    definition = _distributed_map(ItemReader=_reader(MaxItemsPath="limit"))
    assert _problems(definition) == [(SCHEMA, "/States/M/ItemReader/ReaderConfig/MaxItemsPath")]


@pytest.mark.parametrize(
    ("batcher", "where"),
    [
        ({"MaxItemsPerBatch": 10, "MaxItemsPerBatchPath": "$.n"}, "MaxItemsPerBatchPath"),
        ({"MaxInputBytesPerBatch": 1024, "MaxInputBytesPerBatchPath": "$.b"}, "MaxInputBytesPerBatchPath"),
    ],
)
def test_item_batcher_with_a_field_and_its_path_twin_fails(batcher: dict[str, Any], where: str) -> None:
    problems = list(iter_errors(_distributed_map(ItemBatcher=batcher)))
    assert [(p.code, p.location) for p in problems] == [(SCHEMA, f"/States/M/ItemBatcher/{where}")]


def test_item_batcher_with_one_of_each_passes() -> None:
    batcher = {"MaxItemsPerBatch": 10, "MaxInputBytesPerBatchPath": "$.bytes", "BatchInput": {"k": 1}}
    assert _problems(_distributed_map(ItemBatcher=batcher)) == []


def test_item_batcher_bounds() -> None:
    # A batch holds at least one item, and at most 256 KiB (the payload limit).
    assert _problems(_distributed_map(ItemBatcher={"MaxItemsPerBatch": 0})) == [
        (SCHEMA, "/States/M/ItemBatcher/MaxItemsPerBatch")
    ]
    assert _problems(_distributed_map(ItemBatcher={"MaxInputBytesPerBatch": 262_145})) == [
        (SCHEMA, "/States/M/ItemBatcher/MaxInputBytesPerBatch")
    ]
    assert _problems(_distributed_map(ItemBatcher={"MaxInputBytesPerBatch": 262_144})) == []


# --- repeated keys -------------------------------------------------------------------------------

REPEATED_JSON = """{
  "StartAt": "A",
  "States": {
    "A": {"Type": "Pass", "Next": "B",
          "Next": "C"},
    "B": {"Type": "Succeed"},
    "C": {"Type": "Succeed"}
  }
}"""

REPEATED_YAML = """StartAt: A
States:
  A:
    Type: Pass
    Result: {k: 1, k: 2}
    End: true
"""


def test_a_repeated_json_key_names_both_places() -> None:
    _, problems = read_definition(REPEATED_JSON)
    assert [(p.code, p.location) for p in problems] == [(SCHEMA, "/States/A/Next")]
    message = problems[0].message
    assert "line 4, column 27" in message and "line 5, column 11" in message
    assert message.count("/States/A/Next") == 2


def test_a_repeated_yaml_key_names_both_places() -> None:
    _, problems = read_definition(REPEATED_YAML)
    assert [(p.code, p.location) for p in problems] == [(SCHEMA, "/States/A/Result/k")]
    assert "line 5, column 14" in problems[0].message and "line 5, column 20" in problems[0].message


def test_keys_repeated_in_different_objects_are_not_repeats() -> None:
    text = json.dumps(
        {
            "StartAt": "A",
            "States": {"A": {"Type": "Pass", "Result": {"Type": 1, "Next": [{"Type": 2}]}, "End": True}},
        }
    )
    assert read_definition(text)[1] == []


def test_loading_a_definition_with_a_repeated_key_fails() -> None:
    # AWS would reject it at creation, so the runtime does not run it with one value silently lost.
    with pytest.raises(DefinitionError) as caught:
        load_definition(REPEATED_JSON)
    assert caught.value.problems[0].location == "/States/A/Next"
    with pytest.raises(DefinitionError):
        StateMachine(REPEATED_JSON)


def test_asl_validate_reports_repeats_with_the_other_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "machine.json"
    source.write_text(REPEATED_JSON.replace('"C": {"Type": "Succeed"}', '"C": {"Type": "Wait"}'))
    assert main(["validate", str(source)]) == 2
    err = capsys.readouterr().err
    assert "SCHEMA_VALIDATION_FAILED at /States/A/Next: Key 'Next' is written twice" in err
    assert "/States/C" in err  # the Wait state's own problem is reported too
    assert "Traceback" not in err


def test_asl_validate_accepts_placeholders_left_for_deployment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "machine.json"
    definition = {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": "${WorkFunction}", "TimeoutSeconds": "${Timeout}", "End": True}
        },
    }
    source.write_text(json.dumps(definition))
    assert main(["validate", str(source)]) == 0
    assert "2 values to come" in capsys.readouterr().out
    # Given a value, the placeholder is checked like any other.
    assert main(["validate", str(source), "-s", "WorkFunction=not-an-arn"]) == 2
    assert "INVALID_RESOURCE at /States/T/Resource" in capsys.readouterr().err
