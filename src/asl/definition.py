"""Loading a definition: JSON or YAML text, a file, or a dict, with ``${Name}`` substitutions.

Substitutions work as ``DefinitionSubstitutions`` do in SAM and CloudFormation (and as
Terraform's ``templatefile`` output looks): every ``${Name}`` inside a string is replaced;
a string that is exactly ``${Name}`` takes the substituted value with its JSON type.
Placeholders with no value are left as written, as CloudFormation leaves them.

A key written twice in one object of the text is an error (``SCHEMA_VALIDATION_FAILED`` naming
both places): a JSON reader keeps the later value and drops the earlier without a word.

>>> load_definition('{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${Fn}", "End": true}}}',
...                 {"Fn": "arn:aws:lambda:us-east-1:123456789012:function:Fetch"})["States"]["A"]["Resource"]
'arn:aws:lambda:us-east-1:123456789012:function:Fetch'
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from asl._json_limits import depth_exceeds
from asl._validation.duplicates import Duplicate, json_duplicates, yaml_duplicates
from asl.errors import DefinitionError, Problem

__all__ = ["duplicate_key_problems", "load_definition", "read_definition", "substitute"]

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_.:-]+)\}")
MAX_DEFINITION_BYTES = 1024 * 1024  # AWS: a definition is at most 1 MB
#: how deeply a definition may nest (AWS states no figure; compiling it walks it recursively)
MAX_DEFINITION_DEPTH = 128


def load_definition(
    source: Mapping[str, Any] | str | Path, substitutions: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Return the definition as a fresh dict with substitutions applied.

    Raises :class:`DefinitionError` when it cannot be read, or when its text repeats a key.
    """
    definition, duplicates = read_definition(source, substitutions)
    if duplicates:
        raise DefinitionError(duplicates)
    return definition


def read_definition(
    source: Mapping[str, Any] | str | Path, substitutions: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """The definition as :func:`load_definition` returns it, and the problems of its repeated keys.

    For ``asl validate``, which reports repeated keys together with every other problem.
    """
    duplicates: list[Problem] = []
    if isinstance(source, Mapping):
        definition: Any = copy.deepcopy(dict(source))
    elif isinstance(source, Path) or (isinstance(source, str) and _looks_like_path(source)):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise DefinitionError(f"cannot read the definition file {str(path)!r}: {err.strerror}") from None
        definition, duplicates = _parse_checked(text, str(path))
    elif isinstance(source, str):
        definition, duplicates = _parse_checked(source, "the definition text")
    else:
        raise DefinitionError(
            f"a definition is a dict, JSON or YAML text, or a file path, not {type(source).__name__}"
        )
    if not isinstance(definition, dict):
        raise DefinitionError("a definition must be a JSON object with StartAt and States")
    if substitutions:
        definition = substitute(definition, substitutions)
    result: dict[str, Any] = definition
    return result, duplicates


def _not_json(name: str) -> Any:
    raise DefinitionError(f"the definition holds {name}, which is not a JSON value")


def _looks_like_path(text: str) -> bool:
    stripped = text.strip()
    return (
        bool(stripped)
        and "\n" not in stripped
        and not stripped.startswith(("{", "["))
        and len(stripped) < 4096
    )


def duplicate_key_problems(duplicates: list[Duplicate]) -> list[Problem]:
    """One SCHEMA_VALIDATION_FAILED problem per repeated key, at the repeat, naming both places."""
    return [
        Problem(
            "SCHEMA_VALIDATION_FAILED",
            f"Key '{duplicate.pointer.rsplit('/', 1)[-1]}' is written twice in the same object: at "
            f"{duplicate.pointer} (line {duplicate.first[0]}, column {duplicate.first[1]}) and again at "
            f"{duplicate.pointer} (line {duplicate.second[0]}, column {duplicate.second[1]}); only the "
            "later value would be kept, so remove one",
            duplicate.pointer,
        )
        for duplicate in duplicates
    ]


class _Repeats:
    """An ``object_pairs_hook`` that notes whether any object repeats a key (cheap; places come later)."""

    def __init__(self) -> None:
        self.found = False

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            self.found = True
        return result


def _parse_checked(text: str, where: str) -> tuple[Any, list[Problem]]:
    """Parse JSON or YAML text, and list its repeated keys with both places."""
    value, is_json, repeats = _parse_text(text, where)
    if is_json and not repeats:
        return value, []
    try:
        found = json_duplicates(text) if is_json else yaml_duplicates(text)
    except (ValueError, yaml.YAMLError, RecursionError):
        found = []  # the text parsed; a repeat the walker cannot place is not worth failing over
    return value, duplicate_key_problems(found)


def _parse_text(text: str, where: str) -> tuple[Any, bool, bool]:
    """The value, whether the text was JSON, and (for JSON) whether some object repeats a key."""
    if len(text.encode("utf-8")) > MAX_DEFINITION_BYTES:
        raise DefinitionError(f"{where} is larger than the 1 MB AWS allows")
    if depth_exceeds(text, MAX_DEFINITION_DEPTH):
        raise DefinitionError(f"{where} nests deeper than {MAX_DEFINITION_DEPTH} levels")
    repeats = _Repeats()
    try:
        return json.loads(text, object_pairs_hook=repeats, parse_constant=_not_json), True, repeats.found
    except json.JSONDecodeError as json_error:
        try:
            return yaml.safe_load(text), False, False
        except (yaml.YAMLError, RecursionError):
            raise DefinitionError(
                f"{where} is neither valid JSON nor YAML: {json_error.msg} "
                f"at line {json_error.lineno}, column {json_error.colno}"
            ) from None


def substitute(value: Any, substitutions: Mapping[str, Any]) -> Any:
    """Replace ``${Name}`` placeholders in every string of ``value``."""
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value)
        if whole and whole.group(1) in substitutions:
            return substitutions[whole.group(1)]
        if "${" not in value:
            return value
        return _PLACEHOLDER.sub(
            lambda m: str(substitutions[m.group(1)]) if m.group(1) in substitutions else m.group(0), value
        )
    if isinstance(value, dict):
        return {substitute(k, substitutions): substitute(v, substitutions) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(item, substitutions) for item in value]
    return value
