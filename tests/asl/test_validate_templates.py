"""`asl validate template.yaml`: every state machine of a SAM or CloudFormation template, checked.

Definitions come inline (``Definition``), from a local file (``DefinitionUri``, relative to the
template) or as JSON text (``DefinitionString``, also through ``Fn::Sub`` and ``Fn::Join``).
What CloudFormation fills in at deploy time (``Ref``, ``Fn::GetAtt``, ``Fn::Sub``, ``!Ref`` short
forms, unresolved ``${Name}``) is a value to come, valid where an ARN or a string will be; every
problem names the resource's logical id and the JSON pointer into its definition.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asl.cli import main
from asl.validate import iter_template_errors

REPO = Path(__file__).resolve().parents[2]


def _errors(path: Path) -> list[tuple[str, str, str]]:
    return [
        (finding.resource, finding.problem.code, finding.problem.location)
        for finding in iter_template_errors(path)
        if finding.kind == "error"
    ]


def _write(folder: Path, text: str, name: str = "template.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_project_template_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    template = REPO / "deploy" / "template.yaml"
    findings = list(iter_template_errors(template))
    assert [(f.resource, f.kind) for f in findings] == [("RecipeStateMachine", "checked")]
    assert main(["validate", str(template)]) == 0
    out = capsys.readouterr().out
    assert "RecipeStateMachine: checked" in out and "valid" in out


SAM_INLINE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Work:
    Type: AWS::Serverless::Function
    Properties: {Handler: app.handler, Runtime: python3.12, CodeUri: src/}
  Good:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionSubstitutions:
        WorkArn: !GetAtt Work.Arn
        Seconds: 5
      Definition:
        StartAt: Call
        States:
          Call:
            Type: Task
            Resource: !GetAtt Work.Arn
            Next: Wait
          Wait:
            Type: Wait
            Seconds: ${Seconds}
            Next: Again
          Again:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters:
              FunctionName: ${WorkArn}
              Payload.$: $
            TimeoutSeconds: !Ref Timeout
            Next: Sub
          Sub:
            Type: Task
            Resource: !Sub arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:work
            Next: Joined
          Joined:
            Type: Task
            Resource: !Join [":", [arn, aws, lambda, !Ref AWS::Region, !Ref AWS::AccountId, function, w]]
            Next: At
          At:
            Type: Wait
            Timestamp: 2016-03-14T01:59:00Z
            End: true
  Bad:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: Call
        States:
          Call:
            Type: Task
            Resource: !Ref Work
            Next: Nowhere
          Done:
            Type: Succeed
            Next: Call
"""


def test_inline_sam_definitions_with_intrinsics(tmp_path: Path) -> None:
    errors = _errors(_write(tmp_path, SAM_INLINE))
    assert ("Bad", "MISSING_TRANSITION_TARGET", "/States/Call/Next") in errors
    assert ("Bad", "SCHEMA_VALIDATION_FAILED", "/States/Done/Next") in errors
    assert all(resource == "Bad" for resource, _, _ in errors)


def test_a_literal_substitution_is_checked_like_any_value(tmp_path: Path) -> None:
    text = SAM_INLINE.replace("Seconds: 5", "Seconds: -5")
    errors = _errors(_write(tmp_path, text))
    assert ("Good", "SCHEMA_VALIDATION_FAILED", "/States/Wait/Seconds") in errors


def test_the_command_names_the_resource_and_the_pointer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(_write(tmp_path, SAM_INLINE))]) == 2
    captured = capsys.readouterr()
    assert "Bad (Definition): MISSING_TRANSITION_TARGET at /States/Call/Next" in captured.err
    assert "Good: checked, with" in captured.out
    assert "Traceback" not in captured.err


def test_definition_uri_reads_a_file_beside_the_template(tmp_path: Path) -> None:
    (tmp_path / "machines").mkdir()
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Task", "Resource": "${Fn}", "Next": "B"}, "B": {"Type": "Pass"}},
    }
    (tmp_path / "machines" / "flow.asl.json").write_text(json.dumps(definition))
    template = _write(
        tmp_path,
        """\
Resources:
  FromFile:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: machines/flow.asl.json
      DefinitionSubstitutions:
        Fn: !GetAtt Work.Arn
  Missing:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: machines/none.json
  InS3:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: s3://bucket/flow.json
  InS3Object:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: {Bucket: bucket, Key: flow.json}
""",
    )
    findings = list(iter_template_errors(template))
    errors = [(f.resource, f.problem.location) for f in findings if f.kind == "error"]
    assert errors == [("FromFile", "/States/B"), ("FromFile", "/States"), ("Missing", "")]
    unchecked = sorted(f.resource for f in findings if f.kind == "unchecked")
    assert unchecked == ["InS3", "InS3Object"]
    assert "machines/flow.asl.json" in next(f.source for f in findings if f.resource == "FromFile")


