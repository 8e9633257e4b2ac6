"""Step Functions through `asl serve`: real boto3 clients over HTTP against the local runtime."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from asl_serve_support import EXAMPLES, ROLE, client, eventually
from botocore.exceptions import ClientError, ReadTimeoutError

from asl.server import BackgroundServer, create_app

WAIT_LONG = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}}}


def _create(sfn: Any, name: str, definition: dict[str, Any] | str, **extra: Any) -> str:
    text = definition if isinstance(definition, str) else json.dumps(definition)
    arn: str = sfn.create_state_machine(name=name, definition=text, roleArn=ROLE, **extra)["stateMachineArn"]
    return arn


def _finished(sfn: Any, execution_arn: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        described: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        return described if described["status"] != "RUNNING" else None

    result: dict[str, Any] = eventually(done, f"{execution_arn} to end")
    return result


def test_hello_runs_with_the_handlers_and_reads_back_like_aws(sfn: Any) -> None:
    arn = _create(sfn, "hello", (EXAMPLES / "hello.asl.json").read_text())
    started = sfn.start_execution(
        stateMachineArn=arn, name="first", input='{"name": "Minji", "items": [1, 2, 3]}'
    )
    assert started["executionArn"] == arn.replace(":stateMachine:", ":execution:") + ":first"

    described = _finished(sfn, started["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {
        "message": "Hello, Minji! You sent 3 items.",
        "squares": [1, 4, 9],
    }
    # epoch seconds on the wire come back to boto3 as datetimes
    assert described["stopDate"] >= described["startDate"] == started["startDate"]

    events = sfn.get_execution_history(executionArn=started["executionArn"])["events"]
    assert events[0]["type"] == "ExecutionStarted"
    assert events[0]["executionStartedEventDetails"]["roleArn"] == ROLE
    assert events[-1]["type"] == "ExecutionSucceeded"
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    assert any(e["type"] == "LambdaFunctionSucceeded" for e in events)
    backwards = sfn.get_execution_history(
        executionArn=started["executionArn"], reverseOrder=True, maxResults=2
    )
    assert backwards["events"][0]["type"] == "ExecutionSucceeded"
    assert "nextToken" in backwards

    listed = sfn.list_executions(stateMachineArn=arn)["executions"]
    assert [(e["name"], e["status"]) for e in listed] == [("first", "SUCCEEDED")]
    machines = {m["name"]: m for m in sfn.list_state_machines()["stateMachines"]}
    assert machines["hello"]["stateMachineArn"] == arn
    machine = sfn.describe_state_machine(stateMachineArn=arn)
    assert (machine["name"], machine["type"], machine["roleArn"]) == ("hello", "STANDARD", ROLE)
    assert json.loads(machine["definition"]) == json.loads((EXAMPLES / "hello.asl.json").read_text())
    assert machine["creationDate"] == machines["hello"]["creationDate"]


def test_paginator_walks_the_history(sfn: Any) -> None:
    arn = _create(
        sfn,
        "count",
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "End": True}}},
    )
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    _finished(sfn, execution)
    pages = list(sfn.get_paginator("get_execution_history").paginate(executionArn=execution, maxResults=2))
    events = [e for page in pages for e in page["events"]]
    assert len(pages) == 3
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]


def test_stop_ends_a_waiting_execution_aborted(sfn: Any) -> None:
    arn = _create(sfn, "napper", WAIT_LONG)
    execution = sfn.start_execution(stateMachineArn=arn, name="nap-1")["executionArn"]
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    eventually(
        lambda: any(
            e["type"] == "WaitStateEntered"
            for e in sfn.get_execution_history(executionArn=execution)["events"]
        ),
        "the Wait state",
    )
    stopped = sfn.stop_execution(executionArn=execution, error="Bored", cause="waited enough")
    described = sfn.describe_execution(executionArn=execution)
    assert (described["status"], described["error"], described["cause"]) == (
        "ABORTED",
        "Bored",
        "waited enough",
    )
    assert described["stopDate"] == stopped["stopDate"]
    assert (
        sfn.list_executions(stateMachineArn=arn, statusFilter="ABORTED")["executions"][0]["name"] == "nap-1"
    )


def test_modelled_errors_come_back_as_botocore_exceptions(sfn: Any) -> None:
    arn = _create(sfn, "errors", WAIT_LONG)
    missing = arn.replace(":stateMachine:", ":execution:") + ":never-started"
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist) as info:
        sfn.describe_execution(executionArn=missing)
    assert missing in info.value.response["Error"]["Message"]
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.start_execution(stateMachineArn=arn + "-gone")
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.describe_state_machine(stateMachineArn="not-an-arn")
    with pytest.raises(sfn.exceptions.InvalidExecutionInput):
        sfn.start_execution(stateMachineArn=arn, input="{not json")
    with pytest.raises(sfn.exceptions.InvalidName):
        sfn.start_execution(stateMachineArn=arn, name="has space")
    sfn.start_execution(stateMachineArn=arn, name="once", input='{"a": 1}')
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(stateMachineArn=arn, name="once", input='{"a": 2}')
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.send_task_success(taskToken="not-a-token", output="{}")


def test_definitions_are_checked_on_create_and_by_validate(sfn: Any) -> None:
    bad = {"StartAt": "Missing", "States": {"A": {"Type": "Pass", "End": True}}}
    with pytest.raises(sfn.exceptions.InvalidDefinition) as info:
        _create(sfn, "broken", bad)
    assert "Missing" in info.value.response["Error"]["Message"]
    with pytest.raises(sfn.exceptions.InvalidDefinition):
        _create(sfn, "not-json", "{oops")

    report = sfn.validate_state_machine_definition(definition=json.dumps(bad))
    assert report["result"] == "FAIL"
    assert report["truncated"] is False
    assert report["diagnostics"] and all(d["severity"] == "ERROR" for d in report["diagnostics"])
    assert any("Missing" in d["message"] for d in report["diagnostics"])
    not_json = sfn.validate_state_machine_definition(definition="{oops")
    assert [d["code"] for d in not_json["diagnostics"]] == ["INVALID_JSON_DESCRIPTION"]
    good = sfn.validate_state_machine_definition(definition=json.dumps(WAIT_LONG))
    assert (good["result"], good["diagnostics"]) == ("OK", [])


def test_create_again_is_idempotent_but_a_changed_definition_is_refused(sfn: Any) -> None:
    arn = _create(sfn, "twice", WAIT_LONG)
    assert _create(sfn, "twice", WAIT_LONG) == arn
    other = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    with pytest.raises(sfn.exceptions.StateMachineAlreadyExists):
        _create(sfn, "twice", other)
    assert "revisionId" not in sfn.describe_state_machine(stateMachineArn=arn)  # AWS: none before an update
    updated = sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(other))
    assert sfn.describe_state_machine(stateMachineArn=arn)["revisionId"] == updated["revisionId"]
    assert json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"]) == other


def test_send_task_success_resumes_a_callback_task(sfn: Any) -> None:
    # the token goes to a Lambda function as AWS allows it (DynamoDB offers no callback pattern);
    # the test reads it back from the TaskScheduled event, as a function would receive it
    definition = {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {
                    "FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:greet",
                    "Payload": {"name.$": "$$.Execution.Name", "token.$": "$$.Task.Token"},
                },
                "End": True,
            }
        },
    }
    arn = _create(sfn, "asker", definition)
    execution = sfn.start_execution(stateMachineArn=arn, name="ask-1")["executionArn"]

    def scheduled() -> dict[str, Any] | None:
        events = sfn.get_execution_history(executionArn=execution)["events"]
        found = [e for e in events if e["type"] == "TaskScheduled"]
        return json.loads(found[0]["taskScheduledEventDetails"]["parameters"]) if found else None

    token = eventually(scheduled, "the token")["Payload"]["token"]
    item = {"token": {"S": token}}
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    sfn.send_task_heartbeat(taskToken=item["token"]["S"])
    sfn.send_task_success(taskToken=item["token"]["S"], output='{"approved": true}')
    described = _finished(sfn, execution)
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"approved": True})
    with pytest.raises(sfn.exceptions.TaskDoesNotExist):
        sfn.send_task_failure(taskToken=item["token"]["S"], error="Late")


def test_activity_worker_over_http(sfn: Any) -> None:
    activity = sfn.create_activity(name="review")["activityArn"]
    assert sfn.describe_activity(activityArn=activity)["name"] == "review"
    assert activity in [a["activityArn"] for a in sfn.list_activities()["activities"]]
    definition = {
        "StartAt": "Review",
        "States": {"Review": {"Type": "Task", "Resource": activity, "End": True}},
    }
    arn = _create(sfn, "reviewed", definition)
    answered: list[str] = []

    def worker() -> None:
        task = sfn.get_activity_task(activityArn=activity, workerName="w1")
        answered.append(task["input"])
        sfn.send_task_success(
            taskToken=task["taskToken"], output=json.dumps({"seen": json.loads(task["input"])})
        )

    thread = threading.Thread(target=worker)
    thread.start()
    execution = sfn.start_execution(stateMachineArn=arn, input='{"doc": 7}')["executionArn"]
    thread.join(20)
    described = _finished(sfn, execution)
    assert answered == ['{"doc":7}']
    assert json.loads(described["output"]) == {"seen": {"doc": 7}}
    sfn.delete_activity(activityArn=activity)
    with pytest.raises(sfn.exceptions.ActivityDoesNotExist):
        sfn.describe_activity(activityArn=activity)


def test_a_poller_that_hung_up_does_not_swallow_the_task(sfn: Any, server: BackgroundServer) -> None:
    activity = sfn.create_activity(name="impatient")["activityArn"]
    impatient = client("stepfunctions", server.url, read_timeout=1)
    with pytest.raises(ReadTimeoutError):
        impatient.get_activity_task(activityArn=activity)
    definition = {"StartAt": "Do", "States": {"Do": {"Type": "Task", "Resource": activity, "End": True}}}
    execution = sfn.start_execution(stateMachineArn=_create(sfn, "impatient", definition))["executionArn"]
    task = sfn.get_activity_task(activityArn=activity, workerName="patient")
    assert task["taskToken"]
    sfn.send_task_success(taskToken=task["taskToken"], output='"done"')
    assert _finished(sfn, execution)["output"] == '"done"'


def test_start_sync_execution_of_an_express_machine(sfn: Any) -> None:
    definition = {
        "StartAt": "Greet",
        "States": {
            "Greet": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:greet",
                "End": True,
            }
        },
    }
    arn = _create(sfn, "quick", definition, type="EXPRESS")
    answer = sfn.start_sync_execution(stateMachineArn=arn, input='{"name": "Jisoo"}')
    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["output"]) == {"greeting": "Hello, Jisoo!"}
    assert answer["stateMachineArn"] == arn
    standard = _create(sfn, "slow", WAIT_LONG)
    with pytest.raises(sfn.exceptions.StateMachineTypeNotSupported):
        sfn.start_sync_execution(stateMachineArn=standard)


def test_a_restarted_server_resumes_running_executions(tmp_path: Path) -> None:
    with BackgroundServer(create_app(tmp_path)) as first:
        sfn = client("stepfunctions", first.url)
        arn = _create(sfn, "durable", WAIT_LONG)
        execution = sfn.start_execution(stateMachineArn=arn, name="survivor")["executionArn"]
    with BackgroundServer(create_app(tmp_path)) as second:
        sfn = client("stepfunctions", second.url)
        assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
        sfn.stop_execution(executionArn=execution)
        assert sfn.describe_execution(executionArn=execution)["status"] == "ABORTED"
        assert [m["name"] for m in sfn.list_state_machines()["stateMachines"]] == ["durable"]


def test_stopping_the_server_ends_a_pending_long_poll_empty(tmp_path: Path) -> None:
    server = BackgroundServer(create_app(tmp_path), grace=0).start()
    sfn = client("stepfunctions", server.url)
    activity = sfn.create_activity(name="idle")["activityArn"]
    answers: list[dict[str, Any]] = []
    poller = threading.Thread(target=lambda: answers.append(sfn.get_activity_task(activityArn=activity)))
    poller.start()
    eventually(
        lambda: server.app.backend and server.app.backend.runtime.activities.get(activity).pollers, "the poll"
    )
    server.stop()
    poller.join(20)
    assert len(answers) == 1
    assert "taskToken" not in answers[0]


def test_a_second_server_on_the_same_data_is_refused(server: BackgroundServer) -> None:
    app = create_app(server.app.data_dir)
    with pytest.raises(RuntimeError, match="could not start"):
        BackgroundServer(app).start()


def test_client_error_carries_the_aws_type(sfn: Any) -> None:
    try:
        sfn.describe_activity(activityArn="arn:aws:states:us-east-1:123456789012:activity:none")
    except ClientError as error:
        assert error.response["Error"]["Code"] == "ActivityDoesNotExist"
    else:
        raise AssertionError("describe_activity of a missing activity answered")


def test_state_machines_and_activities_are_listed_in_pages(sfn: Any) -> None:
    for name in ("page-a", "page-b", "page-c"):
        _create(sfn, name, WAIT_LONG)
        sfn.create_activity(name=name)
    everything = [m["name"] for m in sfn.list_state_machines()["stateMachines"]]
    pages = list(sfn.get_paginator("list_state_machines").paginate(PaginationConfig={"PageSize": 1}))
    assert [m["name"] for page in pages for m in page["stateMachines"]] == everything
    assert len(pages) == len(everything) >= 3
    activities = sfn.get_paginator("list_activities").paginate(PaginationConfig={"PageSize": 2})
    names = [a["name"] for page in activities for a in page["activities"]]
    assert {"page-a", "page-b", "page-c"} <= set(names) and len(names) == len(set(names))
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.list_state_machines(nextToken="WyJub3QiLCAxXQ==")  # a token of another list


def test_a_failed_execution_is_redriven(sfn: Any) -> None:
    greet = "arn:aws:lambda:us-east-1:123456789012:function:greet"
    definition = {"StartAt": "Greet", "States": {"Greet": {"Type": "Task", "Resource": greet, "End": True}}}
    arn = _create(sfn, "redriven", definition)
    execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]  # no "name": KeyError
    failed = _finished(sfn, execution)
    assert (failed["status"], failed["redriveStatus"]) == ("FAILED", "REDRIVABLE")
    redriven = sfn.redrive_execution(executionArn=execution)
    again = _finished(sfn, execution)
    assert (again["status"], again["redriveCount"], again["redriveDate"]) == (
        "FAILED",
        1,
        redriven["redriveDate"],
    )
    events = sfn.get_execution_history(executionArn=execution)["events"]
    assert [e["type"] for e in events].count("ExecutionRedriven") == 1
    done = sfn.start_execution(stateMachineArn=arn, input='{"name": "Bo"}')["executionArn"]
    _finished(sfn, done)
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable):
        sfn.redrive_execution(executionArn=done)


def test_delete_state_machine_removes_it_with_its_executions_and_frees_the_name(sfn: Any) -> None:
    pass_ = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    arn = _create(sfn, "doomed", pass_)
    execution = sfn.start_execution(stateMachineArn=arn, name="old")["executionArn"]
    _finished(sfn, execution)

    answer = sfn.delete_state_machine(stateMachineArn=arn)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert set(answer) == {"ResponseMetadata"}
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.describe_state_machine(stateMachineArn=arn)
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.start_execution(stateMachineArn=arn)
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist):
        sfn.describe_execution(executionArn=execution)
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist):
        sfn.get_execution_history(executionArn=execution)
    assert "doomed" not in [m["name"] for m in sfn.list_state_machines()["stateMachines"]]

    # as on AWS: deleting again, or a well-formed ARN of nothing, answers 200
    sfn.delete_state_machine(stateMachineArn=arn)
    sfn.delete_state_machine(stateMachineArn=arn + "-never-made")
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.delete_state_machine(stateMachineArn="doomed")
    for qualified in (f"{arn}:1", f"{arn}/mapLabel"):
        with pytest.raises(sfn.exceptions.ValidationException, match="not one of its versions"):
            sfn.delete_state_machine(stateMachineArn=qualified)

    assert _create(sfn, "doomed", WAIT_LONG) == arn  # another definition: a new machine, not a clash
    assert sfn.list_executions(stateMachineArn=arn)["executions"] == []
    assert sfn.start_execution(stateMachineArn=arn, name="old")["executionArn"] == execution
    sfn.stop_execution(executionArn=execution)


def test_a_machine_with_a_running_execution_is_deleting_until_it_stops(sfn: Any) -> None:
    arn = _create(sfn, "deleting", WAIT_LONG)
    execution = sfn.start_execution(stateMachineArn=arn, name="napping")["executionArn"]
    sfn.delete_state_machine(stateMachineArn=arn)

    assert sfn.describe_state_machine(stateMachineArn=arn)["status"] == "DELETING"
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    with pytest.raises(sfn.exceptions.StateMachineDeleting):
        sfn.start_execution(stateMachineArn=arn)
    with pytest.raises(sfn.exceptions.StateMachineDeleting):
        _create(sfn, "deleting", WAIT_LONG)
    with pytest.raises(sfn.exceptions.StateMachineDeleting):
        sfn.update_state_machine(stateMachineArn=arn, roleArn=ROLE)

    sfn.stop_execution(executionArn=execution)
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.describe_state_machine(stateMachineArn=arn)
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist):
        sfn.describe_execution(executionArn=execution)
    _create(sfn, "deleting", WAIT_LONG)
