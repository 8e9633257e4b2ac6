"""Local observability: a small metrics registry (Prometheus text format 0.0.4) and JSON log lines.

The registry is process-wide (:data:`REGISTRY`), as a Prometheus client's default registry is:
every runtime in the process counts into it and each server's ``GET /metrics`` shows it.
Metrics come from the execution history (:class:`ExecutionMetrics`, called by
:class:`~asl.runtime.history.History` for each new event, never for a replayed one), so a
resumed execution is not counted twice.

>>> hits = Counter("demo_hits_total", "Hits.", ("path",))
>>> hits.inc(path='/a"b')
>>> print(hits.expose().splitlines()[-1])
demo_hits_total{path="/a\\"b"} 1.0
"""

from __future__ import annotations

import bisect
import json
import logging
import math
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "CONTENT_TYPE",
    "END_LISTENERS",
    "EXECUTIONS_FINISHED",
    "EXECUTIONS_STARTED",
    "HOOKS",
    "HTTP_REQUESTS",
    "REGISTRY",
    "TASK_DURATION",
    "Counter",
    "ExecutionMetrics",
    "Gauge",
    "Histogram",
    "JSONFormatter",
    "Registry",
    "history_event",
    "parse_samples",
    "use_log_format",
]

#: the Content-Type of the text exposition format
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

Labels = tuple[str, ...]


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def _series(name: str, names: Sequence[str], values: Sequence[str], value: float) -> str:
    if not names:
        return f"{name} {_number(value)}"
    labels = ",".join(f'{k}="{_escape_label(v)}"' for k, v in zip(names, values, strict=True))
    return f"{name}{{{labels}}} {_number(value)}"


class _Metric:
    kind = "untyped"

    def __init__(self, name: str, help: str, labels: Iterable[str] = (), registry: Registry | None = None):
        self.name = name
        self.help = help
        self.labels: Labels = tuple(labels)
        self._names = frozenset(self.labels)
        self._lock = threading.Lock()  # handlers run on worker threads; += is not atomic
        (registry if registry is not None else REGISTRY).register(self)

    def _key(self, labels: Mapping[str, str]) -> Labels:
        # called for every execution and task: no sets or generators built per call
        if labels.keys() != self._names:
            raise ValueError(f"{self.name} takes the labels {self.labels}, got {tuple(labels)}")
        return tuple([str(labels[k]) for k in self.labels])

    def _header(self) -> list[str]:
        return [f"# HELP {self.name} {_escape_help(self.help)}", f"# TYPE {self.name} {self.kind}"]

    def expose(self) -> str:
        raise NotImplementedError


class Counter(_Metric):
    """A number that only goes up, per label set."""

    kind = "counter"

    def __init__(self, name: str, help: str, labels: Iterable[str] = (), registry: Registry | None = None):
        super().__init__(name, help, labels, registry)
        self._values: dict[Labels, float] = {}

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        if amount < 0:
            raise ValueError("a counter cannot go down")
        self.add(self._key(labels), amount)

    def add(self, key: Labels, amount: float = 1.0) -> None:
        """:meth:`inc` with the label values in the order of ``labels``, unchecked (the runtime
        counts every execution: its callers pass the right labels)."""
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        return self._values.get(self._key(labels), 0.0)

    def expose(self) -> str:
        with self._lock:
            items = sorted(self._values.items())
        return "\n".join(self._header() + [_series(self.name, self.labels, k, v) for k, v in items])


