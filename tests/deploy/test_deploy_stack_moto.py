"""The SAM template transformed by SAM's own translator, then created as a stack on moto's CloudFormation.

The transform proves the SAM resources expand as meant (generated roles, tracing, logging config);
moto proves the resulting CloudFormation resolves (references, conditions, parameters) and creates
its resources with the properties moto models. moto's CloudFormation skips a few resource types
(API Gateway v2, CloudWatch alarms, SNS subscriptions, Lambda event invoke configs) and ignores
some properties (table TTL, function tracing): those are checked on the transformed template.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from deploy_support import DEFINITION, REGION, transformed_template

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")
pytest.importorskip("samtranslator", reason="aws-sam-translator is a dev dependency")

BUCKET = "aichef-artifacts"
_SKIPPED_BY_MOTO = (
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Stage",
    "AWS::ApiGatewayV2::Authorizer",
    "AWS::CloudWatch::Alarm",
    "AWS::SNS::Subscription",
    "AWS::Lambda::EventInvokeConfig",
)
# moto warns and skips these types; any other unsupported type still fails (warnings are errors).
pytestmark = [
    pytest.mark.filterwarnings(f"ignore:Tried to parse {kind.replace(':', '.')} but")
    for kind in _SKIPPED_BY_MOTO
]
FUNCTIONS = tuple(f"{n}Function" for n in ("Validator", "Recipe", "Price", "Combine", "Notification", "Api"))


@pytest.fixture(scope="module")
def cloudformation() -> dict[str, Any]:
    resources: dict[str, Any] = transformed_template(code_bucket=BUCKET)["Resources"]
    return resources


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with moto.mock_aws():
        yield


def _create(parameters: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Create the stack on moto with ``parameters``; its resources by logical id."""
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("aichef/__init__.py", "")
    s3.put_object(Bucket=BUCKET, Key="package.zip", Body=package.getvalue())
    s3.put_object(Bucket=BUCKET, Key="recipe.asl.json", Body=DEFINITION.read_bytes())
    client = boto3.client("cloudformation", region_name=REGION)
    client.create_stack(
        StackName="aichef",
        TemplateBody=json.dumps(transformed_template(code_bucket=BUCKET)),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    (stack,) = client.describe_stacks(StackName="aichef")["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    pages = client.get_paginator("list_stack_resources").paginate(StackName="aichef")
    return {r["LogicalResourceId"]: r for page in pages for r in page["StackResourceSummaries"]}


def test_stack_creates_every_resource_moto_models(aws: None, cloudformation: dict[str, Any]) -> None:
    created = _create({"AlarmEmail": "ops@example.com", "ApiAuth": "JWT"})
    expected = {
        name
        for name, resource in cloudformation.items()
        if resource["Type"] not in _SKIPPED_BY_MOTO and "Condition" not in resource
    }
    assert expected <= set(created)
    assert set(FUNCTIONS) <= set(created)
    assert {"SessionsTable", "ResultsTable", "RecipeStateMachine", "AlarmTopic", "Dashboard"} <= set(created)


def test_tables_expire_items_and_keep_point_in_time_recovery(
    aws: None, cloudformation: dict[str, Any]
) -> None:
    for logical in ("SessionsTable", "ResultsTable"):
        ttl = cloudformation[logical]["Properties"]["TimeToLiveSpecification"]
        assert ttl == {"AttributeName": "expiresAt", "Enabled": True}, logical
        recovery = cloudformation[logical]["Properties"]["PointInTimeRecoverySpecification"]
        assert recovery == {"PointInTimeRecoveryEnabled": {"Fn::If": ["WithRecovery", True, False]}}, logical
    created = _create({"PointInTimeRecovery": "false"})
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    for logical in ("SessionsTable", "ResultsTable"):
        table = dynamodb.describe_table(TableName=created[logical]["PhysicalResourceId"])["Table"]
        assert table["KeySchema"] == [{"AttributeName": "sessionId", "KeyType": "HASH"}], logical


def test_every_function_is_traced_and_logs_to_its_own_group_with_retention(
    aws: None, cloudformation: dict[str, Any]
) -> None:
    for logical in FUNCTIONS:
        properties = cloudformation[logical]["Properties"]
        assert properties["TracingConfig"] == {"Mode": "Active"}, logical
        group = logical.replace("Function", "Logs")
        assert properties["LoggingConfig"] == {"LogGroup": {"Ref": group}}, logical
    created = _create({"LogRetentionDays": "14"})
    logs = boto3.client("logs", region_name=REGION)
    retention = {g["logGroupName"]: g.get("retentionInDays") for g in logs.describe_log_groups()["logGroups"]}
    groups = [f.replace("Function", "Logs") for f in FUNCTIONS] + ["StateMachineLogs", "ApiAccessLogs"]
    for group in groups:
        assert retention[created[group]["PhysicalResourceId"]] == 14, group


def test_no_function_environment_holds_a_secret(aws: None) -> None:
    created = _create({"NaverSecretName": "aichef/naver"})
    lambda_ = boto3.client("lambda", region_name=REGION)
    for logical in FUNCTIONS:
        config = lambda_.get_function_configuration(FunctionName=created[logical]["PhysicalResourceId"])
        variables = config.get("Environment", {}).get("Variables", {})
        assert not {"NAVER_CLIENT_ID", "NAVER_CLIENT_SECRET"} & set(variables), logical
        assert not any("secretsmanager" in value for value in variables.values()), logical
        if logical == "PriceFunction":
            assert variables["AICHEF_NAVER_SECRET_ID"] == "aichef/naver"
    iam = boto3.client("iam", region_name=REGION)
    for role in ("PriceFunctionRole", "RecipeFunctionRole", "ApiFunctionRole"):
        name = created[role]["PhysicalResourceId"]
        documents = [
            json.dumps(iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"])
            for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]
        ]
        granted = [d for d in documents if "secretsmanager:GetSecretValue" in d]
        if role == "PriceFunctionRole":
            assert len(granted) == 1 and "secret:aichef/naver-??????" in granted[0]
        else:
            assert granted == [], role


def test_state_machine_is_traced_and_logged(aws: None, cloudformation: dict[str, Any]) -> None:
    properties = cloudformation["RecipeStateMachine"]["Properties"]
    assert properties["TracingConfiguration"] == {"Enabled": True}
    logging = properties["LoggingConfiguration"]
    assert logging["Level"] == {"Ref": "StateMachineLogLevel"}
    assert logging["IncludeExecutionData"] == {"Fn::If": ["LogExecutionData", True, False]}
    assert logging["Destinations"] == [
        {"CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": ["StateMachineLogs", "Arn"]}}}
    ]
    created = _create({"StateMachineLogLevel": "ALL", "StateMachineLogExecutionData": "false"})
    sfn = boto3.client("stepfunctions", region_name=REGION)
    machine = sfn.describe_state_machine(stateMachineArn=created["RecipeStateMachine"]["PhysicalResourceId"])
    assert machine["type"] == "STANDARD"
    assert machine["roleArn"].endswith(created["RecipeStateMachineRole"]["PhysicalResourceId"])
    location = properties["DefinitionS3Location"]
    assert location == {"Bucket": BUCKET, "Key": "recipe.asl.json"}


