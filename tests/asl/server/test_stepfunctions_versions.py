"""State machine versions and aliases through boto3 against `asl serve`, as AWS documents them.

Sources: the developer guide's "State machine versions in Step Functions workflows", "State
machine aliases in Step Functions workflows" and "How Step Functions associates executions with
a version or alias"; the API reference of CreateStateMachine and UpdateStateMachine (``publish``,
``versionDescription``), PublishStateMachineVersion, ListStateMachineVersions,
DeleteStateMachineVersion, the *StateMachineAlias actions, DescribeStateMachine,
DescribeExecution and ListExecutions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from asl_serve_support import ROLE, client, eventually

from asl.server import BackgroundServer, create_app


def _pass(result: str) -> str:
    return json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": result, "End": True}}})


def _code(raised: pytest.ExceptionInfo[Any]) -> tuple[str, int]:
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def _finished(sfn: Any, execution_arn: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        described: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        return described if described["status"] != "RUNNING" else None

    result: dict[str, Any] = eventually(done, f"{execution_arn} to end")
    return result


def test_publish_on_create_and_update_and_publish_state_machine_version(sfn: Any) -> None:
    created = sfn.create_state_machine(
        name="versioned", definition=_pass("one"), roleArn=ROLE, publish=True, versionDescription="first"
    )
    arn = created["stateMachineArn"]
    assert created["stateMachineVersionArn"] == f"{arn}:1"
    # the same CreateStateMachine again is idempotent: no second version of the same revision
    same = sfn.create_state_machine(
        name="versioned", definition=_pass("one"), roleArn=ROLE, publish=True, versionDescription="first"
    )
    assert same["stateMachineVersionArn"] == f"{arn}:1"
    updated = sfn.update_state_machine(stateMachineArn=arn, definition=_pass("two"), publish=True)
    assert updated["stateMachineVersionArn"] == f"{arn}:2"
    # publishing the unchanged revision answers the version there is (AWS: idempotent)
    again = sfn.publish_state_machine_version(stateMachineArn=arn, revisionId=updated["revisionId"])
    assert again["stateMachineVersionArn"] == f"{arn}:2"
    # a revisionId other than the machine's current one is a ConflictException (HTTP 409)
    with pytest.raises(sfn.exceptions.ConflictException) as raised:
        sfn.publish_state_machine_version(stateMachineArn=arn, revisionId="stale")
    assert _code(raised) == ("ConflictException", 409)
    # DescribeStateMachine of a version ARN shows that version
    one = sfn.describe_state_machine(stateMachineArn=f"{arn}:1")
    assert one["stateMachineArn"] == f"{arn}:1" and one["description"] == "first"
    assert json.loads(one["definition"])["States"]["P"]["Result"] == "one"
    assert json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"])["States"]["P"][
        "Result"
    ] == ("two")
    # ListStateMachineVersions: newest first, in pages
    page = sfn.list_state_machine_versions(stateMachineArn=arn, maxResults=1)
    assert [v["stateMachineVersionArn"] for v in page["stateMachineVersions"]] == [f"{arn}:2"]
    rest = sfn.list_state_machine_versions(stateMachineArn=arn, maxResults=1, nextToken=page["nextToken"])
    assert [v["stateMachineVersionArn"] for v in rest["stateMachineVersions"]] == [f"{arn}:1"]
    # versionDescription only with publish
    with pytest.raises(sfn.exceptions.ValidationException, match="publish"):
        sfn.update_state_machine(stateMachineArn=arn, definition=_pass("three"), versionDescription="x")
    with pytest.raises(sfn.exceptions.ValidationException):
        sfn.update_state_machine(stateMachineArn=f"{arn}:1", definition=_pass("three"))


def test_aliases_route_executions_and_hold_their_versions(sfn: Any) -> None:
    arn = sfn.create_state_machine(name="aliased", definition=_pass("v1"), roleArn=ROLE, publish=True)[
        "stateMachineArn"
    ]
    sfn.update_state_machine(stateMachineArn=arn, definition=_pass("latest"))
    routing = [{"stateMachineVersionArn": f"{arn}:1", "weight": 100}]
    alias_arn = sfn.create_state_machine_alias(name="PROD", routingConfiguration=routing, description="live")[
        "stateMachineAliasArn"
    ]
    assert alias_arn == f"{arn}:PROD"
    started = sfn.start_execution(stateMachineArn=alias_arn, input="{}")
    # the execution ARN names the machine, not the alias
    assert started["executionArn"].startswith(arn.replace(":stateMachine:", ":execution:") + ":")
    described = _finished(sfn, started["executionArn"])
    assert json.loads(described["output"]) == "v1"  # the version's definition, not the latest
    assert described["stateMachineAliasArn"] == alias_arn
    assert described["stateMachineVersionArn"] == f"{arn}:1"
    ran = sfn.describe_state_machine_for_execution(executionArn=started["executionArn"])
    assert json.loads(ran["definition"])["States"]["P"]["Result"] == "v1"
    by_version = sfn.start_execution(stateMachineArn=f"{arn}:1", input="{}")["executionArn"]
    assert "stateMachineAliasArn" not in _finished(sfn, by_version)
    listed = sfn.list_executions(stateMachineArn=alias_arn)["executions"]
    assert [e["executionArn"] for e in listed] == [started["executionArn"]]
    assert listed[0]["stateMachineAliasArn"] == alias_arn
    assert len(sfn.list_executions(stateMachineArn=f"{arn}:1")["executions"]) == 2
    # alias CRUD
    alias = sfn.describe_state_machine_alias(stateMachineAliasArn=alias_arn)
    assert alias["name"] == "PROD" and alias["description"] == "live"
    assert alias["routingConfiguration"] == routing
    assert [a["stateMachineAliasArn"] for a in sfn.list_state_machine_aliases(stateMachineArn=arn)[
        "stateMachineAliases"
    ]] == [alias_arn]  # fmt: skip
    with pytest.raises(sfn.exceptions.ConflictException, match="referenced by an alias"):
        sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:1")
    two = sfn.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"]
    sfn.update_state_machine_alias(
        stateMachineAliasArn=alias_arn, routingConfiguration=[{"stateMachineVersionArn": two, "weight": 100}]
    )
    assert json.loads(
        _finished(sfn, sfn.start_execution(stateMachineArn=alias_arn)["executionArn"])["output"]
    ) == ("latest")
    sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:1")  # no alias routes to it now
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.start_execution(stateMachineArn=f"{arn}:1")
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias_arn)
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.describe_state_machine_alias(stateMachineAliasArn=alias_arn)


def test_alias_requests_aws_refuses(sfn: Any) -> None:
    arn = sfn.create_state_machine(name="refusals", definition=_pass("v1"), roleArn=ROLE, publish=True)[
        "stateMachineArn"
    ]
    one = [{"stateMachineVersionArn": f"{arn}:1", "weight": 100}]
    with pytest.raises(sfn.exceptions.InvalidName):  # an integer name would read as a version number
        sfn.create_state_machine_alias(name="42", routingConfiguration=one)
    with pytest.raises(sfn.exceptions.ValidationException, match="sum to 100"):
        sfn.create_state_machine_alias(
            name="half", routingConfiguration=[{"stateMachineVersionArn": f"{arn}:1", "weight": 50}]
        )
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.create_state_machine_alias(
            name="missing", routingConfiguration=[{"stateMachineVersionArn": f"{arn}:7", "weight": 100}]
        )
    sfn.create_state_machine_alias(name="same", routingConfiguration=one)
    with pytest.raises(sfn.exceptions.ConflictException):
        sfn.create_state_machine_alias(name="same", routingConfiguration=one, description="other")
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.describe_state_machine(stateMachineArn=f"{arn}:same")  # aliases: DescribeStateMachineAlias
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:same")  # not a version ARN
    other = sfn.create_state_machine(
        name="refusals-other", definition=_pass("o"), roleArn=ROLE, publish=True
    )["stateMachineVersionArn"]
    with pytest.raises(sfn.exceptions.ValidationException, match="versions of"):
        sfn.update_state_machine_alias(
            stateMachineAliasArn=f"{arn}:same",
            routingConfiguration=[{"stateMachineVersionArn": other, "weight": 100}],
        )


def test_an_express_alias_splits_start_sync_executions_by_weight(sfn: Any) -> None:
    arn = sfn.create_state_machine(
        name="express-split", definition=_pass("a"), roleArn=ROLE, type="EXPRESS", publish=True
    )["stateMachineArn"]
    sfn.update_state_machine(stateMachineArn=arn, definition=_pass("b"), publish=True)
    routing = [
        {"stateMachineVersionArn": f"{arn}:1", "weight": 50},
        {"stateMachineVersionArn": f"{arn}:2", "weight": 50},
    ]
    alias_arn = sfn.create_state_machine_alias(name="split", routingConfiguration=routing)[
        "stateMachineAliasArn"
    ]
    outputs = {json.loads(sfn.start_sync_execution(stateMachineArn=alias_arn)["output"]) for _ in range(30)}
    assert outputs == {"a", "b"}  # both versions run (one of them alone: 2 chances in 2**30)


def test_deleting_the_machine_deletes_its_versions_and_aliases(sfn: Any) -> None:
    arn = sfn.create_state_machine(name="going", definition=_pass("v1"), roleArn=ROLE, publish=True)[
        "stateMachineArn"
    ]
    sfn.create_state_machine_alias(
        name="PROD", routingConfiguration=[{"stateMachineVersionArn": f"{arn}:1", "weight": 100}]
    )
    sfn.delete_state_machine(stateMachineArn=arn)
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.list_state_machine_aliases(stateMachineArn=arn)
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.describe_state_machine_alias(stateMachineAliasArn=f"{arn}:PROD")
    assert sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"] == []


def test_versions_aliases_and_a_running_version_execution_survive_a_restart(tmp_path: Path) -> None:
    waiting = {
        "StartAt": "Nap",
        "States": {
            "Nap": {"Type": "Wait", "Seconds": 2, "Next": "P"},
            "P": {"Type": "Pass", "Result": "v1", "End": True},
        },
    }
    with BackgroundServer(create_app(tmp_path)) as server:
        sfn = client("stepfunctions", server.url)
        arn = sfn.create_state_machine(
            name="durable", definition=json.dumps(waiting), roleArn=ROLE, publish=True
        )["stateMachineArn"]
        sfn.update_state_machine(stateMachineArn=arn, definition=_pass("latest"))
        sfn.create_state_machine_alias(
            name="PROD", routingConfiguration=[{"stateMachineVersionArn": f"{arn}:1", "weight": 100}]
        )
        execution_arn = sfn.start_execution(stateMachineArn=f"{arn}:PROD")["executionArn"]
        # stopped while the execution waits: the next server resumes it
        assert sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"
    with BackgroundServer(create_app(tmp_path)) as server:
        sfn = client("stepfunctions", server.url)
        described = _finished(sfn, execution_arn)
        assert described["status"] == "SUCCEEDED" and json.loads(described["output"]) == "v1"
        assert described["stateMachineVersionArn"] == f"{arn}:1"
        assert described["stateMachineAliasArn"] == f"{arn}:PROD"
        assert sfn.describe_state_machine_alias(stateMachineAliasArn=f"{arn}:PROD")[
            "routingConfiguration"
        ] == [{"stateMachineVersionArn": f"{arn}:1", "weight": 100}]
        assert json.loads(sfn.describe_state_machine(stateMachineArn=f"{arn}:1")["definition"]) == waiting
