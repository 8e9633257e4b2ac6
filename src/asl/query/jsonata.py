"""JSONata in Step Functions: ``{% expression %}`` strings, the ``$states`` binding and AWS's extra functions.

A JSONata state writes its fields (``Arguments``, ``Output``, ``Assign``, ``Condition``,
``Items``, ``Seconds`` ...) as templates: any string of the form ``{% ... %}`` is an
expression, evaluated with ``$states`` (``input``, ``result``, ``errorOutput``,
``context``) and the workflow variables bound; everything else is literal.
Expressions are parsed once, by the jsonata-python engine, when the state is compiled.

Every evaluation is bounded (:class:`EvaluationLimits`): steps, nesting depth, time, the
size of each string and sequence it makes and the characters and items it makes in all.
An exceeded budget fails the state with ``States.QueryEvaluationError``, as any other
evaluation error; an evaluation still running at the execution's deadline
(``TimeoutSeconds``) raises :class:`EvaluationPastDeadline`, which ends the execution
timed out. Regular expressions run in a worker process killed at the deadline (see
``_regex_worker``).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hashlib
import json
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from jsonata import Jsonata
from jsonata.functions import Functions
from jsonata.jexception import JException

from asl.errors import ErrorName
from asl.failures import StateFailure
from asl.query._regex_worker import RegexTimedOut, guarded_engine

__all__ = [
    "EvaluationLimits",
    "EvaluationPastDeadline",
    "JSONataTemplate",
    "compile_jsonata",
    "evaluation_limits",
    "execution_deadline",
    "expression_text",
    "is_expression",
    "off_loop",
    "state_deadline",
]

T = TypeVar("T")


@dataclass(frozen=True)
class EvaluationLimits:
    """What one evaluation of one JSONata expression may spend.

    AWS documents no figures; these are generous for any real workflow (a 256 KiB payload
    walked many times over) and stop a runaway one in seconds.
    """

    steps: int = 5_000_000  # evaluation steps (nodes entered)
    depth: int = 400  # nesting of the evaluation (recursion that is not a tail call)
    seconds: float = 10.0  # wall time, regular expressions included
    string_chars: int = 10_000_000  # the longest string one step may make
    sequence_items: int = 1_000_000  # the longest sequence one step may make
    total_chars: int = 100_000_000  # characters of every string made, in all
    total_items: int = 20_000_000  # items of every sequence made, in all


_limits = EvaluationLimits()


@contextlib.contextmanager
def evaluation_limits(limits: EvaluationLimits) -> Iterator[EvaluationLimits]:
    """Evaluate with other limits inside the block (tests use small ones)."""
    global _limits
    previous, _limits = _limits, limits
    try:
        yield limits
    finally:
        _limits = previous


class EvaluationPastDeadline(Exception):
    """An expression was still being evaluated when the execution's TimeoutSeconds ran out."""


# the execution's deadline on time.monotonic()'s scale, set by the runtime for its task
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("asl_deadline", default=None)


def execution_deadline(deadline: float | None) -> contextvars.Token[float | None]:
    """Evaluations in this context (and the tasks it starts) stop at ``deadline`` (monotonic)."""
    return _DEADLINE.set(deadline)


# a state's own deadline (a Task's TimeoutSeconds), on the same scale
_STATE_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "asl_state_deadline", default=None
)


@contextlib.contextmanager
def state_deadline(seconds: float | None) -> Iterator[None]:
    """Evaluations inside the block fail with ``States.Timeout`` ``seconds`` from now (a state's
    TimeoutSeconds), unless the execution's deadline comes first."""
    if seconds is None:
        yield
        return
    token = _STATE_DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _STATE_DEADLINE.reset(token)


class _BudgetExceeded(Exception):
    pass


class _SliceSpent(Exception):
    """An evaluation on the event loop's thread ran past its slice: it goes to a worker thread."""


#: how long an evaluation may run on the event loop's thread before it moves to a worker
SLICE_SECONDS = 0.02

_evaluators: ThreadPoolExecutor | None = None


async def off_loop(call: Callable[..., T], *args: Any) -> T:
    """``call(*args)``, which evaluates expressions, without holding the event loop for long.

    Most evaluations take microseconds, so ``call`` first runs here; one that is still
    evaluating after :data:`SLICE_SECONDS` is abandoned and run again from the start on a
    worker thread, so that requests and other executions go on meanwhile (its budget still
    bounds it there). ``call`` must change nothing before its evaluations are done, which
    the states' helpers respect: they compute every value, then assign.
    """
    global _evaluators
    _local.slice_end = time.monotonic() + SLICE_SECONDS
    try:
        return call(*args)
    except _SliceSpent:
        pass
    finally:
        _local.slice_end = None
    if _evaluators is None:
        _evaluators = ThreadPoolExecutor(max_workers=4, thread_name_prefix="asl-evaluate")
    context = contextvars.copy_context()  # the execution's deadline goes along
    return await asyncio.get_running_loop().run_in_executor(_evaluators, context.run, call, *args)


