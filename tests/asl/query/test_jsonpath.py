"""JSONPath as Step Functions evaluates it: definite paths, wildcards, slices, filters, roots."""

from __future__ import annotations

from typing import Any

import pytest

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
