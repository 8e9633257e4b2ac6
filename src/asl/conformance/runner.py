"""Run conformance cases on the runtime and summarise them by category."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from asl.conformance.cases import Case
from asl.conformance.compare import history_mismatches, outcome_mismatches
from asl.errors import ASLError
from asl.execution.clock import VirtualClock
from asl.runtime.interpreter import StateMachine

__all__ = ["CaseResult", "Summary", "run_case", "run_cases"]


@dataclass(frozen=True)
class CaseResult:
    case: Case
    problems: list[str]

    @property
    def passed(self) -> bool:
        return not self.problems


@dataclass
class Summary:
    by_category: dict[str, list[CaseResult]] = field(default_factory=lambda: defaultdict(list))

    @property
    def results(self) -> list[CaseResult]:
        return [r for results in self.by_category.values() for r in results]


async def run_case_async(case: Case, *, whole_history: bool = True) -> CaseResult:
    """Run one case and compare it; with ``whole_history`` (the default) every recorded
    event is compared where ``history_events`` was recorded, else only the event types."""
    try:
        machine = StateMachine(
            case.definition,
            name="StateMachine",
            type=case.state_machine_type,
            clock=VirtualClock(),
        )
        execution = await machine.execute(case.input, sync=case.start_api == "StartSyncExecution")
    except ASLError as err:
        return CaseResult(case, [f"the runtime refused the case: {err}"])
    problems = outcome_mismatches(
        case.expected,
        case.history_types,
        execution.status,
        execution.output,
        execution.error,
        execution.cause,
        [event["type"] for event in execution.history],
        case.placeholders,
    )
    if whole_history and case.history_events is not None:
        tokens = case.history_placeholders + case.placeholders
        problems += history_mismatches(case.history_events, execution.history, tokens)
    return CaseResult(case, problems)


def run_case(case: Case, *, whole_history: bool = True) -> CaseResult:
    return asyncio.run(run_case_async(case, whole_history=whole_history))


def run_cases(cases: Iterable[Case], *, whole_history: bool = True) -> Summary:
    summary = Summary()

    async def run_all() -> None:
        for case in cases:
            result = await run_case_async(case, whole_history=whole_history)
            summary.by_category[case.category].append(result)

    asyncio.run(run_all())
    return summary
