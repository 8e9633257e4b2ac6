"""What the local SNS, SQS and EventBridge stand-ins were asked to send, kept for tests to read.

Each ``sns:publish``, ``sqs:sendMessage`` and each entry of ``events:putEvents`` that succeeds
adds one :class:`SentMessage`: the service, where it went (topic, queue, event bus), the message
as the service received it (text), its attributes, when, and the execution that sent it. The
runtime owns one :class:`Outbox` (``runtime.outbox``, ``machine.outbox``); ``asl serve`` shows
it read-only at ``GET /asl/outbox``.

>>> outbox = Outbox()
>>> _ = outbox.record("sqs", "https://sqs.us-east-1.amazonaws.com/1/q", "hi", {}, "m-1")
>>> [m.message for m in outbox.messages("sqs")]
['hi']
"""

from __future__ import annotations

import contextvars
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["SENDER", "Outbox", "SentMessage", "sender"]

#: (execution ARN, state machine ARN) of the execution whose task is running; set by the
#: interpreter for each execution (a Parallel branch or Map iteration inherits its execution's)
SENDER: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("asl_sender", default=None)


def sender() -> tuple[str | None, str | None]:
    """The execution and state machine ARNs of the task calling now (None outside an execution)."""
    found = SENDER.get()
    return found if found is not None else (None, None)


@dataclass(frozen=True)
class SentMessage:
    """One message a stand-in accepted."""

    service: str  # "sns", "sqs" or "events"
    target: str  # the topic (or target/phone number), the queue URL, or the event bus
    message: str  # SNS Message, SQS MessageBody, or the event's Detail, as text
    attributes: dict[str, Any]  # MessageAttributes (SNS, SQS); an event's Source, DetailType ...
    message_id: str  # MessageId (SNS, SQS) or EventId
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    execution_arn: str | None = None
    state_machine_arn: str | None = None

    def json(self) -> Any:
        """The message parsed as JSON (Step Functions sends a JSON value as its text)."""
        return json.loads(self.message)

    def to_dict(self) -> dict[str, Any]:
        """The message as ``GET /asl/outbox`` shows it (the time in ISO 8601, UTC)."""
        return {
            "service": self.service,
            "target": self.target,
            "message": self.message,
            "attributes": self.attributes,
            "messageId": self.message_id,
            "time": self.time.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "executionArn": self.execution_arn,
            "stateMachineArn": self.state_machine_arn,
        }


class Outbox:
    """The messages sent, oldest first; at most ``limit`` are kept (the oldest are dropped).

    Safe to read from another thread than the event loop's (a test beside ``asl serve``).
    """

    def __init__(self, limit: int = 10_000) -> None:
        self._sent: deque[SentMessage] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def record(
        self, service: str, target: str, message: str, attributes: dict[str, Any], message_id: str
    ) -> SentMessage:
        execution, machine = sender()
        sent = SentMessage(
            service,
            target,
            message,
            attributes,
            message_id,
            execution_arn=execution,
            state_machine_arn=machine,
        )
        with self._lock:
            self._sent.append(sent)
        return sent

    def messages(self, service: str | None = None, execution_arn: str | None = None) -> list[SentMessage]:
        """The messages sent, oldest first: all, or those of one service and/or execution."""
        with self._lock:
            sent = list(self._sent)
        return [
            m
            for m in sent
            if (service is None or m.service == service)
            and (execution_arn is None or m.execution_arn == execution_arn)
        ]

    @property
    def sns(self) -> list[SentMessage]:
        return self.messages("sns")

    @property
    def sqs(self) -> list[SentMessage]:
        return self.messages("sqs")

    @property
    def events(self) -> list[SentMessage]:
        return self.messages("events")

    def clear(self) -> None:
        with self._lock:
            self._sent.clear()

    def __len__(self) -> int:
        return len(self._sent)