class _Budget:
    """The entry and exit callbacks jsonata-python calls around each step of one evaluation."""

    __slots__ = (
        "chars",
        "depth",
        "items",
        "limits",
        "max_depth",
        "max_steps",
        "past_deadline",
        "past_state_deadline",
        "steps",
        "stop",
    )

    def __init__(self, limits: EvaluationLimits) -> None:
        self.limits = limits
        self.max_depth, self.max_steps = limits.depth, limits.steps  # read on every step
        self.steps = self.depth = self.chars = self.items = 0
        stop = time.monotonic() + limits.seconds
        deadline, state = _DEADLINE.get(), _STATE_DEADLINE.get()
        self.past_deadline = self.past_state_deadline = False
        if deadline is not None and deadline <= stop:
            stop, self.past_deadline = deadline, True
        if state is not None and state < stop:
            stop, self.past_deadline, self.past_state_deadline = state, False, True
        self.stop = stop
        if (self.past_deadline or self.past_state_deadline) and time.monotonic() >= self.stop:
            self.deadline_passed()

    def deadline_passed(self) -> None:
        if self.past_state_deadline:
            raise StateFailure(ErrorName.TIMEOUT, "The state's TimeoutSeconds ran out while evaluating.")
        raise EvaluationPastDeadline()

    def enter(self, expr: Any, input: Any, env: Any) -> None:
        self.steps += 1
        if not env.is_parallel_call:
            self.depth += 1
            if self.depth > self.max_depth:
                raise _BudgetExceeded(f"The evaluation nested deeper than {self.limits.depth} levels.")
        if self.steps > self.max_steps:
            raise _BudgetExceeded(f"The evaluation took more than {self.limits.steps} steps.")
        if not self.steps & 1023:
            self.check_time()

    def check_time(self) -> None:
        now = time.monotonic()
        slice_end = getattr(_local, "slice_end", None)
        if slice_end is not None and now > slice_end:
            raise _SliceSpent()
        if now > self.stop:
            if self.past_deadline or self.past_state_deadline:
                self.deadline_passed()
            raise _BudgetExceeded(f"The evaluation ran for more than {self.limits.seconds:g} seconds.")

    def exit(self, expr: Any, input: Any, env: Any, result: Any) -> None:
        if not env.is_parallel_call:
            self.depth -= 1
        kind = type(result)
        if kind is str:
            self.count_chars(len(result))
        elif kind is not dict and isinstance(result, list):  # sequences are list subclasses
            size = len(result)
            if size > self.limits.sequence_items:
                raise _BudgetExceeded(f"A sequence grew past {self.limits.sequence_items} items.")
            self.items += size
            if self.items > self.limits.total_items:
                raise _BudgetExceeded(f"The evaluation made more than {self.limits.total_items} items.")

    def count_chars(self, size: int) -> None:
        if size > self.limits.string_chars:
            raise _BudgetExceeded(f"A string grew past {self.limits.string_chars} characters.")
        self.chars += size
        if self.chars > self.limits.total_chars:
            raise _BudgetExceeded(f"The evaluation made more than {self.limits.total_chars} characters.")


_local = threading.local()  # the budget of the evaluation running on this thread


def _current_budget() -> _Budget | None:
    return getattr(_local, "budget", None)


def _regex_deadline() -> float:
    if getattr(_local, "slice_end", None) is not None:
        raise _SliceSpent()  # waiting for the regex worker would hold the event loop
    budget = _current_budget()
    return budget.stop if budget is not None else time.monotonic() + _limits.seconds


_REGEX_ENGINE = guarded_engine(_regex_deadline)


