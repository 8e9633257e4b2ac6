"""The examples in the docstrings of every module under src/ run as doctests, one test per module."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import aichef
import asl


def _modules() -> list[str]:
    names: list[str] = []
    for package in (asl, aichef):
        names.append(package.__name__)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
            names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    failed, _attempted = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=False)
    assert failed == 0, f"{failed} docstring example(s) of {name} failed; run python -m doctest -v on it"


def test_the_examples_are_found() -> None:
    finder = doctest.DocTestFinder()
    found = sum(
        1 for name in _modules() for test in finder.find(importlib.import_module(name)) if test.examples
    )
    assert found >= 60  # a count that drops to zero would mean the runner finds nothing
