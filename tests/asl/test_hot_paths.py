"""The runtime's quick paths give exactly what the plain ones gave (JSON text, metrics, Lambda
calls), and an inline handler chain still lets the event loop's other work run."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from asl import StateMachine, VirtualClock
from asl._json import from_json, to_json
from asl.execution import turns
from asl.integrations.lambda_ import LambdaContext, LambdaFunctions
from asl.observe import Histogram, Registry, parse_samples

_PLAIN = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

VALUES: list[Any] = [
    {"a": [1, 2.5, None, True, "é\n\u2028\ud800"], "b": {}},
    [],
    "x\u00e9",
    1.0,
    -0.0,
    10**30,
    float("nan"),
    float("-inf"),
    {1: 2, None: 3, False: 4, 2.5: 5},
]


@pytest.mark.parametrize("value", VALUES)
def test_to_json_writes_what_the_json_encoder_writes(value: Any) -> None:
    assert to_json(value) == _PLAIN(value)


def test_to_json_raises_the_encoders_own_errors() -> None:
    looped: list[Any] = []
    looped.append(looped)
    with pytest.raises(ValueError, match="Circular reference detected"):
        to_json(looped)
    with pytest.raises(TypeError, match="Object of type object is not JSON serializable"):
        to_json({"a": object()})
    with pytest.raises(TypeError, match="keys must be str, int, float, bool or None, not tuple"):
        to_json({(1, 2): 1})


@pytest.mark.parametrize(
    "text", ['{"a":1,"a":2}', ' {"a":1}', '{"a":1} ', "1.5e3", "NaN", '"\\ud800"', "[1,2", '{"a":1}x', ""]
)
def test_from_json_reads_or_refuses_as_json_loads_does(text: str) -> None:
    def outcome(read: Any) -> Any:
        try:
            return repr(read(text))
        except json.JSONDecodeError as error:
            return str(error)

    assert outcome(from_json) == outcome(json.loads)


def test_histogram_buckets_stay_cumulative() -> None:
    histogram = Histogram("t_seconds", "T.", ("r",), buckets=(0.1, 1.0), registry=Registry())
    for value in (0.05, 0.1, 0.5, 1.0, 2.0, float("nan")):
        histogram.observe(value, r="a")
    samples = parse_samples(histogram.expose())
    bucket = {
        dict(labels)["le"]: value for (name, labels), value in samples.items() if name == "t_seconds_bucket"
    }
    assert bucket == {"0.1": 2.0, "1.0": 4.0, "+Inf": 6.0}  # NaN is in +Inf only, as before


def test_lambda_context_makes_its_request_id_once_when_read() -> None:
    context = LambdaContext("f", "arn:aws:lambda:us-east-1:123456789012:function:f")
    first = context.aws_request_id
    assert len(first) == 36 and context.aws_request_id == first
    assert LambdaContext("f", "arn", aws_request_id="given").aws_request_id == "given"


def test_a_handler_registered_after_a_call_is_found() -> None:
    functions = LambdaFunctions({}, threads=False)
    with pytest.raises(Exception, match="Function not found"):
        asyncio.run(functions.invoke("later", "{}", None))
    functions.handlers["later"] = lambda event, context: {"ok": True}
    assert asyncio.run(functions.invoke("later", "{}", None)) == ({"ok": True}, '{"ok":true}')


CHAIN = {
    "StartAt": "T0",
    "States": {
        f"T{i}": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
            **({"Next": f"T{i + 1}"} if i < 19 else {"End": True}),
        }
        for i in range(20)
    },
}


def test_inline_tasks_take_turns_with_work_that_is_ready() -> None:
    order: list[str] = []

    def work(event: Any, context: Any) -> Any:
        order.append("task")
        return event

    async def other() -> None:
        for _ in range(3):
            order.append("other")
            await asyncio.sleep(0)

    async def main() -> None:
        machine = StateMachine(CHAIN, {"work": work}, clock=VirtualClock(), task_threads=False)
        await asyncio.gather(machine.execute({}), other())

    asyncio.run(main())
    assert order[:6] == ["other", "task"] * 3  # each task yields first: "other" is ready


def test_inline_tasks_let_the_loop_poll_when_a_slice_is_spent() -> None:
    """Nothing else is ready, so tasks go on without a turn, but never for much longer than a
    slice: a timer (as a request arriving on a socket would) is served within the chain."""
    order: list[str] = []

    def work(event: Any, context: Any) -> Any:
        time.sleep(turns.SLICE_SECONDS / 2)
        order.append("task")
        return event

    async def timer() -> None:
        await asyncio.sleep(turns.SLICE_SECONDS)
        order.append("timer")

    async def main() -> None:
        machine = StateMachine(CHAIN, {"work": work}, clock=VirtualClock(), task_threads=False)
        waiting = asyncio.ensure_future(timer())
        await asyncio.sleep(0)  # the timer is set and nothing else is ready
        await machine.execute({})
        await waiting

    asyncio.run(main())
    assert 0 < order.index("timer") < 10


def test_no_turn_is_taken_when_nothing_else_waits() -> None:
    async def main() -> list[bool]:
        turns.turn_due()  # a turn now: the slice starts
        return [turns.turn_due() for _ in range(5)]

    assert asyncio.run(main()) == [False] * 5


def test_execution_names_stay_random_when_a_test_seeds_random() -> None:
    import random
    import uuid

    from asl.execution.ids import uuid4_text

    random.seed(7)
    first = uuid4_text()
    random.seed(7)
    second = uuid4_text()
    assert first != second
    parsed = uuid.UUID(first)
    assert parsed.version == 4 and parsed.variant == uuid.RFC_4122 and str(parsed) == first


@pytest.mark.parametrize(
    "moment",
    [
        "2024-02-07T13:52:02.123999+00:00",
        "2024-02-07T23:52:02.000500+09:00",
        "0999-01-01T00:00:00+00:00",
        "2024-02-07T13:52:02",  # naive: written as it is
    ],
)
def test_context_times_are_written_as_isoformat_wrote_them(moment: str) -> None:
    from datetime import UTC, datetime

    from asl.execution.frame import iso_time

    value = datetime.fromisoformat(moment)
    utc = value.astimezone(UTC) if value.utcoffset() else value
    expected = utc.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"
    assert iso_time(value) == expected
    assert iso_time(value) == expected  # the remembered last answer


def test_texts_written_once_are_the_texts_a_fresh_encoding_gives() -> None:
    """Each payload's JSON text is reused (the input for the first state, a task's parameters and
    result, the last output for ExecutionSucceeded): every one equals a fresh encoding."""
    arn = "arn:aws:lambda:us-east-1:123456789012:function:{}"
    definition = {
        "StartAt": "Start",
        "States": {
            "Start": {"Type": "Pass", "Next": "Double"},
            "Double": {"Type": "Task", "Resource": arn.format("double"), "ResultPath": "$.d", "Next": "Pick"},
            "Pick": {"Type": "Pass", "InputPath": "$.d", "Next": "Label"},
            "Label": {"Type": "Task", "Resource": arn.format("label"), "Next": "Done"},
            "Done": {"Type": "Succeed"},
        },
    }
    handlers = {
        "double": lambda event, context: {"n": event["n"] * 2, "é": [1.5, None]},
        "label": lambda event, context: {"label": f"n={event['n']}"},
    }
    execution = StateMachine(definition, handlers, clock=VirtualClock()).run({"n": 2})
    texts = []
    for event in execution.history:
        for details in event.values():
            if isinstance(details, dict):
                texts += [details[k] for k in ("input", "output") if k in details]
    assert len(texts) == 16
    assert all(text == to_json(json.loads(text)) for text in texts)
    assert execution.history[-1]["executionSucceededEventDetails"]["output"] == to_json(execution.output)
    assert execution.output == {"label": "n=4"}
