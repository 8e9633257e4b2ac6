"""Update, condition and projection expressions: DynamoDB's grammar, semantics and error messages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from asl.dynamodb import Client, TableStore
from asl.dynamodb._ast import Compare, Function, Not, Or, Path, Value
from asl.dynamodb._errors import DynamoError
from asl.dynamodb._parser import parse

KEY = {"id": {"S": "k"}}


@pytest.fixture
def client(store: TableStore) -> Client:
    store.create_table("tbl", partition_key=("id", "S"))
    return store.client()


def put(client: Client, **attributes: Any) -> None:
    client.put_item(TableName="tbl", Item={**KEY, **attributes})


def update(client: Client, expression: str, values: dict[str, Any] | None = None, **extra: Any) -> Any:
    params: dict[str, Any] = {"TableName": "tbl", "Key": KEY, "UpdateExpression": expression, **extra}
    if values:
        params["ExpressionAttributeValues"] = values
    return client.update_item(ReturnValues="ALL_NEW", **params)["Attributes"]


def error_of(call: Any, *args: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


# -- parsing -----------------------------------------------------------------------------------
def test_conditions_parse_with_dynamodb_precedence() -> None:
    tree = parse("ConditionExpression", "NOT a = :x OR begins_with(#n.b[2], :y)", {"#n": "name"}).tree
    assert tree == Or(
        Not(Compare("=", Path(("a",)), Value(":x"))),
        Function("begins_with", (Path(("name", "b", 2)), Value(":y"))),
    )


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        (
            "UpdateExpression",
            "SET status = :s",
            "Attribute name is a reserved keyword; reserved keyword: status",
        ),
        ("ConditionExpression", "a = ", 'Syntax error; token: "<EOF>", near: "= "'),
        ("UpdateExpression", "SET a = :a SET b = :b", 'The "SET" section can only be used once'),
        ("UpdateExpression", "SET #x = :a", "attribute name used in the document path is not defined"),
        ("ConditionExpression", "begins_with(a)", "operator or function: begins_with, number of operands: 1"),
        ("ConditionExpression", "fancy(a)", "Invalid function name; function: fancy"),
        (
            "ConditionExpression",
            "size(a)",
            "not allowed to be used this way in an expression; function: size",
        ),
        ("UpdateExpression", "SET a = size(b)", "The function is not allowed in an update expression"),
        ("ConditionExpression", "a = b - c", 'Syntax error; token: "-"'),
        ("ConditionExpression", "   ", "The expression can not be empty"),
        ("UpdateExpression", "FROB a", 'Syntax error; token: "FROB"'),
    ],
)
def test_bad_expressions_get_dynamodb_messages(kind: str, text: str, message: str) -> None:
    with pytest.raises(DynamoError) as caught:
        parse(kind, text, {})
    assert caught.value.code == "ValidationException"
    assert caught.value.message.startswith(f"Invalid {kind}: ")
    assert message in caught.value.message


def test_unused_and_undefined_placeholders_are_rejected(client: Client) -> None:
    code, message = error_of(update, client, "SET a = :a", {":a": {"S": "x"}, ":b": {"S": "y"}})
    assert (code, message) == (
        "ValidationException",
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:b}",
    )
    _, message = error_of(update, client, "SET a = :a", {":z": {"S": "x"}})
    assert message == (
        "Invalid UpdateExpression: An expression attribute value used in expression is not defined; "
        "attribute value: :a"
    )
    _, message = error_of(
        update, client, "SET a = :a", {":a": {"S": "x"}}, ExpressionAttributeNames={"#n": "a"}
    )
    assert message == "Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}"


# -- updates -----------------------------------------------------------------------------------
def test_set_arithmetic_is_exact(client: Client) -> None:
    put(client, n={"N": "0.1"})
    assert update(client, "SET n = n + :d", {":d": {"N": "0.2"}})["n"] == {"N": "0.3"}
    assert update(client, "SET n = :d - n", {":d": {"N": "1"}})["n"] == {"N": "0.7"}


def test_set_functions_and_list_indexes(client: Client) -> None:
    put(client, l={"L": [{"S": "a"}, {"S": "b"}]}, m={"M": {}})
    item = update(
        client,
        "SET l[5] = :c, m.x = if_not_exists(m.x, :one), l2 = list_append(:pre, l)",
        {":c": {"S": "c"}, ":one": {"N": "1"}, ":pre": {"L": [{"S": "z"}]}},
    )
    assert item["l"] == {"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}]}  # past the end appends
    assert item["m"] == {"M": {"x": {"N": "1"}}}
    assert item["l2"] == {"L": [{"S": "z"}, {"S": "a"}, {"S": "b"}]}


def test_remove_list_elements_uses_the_original_indexes(client: Client) -> None:
    put(client, l={"L": [{"N": "0"}, {"N": "1"}, {"N": "2"}, {"N": "3"}]})
    assert update(client, "REMOVE l[0], l[2]")["l"] == {"L": [{"N": "1"}, {"N": "3"}]}


def test_add_and_delete_on_numbers_and_sets(client: Client) -> None:
    put(client, tags={"SS": ["a", "b"]})
    item = update(client, "ADD tags :more, tally :one", {":more": {"SS": ["b", "c"]}, ":one": {"N": "1"}})
    assert sorted(item["tags"]["SS"]) == ["a", "b", "c"]
    assert item["tally"] == {"N": "1"}
    item = update(client, "DELETE tags :all", {":all": {"SS": ["a", "b", "c"]}})
    assert "tags" not in item  # an emptied set disappears


@pytest.mark.parametrize(
    ("expression", "values", "message"),
    [
        (
            "ADD s :s",
            {":s": {"S": "x"}},
            "Invalid UpdateExpression: Incorrect operand type for operator or function; "
            "operator: ADD, operand type: STRING",
        ),
        (
            "ADD word :one",
            {":one": {"N": "1"}},
            "An operand in the update expression has an incorrect data type",
        ),
        (
            "SET n = nothing + :one",
            {":one": {"N": "1"}},
            "refers to an attribute that does not exist in the item",
        ),
        (
            "SET a.b.c = :one",
            {":one": {"N": "1"}},
            "The document path provided in the update expression is invalid",
        ),
        (
            "SET id = :one",
            {":one": {"N": "1"}},
            "Cannot update attribute id. This attribute is part of the key",
        ),
        (
            "SET a = :one REMOVE a",
            {":one": {"N": "1"}},
            "Two document paths overlap with each other; must remove or rewrite one of these paths; "
            "path one: [a], path two: [a]",
        ),
        ("SET a[0] = :one, a.b = :one", {":one": {"N": "1"}}, "Two document paths conflict with each other"),
    ],
)
def test_update_errors(client: Client, expression: str, values: dict[str, Any], message: str) -> None:
    put(client, word={"S": "hello"})
    code, actual = error_of(update, client, expression, values)
    assert code == "ValidationException"
    assert message in actual
    assert client.get_item(TableName="tbl", Key=KEY)["Item"] == {**KEY, "word": {"S": "hello"}}


def test_updated_old_and_new_return_only_the_touched_paths(client: Client) -> None:
    put(client, m={"M": {"a": {"N": "1"}, "b": {"N": "2"}}}, other={"S": "x"})
    params = {"TableName": "tbl", "Key": KEY, "UpdateExpression": "SET m.a = :v"}
    values = {":v": {"N": "9"}}
    old = client.update_item(**params, ExpressionAttributeValues=values, ReturnValues="UPDATED_OLD")
    assert old["Attributes"] == {"m": {"M": {"a": {"N": "1"}}}}
    new = client.update_item(
        **params, ExpressionAttributeValues={":v": {"N": "10"}}, ReturnValues="UPDATED_NEW"
    )
    assert new["Attributes"] == {"m": {"M": {"a": {"N": "10"}}}}


# -- conditions ----------------------------------------------------------------------------------
ITEM = {
    "s": {"S": "hello"},
    "n": {"N": "5"},
    "ss": {"SS": ["x", "y"]},
    "l": {"L": [{"N": "1"}, {"S": "two"}]},
    "m": {"M": {"deep": {"BOOL": True}}},
    "nul": {"NULL": True},
}


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        ("n = :five", True),
        ("n <> :five", False),
        ("n BETWEEN :one AND :five", True),
        ("n > :one AND n < :one", False),
        ("NOT n < :one OR n = :one", True),
        ("n IN (:one, :five)", True),
        ("begins_with(s, :he)", True),
        ("contains(s, :ll)", True),
        ("contains(ss, :x)", True),
        ("contains(l, :two)", True),
        ("size(ss) = :two_n", True),
        ("size(s) > :five", False),
        ("attribute_exists(m.deep)", True),
        ("attribute_not_exists(m.shallow)", True),
        ("attribute_type(nul, :null_t)", True),
        ("absent = :five", False),
        ("absent <> :five", True),
        ("s < :five", False),  # different types never compare
    ],
)
def test_conditions(client: Client, condition: str, holds: bool) -> None:
    put(client, **ITEM)
    values = {
        ":five": {"N": "5"},
        ":one": {"N": "1"},
        ":he": {"S": "he"},
        ":ll": {"S": "ll"},
        ":x": {"S": "x"},
        ":two": {"S": "two"},
        ":two_n": {"N": "2"},
        ":null_t": {"S": "NULL"},
    }
    used = {k: v for k, v in values.items() if k in re.findall(r":\w+", condition)}
    params: dict[str, Any] = {"TableName": "tbl", "Key": KEY, "ConditionExpression": condition}
    if used:
        params["ExpressionAttributeValues"] = used
    if holds:
        client.delete_item(**params)
        assert "Item" not in client.get_item(TableName="tbl", Key=KEY)
    else:
        assert error_of(client.delete_item, **params)[0] == "ConditionalCheckFailedException"


def test_failed_condition_can_return_the_old_item(client: Client) -> None:
    put(client, n={"N": "1"})
    with pytest.raises(client.exceptions.ConditionalCheckFailedException) as caught:
        client.put_item(
            TableName="tbl",
            Item=KEY,
            ConditionExpression="attribute_not_exists(id)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert caught.value.response["Item"] == {**KEY, "n": {"N": "1"}}


def test_projection_of_nested_paths(client: Client) -> None:
    put(client, **ITEM)
    got = client.get_item(
        TableName="tbl",
        Key=KEY,
        ProjectionExpression="l[1], m.deep, #s",
        ExpressionAttributeNames={"#s": "s"},
    )
    assert got["Item"] == {
        "l": {"L": [{"S": "two"}]},
        "m": {"M": {"deep": {"BOOL": True}}},
        "s": {"S": "hello"},
    }


def test_appends_past_the_end_land_in_index_order(client: Client) -> None:
    put(client, l={"L": [{"S": "one"}]})
    values = {":a": {"S": "a84"}, ":b": {"S": "a37"}, ":c": {"S": "a17"}}
    item = update(client, "SET l[84] = :a, l[37] = :b, l[17] = :c", values)
    assert item["l"] == {"L": [{"S": "one"}, {"S": "a17"}, {"S": "a37"}, {"S": "a84"}]}


def test_remove_on_a_missing_item_creates_nothing(client: Client) -> None:
    response = client.update_item(
        TableName="tbl", Key=KEY, UpdateExpression="REMOVE x.y, z", ReturnValues="ALL_NEW"
    )
    assert "Attributes" not in response
    assert "Item" not in client.get_item(TableName="tbl", Key=KEY)


def test_remove_below_a_missing_attribute_of_an_existing_item_is_an_error(client: Client) -> None:
    put(client, m={"M": {"x": {"N": "3"}}})
    assert "document path provided" in error_of(update, client, "REMOVE c.d")[1]
    assert update(client, "REMOVE m.y")["m"] == {"M": {"x": {"N": "3"}}}  # a missing leaf is fine


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("SET _a = :v", 'Syntax error; token: "_"'),
        ("SET a = list_append(list_append(:l, :l), :l)", "function: list_append"),
        ("SET a = LIST_APPEND(:l, :l)", "Invalid function name; function: LIST_APPEND"),
    ],
)
def test_more_grammar_rules(client: Client, expression: str, message: str) -> None:
    values = {k: v for k, v in {":v": {"N": "1"}, ":l": {"L": []}}.items() if k in expression}
    assert message in error_of(update, client, expression, values)[1]


@pytest.mark.parametrize(
    ("condition", "values", "message"),
    [
        ("n >= :l", {":l": {"L": []}}, "operator or function: >=, operand type: L"),
        ("n BETWEEN :a AND :b", {":a": {"N": "2"}, ":b": {"S": "x"}}, "requires same data type"),
        (
            "n BETWEEN :a AND :b",
            {":a": {"N": "2"}, ":b": {"N": "1"}},
            "upper bound to be greater than or equal",
        ),
        ("begins_with(s, :n)", {":n": {"N": "1"}}, "operator or function: begins_with, operand type: N"),
        ("attribute_type(s, b)", None, "operator or function: attribute_type"),
        ("contains(s, s)", None, "The first operand must be distinct from the remaining operands"),
        ("attribute_exists(:v)", {":v": {"N": "1"}}, "requires a document path"),
    ],
)
def test_literal_operands_are_checked_before_reading(
    client: Client, condition: str, values: dict[str, Any] | None, message: str
) -> None:
    params: dict[str, Any] = {"TableName": "tbl", "Key": KEY, "ConditionExpression": condition}
    if values:
        params["ExpressionAttributeValues"] = values
    code, actual = error_of(client.delete_item, **params)  # the item does not even exist
    assert code == "ValidationException"
    assert message in actual


def test_function_operands_may_be_values_or_attributes(client: Client) -> None:
    put(client, s={"S": "he"}, b={"B": b"\x01\x02\x03"}, l={"L": [{"SS": ["x"]}]})
    values = {":str": {"S": "hello"}, ":t": {"S": "S"}, ":bin": {"B": b"\x02"}, ":set": {"SS": ["x"]}}
    condition = (
        "begins_with(:str, s) AND attribute_type(:str, :t) AND contains(b, :bin) AND contains(l, :set)"
    )
    client.delete_item(
        TableName="tbl", Key=KEY, ConditionExpression=condition, ExpressionAttributeValues=values
    )
    assert "Item" not in client.get_item(TableName="tbl", Key=KEY)


@pytest.mark.parametrize(("projection", "word"), [("a, a.b[2].c", "overlap"), ("a.b, a[1]", "conflict")])
def test_projection_paths_must_be_distinct(client: Client, projection: str, word: str) -> None:
    message = error_of(client.get_item, TableName="tbl", Key=KEY, ProjectionExpression=projection)[1]
    assert message.startswith(f"Invalid ProjectionExpression: Two document paths {word} with each other")


def test_projection_that_matches_nothing_returns_an_empty_item(client: Client) -> None:
    put(client, m={"M": {"b": {"L": [{"N": "2"}]}}})
    assert client.get_item(TableName="tbl", Key=KEY, ProjectionExpression="m.b[3].x, zz")["Item"] == {}


def test_values_without_an_expression_are_rejected(client: Client) -> None:
    message = error_of(
        client.update_item, TableName="tbl", Key=KEY, ExpressionAttributeValues={":v": {"N": "1"}}
    )[1]
    assert message == (
        "ExpressionAttributeValues can only be specified when using expressions: "
        "UpdateExpression and ConditionExpression are null"
    )
