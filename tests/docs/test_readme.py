"""The README stays honest: every command of both CLIs has help text and is shown in it."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from aichef.cli import _parser as aichef_parser
from asl.cli import _parser as asl_parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _commands(parser: argparse.ArgumentParser) -> dict[str, str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            return {name: helps.get(name, "") for name in action.choices}
    return {}


@pytest.mark.parametrize(("program", "parser"), [("asl", asl_parser()), ("aichef", aichef_parser())])
def test_every_command_has_help_and_is_in_the_readme(program: str, parser: argparse.ArgumentParser) -> None:
    commands = _commands(parser)
    assert commands
    for name, help_text in commands.items():
        assert help_text, f"{program} {name} has no help text"
        assert f"{program} {name}" in README, f"the README does not show `{program} {name}`"


def test_readme_opens_with_the_two_commands() -> None:
    head = README[: README.index("## Using AI Chef")]
    assert "./scripts/main" in head and "./scripts/test" in head
    assert "bash scripts/test" in (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text()