def is_expression(value: Any) -> bool:
    """True when ``value`` is a JSONata expression string, ``"{% ... %}"`` (the runtime and the
    validator both ask this one function)."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def expression_text(value: str) -> str:
    return value[2:-2].strip()


# Evaluates with (states binding, variables) -> value
JSONataTemplate = Callable[[Mapping[str, Any], Mapping[str, Any] | None], Any]

_VARIABLE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def compile_jsonata(template: Any, field: str) -> JSONataTemplate:
    """Compile a JSONata-mode field into a function of ($states, variables).

    ``field`` names where the template sits (``Output``, ``Assign/result``), as AWS's error
    messages do.
    """
    if is_expression(template):
        text = expression_text(template)
        try:
            engine = Jsonata(text, _REGEX_ENGINE)
        except JException as err:
            raise ValueError(f"invalid JSONata expression {text!r} in {field}: {err}") from None

        def evaluate(states: Mapping[str, Any], variables: Mapping[str, Any] | None) -> Any:
            bindings: dict[str, Any] = dict(_FUNCTIONS)
            if variables:
                bindings.update(variables)
            bindings["states"] = states
            budget = _Budget(_limits)
            bindings["__evaluate_entry"] = budget.enter
            bindings["__evaluate_exit"] = budget.exit
            outer, _local.budget = _current_budget(), budget
            try:
                value = engine.evaluate(None, bindings)
                if budget.past_deadline or budget.past_state_deadline:
                    budget.check_time()
                undefined = value is None and _returns_undefined(text, bindings)
            except (EvaluationPastDeadline, StateFailure, _SliceSpent):
                raise
            except (_BudgetExceeded, RegexTimedOut) as err:
                at_deadline = budget.past_deadline or budget.past_state_deadline
                if isinstance(err, RegexTimedOut) and at_deadline and time.monotonic() >= budget.stop:
                    budget.deadline_passed()
                reason = str(err) or f"A regular expression ran for more than {_limits.seconds:g} seconds."
                raise StateFailure(
                    ErrorName.QUERY_EVALUATION_ERROR,
                    f"The JSONata expression '{text}' specified for the field '{field}' "
                    f"exceeded its evaluation limits. {reason}",
                    location=field,
                ) from None
            except JException as err:
                code = getattr(err, "error", None)
                message = str(err)
                detail = f"{code}: {message}" if code and not message.startswith(code) else message
                raise StateFailure(
                    ErrorName.QUERY_EVALUATION_ERROR,
                    f"The JSONata expression '{text}' specified for the field '{field}' "
                    f"threw an error during evaluation. {detail}",
                    location=field,
                ) from None
            except Exception as err:  # an AWS function rejected its arguments
                raise StateFailure(
                    ErrorName.QUERY_EVALUATION_ERROR,
                    f"The JSONata expression '{text}' specified for the field '{field}' "
                    f"threw an error during evaluation. {err}",
                    location=field,
                ) from None
            finally:
                _local.budget = outer
            if undefined:
                raise StateFailure(
                    ErrorName.QUERY_EVALUATION_ERROR,
                    f"The JSONata expression '{text}' specified for the field '{field}' "
                    "returned nothing (undefined).",
                    location=field,
                )
            try:
                return _plain(value)
            except _NotJSON:
                # A function (a lambda, or a built-in such as $uppercase named without a call).
                raise StateFailure(
                    ErrorName.QUERY_EVALUATION_ERROR,
                    f"The JSONata expression '{text}' specified for the field '{field}' "
                    "returned an unsupported result type.",
                    location=field,
                ) from None

        return evaluate
    if isinstance(template, dict):
        parts = [(key, compile_jsonata(value, f"{field}/{key}")) for key, value in template.items()]
        return lambda states, variables: {key: part(states, variables) for key, part in parts}
    if isinstance(template, list):
        items = [compile_jsonata(value, f"{field}[{i}]") for i, value in enumerate(template)]
        return lambda states, variables: [item(states, variables) for item in items]
    return lambda states, variables: template


def _returns_undefined(text: str, bindings: dict[str, Any]) -> bool:
    # jsonata-python maps both JSON null and "undefined" to None; $exists() tells them
    # apart. Only reached when the value is None, so the common path pays nothing.
    variable = _VARIABLE.fullmatch(text)
    if variable:
        return variable.group(1) not in bindings
    try:
        return Jsonata(f"$exists(({text}))", _REGEX_ENGINE).evaluate(None, bindings) is False
    except JException:
        return False


class _NotJSON(Exception):
    """The engine's value holds something JSON cannot carry (a function)."""


def _plain(value: Any) -> Any:
    """Turn the engine's sequences and number types into plain JSON values; raise :class:`_NotJSON`
    for anything else."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    raise _NotJSON


# --- the functions AWS adds to JSONata ----------------------------------------------------


def _partition(array: Any, size: Any) -> list[Any]:
    if not isinstance(array, list) or not isinstance(size, int | float) or size <= 0:
        raise ValueError("$partition takes an array and a positive chunk size")
    step = int(size)
    return [array[i : i + step] for i in range(0, len(array), step)]


def _range(start: Any, end: Any, step: Any) -> Any:
    values = list(range(int(start), int(end) + (1 if step > 0 else -1), int(step)))
    if len(values) > 1000:
        raise ValueError("$range returns at most 1000 elements")
    # AWS returns a JSONata sequence, and a sequence of one value is that value
    return values[0] if len(values) == 1 else values


def _hash(data: Any, algorithm: Any) -> str:
    names = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
    if algorithm not in names:
        raise ValueError(f"$hash algorithm must be one of {', '.join(names)}")
    text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    return hashlib.new(names[algorithm], text.encode()).hexdigest()


def _random(seed: Any = None) -> float:
    return random.Random(seed).random() if seed is not None else random.random()


def _parse(text: Any) -> Any:
    if not isinstance(text, str):
        raise ValueError("$parse takes a JSON string")
    return json.loads(text)


def _pad(string: Any, width: Any, char: Any = None) -> Any:
    # the one built-in that makes a large string from small arguments in a single step
    budget = _current_budget()
    if budget is not None and isinstance(width, int | float) and not isinstance(width, bool):
        budget.count_chars(int(min(abs(width), 2**62)))
    return Functions.pad(string, width, char)


_FUNCTIONS: dict[str, Any] = {
    "pad": Jsonata.JLambda(_pad),
    "partition": Jsonata.JLambda(_partition),
    "range": Jsonata.JLambda(_range),
    "hash": Jsonata.JLambda(_hash),
    "random": Jsonata.JLambda(_random),
    "uuid": Jsonata.JLambda(lambda: str(uuid.uuid4())),
    "parse": Jsonata.JLambda(_parse),
}
