"""scripts/deploy with no AWS: missing tools and credentials stop it; stand-in CLIs record the deploy."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from deploy_support import ROOT

SCRIPT = ROOT / "scripts" / "deploy"
BASH = shutil.which("bash") or "/bin/bash"
SECRET = "s3cr3t-value-never-printed"

# A stand-in CLI: logs its arguments, answers the few calls scripts/deploy makes.
_FAKE = """#!{bash}
echo "$(basename "$0") $*" >> "$FAKE_LOG"
case "$*" in
  "sts get-caller-identity"*) exit "${{FAKE_STS_RC:-0}}" ;;
  "cloudformation describe-stacks"*) echo "https://abc123.execute-api.ap-northeast-2.amazonaws.com" ;;
  "list stack-outputs"*) echo '[{{"OutputKey": "ApiUrl", "OutputValue": "https://from-sam.example"}}]' ;;
esac
"""


def _tools(tmp_path: Path, fakes: tuple[str, ...]) -> dict[str, str]:
    """An environment whose PATH holds only dirname and the given stand-ins (no real sam, aws or python)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("dirname", "basename", "cat"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    for name in (*fakes, "python-stub"):
        path = bin_dir / name
        path.write_text(_FAKE.format(bash=BASH))
        path.chmod(0o755)
    return {
        "PATH": str(bin_dir),
        "HOME": str(tmp_path / "home"),
        "FAKE_LOG": str(tmp_path / "calls.log"),
        "PYTHON": str(bin_dir / "python-stub"),
        "NAVER_CLIENT_SECRET": SECRET,
    }


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BASH, str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def _calls(env: dict[str, str]) -> list[str]:
    log = Path(env["FAKE_LOG"])
    return log.read_text().splitlines() if log.exists() else []


def test_script_is_executable_bash() -> None:
    assert os.access(SCRIPT, os.X_OK)
    assert SCRIPT.read_text().startswith("#!/usr/bin/env bash\n")
    assert subprocess.run([BASH, "-n", str(SCRIPT)], check=False).returncode == 0


def test_without_sam_or_aws_it_says_so_and_fails(tmp_path: Path) -> None:
    done = _run(_tools(tmp_path, ()))
    assert done.returncode == 3
    assert "neither the SAM CLI (sam) nor the AWS CLI (aws) is installed" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_without_credentials_it_says_so_and_fails(tmp_path: Path) -> None:
    env = {**_tools(tmp_path, ("sam", "aws")), "FAKE_STS_RC": "255"}
    done = _run(env)
    assert done.returncode == 4
    assert "no usable AWS credentials" in done.stderr
    assert not any(call.startswith(("sam ", "python-stub ")) for call in _calls(env)), (
        "nothing built or deployed"
    )


def test_sam_alone_without_any_credential_source_fails(tmp_path: Path) -> None:
    done = _run(_tools(tmp_path, ("sam",)))
    assert done.returncode == 4
    assert "no AWS credentials found" in done.stderr


def test_bad_flags_are_named(tmp_path: Path) -> None:
    env = _tools(tmp_path, ("sam", "aws"))
    assert "--provider must be offline or bedrock, got 'openai'" in _run(env, "--provider", "openai").stderr
    assert "unknown option: --stack" in _run(env, "--stack", "x").stderr
    assert "--api-auth must be NONE, IAM or JWT, got 'open'" in _run(env, "--api-auth", "open").stderr
    assert "needs --jwt-issuer and --jwt-audience" in _run(env, "--api-auth", "JWT").stderr
    assert _calls(env) == []


def test_builds_deploys_and_prints_the_api_url(tmp_path: Path) -> None:
    env = _tools(tmp_path, ("sam", "aws"))
    done = _run(
        env, "--stack-name", "chef-test", "--region", "eu-west-1", "--naver-secret-name", "aichef/naver"
    )
    assert done.returncode == 0, done.stderr
    assert "AI Chef API: https://abc123.execute-api.ap-northeast-2.amazonaws.com" in done.stdout
    calls = _calls(env)
    assert calls[0].startswith("aws sts get-caller-identity --region eu-west-1")
    assert calls[1] == "python-stub deploy/build.py --arch x86_64"
    deploy = calls[2]
    assert deploy.startswith("sam deploy --template-file deploy/template.yaml --stack-name chef-test")
    for part in ("--region eu-west-1", "--resolve-s3", "CAPABILITY_IAM", "Provider=offline"):
        assert part in deploy
    assert "NaverSecretName=aichef/naver" in deploy
    assert "describe-stacks --stack-name chef-test" in calls[3]
    assert SECRET not in done.stdout + done.stderr + "\n".join(calls)


def test_with_the_aws_cli_alone_it_packages_to_the_given_bucket(tmp_path: Path) -> None:
    env = _tools(tmp_path, ("aws",))
    assert "needs an S3 bucket" in _run(env).stderr
    done = _run(env, "--s3-bucket", "my-artifacts", "--provider", "bedrock", "--bedrock-model", "m.x-v1:0")
    assert done.returncode == 0, done.stderr
    calls = _calls(env)
    package = next(c for c in calls if c.startswith("aws cloudformation package"))
    deploy = next(c for c in calls if c.startswith("aws cloudformation deploy"))
    assert "--s3-bucket my-artifacts" in package and "--template-file deploy/template.yaml" in package
    assert "--template-file deploy/.packaged.yaml" in deploy
    assert "Provider=bedrock" in deploy and "BedrockModelId=m.x-v1:0" in deploy
    assert "NaverSecretName" not in deploy
    assert "ApiAuth=NONE" in deploy and "AlarmEmail" not in deploy


def test_guard_and_watch_options_reach_the_stack(tmp_path: Path) -> None:
    env = _tools(tmp_path, ("sam", "aws"))
    done = _run(
        env, "--alarm-email", "ops@example.com", "--api-auth", "JWT", "--jwt-issuer", "https://id.example",
        "--jwt-audience", "web", "--provider", "bedrock", "--bedrock-profile", "none",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    deploy = next(c for c in _calls(env) if c.startswith("sam deploy"))
    for part in ("AlarmEmail=ops@example.com", "ApiAuth=JWT", "JwtIssuer=https://id.example",
                 "JwtAudience=web", "BedrockInferenceProfileId= "):  # fmt: skip
        assert part in deploy + " ", part


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_lists_every_option(tmp_path: Path, flag: str) -> None:
    done = _run(_tools(tmp_path, ()), flag)
    assert done.returncode == 0
    options = {"--stack-name", "--region", "--provider", "--bedrock-model", "--naver-secret-name", "--arch",
               "--bedrock-profile", "--alarm-email", "--api-auth", "--jwt-issuer",
               "--jwt-audience"}  # fmt: skip
    assert all(option in done.stdout for option in options)
