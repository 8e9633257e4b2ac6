"""Loading definitions: dicts, JSON and YAML text, files, and ${Name} substitutions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asl import DefinitionError, load_definition

PASS = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}


def test_the_same_definition_from_a_dict_json_yaml_and_a_file(tmp_path: Path) -> None:
    yaml_text = "StartAt: A\nStates:\n  A:\n    Type: Pass\n    End: true\n"
    (tmp_path / "m.json").write_text(json.dumps(PASS))
    (tmp_path / "m.yaml").write_text(yaml_text)
    for source in (PASS, json.dumps(PASS), yaml_text, tmp_path / "m.json", str(tmp_path / "m.yaml")):
        assert load_definition(source) == PASS


def test_a_dict_is_copied_not_changed() -> None:
    original = {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${Fn}", "End": True}}}
    loaded = load_definition(original, {"Fn": "arn:aws:lambda:us-east-1:1:function:f"})
    assert original["States"]["A"]["Resource"] == "${Fn}"
    assert loaded["States"]["A"]["Resource"] == "arn:aws:lambda:us-east-1:1:function:f"


def test_substitutions_inside_strings_whole_values_and_unknown_names() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Pass",
                "Parameters": {"table": "prefix-${Table}-suffix", "limit": "${Limit}", "other": "${Unknown}"},
                "End": True,
            }
        },
    }
    loaded = load_definition(definition, {"Table": "sessions", "Limit": 5})
    assert loaded["States"]["A"]["Parameters"] == {
        "table": "prefix-sessions-suffix",
        "limit": 5,
        "other": "${Unknown}",
    }


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{not json", "neither valid JSON nor YAML"),
        ("[1, 2]", "must be a JSON object"),
        (Path("/no/such/file.json"), "cannot read the definition file"),
    ],
)
def test_bad_sources_say_what_is_wrong(source: object, message: str) -> None:
    with pytest.raises(DefinitionError, match=message):
        load_definition(source)  # type: ignore[arg-type]