def test_definition_string_forms(tmp_path: Path) -> None:
    good = json.dumps(
        {
            "StartAt": "A",
            "States": {"A": {"Type": "Task", "Resource": "${Fn}", "HeartbeatSeconds": 10, "End": True}},
        }
    )
    bare = good.replace('"HeartbeatSeconds": 10', '"HeartbeatSeconds": ${Beat}')  # a number to come
    bad = good.replace('"End": true', '"Next": "Gone"')
    template = {
        "Resources": {
            "Plain": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {"DefinitionString": good, "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]}},
            },
            "Sub": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {"DefinitionString": {"Fn::Sub": [bare, {"Fn": {"Fn::GetAtt": ["F", "Arn"]}}]}},
            },
            "Joined": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "DefinitionString": {
                        "Fn::Join": [
                            "",
                            [
                                '{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "',
                                {"Fn::GetAtt": ["F", "Arn"]},
                                '", "Next": "Gone"}}}',
                            ],
                        ]
                    }
                },
            },
            "Broken": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"DefinitionString": bad}},
            "NotJson": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {"DefinitionString": "{nope"},
            },
            "Twice": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {"DefinitionString": good.replace('"End": true', '"End": true, "End": true')},
            },
            "Elsewhere": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {"DefinitionS3Location": {"Bucket": "b", "Key": "k"}},
            },
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
        }
    }
    findings = list(iter_template_errors(_write(tmp_path, json.dumps(template, indent=2), "template.json")))
    errors = [(f.resource, f.problem.code, f.problem.location) for f in findings if f.kind == "error"]
    assert errors == [
        ("Joined", "MISSING_TRANSITION_TARGET", "/States/A/Next"),
        ("Joined", "MISSING_END_STATE", "/States"),
        ("Broken", "MISSING_TRANSITION_TARGET", "/States/A/Next"),
        ("Broken", "MISSING_END_STATE", "/States"),
        ("NotJson", "SCHEMA_VALIDATION_FAILED", ""),
        ("Twice", "SCHEMA_VALIDATION_FAILED", "/States/A/End"),
    ]
    assert [f.resource for f in findings if f.kind == "unchecked"] == ["Elsewhere"]


def test_repeated_keys_in_an_inline_yaml_definition(tmp_path: Path) -> None:
    template = _write(
        tmp_path,
        """\
Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: A
        States:
          A:
            Type: Pass
            End: true
            Type: Succeed
""",
    )
    findings = [f for f in iter_template_errors(template) if f.kind == "error"]
    assert (findings[0].resource, findings[0].problem.location) == ("Machine", "/States/A/Type")
    assert "line 9, column 13" in findings[0].problem.message
    assert "line 11, column 13" in findings[0].problem.message


def test_a_resource_without_a_definition_is_an_error(tmp_path: Path) -> None:
    template = _write(
        tmp_path, "Resources:\n  M:\n    Type: AWS::Serverless::StateMachine\n    Properties: {}\n"
    )
    assert _errors(template) == [("M", "SCHEMA_VALIDATION_FAILED", "")]


def test_not_a_template_is_read_as_a_definition(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "StartAt: A\nStates:\n  A: {Type: Succeed}\n", "machine.yaml")
    assert main(["validate", str(path)]) == 0
    assert "valid" in capsys.readouterr().out


def test_a_yaml_sub_block_definition_string(tmp_path: Path) -> None:
    template = _write(
        tmp_path,
        """\
Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: !GetAtt Role.Arn
      DefinitionString: !Sub
        - |
          {
            "StartAt": "Call",
            "States": {
              "Call": {"Type": "Task", "Resource": "${WorkArn}", "TimeoutSeconds": ${Timeout},
                       "Next": "Wait"},
              "Wait": {"Type": "Wait", "Seconds": ${Pause}, "Next": "Done"},
              "Done": {"Type": "Pass", "Result": {"in": "${AWS::Region}", "on": ${Flag}}, "End": true}
            }
          }
        - WorkArn: !GetAtt Work.Arn
          Pause: 0
          Flag: true
""",
    )
    assert [f.kind for f in iter_template_errors(template)] == ["checked"]
    broken = _write(tmp_path, template.read_text().replace("Pause: 0", "Pause: -1"), "broken.yaml")
    assert _errors(broken) == [("Machine", "SCHEMA_VALIDATION_FAILED", "/States/Wait/Seconds")]


def test_conditional_values_are_values_to_come(tmp_path: Path) -> None:
    template = _write(
        tmp_path,
        """\
Resources:
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: Call
        States:
          Call:
            Type: Task
            Resource: !If [UseFast, !GetAtt Fast.Arn, !GetAtt Slow.Arn]
            TimeoutSeconds: !FindInMap [Limits, !Ref Stage, Timeout]
            Retry:
              - ErrorEquals: [States.ALL]
                MaxAttempts: !Ref Attempts
            End: true
""",
    )
    assert _errors(template) == []
