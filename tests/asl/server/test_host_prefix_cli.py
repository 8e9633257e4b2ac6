"""The README's way to reach StartSyncExecution with the AWS CLI: ``AWS_DISABLE_HOST_PREFIX_INJECTION``.

AWS SDKs and Tools reference guide, "Host prefix injection": the SDKs prepend an operation's host
prefix (StartSyncExecution's is ``sync-``) to the endpoint's host name unless the
``disable_host_prefix_injection`` setting (environment variable ``AWS_DISABLE_HOST_PREFIX_INJECTION``)
is true. Runs the AWS CLI when it is installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

import pytest
from asl_serve_support import ROLE

from asl.server import BackgroundServer


@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_the_aws_cli_reaches_start_sync_execution_with_host_prefix_injection_disabled(
    server: BackgroundServer, sfn: Any
) -> None:
    arn = sfn.create_state_machine(
        name="cli-sync",
        type="EXPRESS",
        roleArn=ROLE,
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
    )["stateMachineArn"]
    command = ["aws", "--endpoint-url", server.url, "stepfunctions", "start-sync-execution"]
    command += ["--state-machine-arn", arn, "--input", '{"a": 1}', "--cli-connect-timeout", "5"]
    environment = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_MAX_ATTEMPTS": "1",
    }
    prefixed = subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=60, check=False
    )
    assert prefixed.returncode != 0 and "sync-127.0.0.1" in prefixed.stderr
    environment["AWS_DISABLE_HOST_PREFIX_INJECTION"] = "true"
    done = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=60, check=True)
    answer = json.loads(done.stdout)
    assert (answer["status"], json.loads(answer["output"])) == ("SUCCEEDED", {"a": 1})