class Gauge(Counter):
    """A number that goes up and down (e.g. sessions in progress)."""

    kind = "gauge"

    def dec(self, amount: float = 1.0, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) - amount

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def set(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            self._values[key] = value


#: seconds: from a quick local handler to a slow model call
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Histogram(_Metric):
    """Observations counted into cumulative buckets, with their count and sum."""

    kind = "histogram"

    def __init__(
        self,
        name: str,
        help: str,
        labels: Iterable[str] = (),
        buckets: Sequence[float] = DEFAULT_BUCKETS,
        registry: Registry | None = None,
    ):
        super().__init__(name, help, labels, registry)
        self.buckets = tuple(sorted(buckets))
        # per label set: how many observations fell in each bucket and no lower one (made
        # cumulative when exposed, so an observation is one increment), and [count, sum]
        self._values: dict[Labels, tuple[list[int], list[float]]] = {}

    def observe(self, value: float, **labels: str) -> None:
        self.add(self._key(labels), value)

    def add(self, key: Labels, value: float) -> None:
        """:meth:`observe` with the label values in the order of ``labels``, unchecked (the
        runtime times every task: its callers pass the right labels)."""
        with self._lock:
            found = self._values.get(key)
            if found is None:
                found = self._values[key] = ([0] * (len(self.buckets) + 1), [0.0, 0.0])
            counts, totals = found
            # the last one is +Inf; NaN is in no finite bucket (value <= bound never holds)
            counts[bisect.bisect_left(self.buckets, value) if value == value else -1] += 1
            totals[0] += 1
            totals[1] += value

    def count(self, **labels: str) -> int:
        found = self._values.get(self._key(labels))
        return int(found[1][0]) if found else 0

    def expose(self) -> str:
        lines = self._header()
        names = (*self.labels, "le")
        with self._lock:
            items = sorted((k, (list(c), list(t))) for k, (c, t) in self._values.items())
        for key, (counts, (count, total)) in items:
            cumulative = 0
            for bound, n in zip(self.buckets, counts[:-1], strict=True):
                cumulative += n
                lines.append(_series(f"{self.name}_bucket", names, (*key, _number(bound)), cumulative))
            lines.append(_series(f"{self.name}_bucket", names, (*key, "+Inf"), count))
            lines.append(_series(f"{self.name}_count", self.labels, key, count))
            lines.append(_series(f"{self.name}_sum", self.labels, key, total))
        return "\n".join(lines)


class Registry:
    """The metrics one ``/metrics`` shows, in the order they were made."""

    def __init__(self) -> None:
        self._metrics: dict[str, _Metric] = {}

    def register(self, metric: _Metric) -> None:
        if metric.name in self._metrics:
            raise ValueError(f"a metric named {metric.name} exists already")
        self._metrics[metric.name] = metric

    def expose(self) -> str:
        """The text exposition format 0.0.4 (ends with a newline, as the format asks)."""
        return "\n".join(m.expose() for m in self._metrics.values()) + "\n"


REGISTRY = Registry()

EXECUTIONS_STARTED = Counter(
    "asl_executions_started_total", "Executions started, by state machine.", ("state_machine",)
)
EXECUTIONS_FINISHED = Counter(
    "asl_executions_finished_total",
    "Executions ended, by state machine and status (SUCCEEDED, FAILED, TIMED_OUT, ABORTED).",
    ("state_machine", "status"),
)
TASK_DURATION = Histogram(
    "asl_task_duration_seconds",
    "Task states' run time, from scheduled to result, by resource.",
    ("resource",),
)
HTTP_REQUESTS = Counter(
    "asl_http_requests_total",
    "Requests to asl serve, by action (X-Amz-Target) and HTTP status.",
    ("action", "status"),
)

#: called with (state machine ARN, status) when an execution ends (AI Chef counts its sessions)
END_LISTENERS: list[Callable[[str, str], None]] = []

_ENDS = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionTimedOut": "TIMED_OUT",
    "ExecutionAborted": "ABORTED",
}
_TASK_ENDS = frozenset(
    {
        "TaskSucceeded",
        "TaskFailed",
        "TaskTimedOut",
        "LambdaFunctionSucceeded",
        "LambdaFunctionFailed",
        "LambdaFunctionTimedOut",
    }
)
_TASK_STARTS = frozenset({"TaskScheduled", "LambdaFunctionScheduled"})

transitions = logging.getLogger("asl.transitions")


def _machine_name(machine_arn: str) -> str:
    return machine_arn.rsplit(":", 1)[-1]


class ExecutionMetrics:
    """What one execution's new history events count: made once per execution, so each event
    costs one look-up in :data:`HOOKS` (and a call for the few it counts), no string work.

    ``open_tasks`` maps a thread to its scheduled task (resource, timestamp), so a task's
    duration needs no global state. ``log_transitions`` says whether states' entered and exited
    events are logged (``asl.transitions`` at INFO when the execution started).
    """

    __slots__ = ("execution_arn", "log_transitions", "machine", "machine_arn", "open_tasks", "started_key")

    def __init__(self, machine_arn: str, execution_arn: str) -> None:
        self.machine_arn = machine_arn
        self.execution_arn = execution_arn
        self.machine = _machine_name(machine_arn)
        self.started_key: Labels = (self.machine,)
        self.open_tasks: dict[str, Any] = {}
        self.log_transitions = transitions.isEnabledFor(logging.INFO)

    def event(self, thread: str, event: Mapping[str, Any]) -> None:
        """Count and log one new event (what :data:`HOOKS` does, for any event type)."""
        hook = HOOKS.get(event["type"])
        if hook is not None:
            hook(self, thread, event)
        elif self.log_transitions:
            _transition(self, thread, event)


def _started(metrics: ExecutionMetrics, thread: str, event: Mapping[str, Any]) -> None:
    EXECUTIONS_STARTED.add(metrics.started_key)
    if transitions.isEnabledFor(logging.INFO):
        transitions.info(
            "execution started",
            extra={"execution_arn": metrics.execution_arn, "state_machine": metrics.machine},
        )


def _ended(metrics: ExecutionMetrics, thread: str, event: Mapping[str, Any]) -> None:
    status = _ENDS[event["type"]]
    EXECUTIONS_FINISHED.add((metrics.machine, status))
    if transitions.isEnabledFor(logging.INFO):
        transitions.info(
            "execution ended",
            extra={
                "execution_arn": metrics.execution_arn,
                "state_machine": metrics.machine,
                "status": status,
            },
        )
    for listener in END_LISTENERS:
        listener(metrics.machine_arn, status)


