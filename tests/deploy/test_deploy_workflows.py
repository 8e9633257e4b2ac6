"""The GitHub workflows: CI runs .ci/run on every push and pull request; deploy is manual, through OIDC."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from deploy_support import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def _load(name: str) -> dict[str, Any]:
    data: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text("utf-8"))
    # YAML 1.1 reads the bare key `on` as True; GitHub reads it as "on".
    return {("on" if key is True else key): value for key, value in data.items()}


def _runs(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def _uses(job: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["uses"].split("@")[0]: step.get("with", {}) for step in job["steps"] if "uses" in step}


def test_ci_runs_the_one_check_command_on_push_and_pull_request() -> None:
    ci = _load("ci.yml")
    assert set(ci["on"]) == {"push", "pull_request"}
    (job,) = ci["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest"
    assert job["container"].startswith("python:3.11")
    assert job["env"]["CI"] == "true"
    assert "bash .ci/run" in _runs(job)
    assert "actions/checkout" in _uses(job)
    assert ci["permissions"] == {"contents": "read"}


def test_ci_runs_what_the_repository_calls_its_check() -> None:
    assert (ROOT / ".ci" / "run").is_file()
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text("utf-8")


def test_ci_leaves_the_corpus_to_the_tests_own_fallback() -> None:
    """The corpus is not copied: the tests read $ASL_CONFORMANCE_DIR (empty means unset) or skip."""
    (job,) = _load("ci.yml")["jobs"].values()
    assert job["env"]["ASL_CONFORMANCE_DIR"] == "${{ vars.ASL_CONFORMANCE_DIR }}"
    corpus_step = next(run for run in _runs(job) if "conformance" in run)
    assert "shared/conformance" in corpus_step and "cp " not in corpus_step
    assert not list(ROOT.joinpath(".github").rglob("*.jsonl"))


def test_deploy_is_manual_and_assumes_a_role_through_oidc() -> None:
    deploy = _load("deploy.yml")
    assert set(deploy["on"]) == {"workflow_dispatch"}
    assert deploy["permissions"] == {"id-token": "write", "contents": "read"}
    job = deploy["jobs"]["deploy"]
    credentials = _uses(job)["aws-actions/configure-aws-credentials"]
    assert credentials["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
    assert not {"aws-access-key-id", "aws-secret-access-key"} & set(credentials)
    assert _uses(job)["actions/setup-python"]["python-version"] == "3.11"
    assert any("bash scripts/deploy" in run for run in _runs(job))


def test_deploy_passes_inputs_through_the_environment_only() -> None:
    """`${{ inputs.* }}` pasted into a shell line would let an input run commands."""
    job = _load("deploy.yml")["jobs"]["deploy"]
    for run in _runs(job):
        assert "${{" not in run, run
    assert set(job["env"]) >= {"STACK_NAME", "REGION", "PROVIDER", "ROLE_ARN"}


def test_deploy_waits_for_the_tests_and_a_protected_environment() -> None:
    jobs = _load("deploy.yml")["jobs"]
    assert set(jobs) == {"test", "deploy"}
    assert "bash .ci/run" in _runs(jobs["test"]) and jobs["test"]["env"]["CI"] == "true"
    assert jobs["deploy"]["needs"] == "test"
    assert jobs["deploy"]["environment"] == "production"
    (install,) = [run for run in _runs(jobs["deploy"]) if "aws-sam-cli" in run]
    assert "aws-sam-cli==" in install, "the SAM CLI is pinned"


# The first release of each action that runs on Node.js 24 (GitHub deprecated node20 actions).
_NODE24 = {"actions/checkout": 5, "actions/setup-python": 6, "aws-actions/configure-aws-credentials": 6}


def test_actions_are_on_releases_that_run_on_node24() -> None:
    for name in ("ci.yml", "deploy.yml"):
        for job in _load(name)["jobs"].values():
            for step in job["steps"]:
                if "uses" not in step:
                    continue
                action, _, version = step["uses"].partition("@")
                assert int(version.removeprefix("v").split(".")[0]) >= _NODE24[action], step["uses"]


def test_workflow_files_are_the_two_known_ones() -> None:
    assert sorted(p.name for p in Path(WORKFLOWS).iterdir()) == ["ci.yml", "deploy.yml"]
