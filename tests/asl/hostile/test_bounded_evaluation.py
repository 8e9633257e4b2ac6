"""Hostile definitions and inputs: every evaluation is bounded and ends as AWS would report it.

Each case runs with small limits so that it ends in well under a second; the assertions are
on the outcome (the error and where it shows), never on timing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from asl import StateMachine
from asl.cli import main
from asl.execution import history
from asl.query.jsonata import EvaluationLimits, evaluation_limits
from asl.states._comparisons import COMPARISONS

SMALL = EvaluationLimits(steps=10**9, seconds=0.5, string_chars=100_000, sequence_items=10_000)


@pytest.fixture
def small_limits() -> Iterator[EvaluationLimits]:
    with evaluation_limits(SMALL) as limits:
        yield limits


def _output(expression: str, **definition: Any) -> dict[str, Any]:
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "Work",
        "States": {"Work": {"Type": "Pass", "Output": "{% " + expression + " %}", "End": True}},
        **definition,
    }


# --- F1: StringMatches ------------------------------------------------------------------------


def test_string_matches_is_a_wildcard_match_without_backtracking() -> None:
    matches = COMPARISONS["StringMatches"]
    long = "a" * 100_000
    # a backtracking regex takes minutes here; the linear matcher answers at once
    assert not matches(long, "*a*a*a*b")
    assert matches(long + "b", "*a*a*a*b")
    assert matches("log-2024.txt", "log-*.txt")
    assert not matches("log-2024.txt", "log-*.csv")
    assert matches("ab", "a*b") and matches("axxb", "a*b") and not matches("ba", "a*b")
    assert matches("abab", "ab*ab") and not matches("ab", "ab*ab")  # pieces may not overlap
    assert matches("", "*") and matches("anything", "**")
    # escapes as AWS documents them: \* is a literal star and \\ a literal backslash
    assert matches("a*b", "a\\*b") and not matches("axb", "a\\*b")
    assert matches("a\\b", "a\\\\b") and matches("a\\xyz", "a\\\\*")
    # no other character is special
    assert matches("a.c?[x]", "a.c?[x]") and not matches("abc", "a.c")
    assert not matches(1, "*") and not matches("x", None)


def test_a_choice_with_a_pathological_wildcard_chooses_at_once() -> None:
    machine = StateMachine(
        {
            "StartAt": "Pick",
            "States": {
                "Pick": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.s", "StringMatches": "*a*a*a*a*a*b", "Next": "Yes"}],
                    "Default": "No",
                },
                "Yes": {"Type": "Pass", "Result": "yes", "End": True},
                "No": {"Type": "Pass", "Result": "no", "End": True},
            },
        }
    )
    assert machine.run({"s": "a" * 100_000}).output == "no"


# --- F2: JSONata budgets -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("($f := function($n){ $f($n + 1) }; $f(0))", "seconds"),  # tail recursion: constant memory
        ("($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))", "levels"),
        ("($f := function($s){ $f($s & $s) }; $f('a'))", "characters"),
        ("$pad('', 1e9)", "characters"),
        ("[1..1e7]", "items"),
        ("$match($states.input.s, /^(a+)+$/)", "regular expression"),
        ("$contains($states.input.s, /^(a+)+$/)", "regular expression"),
        ("$replace($states.input.s, /(a+)+$/, 'x')", "regular expression"),
        ("$split($states.input.s, /(a+)+$/)", "regular expression"),
    ],
)
def test_a_runaway_expression_fails_with_a_query_evaluation_error(
    small_limits: EvaluationLimits, expression: str, reason: str
) -> None:
    execution = StateMachine(_output(expression)).run({"s": "a" * 41 + "!"})
    assert execution.status == "FAILED"
    assert execution.error == "States.QueryEvaluationError"
    assert execution.cause is not None and "exceeded its evaluation limits" in execution.cause
    assert reason in execution.cause
    failed = [e for e in execution.history if e["type"] == "EvaluationFailed"]
    assert failed and failed[0]["evaluationFailedEventDetails"]["state"] == "Work"


def test_regular_expressions_still_work_within_the_limits(small_limits: EvaluationLimits) -> None:
    expression = (
        "{'match': $match('abcabc', /b(c)/).groups[0], 'split': $split('a,b;c', /[,;]/),"
        " 'replaced': $replace('abcabc', /b(c)/, function($m){ $uppercase($m.match) }),"
        " 'contains': $contains('xyz', /Y/i)}"
    )
    assert StateMachine(_output(expression)).run({}).output == {
        "match": ["c", "c"],
        "split": ["a", "b", "c"],
        "replaced": "aBCaBC",
        "contains": True,
    }


def test_a_step_budget_stops_a_cheap_endless_loop() -> None:
    with evaluation_limits(EvaluationLimits(steps=5_000, seconds=30)):
        execution = StateMachine(_output("($f := function($n){ $f($n + 1) }; $f(0))")).run({})
    assert execution.error == "States.QueryEvaluationError"
    assert "5000 steps" in (execution.cause or "")


def test_the_execution_timeout_stops_an_expression_that_is_still_evaluating() -> None:
    # the evaluation's own budget (30 s) is far away: only TimeoutSeconds can end it
    with evaluation_limits(EvaluationLimits(steps=10**9, seconds=30)):
        execution = StateMachine(_output("($f := function($n){ $f($n + 1) }; $f(0))", TimeoutSeconds=1)).run(
            {}
        )
    assert execution.status == "TIMED_OUT"
    assert execution.history[-1]["type"] == "ExecutionTimedOut"


def test_the_execution_timeout_stops_a_regex_that_is_still_matching() -> None:
    with evaluation_limits(EvaluationLimits(seconds=30)):
        execution = StateMachine(_output("$match($states.input.s, /^(a+)+$/)", TimeoutSeconds=1)).run(
            {"s": "a" * 41 + "!"}
        )
    assert execution.status == "TIMED_OUT"


# --- F9: the history limit -------------------------------------------------------------------

LOOP = {
    "StartAt": "Again",
    "States": {
        "Again": {"Type": "Pass", "Next": "Check"},
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "Done"}],
            "Default": "Again",
        },
        "Done": {"Type": "Succeed"},
    },
}


def test_the_history_limit_fails_the_execution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history, "MAX_EVENTS", 40)
    execution = StateMachine(LOOP).run({})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert "maximum number of history events" in (execution.cause or "")
    assert execution.history[-1]["type"] == "ExecutionFailed"
    assert len(execution.history) == 41  # the limit, and the event that closes the execution


def test_asl_run_reports_the_history_limit_as_a_failed_execution(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(history, "MAX_EVENTS", 40)
    path = tmp_path / "loop.asl.json"
    path.write_text(json.dumps(LOOP))
    code = main(["run", str(path), "--input", "{}"])
    captured = capsys.readouterr()
    assert code == 1
    assert "States.Runtime" in captured.out + captured.err
    assert "Traceback" not in captured.err


def test_a_task_timeout_stops_its_expression_as_a_catchable_timeout() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:echo",
                "Arguments": "{% ($f := function($n){ $f($n + 1) }; $f(0)) %}",
                "TimeoutSeconds": 1,
                "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "Output": "{% $states.input.Error %}", "End": True},
        },
    }
    with evaluation_limits(EvaluationLimits(steps=10**9, seconds=30)):
        execution = StateMachine(definition, handlers={"echo": lambda event, context: event}).run({})
    assert execution.status == "SUCCEEDED" and execution.output == "States.Timeout"