def test_alarms_watch_the_workflow_the_functions_and_the_api(cloudformation: dict[str, Any]) -> None:
    wanted = {
        "ExecutionsFailedAlarm": ("AWS/States", "ExecutionsFailed"),
        "ExecutionsTimedOutAlarm": ("AWS/States", "ExecutionsTimedOut"),
        "Api5xxAlarm": ("AWS/ApiGateway", "5xx"),
        "ApiLatencyAlarm": ("AWS/ApiGateway", "Latency"),
        "FunctionErrorsAlarm": ("AWS/Lambda", "Errors"),
        "FunctionThrottlesAlarm": ("AWS/Lambda", "Throttles"),
    }
    alarms = {k: r["Properties"] for k, r in cloudformation.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
    assert set(alarms) == set(wanted)
    for logical, (namespace, metric) in wanted.items():
        alarm = alarms[logical]
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}], logical
        if "Metrics" in alarm:  # metric math over every function
            stats = [m["MetricStat"]["Metric"] for m in alarm["Metrics"] if "MetricStat" in m]
            assert {(s["Namespace"], s["MetricName"]) for s in stats} == {(namespace, metric)}, logical
            watched = {s["Dimensions"][0]["Value"]["Ref"] for s in stats}
            assert watched == set(FUNCTIONS), logical
        else:
            assert (alarm["Namespace"], alarm["MetricName"]) == (namespace, metric), logical
    subscription = cloudformation["AlarmSubscription"]
    assert subscription["Condition"] == "MailAlarms"
    assert subscription["Properties"]["Protocol"] == "email"


def test_api_is_throttled_logged_and_guarded_by_the_chosen_authorizer(cloudformation: dict[str, Any]) -> None:
    stage = cloudformation["ApiStage"]["Properties"]
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] == {"Ref": "ApiThrottleRate"}
    assert stage["AccessLogSettings"]["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogs", "Arn"]}
    routes = {r["Properties"]["RouteKey"]: r["Properties"] for r in cloudformation.values()
              if r["Type"] == "AWS::ApiGatewayV2::Route"}  # fmt: skip
    assert set(routes) == {
        "POST /api/sessions",
        "GET /api/sessions/{sessionId}",
        "GET /api/sessions/{sessionId}/result",
    }
    for route in routes.values():
        assert route["AuthorizationType"] == {
            "Fn::If": ["JwtAuth", "JWT", {"Fn::If": ["IamAuth", "AWS_IAM", "NONE"]}]
        }
    recipe = cloudformation["RecipeFunction"]["Properties"]
    assert recipe["ReservedConcurrentExecutions"] == {"Ref": "RecipeReservedConcurrency"}
    failures = cloudformation["NotificationFunctionEventInvokeConfig"]["Properties"]
    assert failures["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["NotificationFailures", "Arn"]
    }
