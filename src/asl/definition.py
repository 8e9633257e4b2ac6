"""Loading a definition: JSON or YAML text, a file, or a dict, with ``${Name}`` substitutions.

Substitutions work as ``DefinitionSubstitutions`` do in SAM and CloudFormation (and as
Terraform's ``templatefile`` output looks): every ``${Name}`` inside a string is replaced;
a string that is exactly ``${Name}`` takes the substituted value with its JSON type.
Placeholders with no value are left as written, as CloudFormation leaves them.

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
from asl.errors import DefinitionError

__all__ = ["load_definition", "substitute"]

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_.:-]+)\}")
MAX_DEFINITION_BYTES = 1024 * 1024  # AWS: a definition is at most 1 MB
#: how deeply a definition may nest (AWS states no figure; compiling it walks it recursively)
MAX_DEFINITION_DEPTH = 128


def load_definition(
    source: Mapping[str, Any] | str | Path, substitutions: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Return the definition as a fresh dict with substitutions applied."""
    if isinstance(source, Mapping):
        definition: Any = copy.deepcopy(dict(source))
    elif isinstance(source, Path) or (isinstance(source, str) and _looks_like_path(source)):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise DefinitionError(f"cannot read the definition file {str(path)!r}: {err.strerror}") from None
        definition = _parse(text, str(path))
    elif isinstance(source, str):
        definition = _parse(source, "the definition text")
    else:
        raise DefinitionError(
            f"a definition is a dict, JSON or YAML text, or a file path, not {type(source).__name__}"
        )
    if not isinstance(definition, dict):
        raise DefinitionError("a definition must be a JSON object with StartAt and States")
    if substitutions:
        definition = substitute(definition, substitutions)
    result: dict[str, Any] = definition
    return result


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


def _parse(text: str, where: str) -> Any:
    if len(text.encode("utf-8")) > MAX_DEFINITION_BYTES:
        raise DefinitionError(f"{where} is larger than the 1 MB AWS allows")
    if depth_exceeds(text, MAX_DEFINITION_DEPTH):
        raise DefinitionError(f"{where} nests deeper than {MAX_DEFINITION_DEPTH} levels")
    try:
        return json.loads(text, parse_constant=_not_json)
    except json.JSONDecodeError as json_error:
        try:
            return yaml.safe_load(text)
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
