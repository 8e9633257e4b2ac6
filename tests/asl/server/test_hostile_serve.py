"""`asl serve` under a hostile execution: a runaway expression never holds the endpoint, and a
data folder holding one is served again after a restart.

The latency check is the issue's acceptance (other clients answered within 100 ms while an
execution evaluates a pathological expression): it takes the median of several requests, so
one slow scheduling tick on a busy machine cannot fail it, and the worst case is bounded far
below the seconds a blocked event loop cost before.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from asl_serve_support import ROLE, client, eventually
from botocore.exceptions import ClientError

from asl.query.jsonata import EvaluationLimits, evaluation_limits
from asl.server import BackgroundServer, create_app

ENDLESS = "{% ($f := function($n){ $f($n + 1) }; $f(0)) %}"


def _machine(sfn: Any, name: str, states: dict[str, Any]) -> str:
    definition = {"QueryLanguage": "JSONata", "StartAt": next(iter(states)), "States": states}
    return str(
        sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)[
            "stateMachineArn"
        ]
    )


def _latency(call: Any) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


@pytest.fixture
def three_second_budget() -> Iterator[EvaluationLimits]:
    with evaluation_limits(EvaluationLimits(steps=10**9, seconds=3)) as limits:
        yield limits


def test_other_clients_are_answered_while_an_execution_evaluates_for_ever(
    tmp_path: Path, three_second_budget: EvaluationLimits
) -> None:
    with BackgroundServer(create_app(tmp_path)) as server:
        sfn, ddb = client("stepfunctions", server.url), client("dynamodb", server.url)
        spin = _machine(sfn, "Spin", {"Spin": {"Type": "Pass", "Output": ENDLESS, "End": True}})
        quick = _machine(sfn, "Quick", {"Quick": {"Type": "Pass", "Output": "{% 1 + 1 %}", "End": True}})
        running = sfn.start_execution(stateMachineArn=spin, input="{}")["executionArn"]
        time.sleep(0.3)  # well inside the evaluation, which runs for 3 s
        ddb.list_tables()  # warm the connections
        listed = [_latency(ddb.list_tables) for _ in range(7)]
        described = [_latency(lambda: sfn.describe_execution(executionArn=running)) for _ in range(7)]
        # another execution runs to its end meanwhile
        other = sfn.start_execution(stateMachineArn=quick, input="{}")["executionArn"]
        done = eventually(
            lambda: sfn.describe_execution(executionArn=other)["status"] == "SUCCEEDED", "the quick execution"
        )
        assert done and sfn.describe_execution(executionArn=running)["status"] == "RUNNING"
        assert statistics.median(listed) < 0.1 and statistics.median(described) < 0.1, (listed, described)
        assert max(listed + described) < 1.0
        # the budget ends the runaway one as AWS reports an evaluation error
        failed = eventually(
            lambda: sfn.describe_execution(executionArn=running)["status"] == "FAILED", "the budget", 400
        )
        assert failed
        assert sfn.describe_execution(executionArn=running)["error"] == "States.QueryEvaluationError"


def test_a_poisoned_data_folder_is_served_after_a_restart(tmp_path: Path) -> None:
    with BackgroundServer(create_app(tmp_path)) as server:
        sfn = client("stepfunctions", server.url)
        arn = _machine(
            sfn,
            "Poisoned",
            {
                "Rest": {"Type": "Wait", "Seconds": 1, "Next": "Spin"},
                "Spin": {"Type": "Pass", "Output": ENDLESS, "End": True},
            },
        )
        execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    # stopped during the Wait: the execution is stored RUNNING and resumes into the endless loop
    with (
        evaluation_limits(EvaluationLimits(steps=10**9, seconds=2)),
        BackgroundServer(create_app(tmp_path)) as server,
    ):
        sfn = client("stepfunctions", server.url)
        assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
        time.sleep(1.5)  # the Wait is over: the resumed execution is evaluating
        assert [m["name"] for m in sfn.list_state_machines()["stateMachines"]] == ["Poisoned"]
        assert _latency(lambda: sfn.describe_execution(executionArn=execution)) < 1.0
        ended = eventually(
            lambda: sfn.describe_execution(executionArn=execution)["status"] != "RUNNING",
            "the resumed one",
            400,
        )
        assert ended
        described = sfn.describe_execution(executionArn=execution)
        assert described["status"] == "FAILED" and described["error"] == "States.QueryEvaluationError"


LOOP = {
    "Again": {"Type": "Pass", "Next": "Check"},
    "Check": {
        "Type": "Choice",
        "Choices": [{"Condition": "{% $exists($states.input.stop) %}", "Next": "Done"}],
        "Default": "Again",
    },
    "Done": {"Type": "Succeed"},
}


def test_the_history_limit_fails_standard_and_sync_executions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from asl.execution import history

    monkeypatch.setattr(history, "MAX_EVENTS", 60)
    with BackgroundServer(create_app(tmp_path)) as server:
        sfn = client("stepfunctions", server.url)
        standard = _machine(sfn, "Loop", LOOP)
        arn = sfn.start_execution(stateMachineArn=standard, input="{}")["executionArn"]
        ended = eventually(
            lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING", "the limit"
        )
        assert ended
        described = sfn.describe_execution(executionArn=arn)
        assert described["status"] == "FAILED" and described["error"] == "States.Runtime"
        events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        assert events[-1]["type"] == "ExecutionFailed" and len(events) == 61

        definition = {"QueryLanguage": "JSONata", "StartAt": "Again", "States": LOOP}
        express = sfn.create_state_machine(
            name="LoopExpress", definition=json.dumps(definition), roleArn=ROLE, type="EXPRESS"
        )["stateMachineArn"]
        answer = sfn.start_sync_execution(stateMachineArn=express, input="{}")
        assert answer["status"] == "FAILED" and answer["error"] == "States.Runtime"


def test_closed_executions_are_purged_periodically_and_at_start(tmp_path: Path) -> None:
    quick = {"Quick": {"Type": "Pass", "End": True}}
    app = create_app(tmp_path, retention=timedelta(seconds=1), purge_every=0.2)
    with BackgroundServer(app) as server:
        sfn = client("stepfunctions", server.url)
        arn = _machine(sfn, "Quick", quick)
        first = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
        assert eventually(
            lambda: sfn.describe_execution(executionArn=first)["status"] == "SUCCEEDED", "it ends"
        )
        # a second later (the retention), the next periodic purge deletes it
        assert eventually(
            lambda: not sfn.list_executions(stateMachineArn=arn)["executions"], "the purge", 400
        )
        with pytest.raises(ClientError) as gone:
            sfn.describe_execution(executionArn=first)
        assert gone.value.response["Error"]["Code"] == "ExecutionDoesNotExist"
        second = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
        assert eventually(
            lambda: sfn.describe_execution(executionArn=second)["status"] == "SUCCEEDED", "ends"
        )
    time.sleep(1.1)
    # a server that starts purges at once (its next periodic purge would be an hour away)
    with BackgroundServer(create_app(tmp_path, retention=timedelta(seconds=1))) as server:
        sfn = client("stepfunctions", server.url)
        assert eventually(lambda: not sfn.list_executions(stateMachineArn=arn)["executions"], "the purge")
