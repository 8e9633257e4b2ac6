"""Mocked service integrations, read from AWS Step Functions Local's mock configuration file.

The file (``MockConfigFile.json``) names test cases per state machine, each mapping state
names to mocked responses; a mocked response answers call 0, 1, 2 ... of its state
(``"0"``, ``"1-2"``) with ``{"Return": result}`` or ``{"Throw": {"Error", "Cause"}}``.
States a test case does not name call their real resource (a "hybrid" path). Start an
execution of ``<state machine ARN>#<test case>`` to use a test case.

>>> config = MockConfig({"StateMachines": {"M": {"TestCases": {"Happy": {"A": "R"}}}},
...                      "MockedResponses": {"R": {"0": {"Return": 1}}}})
>>> config.case("M", "Happy").respond("A")
1
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from asl.errors import ASLError, ErrorName, StatesError

__all__ = ["MockCase", "MockConfig", "MockConfigError", "load_mock_config"]


class MockConfigError(ASLError):
    """The mock configuration is malformed, or names a test case it does not have."""


class _Response:
    """One mocked response: what call number N returns or throws."""

    def __init__(self, name: str, spec: Any) -> None:
        where = f"MockedResponses.{name}"
        if not isinstance(spec, Mapping) or not spec:
            raise MockConfigError(f'{where} must be an object of call numbers ("0", "1-2") to responses')
        self.name = name
        self.calls: list[tuple[int, int, Mapping[str, Any]]] = []
        for key, answer in spec.items():
            first, _, last = str(key).partition("-")
            if not first.isdigit() or (last and not last.isdigit()) or (last and int(last) < int(first)):
                raise MockConfigError(
                    f'{where}: \'{key}\' is not a call number or range such as "0" or "1-2"'
                )
            if not isinstance(answer, Mapping) or len(answer.keys() & {"Return", "Throw"}) != 1:
                raise MockConfigError(f"{where}.{key} must have exactly one of 'Return' and 'Throw'")
            throw = answer.get("Throw")
            if throw is not None and (
                not isinstance(throw, Mapping) or not isinstance(throw.get("Error"), str)
            ):
                raise MockConfigError(f"{where}.{key}.Throw must be an object with 'Error' and 'Cause'")
            self.calls.append((int(first), int(last or first), answer))

    def answer(self, call: int) -> Any:
        for first, last, answer in self.calls:
            if first <= call <= last:
                if "Throw" in answer:
                    throw = answer["Throw"]
                    raise StatesError(str(throw["Error"]), throw.get("Cause"))
                return json.loads(json.dumps(answer["Return"]))  # a fresh copy each call
        raise StatesError(
            ErrorName.RUNTIME,
            f"The mocked response '{self.name}' has no answer for call {call} (calls count from 0).",
        )


class MockCase:
    """One test case of one execution: mocked states and how often each was called."""

    def __init__(self, name: str, responses: dict[str, _Response]) -> None:
        self.name = name
        self._responses = responses
        self._calls: dict[str, int] = {}

    def __contains__(self, state: str) -> bool:
        return state in self._responses

    def respond(self, state: str) -> Any:
        """The state's next mocked result (raises its mocked error)."""
        call = self._calls.get(state, 0)
        self._calls[state] = call + 1
        return self._responses[state].answer(call)

    def skip(self, state: str) -> None:
        """Count a call answered before a restart (its result comes from the history)."""
        self._calls[state] = self._calls.get(state, 0) + 1


class MockConfig:
    """A mock configuration file's contents."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        if not isinstance(config, Mapping):
            raise MockConfigError("the mock configuration must be a JSON object")
        unknown = set(config) - {"StateMachines", "MockedResponses"}
        if unknown:
            raise MockConfigError(
                f"unknown top-level field(s) {sorted(unknown)}; allowed: 'StateMachines', 'MockedResponses'"
            )
        for top in ("StateMachines", "MockedResponses"):
            if not isinstance(config.get(top, {}), Mapping):
                raise MockConfigError(f"'{top}' must be an object")
        self.responses = {
            name: _Response(name, spec) for name, spec in config.get("MockedResponses", {}).items()
        }
        self.machines: dict[str, dict[str, dict[str, str]]] = {}
        for machine, spec in config.get("StateMachines", {}).items():
            cases = spec.get("TestCases") if isinstance(spec, Mapping) else None
            if not isinstance(cases, Mapping):
                raise MockConfigError(f"StateMachines.{machine} must have an object 'TestCases'")
            for case, states in cases.items():
                if not isinstance(states, Mapping):
                    raise MockConfigError(
                        f"StateMachines.{machine}.TestCases.{case} must be an object of state names "
                        "to mocked response names"
                    )
                for state, response in states.items():
                    if not isinstance(response, str) or response not in self.responses:
                        raise MockConfigError(
                            f"StateMachines.{machine}.TestCases.{case}.{state} names the mocked response "
                            f"'{response}', which MockedResponses does not define"
                        )
            self.machines[machine] = {case: dict(states) for case, states in cases.items()}

    @classmethod
    def load(cls, path: str | Path) -> MockConfig:
        """Read a ``MockConfigFile.json``."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise MockConfigError(f"cannot read the mock configuration {str(path)!r}: {err}") from None
        try:
            return cls(json.loads(text))
        except json.JSONDecodeError as err:
            raise MockConfigError(f"{path} is not valid JSON: {err}") from None
        except MockConfigError as err:
            raise MockConfigError(f"{path}: {err}") from None

    def case(self, machine: str, test_case: str) -> MockCase:
        """A fresh test case (its call counts start at 0) for one execution."""
        cases = self.machines.get(machine)
        if cases is None or test_case not in cases:
            known = ", ".join(sorted(cases or {})) or "none"
            raise MockConfigError(
                f"the mock configuration has no test case '{test_case}' for state machine '{machine}' "
                f"(its test cases: {known})"
            )
        return MockCase(test_case, {state: self.responses[name] for state, name in cases[test_case].items()})


def load_mock_config(config: MockConfig | Mapping[str, Any] | str | Path | None) -> MockConfig:
    """A mock configuration from a file, its parsed contents, or nothing (no test cases)."""
    if config is None:
        return MockConfig({})
    if isinstance(config, MockConfig):
        return config
    if isinstance(config, Mapping):
        return MockConfig(config)
    return MockConfig.load(config)
