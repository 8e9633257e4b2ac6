"""Every case of the AWS-recorded conformance corpus as its own test (id = the case id).

The corpus lives outside the repository: ``$ASL_CONFORMANCE_DIR`` or ``../shared/conformance``.
Known failures are listed with a reason in ``known_failures.json`` and run as strict xfail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asl.conformance import Case, default_directory, load_cases, run_case

DIRECTORY = default_directory(Path(__file__).resolve().parents[3])
KNOWN = json.loads((Path(__file__).parent / "known_failures.json").read_text())["cases"]


def _cases() -> list[Case]:
    if not DIRECTORY.is_dir():
        return []
    return list(load_cases(DIRECTORY))


CASES = _cases()


def _params() -> list[object]:
    """Each case; a known failure still runs, as a strict xfail: it must fail, and a case
    that starts passing fails the suite until it is taken off the list."""
    return [
        pytest.param(case, marks=pytest.mark.xfail(strict=True, reason=KNOWN[case.id]))
        if case.id in KNOWN
        else case
        for case in CASES
    ]


@pytest.mark.skipif(not CASES, reason=f"no conformance corpus at {DIRECTORY} (set ASL_CONFORMANCE_DIR)")
@pytest.mark.parametrize("case", _params(), ids=[c.id for c in CASES])
def test_case_matches_aws(case: Case) -> None:
    """Outcome, and the whole recorded history where ``history_events`` was recorded."""
    result = run_case(case)
    assert result.passed, "\n".join(result.problems)


def test_corpus_is_present_and_large() -> None:
    if not DIRECTORY.is_dir():
        pytest.skip(f"no conformance corpus at {DIRECTORY} (set ASL_CONFORMANCE_DIR)")
    assert len(CASES) >= 600
    assert {c.category for c in CASES} >= {"base", "choice", "map", "intrinsic_functions", "scenarios"}


def test_known_failures_name_real_cases() -> None:
    ids = {c.id for c in CASES}
    if not ids:
        pytest.skip("no corpus")
    assert set(KNOWN) <= ids
