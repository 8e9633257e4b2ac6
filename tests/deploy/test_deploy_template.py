"""deploy/template.yaml against the code it deploys: definition, substitutions, handlers, env, policies."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from deploy_support import DEFINITION, ROOT, TEMPLATE, load_template

from aichef import config
from aichef.workflows import load_definition

TEMPLATE_DATA = load_template()
RESOURCES: dict[str, Any] = TEMPLATE_DATA["Resources"]
GLOBAL_FUNCTION: dict[str, Any] = TEMPLATE_DATA["Globals"]["Function"]


def _of_type(kind: str) -> dict[str, dict[str, Any]]:
    return {name: r["Properties"] for name, r in RESOURCES.items() if r["Type"] == kind}


FUNCTIONS = _of_type("AWS::Serverless::Function")
(MACHINE,) = _of_type("AWS::Serverless::StateMachine").values()


def _statements(policies: list[Any]) -> list[dict[str, Any]]:
    """Inline policy statements, conditional ones included."""
    found = []
    for policy in policies:
        if "Fn::If" in policy:
            policy = policy["Fn::If"][1]
        found.extend(policy.get("Statement", []))
    return found


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


def test_template_is_a_sam_template_with_the_expected_resources() -> None:
    assert TEMPLATE_DATA["Transform"] == "AWS::Serverless-2016-10-31"
    assert GLOBAL_FUNCTION["Runtime"] == "python3.11"
    assert set(TEMPLATE_DATA["Outputs"]) == {
        "ApiUrl",
        "StateMachineArn",
        "SessionsTableName",
        "ResultsTableName",
        "AlarmTopicArn",
    }
    assert set(_of_type("AWS::DynamoDB::Table")) == {"SessionsTable", "ResultsTable"}


def test_cfn_lint_finds_nothing() -> None:
    api = pytest.importorskip("cfnlint.api", reason="cfn-lint is a dev dependency (pip install cfn-lint)")
    matches = api.lint_file(TEMPLATE)
    assert not matches, "\n".join(str(m) for m in matches)


def test_cfn_lint_is_not_blind_to_this_template(tmp_path: Path) -> None:
    """The same lint rejects the template with a reference to a resource that is not there."""
    api = pytest.importorskip("cfnlint.api", reason="cfn-lint is a dev dependency (pip install cfn-lint)")
    broken = tmp_path / "template.yaml"
    broken.write_text(
        TEMPLATE.read_text("utf-8").replace("Value: !Ref ResultsTable", "Value: !Ref NoSuchTable")
    )
    assert any("NoSuchTable" in str(m) for m in api.lint_file(broken))


def test_definition_uri_is_the_one_definition_file() -> None:
    uri = MACHINE["DefinitionUri"]
    assert isinstance(uri, str), "DefinitionUri must be the local file, uploaded by sam/aws package"
    assert (TEMPLATE.parent / uri).resolve() == DEFINITION.resolve()
    assert json.loads(DEFINITION.read_text("utf-8")) == load_definition()
    assert not list((ROOT / "deploy").rglob("*.asl.json")), "no copy of the definition under deploy/"


def test_every_placeholder_has_a_substitution_and_every_substitution_is_used() -> None:
    placeholders = set(re.findall(r"\$\{(\w+)\}", DEFINITION.read_text("utf-8")))
    substitutions = MACHINE["DefinitionSubstitutions"]
    assert placeholders == set(substitutions)
    assert placeholders >= set(config.FUNCTION_NAMES) | {"SessionsTable", "ResultsTable"}


def test_function_placeholders_name_the_functions_and_tables_their_tables() -> None:
    substitutions = MACHINE["DefinitionSubstitutions"]
    for key in config.FUNCTION_NAMES:
        assert substitutions[key] == {"Fn::GetAtt": [key, "Arn"]}
        assert key in FUNCTIONS
    assert substitutions["SessionsTable"] == {"Ref": "SessionsTable"}
    assert substitutions["ResultsTable"] == {"Ref": "ResultsTable"}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_handler_resolves_to_a_callable(name: str) -> None:
    path = FUNCTIONS[name]["Handler"]
    module_name, _, attribute = path.rpartition(".")
    assert module_name.startswith("aichef.handlers.")
    assert callable(getattr(importlib.import_module(module_name), attribute))


def test_every_handler_module_is_deployed() -> None:
    """Each module with a handler has a function, except the session starter, which the API runs."""
    folder = ROOT / "src" / "aichef" / "handlers"
    modules = {p.stem for p in folder.glob("*.py") if "def handler(" in p.read_text("utf-8")}
    deployed = {FUNCTIONS[name]["Handler"].split(".")[2] for name in FUNCTIONS}
    assert modules - deployed == {"session"}
    assert deployed <= modules
    api = (folder / "api.py").read_text("utf-8")
    assert "session_starter.handler(" in api


def _env_read_by_the_code() -> set[str]:
    pattern = re.compile(r"""(?:environ|env)(?:\.get\(|\[)\s*["']([A-Z][A-Z0-9_]+)["']""")
    names = set(config._KEYS)
    for path in (ROOT / "src" / "aichef").rglob("*.py"):
        names.update(pattern.findall(path.read_text("utf-8")))
    return names


def _environment_variables() -> dict[str, dict[str, Any]]:
    found = {"Globals": GLOBAL_FUNCTION["Environment"]["Variables"]}
    for name, props in FUNCTIONS.items():
        found[name] = props.get("Environment", {}).get("Variables", {})
    return found


def test_every_env_var_the_template_sets_is_one_the_code_reads() -> None:
    read = _env_read_by_the_code()
    assert {
        "AICHEF_BACKEND",
        "AICHEF_STATE_MACHINE_ARN",
        "NAVER_CLIENT_ID",
        "AICHEF_BEDROCK_MODEL_ID",
    } <= read
    for where, variables in _environment_variables().items():
        unknown = set(variables) - read
        assert not unknown, f"{where} sets {sorted(unknown)}, which nothing in aichef reads"


def test_environment_selects_aws_and_names_the_stack_resources() -> None:
    variables = GLOBAL_FUNCTION["Environment"]["Variables"]
    assert variables["AICHEF_BACKEND"] == "aws"
    assert variables["AICHEF_SESSIONS_TABLE"] == {"Ref": "SessionsTable"}
    assert variables["AICHEF_RESULTS_TABLE"] == {"Ref": "ResultsTable"}
    assert variables["AICHEF_PROVIDER"] == {"Ref": "Provider"}
    api = FUNCTIONS["ApiFunction"]["Environment"]["Variables"]
    assert api["AICHEF_STATE_MACHINE_ARN"] == {"Ref": "RecipeStateMachine"}


def test_secrets_are_read_at_run_time_never_put_in_the_environment() -> None:
    """Only the secret's name reaches a function; the keys are fetched with GetSecretValue on that
    one secret (aichef.secrets), so GetFunctionConfiguration shows no key."""
    for name, variables in _environment_variables().items():
        for key, value in variables.items():
            assert key not in ("NAVER_CLIENT_ID", "NAVER_CLIENT_SECRET"), name
            assert "resolve:secretsmanager" not in json.dumps(value), (name, key)
    assert FUNCTIONS["PriceFunction"]["Environment"]["Variables"]["AICHEF_NAVER_SECRET_ID"] == {
        "Fn::If": ["UseNaver", {"Ref": "NaverSecretName"}, ""]
    }
    policy = RESOURCES["PriceNaverSecretPolicy"]
    assert policy["Condition"] == "UseNaver"
    assert policy["Properties"]["Roles"] == [{"Ref": "PriceFunctionRole"}]
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == "secretsmanager:GetSecretValue"
    assert statement["Resource"]["Fn::Sub"].endswith(":secret:${NaverSecretName}-??????")
    assert TEMPLATE_DATA["Parameters"]["NaverSecretName"]["Default"] == ""


def test_tables_are_on_demand_keyed_by_session_and_both_expire() -> None:
    tables = _of_type("AWS::DynamoDB::Table")
    for props in tables.values():
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["KeySchema"] == [{"AttributeName": "sessionId", "KeyType": "HASH"}]
        assert props["AttributeDefinitions"] == [{"AttributeName": "sessionId", "AttributeType": "S"}]
        assert props["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}


def test_the_workflow_writes_the_designs_statuses_and_phases_in_order() -> None:
    """Contract 7: status processing then completed (failed from the Handle states), phases with
    their progress, each step added to the item's steps; every status update has a Catch."""
    states = load_definition()["States"]
    expected = [
        ("UpdateStatusGenerating", "processing", "recipe_generation", "10"),
        ("UpdateStatusRecipeDone", "processing", "recipe_completed", "50"),
        ("UpdateStatusPricing", "processing", "price_lookup", "60"),
        ("UpdateStatusPricesDone", "processing", "price_completed", "80"),
        ("UpdateStatusCombining", "processing", "combining_results", "90"),
        ("UpdateStatusCompleted", "completed", "finished", "100"),
    ]
    for name, status, phase, progress in expected:
        params = states[name]["Parameters"]
        values = params["ExpressionAttributeValues"]
        assert (values[":status"]["S"], values[":phase"]["S"], values[":progress"]["N"]) == (
            status,
            phase,
            progress,
        )
        assert params["UpdateExpression"].endswith(" ADD #steps :step")
        assert values[":step"] == {"NS": [progress]}
        assert [c["Next"] for c in states[name]["Catch"]] == ["HandleFailure"]
    for name in ("HandleValidationError", "HandleRecipeError", "HandleFailure"):
        values = states[name]["Parameters"]["ExpressionAttributeValues"]
        assert (values[":status"]["S"], values[":phase"]["S"]) == ("failed", "finished")
        assert states[states[name]["Catch"][0]["Next"]]["Type"] == "Fail"  # even a lost update ends FAILED


def _definition_tasks(states: dict[str, Any]) -> list[dict[str, Any]]:
    tasks = []
    for state in states.values():
        if state["Type"] == "Task":
            tasks.append(state)
        if state["Type"] == "Map":
            tasks.extend(_definition_tasks(state["ItemProcessor"]["States"]))
    return tasks


def test_state_machine_may_do_exactly_what_the_definition_does() -> None:
    tasks = _definition_tasks(load_definition()["States"])
    needed: set[tuple[str, str]] = set()
    invoked: set[str] = set()
    for task in tasks:
        service, _, action = task["Resource"].removeprefix("arn:aws:states:::").partition(":")
        if service == "lambda":
            invoked.add(task["Parameters"]["FunctionName"].strip("${}"))
        else:
            assert service == "dynamodb"
            table = task["Parameters"]["TableName"].strip("${}")
            needed.add((f"dynamodb:{action[0].upper()}{action[1:]}", table))
    policies = MACHINE["Policies"]
    granted_invoke = {
        p["LambdaInvokePolicy"]["FunctionName"]["Ref"] for p in policies if "LambdaInvokePolicy" in p
    }
    assert granted_invoke == invoked == set(config.FUNCTION_NAMES)
    granted = {
        (action, statement["Resource"]["Fn::GetAtt"][0])
        for statement in _statements(policies)
        for action in _actions(statement)
        if action.startswith("dynamodb:")
    }
    # Beyond the tasks: log delivery and X-Ray, which AWS grants only on "*".
    others = {a for s in _statements(policies) for a in _actions(s) if not a.startswith("dynamodb:")}
    assert {a.split(":")[0] for a in others} == {"logs", "xray"}
    assert (
        granted == needed == {("dynamodb:UpdateItem", "SessionsTable"), ("dynamodb:PutItem", "ResultsTable")}
    )


def test_only_the_recipe_function_may_call_bedrock_and_only_with_the_bedrock_provider() -> None:
    for name, props in FUNCTIONS.items():
        bedrock = [
            s
            for s in _statements(props.get("Policies", []))
            if any(a.startswith("bedrock:") for a in _actions(s))
        ]
        assert not bedrock, name
    policies = {k: r for k, r in RESOURCES.items() if r["Type"] == "AWS::IAM::Policy"}
    grants = {k: r for k, r in policies.items() if "bedrock" in json.dumps(r["Properties"]["PolicyDocument"])}
    assert set(grants) == {"RecipeBedrockProfilePolicy", "RecipeBedrockModelPolicy"}
    conditions = TEMPLATE_DATA["Conditions"]
    assert conditions["UseBedrock"] == {"Fn::Equals": [{"Ref": "Provider"}, "bedrock"]}
    for policy in grants.values():
        assert policy["Properties"]["Roles"] == [{"Ref": "RecipeFunctionRole"}]
        assert {"Fn::Condition": "UseBedrock"} in conditions[policy["Condition"]]["Fn::And"]
    (profile,) = grants["RecipeBedrockProfilePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    resources = [r["Fn::Sub"] for r in profile["Resource"]]
    assert any(":inference-profile/${BedrockInferenceProfileId}" in r for r in resources)
    assert any("bedrock:*::foundation-model/${BedrockModelId}" in r for r in resources)
    assert set(TEMPLATE_DATA["Parameters"]["Provider"]["AllowedValues"]) <= set(
        importlib.import_module("aichef.providers").PROVIDERS
    )


def test_functions_touch_only_their_tables() -> None:
    def table_access(name: str) -> set[tuple[str, str]]:
        return {
            (action, s["Resource"]["Fn::GetAtt"][0])
            for s in _statements(FUNCTIONS[name].get("Policies", []))
            for action in _actions(s)
            if action.startswith("dynamodb:")
        }

    assert table_access("NotificationFunction") == {("dynamodb:UpdateItem", "SessionsTable")}
    assert table_access("ApiFunction") == {
        ("dynamodb:PutItem", "SessionsTable"),
        ("dynamodb:GetItem", "SessionsTable"),
        ("dynamodb:GetItem", "ResultsTable"),
    }
    # the recipe function records how far a streaming model has written on the session item
    assert table_access("RecipeFunction") == {("dynamodb:UpdateItem", "SessionsTable")}
    for name in ("ValidatorFunction", "PriceFunction", "CombineFunction"):
        assert table_access(name) == set(), name
    starts = [p for p in FUNCTIONS["ApiFunction"]["Policies"] if "StepFunctionsExecutionPolicy" in p]
    assert starts == [
        {"StepFunctionsExecutionPolicy": {"StateMachineName": {"Fn::GetAtt": ["RecipeStateMachine", "Name"]}}}
    ]


def test_http_api_routes_are_the_local_session_routes() -> None:
    routes = {
        tuple(r["Properties"]["RouteKey"].split(" ")): r["Properties"]["Target"]["Fn::Sub"]
        for r in RESOURCES.values()
        if r["Type"] == "AWS::ApiGatewayV2::Route"
    }
    assert set(routes) == {
        ("POST", "/api/sessions"),
        ("GET", "/api/sessions/{sessionId}"),
        ("GET", "/api/sessions/{sessionId}/result"),
    }
    assert set(routes.values()) == {"integrations/${ApiIntegration}"}
    assert RESOURCES["ApiIntegration"]["Properties"]["IntegrationUri"] == {
        "Fn::GetAtt": ["ApiFunction", "Arn"]
    }
    local = (ROOT / "src" / "aichef" / "web" / "_routes.py").read_text("utf-8")
    for method, path in routes:
        local_path = path.removeprefix("/api").replace("{sessionId}", "{session_id}")
        assert (
            f'@router.{method.lower()}(\n        "{local_path}"' in local
            or f'@router.{method.lower()}("{local_path}"' in local
        )


def test_every_function_names_its_own_code_uri() -> None:
    """`aws cloudformation package` (scripts/deploy without the SAM CLI) ignores Globals: a function
    without its own CodeUri would be packaged as the template's whole folder."""
    assert "CodeUri" not in GLOBAL_FUNCTION
    for name, props in FUNCTIONS.items():
        assert props["CodeUri"] == ".build/", name
