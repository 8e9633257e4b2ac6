"""Intrinsic functions: results and failures as AWS Step Functions gives them, and the parser.

Cases come from the AWS developer guide, the recorded conformance corpus
(intrinsic_functions.jsonl) and published observations of AWS's behaviour at the edges.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl.errors import StatesError
from asl.query import intrinsics
from asl.query._intrinsic_java import JavaRandom, hash_set_order, java_double, java_json, java_str
from asl.query._intrinsic_parser import Literal, PathArgument
from asl.query.intrinsics import (
    FUNCTION_NAMES,
    IntrinsicCall,
    IntrinsicError,
    IntrinsicSyntaxError,
    evaluate,
    is_intrinsic,
    parse,
)

CONTEXT = {
    "Execution": {"Name": "exec-7f3a", "Input": {"csv": "x,y,z", "n": 4}},
    "StateMachine": {
        "Id": "arn:aws:states:us-east-1:111111111111:stateMachine:chef-plan",
        "Name": "chef-plan",
    },
}
PREFIX = "There was an error while evaluating the intrinsic function: "


def run(expression: str, data: Any = None, variables: dict[str, Any] | None = None) -> Any:
    return evaluate(parse(expression), data, CONTEXT, variables)


# --- results -------------------------------------------------------------------------------

RESULTS = [
    # States.Format: Java's String.valueOf for every value (corpus: test_format_1/2)
    ("States.Format('Formatting argument {}.', $.v)", {"v": "HelloWorld"}, "Formatting argument HelloWorld."),
    ("States.Format('Formatting argument {}.', $.v)", {"v": None}, "Formatting argument null."),
    ("States.Format('Formatting argument {}.', $.v)", {"v": 1.1}, "Formatting argument 1.1."),
    (
        "States.Format('fst={} and snd={}.', $.a, $.a)",
        {"a": {"Arg1": 1, "Arg2": []}},
        "fst={Arg1=1, Arg2=[]} and snd={Arg1=1, Arg2=[]}.",
    ),
    (
        "States.Format('{}|{}|{}', $.a, $.b, $.c)",
        {"a": 1e10, "b": [True, "x"], "c": 3.0},
        "1.0E10|[true, x]|3.0",
    ),
    ("States.Format('Hello, my name is {}.', $.name)", {"name": "Arnav"}, "Hello, my name is Arnav."),
    (
        "States.Format($.template, $.name)",
        {"template": "Hello, my name is {}.", "name": "Arnav"},
        "Hello, my name is Arnav.",
    ),
    ("States.Format('no placeholders')", {}, "no placeholders"),
    ("States.Format('\\{\\} is {}, it\\'s \\\\', 'literal')", {}, "{} is literal, it's \\"),
    (
        "States.Format('{} ran {}', $$.Execution.Name, $$.StateMachine)",
        {},
        "exec-7f3a ran {Id=arn:aws:states:us-east-1:111111111111:stateMachine:chef-plan, Name=chef-plan}",
    ),
    # JSON
    ("States.StringToJson($.s)", {"s": '{"Arg1": 1, "Arg2": []}'}, {"Arg1": 1, "Arg2": []}),
    ("States.StringToJson($.s)", {"s": "1.1"}, 1.1),
    ("States.StringToJson($.s)", {"s": "null"}, None),
    ("States.StringToJson($.s)", {"s": "  "}, None),
    ('States.StringToJson(\'{"constant_in_literal": "false"}\')', {}, {"constant_in_literal": "false"}),
    ("States.JsonToString($.v)", {"v": {"Arg1": 1, "Arg2": []}}, '{"Arg1":1,"Arg2":[]}'),
    ("States.JsonToString($.v)", {"v": [1, 2, "HelloWorld"]}, '[1,2,"HelloWorld"]'),
    ("States.JsonToString($.v)", {"v": "HelloWorld"}, '"HelloWorld"'),
    ("States.JsonToString($.v)", {"v": {"big": 1e10, "t": "é\n\u0001"}}, '{"big":1.0E10,"t":"é\\n\\u0001"}'),
    (
        "States.JsonMerge($.a, $.b, false)",
        {"a": {"a": {"a1": 1}, "b": 2, "d": 3}, "b": {"a": {"a3": 1}, "c": 3, "d": 4}},
        {"a": {"a3": 1}, "b": 2, "d": 4, "c": 3},
    ),
    ("States.JsonMerge($.a, $.b, 'false')", {"a": {"x": 1}, "b": {"y": 2}}, {"x": 1, "y": 2}),
    # arrays
    ("States.Array()", {}, []),
    (
        "States.Array($.a, 'x', 1, -2.5, true, false, null)",
        {"a": {"k": []}},
        [{"k": []}, "x", 1, -2.5, True, False, None],
    ),
    ("States.ArrayPartition($.a, 4)", {"a": [1, 2, 3, 4, 5, 6, 7, 8, 9]}, [[1, 2, 3, 4], [5, 6, 7, 8], [9]]),
    ("States.ArrayPartition($.a, 2.6)", {"a": [1, 2, 3, 4, 5]}, [[1, 2], [3, 4], [5]]),
    ("States.ArrayPartition($.a, 2147483647)", {"a": []}, []),
    ("States.ArrayContains($.a, $.v)", {"a": [[1, 2, 3], 2], "v": [1, 2, 3]}, True),
    ("States.ArrayContains($.a, $.v)", {"a": [{"1": 2, "2": []}], "v": {"1": 2, "2": []}}, True),
    ("States.ArrayContains($.a, $.v)", {"a": [], "v": []}, False),
    ("States.ArrayContains($.a, true)", {"a": ["true"]}, True),  # AWS compares printed forms
    ("States.ArrayContains($.a, $.v)", {"a": [{"a": 1, "b": 2}], "v": {"b": 2, "a": 1}}, False),
    ("States.ArrayContains($.a, false)", {"a": [0, 1, -1.5]}, False),
    ("States.ArrayRange(1, 9, 2)", {}, [1, 3, 5, 7, 9]),
    ("States.ArrayRange(0, 10, 3)", {}, [0, 3, 6, 9]),
    ("States.ArrayRange(5, 1, -2)", {}, [5, 3, 1]),
    ("States.ArrayRange(1, 5, -1)", {}, []),
    ("States.ArrayRange(1.6, 1.4, 1)", {}, [1]),  # AWS truncates
    ("States.ArrayGetItem($.a, $.i)", {"a": [1, 2, 3, 4, 5, 6, 7, 8, 9], "i": 5}, 6),
    ("States.ArrayGetItem($.a, 1.2)", {"a": [10, 20, 30]}, 20),
    ("States.ArrayGetItem($.a, 999)", {"a": []}, None),
    ("States.ArrayLength($.a)", {"a": [None, [], {}]}, 3),
    ("States.ArrayUnique($.a)", {"a": [1, 2, 3, 3, 3, 3, 3, 3, 4]}, [1, 2, 3, 4]),
    ("States.ArrayUnique($.a)", {"a": [True, False, True, False]}, [False, True]),  # HashSet order
    ("States.ArrayUnique($.a)", {"a": [[1, 2], [1, 2], [2, 1]]}, [[2, 1], [1, 2]]),
    ("States.ArrayUnique($.a)", {"a": [None, None, 1, None]}, [None, 1]),
    (
        "States.ArrayUnique($.a)",
        {"a": [{"a": 1, "b": 2}, {"b": 2, "a": 1}, 1, 1.0]},
        [{"a": 1, "b": 2}, 1.0, 1],
    ),
    # encoding and hashing
    ("States.Base64Encode($.s)", {"s": "Data to encode"}, "RGF0YSB0byBlbmNvZGU="),
    ("States.Base64Encode('🚀')", {}, "8J+agA=="),
    ("States.Base64Decode($.s)", {"s": "RGF0YSB0byBlbmNvZGU="}, "Data to encode"),
    ("States.Base64Decode('44GT44KT44Gr44Gh44Gv')", {}, "こんにちは"),
    ("States.Base64Decode(' YWJjZA== ')", {}, "abcd"),  # AWS skips what is not Base64
    ("States.Base64Decode('ab==cd')", {}, "i"),
    ("States.Base64Decode('abc')", {}, "i\ufffd"),
    ("States.Hash($.s, 'MD5')", {"s": "input data"}, "812f45842bc6d66ee14572ce20db8e86"),
    (
        "States.Hash($.s, 'SHA-384')",
        {"s": "input data"},
        "d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562",
    ),
    ("States.Hash('hello', 'SHA-1')", {}, "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"),
    (
        "States.Hash('hello', 'SHA-256')",
        {},
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
    ),
    (
        "States.Hash('hello', 'SHA-512')",
        {},
        "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043",
    ),
    (
        "States.Hash(States.Format('{}:{}', $.a, $.b), 'SHA-256')",
        {"a": "x", "b": "y"},
        "1274e286686b54fe765ec40735665b4bf789cee2a5b22124c5e0491a88e15271",
    ),
    # math: Math.round before adding (corpus: test_math_add)
    ("States.MathAdd($.a, $.b)", {"a": 1.5, "b": 1.51}, 4),
    ("States.MathAdd($.a, $.b)", {"a": -1.49, "b": -1.5}, -2),
    ("States.MathAdd($.a, $.b)", {"a": -2.5, "b": 0}, -2),
    ("States.MathAdd($.a, $.b)", {"a": 2.5, "b": 0}, 3),
    ("States.MathAdd(2147483646, 1)", {}, 2147483647),
    ("States.MathAdd($.v, -1)", {"v": 111}, 110),
    ("States.MathRandom(-5, 5, 42)", {}, -5),  # java.util.Random(42).nextInt(10) == 0
    # strings: every delimiter character splits and empty pieces go
    ("States.StringSplit($.s, ',')", {"s": ", , ,"}, [" ", " "]),
    ("States.StringSplit($.s, ',')", {"s": ",,,,"}, []),
    (
        "States.StringSplit($.s, $.d)",
        {"s": "This.is+a,test=string", "d": ".+,="},
        ["This", "is", "a", "test", "string"],
    ),
    ("States.StringSplit($$.Execution.Input.csv, ',')", {}, ["x", "y", "z"]),
    ("States.StringSplit($.s, '')", {"s": "abc"}, ["abc"]),
    # nesting (corpus: test_nested_calls_1/2) and whitespace
    ("States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)", {}, "chef"),
    (
        "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'),"
        " States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))",
        {},
        "plan",
    ),
    ("States.Array( $.a ,\t$.b )", {"a": 1, "b": 2}, [1, 2]),
    ("States.Array($.items[?(@.n > 1)].n, $.items[0]['n'])", {"items": [{"n": 1}, {"n": 2}]}, [[2], 1]),
]


@pytest.mark.parametrize(("expression", "data", "expected"), RESULTS)
def test_result(expression: str, data: Any, expected: Any) -> None:
    result = run(expression, data)
    assert result == expected
    assert type(result) is type(expected)  # True is not 1, 1.0 is not 1


def test_variables_are_arguments() -> None:
    assert run(
        "States.Format('{} and {}', $who, $dish.name)", {}, {"who": "Mina", "dish": {"name": "bibimbap"}}
    ) == ("Mina and bibimbap")


def test_evaluate_accepts_unparsed_text() -> None:
    assert evaluate("States.MathAdd($.n, 1)", {"n": 41}, {}) == 42


def test_uuid_is_a_fresh_version_4_uuid() -> None:
    first, second = run("States.UUID()"), run("States.UUID()")
    pattern = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    assert re.fullmatch(pattern, first) and re.fullmatch(pattern, second)
    assert first != second


@pytest.mark.parametrize(("start", "end"), [(12.5, 44.51), (9999, 99999), (-99999, -9999), (1, 2)])
def test_math_random_stays_in_start_inclusive_end_exclusive(start: float, end: float) -> None:
    draws = {run("States.MathRandom($.s, $.e)", {"s": start, "e": end}) for _ in range(200)}
    assert all(isinstance(d, int) and int(start) <= d < int(end) for d in draws)


def test_math_random_with_a_seed_repeats() -> None:
    draws = {run("States.MathRandom(1, 1000, $.seed)", {"seed": 7}) for _ in range(5)}
    assert draws == {JavaRandom(7).next_int(999) + 1}


def test_arguments_are_not_mutated() -> None:
    data = {"a": {"x": 1}, "b": {"y": 2}, "list": [3, 1, 3]}
    run("States.JsonMerge($.a, $.b, false)", data)
    run("States.ArrayUnique($.list)", data)
    assert data == {"a": {"x": 1}, "b": {"y": 2}, "list": [3, 1, 3]}


# --- failures ------------------------------------------------------------------------------


COUNT_MISMATCH = "Invalid arguments in States.Format: number of arguments do not match the occurrences of {}."


def invalid(call: str, name: str) -> str:
    return f"{PREFIX}{call}. Invalid arguments in {name}"


FAILURES = [
    ("States.MathAdd($.a, 1)", {"a": "1"}, invalid("States.MathAdd($.a, 1)", "States.MathAdd")),
    ("States.MathAdd(true, 1)", {}, invalid("States.MathAdd(true, 1)", "States.MathAdd")),
    ("States.MathAdd(2147483647, 1)", {}, invalid("States.MathAdd(2147483647, 1)", "States.MathAdd")),
    ("States.MathAdd(3000000000, -1)", {}, invalid("States.MathAdd(3000000000, -1)", "States.MathAdd")),
    ("States.MathAdd(1)", {}, invalid("States.MathAdd(1)", "States.MathAdd")),
    ("States.MathRandom(1, 1)", {}, invalid("States.MathRandom(1, 1)", "States.MathRandom")),
    ("States.MathRandom(1.4, 1.6)", {}, invalid("States.MathRandom(1.4, 1.6)", "States.MathRandom")),
    ("States.MathRandom(1, 10, null)", {}, invalid("States.MathRandom(1, 10, null)", "States.MathRandom")),
    ("States.ArrayRange(1, 10, 0.49)", {}, invalid("States.ArrayRange(1, 10, 0.49)", "States.ArrayRange")),
    ("States.ArrayRange(1, 1001, 1)", {}, invalid("States.ArrayRange(1, 1001, 1)", "States.ArrayRange")),
    ("States.ArrayRange('a', 5, 1)", {}, invalid("States.ArrayRange('a', 5, 1)", "States.ArrayRange")),
    (
        "States.ArrayPartition($.a, 0.49)",
        {"a": [1]},
        invalid("States.ArrayPartition($.a, 0.49)", "States.ArrayPartition"),
    ),
    ("States.ArrayPartition('x', 2)", {}, invalid("States.ArrayPartition('x', 2)", "States.ArrayPartition")),
    (
        "States.ArrayGetItem($.a, 3)",
        {"a": [1, 2, 3]},
        invalid("States.ArrayGetItem($.a, 3)", "States.ArrayGetItem"),
    ),
    (
        "States.ArrayGetItem($.a, -1)",
        {"a": [1]},
        invalid("States.ArrayGetItem($.a, -1)", "States.ArrayGetItem"),
    ),
    ("States.ArrayLength($.a)", {"a": {"k": 1}}, invalid("States.ArrayLength($.a)", "States.ArrayLength")),
    ("States.ArrayUnique('x')", {}, invalid("States.ArrayUnique('x')", "States.ArrayUnique")),
    ("States.ArrayContains($.a)", {"a": []}, invalid("States.ArrayContains($.a)", "States.ArrayContains")),
    (
        "States.Base64Encode($.s)",
        {"s": "a" * 10001},
        invalid("States.Base64Encode($.s)", "States.Base64Encode"),
    ),
    ("States.Base64Encode(123)", {}, invalid("States.Base64Encode(123)", "States.Base64Encode")),
    (
        "States.Base64Decode($.s)",
        {"s": "A" * 10001},
        invalid("States.Base64Decode($.s)", "States.Base64Decode"),
    ),
    (
        "States.Hash($.s, 'SHA-256')",
        {"s": "a" * 10001},
        invalid("States.Hash($.s, 'SHA-256')", "States.Hash"),
    ),
    ("States.Hash('data', 'sha-256')", {}, invalid("States.Hash('data', 'sha-256')", "States.Hash")),
    ("States.Hash('hello', 123)", {}, invalid("States.Hash('hello', 123)", "States.Hash")),
    (
        "States.StringToJson($.s)",
        {"s": "{bad json}"},
        invalid("States.StringToJson($.s)", "States.StringToJson"),
    ),
    ("States.StringToJson($.s)", {"s": 123}, invalid("States.StringToJson($.s)", "States.StringToJson")),
    ("States.StringToJson($.s)", {"s": "NaN"}, invalid("States.StringToJson($.s)", "States.StringToJson")),
    (
        "States.JsonMerge($.a, $.b, true)",
        {"a": {}, "b": {}},
        invalid("States.JsonMerge($.a, $.b, true)", "States.JsonMerge"),
    ),
    (
        "States.JsonMerge($.a, $.b, false)",
        {"a": [], "b": {}},
        invalid("States.JsonMerge($.a, $.b, false)", "States.JsonMerge"),
    ),
    (
        "States.StringSplit($.s, ',')",
        {"s": None},
        invalid("States.StringSplit($.s, ',')", "States.StringSplit"),
    ),
    (
        "States.StringSplit('a,b', $.d)",
        {"d": [","]},
        invalid("States.StringSplit('a,b', $.d)", "States.StringSplit"),
    ),
    ("States.Format($.t, 1)", {"t": 123}, invalid("States.Format($.t, 1)", "States.Format")),
    (
        "States.Format('{} {}', 1)",
        {},
        f"{PREFIX}States.Format('{{}} {{}}', 1). {COUNT_MISMATCH}",
    ),
    (
        "States.Format('{}', 1, 2)",
        {},
        f"{PREFIX}States.Format('{{}}', 1, 2). {COUNT_MISMATCH}",
    ),
    (
        "States.Format('Hello {', 1)",
        {},
        f"{PREFIX}States.Format('Hello {{', 1). Invalid template in States.Format:"
        " matching '}' not found for '{'.",
    ),
    (
        "States.Format('}')",
        {},
        f"{PREFIX}States.Format('}}'). Invalid template in States.Format: matching '{{' not found for '}}'.",
    ),
    ("States.UUID(1)", {}, invalid("States.UUID(1)", "States.UUID")),
    # a nested failure names the innermost call
    ("States.Array(States.MathAdd('a', 1))", {}, invalid("States.MathAdd('a', 1)", "States.MathAdd")),
    # a path that selects nothing
    (
        "States.Base64Encode($.missing)",
        {},
        f"{PREFIX}States.Base64Encode($.missing). The JsonPath argument for the field '$.missing'"
        " could not be found in the input '{}'",
    ),
    (
        "States.Hash('x', $$.Execution.Nope)",
        {"a": [1.0]},
        f"{PREFIX}States.Hash('x', $$.Execution.Nope). The JsonPath argument for the field"
        " '$$.Execution.Nope' could not be found in the input '{\"a\":[1.0]}'",
    ),
]


@pytest.mark.parametrize(("expression", "data", "cause"), FAILURES)
def test_failure(expression: str, data: Any, cause: str) -> None:
    with pytest.raises(IntrinsicError) as caught:
        evaluate(parse(expression, check_arity=False), data, CONTEXT)
    assert isinstance(caught.value, StatesError)
    assert caught.value.error == "States.Runtime"
    assert caught.value.cause == cause
    assert caught.value.detail == cause  # the running state puts its prefix in front
    assert caught.value.reason  # our plain-words reason travels alongside AWS's cause


def test_failure_detail_names_the_argument_and_what_is_allowed() -> None:
    with pytest.raises(IntrinsicError) as caught:
        run("States.Hash('data', 'SHA256')")
    assert (
        caught.value.reason
        == "States.Hash: the algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512, got 'SHA256'"
    )


def test_missing_variable_is_a_path_failure() -> None:
    with pytest.raises(IntrinsicError, match="field '\\$nobody'"):
        run("States.Format('{}', $nobody)", {}, {"somebody": 1})


# --- parsing -------------------------------------------------------------------------------


def test_there_are_eighteen_functions() -> None:
    assert len(FUNCTION_NAMES) == 18
    assert {"States.Format", "States.UUID", "States.MathRandom", "States.JsonMerge"} <= FUNCTION_NAMES


@pytest.mark.parametrize(
    ("text", "expected"),
    [("States.UUID()", True), ("$.States", False), ("$$.Execution.Id", False), ("states.UUID()", False)],
)
def test_is_intrinsic(text: str, expected: bool) -> None:
    assert is_intrinsic(text) is expected


def test_parse_keeps_structure_and_source_text() -> None:
    call = parse("States.Format( 'a\\'b {}' , States.MathAdd($.n, -1.5e2) )")
    assert call.name == "States.Format"
    template, inner = call.args
    assert template == Literal("a'b {}", raw="a\\'b {}")
    assert isinstance(inner, IntrinsicCall)
    assert inner.text == "States.MathAdd($.n, -1.5e2)"
    assert inner.args == (PathArgument("$.n"), Literal(-150.0))


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ("'it\\'s'", "it's"),
        ("'\\{\\}'", "{}"),
        ("'a\\\\b'", "a\\b"),
        ("'{\"k\": 1}'", '{"k": 1}'),
        ("''", ""),
    ],
)
def test_string_escapes(literal: str, value: str) -> None:
    assert run(f"States.Array({literal})") == [value]


@pytest.mark.parametrize(
    ("literal", "value"), [("0", 0), ("-7", -7), ("2.50", 2.5), ("1e3", 1000.0), ("-0.5E-1", -0.05)]
)
def test_number_literals(literal: str, value: float) -> None:
    [parsed] = run(f"States.Array({literal})")
    assert parsed == value
    assert isinstance(parsed, int) is ("." not in literal and "e" not in literal.lower())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("States.Nope($.a)", "States.Nope is not an intrinsic function; the functions are States.Array,"),
        ("States.Array", "expected '(' after States.Array"),
        ("States.Array($.a", "the arguments of States.Array are not closed with ')'"),
        ("States.Array($.a) trailing", "unexpected text after the closing ')' of the call"),
        ("States.Array($.a, )", "expected an argument (a 'quoted string', a number, true, false, null,"),
        ("States.Array(,)", "expected an argument"),
        ("States.Array('open)", "the string is not closed with a single quote"),
        ("States.Array('a\\nb')", "a backslash in a string may only escape ', {, } or \\"),
        ("States.Array('a\\\"b')", "a backslash in a string may only escape"),
        ("States.Array(1.)", "unexpected '.' after a number"),
        ("States.Array(.5)", "expected an argument"),
        ("States.Array([1,2])", "expected an argument"),
        ("States.Array(nullx)", "unexpected 'x' after null"),
        ("States.Array($.a $.b)", "expected ',' or ')' in the arguments of States.Array, found '$'"),
        ("States.Array($.a[)", "is not a valid path"),
        ("States.MathAdd(1)", "States.MathAdd takes 2 argument(s), got 1"),
        ("States.MathRandom(1, 2, 3, 4)", "States.MathRandom takes 2 to 3 argument(s), got 4"),
        ("States.Format()", "States.Format takes at least 1 argument(s), got 0"),
        ("States.Array(States.UUID(1))", "States.UUID takes 0 argument(s), got 1 at position 13"),
    ],
)
def test_syntax_errors_say_what_is_wrong_and_where(text: str, message: str) -> None:
    with pytest.raises(IntrinsicSyntaxError) as caught:
        parse(text)
    assert message in caught.value.message
    assert repr(text) in caught.value.message
    assert caught.value.position is not None


def test_arity_can_be_left_to_run_time_as_aws_does() -> None:
    call = parse("States.ArrayLength($.a, 2)", check_arity=False)
    with pytest.raises(IntrinsicError, match=r"Invalid arguments in States\.ArrayLength"):
        evaluate(call, {"a": []}, {})


# --- Java's ways -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1.0, "1.0"),
        (0.001, "0.001"),
        (1e-4, "1.0E-4"),
        (1234567.0, "1234567.0"),
        (12345678.0, "1.2345678E7"),
        (-2.5e-7, "-2.5E-7"),
        (1e21, "1.0E21"),
        (-0.0, "-0.0"),
        (123.456, "123.456"),
    ],
)
def test_java_double(number: float, text: str) -> None:
    assert java_double(number) == text


def test_java_printing() -> None:
    value: dict[str, Any] = {"k": [None, True, 2, 2.0, "s", {"n": {}}]}
    assert java_str(value) == "{k=[null, true, 2, 2.0, s, {n={}}]}"
    assert java_json(value) == '{"k":[null,true,2,2.0,"s",{"n":{}}]}'


def test_java_random_matches_the_jdk() -> None:
    # Known values of new java.util.Random(seed).nextInt(bound).
    assert JavaRandom(42).next_int(10) == 0
    assert JavaRandom(0).next_int(100) == 60
    assert JavaRandom(42).next_int(2**31 - 1) == JavaRandom(42).next_int(2**31 - 1)


def test_hash_set_order_grows_the_table_with_the_input() -> None:
    # 13 items size the table to 32 buckets: 16 and 0 then fall in different buckets.
    items = [16, *range(1, 13)]
    assert hash_set_order(items) == sorted(items)
    assert hash_set_order([16, 0]) == [16, 0]  # 16 buckets: both in bucket 0, first seen first


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=10,
)


@settings(max_examples=150, deadline=None)
@given(JSON_VALUES)
def test_json_to_string_then_string_to_json_gives_the_value_back(value: Any) -> None:
    result = run("States.StringToJson(States.JsonToString($.v))", {"v": value})
    assert json.dumps(result) == json.dumps(value)  # types too: 1.0 stays a float, True a boolean


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x != 0))
def test_java_double_is_exact_and_scientific_outside_1e_minus_3_to_1e7(number: float) -> None:
    text = java_double(number)
    assert float(text) == number
    assert re.fullmatch(r"-?\d+\.\d+(E-?\d+)?", text)
    assert ("E" in text) is not (1e-3 <= abs(number) < 1e7)


@settings(max_examples=100, deadline=None)
@given(st.lists(JSON_VALUES, max_size=30))
def test_array_unique_keeps_one_of_each_distinct_item(items: list[Any]) -> None:
    result = run("States.ArrayUnique($.a)", {"a": items})
    canonical = {json.dumps(item, sort_keys=True) for item in items}
    assert sorted(json.dumps(item, sort_keys=True) for item in result) == sorted(canonical)


def test_public_face_is_the_contract() -> None:
    assert intrinsics.__all__ == sorted(intrinsics.__all__)
    assert all(hasattr(intrinsics, name) for name in intrinsics.__all__)
    assert {"IntrinsicSyntaxError", "evaluate", "is_intrinsic", "parse"} <= set(intrinsics.__all__)
