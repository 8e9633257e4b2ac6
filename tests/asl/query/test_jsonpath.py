"""JSONPath as Step Functions evaluates it: definite paths, wildcards, slices, filters, roots."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl.query.jsonpath import JSONPathSyntaxError, PathNotFound, compile_path, resolve

DATA: dict[str, Any] = {
    "store": {
        "book": [
            {"title": "A", "price": 8, "tags": ["x"]},
            {"title": "B", "price": 12, "isbn": "1"},
            {"title": "C", "price": 30, "isbn": "2"},
        ],
        "open": True,
    },
    "a b": 1,
    "quote's": 2,
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", DATA),
        ("$.store.open", True),
        ("$.store.book[0].title", "A"),
        ("$.store.book[-1].title", "C"),
        ("$['a b']", 1),
        ("$['quote\\'s']", 2),
        ("$.store.book[*].title", ["A", "B", "C"]),
        ("$.store.book[1:].title", ["B", "C"]),
        ("$.store.book[:1].price", [8]),
        ("$.store.book[0,2].title", ["A", "C"]),
        ("$..isbn", ["1", "2"]),
        ("$.store.book[?(@.price > 10)].title", ["B", "C"]),
        ("$.store.book[?(@.price > 10 && @.isbn == '2')].title", ["C"]),
        ("$.store.book[?(@.isbn)].title", ["B", "C"]),
        ("$.store.book[?(@.price < 10 || @.price > 20)].title", ["A", "C"]),
        ("$.store.book.length()", 3),
        ("$.store.book[5:]", []),
    ],
)
def test_paths_select_what_jayway_selects(path: str, expected: Any) -> None:
    assert resolve(path, DATA, {}) == expected


def test_definite_paths_that_miss_raise() -> None:
    for path in ("$.nope", "$.store.book[9]", "$.store.open.deeper", "$['missing']"):
        with pytest.raises(PathNotFound):
            resolve(path, DATA, {})


def test_context_and_variable_roots() -> None:
    assert resolve("$$.Execution.Name", {}, {"Execution": {"Name": "run-1"}}) == "run-1"
    assert resolve("$total.sum", {}, {}, {"total": {"sum": 5}}) == 5
    with pytest.raises(PathNotFound):
        resolve("$unknown", {}, {}, {"total": 1})


def test_booleans_are_not_numbers_in_filters() -> None:
    items = {"xs": [{"v": True}, {"v": 1}]}
    assert resolve("$.xs[?(@.v == 1)]", items, {}) == [{"v": 1}]
    assert resolve("$.xs[?(@.v == true)]", items, {}) == [{"v": True}]


@pytest.mark.parametrize("bad", ["a.b", "$.", "$[", "$.a[1:2:3:4]", "$.a[?(@.b ==)]", "$.a[x]"])
def test_bad_paths_are_syntax_errors(bad: str) -> None:
    with pytest.raises(JSONPathSyntaxError):
        compile_path(bad)


def test_compiled_paths_are_shared() -> None:
    assert compile_path("$.a.b") is compile_path("$.a.b")
    assert compile_path("$.a.b").fields == ("a", "b")
    assert compile_path("$.a[*]").definite is False


# --- the one grammar: cases where the evaluator and the validator used to disagree -------------
# Each was decided by Jayway's JsonPath (the library behind Step Functions) and the AWS docs on paths.


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # Jayway skips blanks before a quote inside brackets (nextSignificantChar).
        ("$[ 'a b' ]", 1),
        # AWS's docs write "$.abc.['def ghi']": Jayway reads ".[" as "[".
        ("$.store.['open']", True),
        ("$.store.book.[1].title", "B"),
        # Blanks between "?" and "(" are fine for Jayway.
        ("$.store.book[? (@.price > 20)].title", ["C"]),
        ("$.store.book[?(!@.isbn)].title", ["A"]),
        ("$.store.book[?(!(@.price < 10 || @.price > 20))].title", ["B"]),
        ("$.store.book[?(@.title =~ /[ab]/i)].title", ["A", "B"]),
        ("$.store.book[?(@.title =~ /a/)].title", []),
        ("$.store.book[?(@.title in ['A', \"C\"])].title", ["A", "C"]),
        ("$.store.book[?(@.price nin [8, 30])].title", ["B"]),
        ("$.store.book[?(@.tags subsetof ['x', 'y'])].title", ["A"]),
        ("$.store.book[?(@.tags anyof ['y'])].title", []),
        ("$.store.book[?(@.tags noneof ['y'])].title", ["A"]),
        ("$.store.book[?(@.tags size 1)].title", ["A"]),
        ("$.store.book[?(@.tags empty false)].title", ["A"]),
        ("$.store.book[?(@.tags contains 'x')].title", ["A"]),
        ("$.store.book[?(@.price > $.limit)].title", ["C"]),
        ("$.store.book[?(@.tags.length() == 1)].title", ["A"]),
        ("$.prices.min()", 8.0),
        ("$.prices.max()", 30.0),
        ("$.prices.sum()", 50.0),
        ("$.prices.avg()", 50 / 3),
        ("$.pair.stddev()", 1.0),
        ("$.store.keys()", ["book", "open"]),
        ("$.a.b:c", 3),
        ("$.delivery-partner", 4),
    ],
)
def test_decided_paths_evaluate(path: str, expected: Any) -> None:
    data = {**DATA, "limit": 20, "prices": [8, 12, 30, "x"], "pair": [1, 3], "a": {"b:c": 3}}
    data["delivery-partner"] = 4
    assert resolve(path, data, {}) == expected


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        # Jayway's array subscripts are digits, '-', ':' and ',' only.
        ("$[+1]", "[+1] is not an index, slice, union, wildcard or filter"),
        # Jayway wants the filter in parentheses.
        ("$.a[?@.b == 1]", "expected '(' after '?' in a filter at character 5"),
        ("$.a[?(@.b) && (@.c)]", "expected ']' after the filter's ')' at character 11"),
        ("$.a[(@.length-1)]", "[(@.length-1)] is a script expression"),
        ("$.a.size()", "size() at character 4 is not a function; known: avg(), keys(), length()"),
        ("$.a[?(@.b == )]", "the filter ends too early at character 13"),
        ("$.a[?()]", "the filter ends too early at character 6"),
        ("$.a[?(@.b == 'x' and @.c)]", "unexpected 'a' in the filter at character 17"),
        ("$.a[?(@.b 1)]", "unexpected '1' in the filter at character 10"),
        ("$.a[?(@.b =~ 'x')]", "expected a /regular expression/ after '=~' at character 13"),
        ("$.a[?(@.b =~ /x/q)]", "/x/q at character 13 is not a regular expression: unknown flag 'q'"),
        ("$.a[?(@.b in [1,,2])]", "[1,,2] at character 13 is not an array"),
        ("$.a[?(@.b[x] == 1)]", "@.b[x] at character 6 is not a path: [x] is not an index"),
        ("$.a['b' 'c']", "expected ',' or ']' after a quoted name at character 8"),
        ("$.a[1:2:3:4]", "[1:2:3:4] is not an index, slice, union, wildcard or filter"),
        ("$..", "expected a name after '.' at character 3"),
        ("$['x", "unclosed quote in brackets, unclosed '[' at character 1"),
        ("a.b", "it does not start with '$'"),
    ],
)
def test_syntax_errors_say_what_and_where(path: str, reason: str) -> None:
    with pytest.raises(JSONPathSyntaxError) as caught:
        compile_path(path)
    assert caught.value.reason.startswith(reason)
    assert caught.value.text == path
    assert 0 <= caught.value.position <= len(path)
    assert str(caught.value) == f"invalid JSONPath {path!r}: {caught.value.reason}"


def test_error_positions_point_at_the_fault() -> None:
    for path, char in [("$.a b", " "), ("$.a[0]]", "]"), ("$.a[?(@.b == 'x' or @.c)]", "o"), ("$.a[", "[")]:
        with pytest.raises(JSONPathSyntaxError) as caught:
            compile_path(path)
        assert path[caught.value.position] == char, path


@pytest.mark.parametrize(
    "path", ["$", "$.a", "$.a.b[0]", "$['a b'][-1]", "$.a.['b']", "$[ 'x' ]", "$.a-b", "$.a=b", "$.é.名前"]
)
def test_reference_paths_are_names_and_indexes(path: str) -> None:
    compiled = compile_path(path)
    assert compiled.reference and compiled.not_reference is None
    assert compiled.definite and compiled.fields is not None


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("$$.Execution", "a reference path may not start with '$$'"),
        ("$var.a", "a reference path may not name a variable"),
        ("$.a[*]", "a reference path may not use '*'"),
        ("$.a.*", "a reference path may not use '*'"),
        ("$..a", "a reference path may not use '..'"),
        ("$.a[1:2]", "a reference path allows only ['name'] or [index] here, not [1:2]"),
        ("$.a[0, 1]", "a reference path allows only ['name'] or [index] here, not [0, 1]"),
        ("$['a','b']", "a reference path may not use a union of names"),
        ("$.a[?(@.b)]", "a reference path may not use a filter"),
        ("$.a.length()", "a reference path may not call a function such as length()"),
        ("$.a:b", "a reference path may not use ':' in a dotted name; write ['a:b']"),
        ("$.a[*].b[1:]", "a reference path may not use '*'"),
    ],
)
def test_other_paths_say_why_they_are_not_reference_paths(path: str, why: str) -> None:
    compiled = compile_path(path)
    assert not compiled.reference
    assert compiled.not_reference == why


_PIECES = [*"$.[]()'\"@?*,:!=<>&|/ -019ab", "..", "&&", "==", "=~", " in ", "?(", "@.", "['", "length()"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12))
def test_any_text_compiles_or_is_a_syntax_error(pieces: list[str]) -> None:
    text = "$" + "".join(pieces)
    try:
        compiled = compile_path(text)
    except JSONPathSyntaxError as err:
        assert err.reason and 0 <= err.position <= len(text)
        return
    with contextlib.suppress(PathNotFound):
        compiled.find({"a": [1, {"b": 2}], "b": "x"})


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # Jayway reads "$..x.fn()" as fn($..x): one value over the whole scan.
        ("$..price.sum()", 69.5),
        ("$..price.min()", 8.0),
        ("$..book.length()", 3),
        # Elsewhere a function applies to each node it reaches.
        ("$.store.book.length()", 3),
        ("$.store.book[*].tags.length()", [1]),
        ("$.store.book[0].tags.length()", 1),
    ],
)
def test_functions_after_a_scan_take_the_whole_scan(path: str, expected: Any) -> None:
    data = {**DATA, "bicycle": {"price": 19.5}}
    assert resolve(path, data, {}) == expected


def test_aggregations_need_numbers() -> None:
    with pytest.raises(PathNotFound):
        resolve("$..title.sum()", DATA, {})
    with pytest.raises(PathNotFound):
        resolve("$.store.keys().min()", DATA, {})
