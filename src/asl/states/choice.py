"""The Choice state: the first rule that holds picks the next state, else Default.

JSONPath rules compare a ``Variable`` with an operator from ``_comparisons``, combined
with ``And``/``Or``/``Not``; JSONata rules hold a ``Condition`` expression.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from asl.errors import ErrorName, StatesError
from asl.execution.frame import Frame
from asl.failures import StateFailure
from asl.query.jsonata import compile_jsonata, off_loop
from asl.query.jsonpath import PathNotFound, compile_path
from asl.states._comparisons import COMPARISONS, TYPE_TESTS
from asl.states.base import State

__all__ = ["ChoiceState"]

# (effective input, context, variables) -> bool
Test = Callable[[Any, Any, Mapping[str, Any]], bool]
_MISSING = object()


def _lookup(path: str) -> Callable[[Any, Any, Mapping[str, Any]], Any]:
    evaluate = compile_path(path).evaluate

    def find(data: Any, context: Any, variables: Mapping[str, Any]) -> Any:
        try:
            return evaluate(data, context, variables)
        except PathNotFound:
            return _MISSING

    return find


def compile_rule(rule: Mapping[str, Any]) -> Test:
    """Compile one JSONPath rule (without its Next) into a test."""
    if "And" in rule:
        parts = [compile_rule(r) for r in rule["And"]]
        return lambda d, c, v: all(p(d, c, v) for p in parts)
    if "Or" in rule:
        parts = [compile_rule(r) for r in rule["Or"]]
        return lambda d, c, v: any(p(d, c, v) for p in parts)
    if "Not" in rule:
        inner = compile_rule(rule["Not"])
        return lambda d, c, v: not inner(d, c, v)
    variable_path = rule["Variable"]
    variable = _lookup(variable_path)
    if "IsPresent" in rule:
        expected = rule["IsPresent"]
        return lambda d, c, v: (variable(d, c, v) is not _MISSING) == expected
    for name, test in TYPE_TESTS.items():
        if name in rule:
            return _type_test(variable, variable_path, test, rule[name])
    for name, compare in COMPARISONS.items():
        if name in rule:
            return _compare_constant(variable, variable_path, compare, rule[name])
        if f"{name}Path" in rule:
            return _compare_path(variable, variable_path, compare, rule[f"{name}Path"])
    raise ValueError(f"no comparison operator in Choice rule {dict(rule)!r}")


Lookup = Callable[[Any, Any, Mapping[str, Any]], Any]


def _type_test(variable: Lookup, path: str, test: Callable[[Any], bool], want: Any) -> Test:
    def holds(d: Any, c: Any, v: Mapping[str, Any]) -> bool:
        return bool(test(_require(variable(d, c, v), path))) is bool(want)

    return holds


def _compare_constant(
    variable: Lookup, path: str, compare: Callable[[Any, Any], bool], constant: Any
) -> Test:
    def holds(d: Any, c: Any, v: Mapping[str, Any]) -> bool:
        return compare(_require(variable(d, c, v), path), constant)

    return holds


def _compare_path(variable: Lookup, path: str, compare: Callable[[Any, Any], bool], other_path: str) -> Test:
    other = _lookup(other_path)

    def holds(d: Any, c: Any, v: Mapping[str, Any]) -> bool:
        return compare(_require(variable(d, c, v), path), _require(other(d, c, v), other_path))

    return holds


def _require(value: Any, path: str) -> Any:
    if value is _MISSING:
        raise StateFailure(
            ErrorName.RUNTIME,
            f"Invalid path '{path}': The choice state's condition path references an invalid value.",
        )
    return value


class ChoiceState(State):
    type_name = "Choice"

    def __init__(self, name: str, spec: Mapping[str, Any], query_language: str) -> None:
        super().__init__(name, spec, query_language)
        self.default: str | None = spec.get("Default")
        self.rules: list[tuple[Any, str, Any, Any]] = []
        for index, rule in enumerate(spec.get("Choices", ())):
            assign = self._compile_assign(rule.get("Assign"), self.jsonata)
            if self.jsonata:
                condition = compile_jsonata(rule["Condition"], f"Choices[{index}]/Condition")
                output = compile_jsonata(rule["Output"], "Output") if "Output" in rule else None
                self.rules.append((condition, rule["Next"], assign, output))
            else:
                self.rules.append((compile_rule(rule), rule["Next"], assign, None))
        self.set_immediate(not self.jsonata)  # JSONata conditions may run long: off_loop

    async def execute(self, frame: Frame, raw: Any, context: dict[str, Any]) -> tuple[str | None, Any]:
        if self.jsonata:
            return await off_loop(self._choose_jsonata, frame, raw, context)
        return self.execute_now(frame, raw, context)

    def execute_now(self, frame: Frame, raw: Any, context: dict[str, Any]) -> tuple[str | None, Any]:
        effective = self.input_path(raw, context, frame.variables)
        variables = frame.variables
        for test, next_state, assign, _ in self.rules:
            if test(effective, context, variables):
                return next_state, self._leave(frame, raw, effective, context, assign)
        if self.default is None:
            raise StatesError(ErrorName.NO_CHOICE_MATCHED, "No Matches!")
        return self.default, self._leave(frame, raw, effective, context, None)

    def _leave(self, frame: Frame, raw: Any, effective: Any, context: Any, rule_assign: Any) -> Any:
        values: dict[str, Any] = {}
        if self.assign is not None:
            values.update(self.assign(effective, raw, context, frame, None))
        if rule_assign is not None:
            values.update(rule_assign(effective, raw, context, frame, None))
        frame.assign(values)
        return self.output_path(effective, context, frame.variables)

    def _choose_jsonata(self, frame: Frame, raw: Any, context: dict[str, Any]) -> tuple[str | None, Any]:
        states = self.states_binding(raw, context)
        chosen: tuple[str, Any, Any] | None = None
        for condition, next_state, assign, output in self.rules:
            verdict = condition(states, frame.variables)
            if not isinstance(verdict, bool):
                raise StateFailure(
                    ErrorName.QUERY_EVALUATION_ERROR,
                    f"The Condition field must evaluate to a boolean, got: {verdict!r}",
                )
            if verdict:
                chosen = (next_state, assign, output)
                break
        if chosen is None:
            if self.default is None:
                raise StatesError(ErrorName.NO_CHOICE_MATCHED, "No Matches!")
            chosen = (self.default, None, None)
        next_state, rule_assign, rule_output = chosen
        values: dict[str, Any] = {}
        snapshot = dict(frame.variables)
        if self.assign is not None:
            values.update(self.assign(raw, raw, context, frame, states))
        if rule_assign is not None:
            values.update(rule_assign(raw, raw, context, frame, states))
        output_template = rule_output or self.output
        output = raw if output_template is None else output_template(states, snapshot)
        frame.assign(values)
        return next_state, output