def _task_scheduled(metrics: ExecutionMetrics, thread: str, event: Mapping[str, Any]) -> None:
    if event["type"] == "TaskScheduled":  # the state's Resource, as AWS splits it: lambda + invoke
        details = event.get("taskScheduledEventDetails") or {}
        resource = f"arn:aws:states:::{details.get('resourceType')}:{details.get('resource')}"
    else:  # a Lambda function's ARN as the Resource
        resource = str((event.get("lambdaFunctionScheduledEventDetails") or {}).get("resource", "lambda"))
    metrics.open_tasks[thread] = (resource, event["timestamp"])


def _task_ended(metrics: ExecutionMetrics, thread: str, event: Mapping[str, Any]) -> None:
    opened = metrics.open_tasks.pop(thread, None)
    if opened is not None and isinstance(opened[1], datetime):
        seconds = (event["timestamp"] - opened[1]).total_seconds()
        TASK_DURATION.add((opened[0],), seconds if seconds > 0.0 else 0.0)


def _transition(metrics: ExecutionMetrics, thread: str, event: Mapping[str, Any]) -> None:
    kind = event["type"]
    if kind.endswith(("StateEntered", "StateExited")) and transitions.isEnabledFor(logging.INFO):
        details = event.get("stateEnteredEventDetails") or event.get("stateExitedEventDetails") or {}
        transitions.info(
            "state entered" if kind.endswith("Entered") else "state exited",
            extra={
                "execution_arn": metrics.execution_arn,
                "state": str(details.get("name", "")),
                "event": kind,
            },
        )


Hook = Callable[[ExecutionMetrics, str, Mapping[str, Any]], None]

#: the event types that are counted, and how; the others are only logged (transitions)
HOOKS: dict[str, Hook] = {
    "ExecutionStarted": _started,
    **dict.fromkeys(_ENDS, _ended),
    **dict.fromkeys(_TASK_STARTS, _task_scheduled),
    **dict.fromkeys(_TASK_ENDS, _task_ended),
}


def history_event(
    machine_arn: str, execution_arn: str, thread: str, event: Mapping[str, Any], open_tasks: dict[str, Any]
) -> None:
    """Count and log one new history event of an execution (one call: :class:`ExecutionMetrics`
    serves a whole execution). ``open_tasks`` is the execution's own scratch space."""
    metrics = ExecutionMetrics(machine_arn, execution_arn)
    metrics.open_tasks = open_tasks
    metrics.log_transitions = True  # _transition checks the logger itself
    metrics.event(thread, event)


# --- reading a scrape back (tests, benchmarks) -----------------------------------------------

_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?')
_COMMENT = re.compile(
    r"^# (?:HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*"
    r"|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (?:counter|gauge|histogram|summary|untyped))$"
)

Sample = tuple[str, frozenset[tuple[str, str]]]


def parse_samples(text: str) -> dict[Sample, float]:
    """The samples of a text exposition by (name, labels); a line off the format's grammar raises ValueError.

    >>> parse_samples('# TYPE a counter\\na{b="c"} 2.0\\n')
    {('a', frozenset({('b', 'c')})): 2.0}
    """
    found: dict[Sample, float] = {}
    for line in text.splitlines():
        if line.startswith("#"):
            if not _COMMENT.match(line):
                raise ValueError(f"not a HELP or TYPE line: {line!r}")
            continue
        sample = _SAMPLE.match(line)
        labels_text = sample.group(2) if sample else None
        if sample is None or (labels_text and _LABEL.sub("", labels_text)):
            raise ValueError(f"not a sample line: {line!r}")
        labels = frozenset((k, _unescape(v)) for k, v in _LABEL.findall(labels_text or ""))
        found[(sample.group(1), labels)] = float(sample.group(3))
    return found


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), value)


# --- structured logs ---------------------------------------------------------------------------

#: the request and execution fields a log record may carry (nothing else of ``extra`` is written:
#: a header, a body or a payload could hold a secret)
FIELDS = (
    "method",
    "path",
    "route",
    "action",
    "status",
    "duration_ms",
    "session_id",
    "execution_arn",
    "state_machine",
    "state",
    "event",
)


class JSONFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the known request fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in FIELDS:
            value = record.__dict__.get(field)
            if value is not None:
                line[field] = value
        if record.exc_info:
            # the exception's type only: its text or traceback may quote a payload
            line["error"] = record.exc_info[0].__name__ if record.exc_info[0] else "Exception"
        return json.dumps(line, ensure_ascii=False, default=str)


def use_log_format(fmt: str | None, env: str = "ASL_LOG_FORMAT") -> str:
    """Make every handler of the root and uvicorn loggers write JSON lines when ``fmt`` (else
    ``$env``) is ``json``; answers the format used (``text`` or ``json``)."""
    chosen = (fmt or os.environ.get(env) or "text").strip().lower()
    if chosen not in ("text", "json"):
        raise ValueError(f"the log format must be text or json, got {chosen!r}")
    if chosen == "json":
        handler = logging.StreamHandler()
        handler.setFormatter(JSONFormatter())
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(logging.INFO)
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
            logger = logging.getLogger(name)
            logger.handlers[:] = []
            logger.propagate = True
    return chosen
