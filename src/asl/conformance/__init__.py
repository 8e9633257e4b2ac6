"""The AWS-recorded conformance corpus: loading cases, running them, comparing outcomes."""

from __future__ import annotations

from asl.conformance.cases import Case, default_directory, load_cases
from asl.conformance.compare import history_mismatches, json_matches, outcome_mismatches
from asl.conformance.runner import CaseResult, Summary, run_case, run_cases

__all__ = [
    "Case",
    "CaseResult",
    "Summary",
    "default_directory",
    "history_mismatches",
    "json_matches",
    "load_cases",
    "outcome_mismatches",
    "run_case",
    "run_cases",
]
