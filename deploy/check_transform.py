"""Run the real SAM transform on deploy/template.yaml offline, then cfn-lint the CloudFormation it makes.

cfn-lint alone reads the SAM resources loosely (a wrong Runtime inside a function passes); after the
transform every generated role, policy, permission and stage is checked like any CloudFormation.
aws-sam-translator and cfn-lint are dev dependencies; tests/deploy runs this on every CI run:

    python deploy/check_transform.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).resolve().parent / "template.yaml"


# What `sam deploy` / `aws cloudformation package` put in place of the local paths.
def transformed(template: Path = TEMPLATE, code_bucket: str = "aichef-artifacts") -> dict[str, Any]:
    """The CloudFormation template SAM makes of ``template`` (local paths replaced by S3 locations)."""
    from samtranslator.translator.transform import transform  # type: ignore[import-not-found]
    from samtranslator.yaml_helper import yaml_parse  # type: ignore[import-not-found]

    data: dict[str, Any] = yaml_parse(template.read_text("utf-8"))
    for resource in data["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = f"s3://{code_bucket}/package.zip"
        elif resource["Type"] == "AWS::Serverless::StateMachine":
            resource["Properties"]["DefinitionUri"] = {"Bucket": code_bucket, "Key": "recipe.asl.json"}
    # No IAM lookup: AWSLambdaBasicExecutionRole, the one managed policy used, is known to the translator.
    os.environ.setdefault("AWS_DEFAULT_REGION", "ap-northeast-2")  # the translator asks boto3 for one
    result: dict[str, Any] = transform(data, {}, None)
    return result


def main() -> int:
    from cfnlint.api import lint_file  # type: ignore[import-untyped]

    output = transformed()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "transformed.json"
        path.write_text(json.dumps(output, indent=1))
        matches = lint_file(path)
    kinds = sorted({r["Type"] for r in output["Resources"].values()})
    print(f"SAM transform: {len(output['Resources'])} resources ({', '.join(kinds)})")
    for match in matches:
        print(match)
    print("cfn-lint on the transformed template:", "clean" if not matches else f"{len(matches)} problems")
    return 1 if matches else 0


if __name__ == "__main__":
    sys.exit(main())
