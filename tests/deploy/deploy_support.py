"""What the deploy tests share: the repository's paths, the SAM template read with its short-form tags."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
TEMPLATE = DEPLOY / "template.yaml"
DEFINITION = ROOT / "src" / "aichef" / "workflows" / "recipe.asl.json"
REGION = "ap-northeast-2"
ACCOUNT = "123456789012"


class CfnLoader(yaml.SafeLoader):
    """A YAML loader that turns CloudFormation's short forms (!Ref, !GetAtt, !Sub ...) into long ones."""


def _short_form(loader: CfnLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":  # !GetAtt Resource.Attribute is the list [Resource, Attribute]
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


CfnLoader.add_multi_constructor("!", _short_form)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    data: dict[str, Any] = yaml.load(path.read_text("utf-8"), Loader=CfnLoader)  # a SafeLoader subclass
    return data


def build_module() -> ModuleType:
    """deploy/build.py, imported from its file (deploy/ is not a package)."""
    if "aichef_deploy_build" not in sys.modules:
        spec = importlib.util.spec_from_file_location("aichef_deploy_build", DEPLOY / "build.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return sys.modules["aichef_deploy_build"]


def transformed_template(code_bucket: str = "aichef-artifacts") -> dict[str, Any]:
    """The CloudFormation SAM's own translator makes of the template (deploy/check_transform.py), with the
    S3 locations `sam deploy` or `aws cloudformation package` would put in place of the local paths."""
    if "aichef_deploy_check_transform" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "aichef_deploy_check_transform", DEPLOY / "check_transform.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    result: dict[str, Any] = sys.modules["aichef_deploy_check_transform"].transformed(code_bucket=code_bucket)
    return result


def stack_substitutions(tables: dict[str, str]) -> dict[str, str]:
    """What CloudFormation fills in for the template's DefinitionSubstitutions: ``!GetAtt X.Arn`` of
    each function (an ARN with a generated name) and ``!Ref`` of each table (``tables`` by logical id)."""
    machine = next(
        r for r in load_template()["Resources"].values() if r["Type"] == "AWS::Serverless::StateMachine"
    )
    values = {}
    for key, value in machine["Properties"]["DefinitionSubstitutions"].items():
        if "Fn::GetAtt" in value:
            name = value["Fn::GetAtt"][0]
            values[key] = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:aichef-{name}-XyZ123"
        else:
            values[key] = tables[value["Ref"]]
    return values


def substituted_definition(tables: dict[str, str]) -> str:
    """The definition file's text as Step Functions receives it from the stack."""
    text = DEFINITION.read_text("utf-8")
    for key, value in stack_substitutions(tables).items():
        text = text.replace("${" + key + "}", value)
    return text
