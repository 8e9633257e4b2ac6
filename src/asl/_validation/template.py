"""The state machines of a SAM or CloudFormation template, found and checked as deployed definitions.

Every ``AWS::Serverless::StateMachine`` and ``AWS::StepFunctions::StateMachine`` resource is read
from where its definition lives: ``Definition`` (inline, YAML or JSON), ``DefinitionUri`` (a local
file, relative to the template; an S3 location cannot be read here and is said to be unchecked)
or ``DefinitionString`` (JSON text, also as ``Fn::Sub`` or ``Fn::Join``). Literal
``DefinitionSubstitutions`` are applied as CloudFormation applies them; every value still to come
(an intrinsic, an unresolved ``${Name}``) is accepted wherever a value may go, and everything
around it is validated as ``ValidateStateMachineDefinition`` would.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from asl._json_limits import depth_exceeds
from asl._validation.context import pointer
from asl._validation.duplicates import Duplicate, json_duplicates, yaml_duplicates
from asl._validation.pending import PLACEHOLDER, Pending, intrinsic_name, mark
from asl.definition import MAX_DEFINITION_DEPTH, duplicate_key_problems, read_definition, substitute
from asl.errors import DefinitionError, Problem

__all__ = [
    "STATE_MACHINE_TYPES",
    "TemplateProblem",
    "is_template",
    "load_template",
    "pending_values",
    "template_problems",
]

SAM_STATE_MACHINE = "AWS::Serverless::StateMachine"
CFN_STATE_MACHINE = "AWS::StepFunctions::StateMachine"
STATE_MACHINE_TYPES = (SAM_STATE_MACHINE, CFN_STATE_MACHINE)
SCHEMA = "SCHEMA_VALIDATION_FAILED"

#: CloudFormation's YAML short forms: ``!Ref X`` is ``{"Ref": X}``, ``!Sub ...`` is ``{"Fn::Sub": ...}``
_SHORT_FORMS = {"Ref": "Ref", "Condition": "Condition"}


@dataclass(frozen=True)
class TemplateProblem:
    """A problem of one state machine resource: its logical id, where its definition came from, and
    the problem (``kind`` ``error``), why it could not be checked (``unchecked``), or that a definition
    was read and checked (``checked``, once per definition, after its problems)."""

    resource: str
    source: str
    problem: Problem
    kind: Literal["error", "unchecked", "checked"] = "error"

    def __str__(self) -> str:
        return f"{self.resource} ({self.source}): {self.problem}"


class _TemplateLoader(yaml.SafeLoader):
    """YAML as CloudFormation reads it: short-form intrinsics, and timestamps left as strings."""


def _short_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = _SHORT_FORMS.get(suffix, f"Fn::{suffix}")
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)  # !GetAtt Fn.Arn is ["Fn", "Arn"]
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_TemplateLoader.add_multi_constructor("!", _short_form)
# CloudFormation keeps an unquoted 2016-03-14T01:59:00Z a string; PyYAML would make it a datetime.
_TemplateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_template(text: str, where: str) -> tuple[Any, bool]:
    """Parse a template's text, JSON or YAML (with short forms); also say whether it was JSON."""
    # Checked before parsing, as definitions are: a hostile file must not reach the parsers' recursion.
    if depth_exceeds(text, MAX_DEFINITION_DEPTH):
        raise DefinitionError(f"{where} nests deeper than {MAX_DEFINITION_DEPTH} levels")
    try:
        return json.loads(text), True
    except json.JSONDecodeError:
        pass
    try:
        return yaml.load(text, Loader=_TemplateLoader), False  # a SafeLoader subclass: no arbitrary objects
    except RecursionError:
        raise DefinitionError(f"{where} nests deeper than {MAX_DEFINITION_DEPTH} levels") from None
    except yaml.YAMLError as err:
        mark_ = getattr(err, "problem_mark", None)
        place = f" at line {mark_.line + 1}, column {mark_.column + 1}" if mark_ is not None else ""
        raise DefinitionError(f"{where} is neither valid JSON nor YAML{place}") from None


def is_template(document: object) -> bool:
    """A CloudFormation or SAM template (Resources, no States), not a state machine definition."""
    return (
        isinstance(document, Mapping)
        and isinstance(document.get("Resources"), Mapping)
        and "States" not in document
    )


def template_problems(
    document: Mapping[str, Any], text: str, is_json: bool, folder: Path
) -> Iterator[TemplateProblem]:
    """Every problem of every state machine resource of a parsed template, resource by resource."""
    from asl.validate import iter_errors  # the walker imports this package: import it when used

    try:
        repeats = json_duplicates(text) if is_json else yaml_duplicates(text)
    except (ValueError, yaml.YAMLError, RecursionError):
        repeats = []
    resources = document.get("Resources")
    assert isinstance(resources, Mapping)
    for logical_id, resource in resources.items():
        if not isinstance(resource, Mapping) or resource.get("Type") not in STATE_MACHINE_TYPES:
            continue
        properties = resource.get("Properties")
        properties = properties if isinstance(properties, Mapping) else {}
        for found in _definitions(str(logical_id), properties, folder, repeats):
            if isinstance(found, TemplateProblem):
                yield found
                continue
            source, definition = found
            if not isinstance(definition, Mapping):
                problem = Problem(SCHEMA, "The definition must be a JSON object with StartAt and States", "")
                yield TemplateProblem(str(logical_id), source, problem)
                continue
            for problem in iter_errors(definition):
                yield TemplateProblem(str(logical_id), source, problem)
            to_come = pending_values(definition)
            note = f"checked, with {len(to_come)} values to come at deploy time" if to_come else "checked"
            yield TemplateProblem(str(logical_id), source, Problem("CHECKED", note, ""), kind="checked")


_Found = TemplateProblem | tuple[str, Any]


def _definitions(
    logical_id: str, properties: Mapping[str, Any], folder: Path, repeats: list[Duplicate]
) -> Iterator[_Found]:
    """The resource's definition (``(source, definition)`` with values to come marked) and the
    problems of reading it: repeated keys, an unreadable file, a location that cannot be read."""
    substitutions = _literal_substitutions(properties.get("DefinitionSubstitutions"))
    present = [name for name in ("Definition", "DefinitionUri", "DefinitionString") if name in properties]
    if "DefinitionS3Location" in properties:
        yield _unchecked(
            logical_id, "DefinitionS3Location", "the definition is in S3 and cannot be read here"
        )
    elif not present:
        problem = Problem(SCHEMA, "The resource has no Definition, DefinitionUri or DefinitionString", "")
        yield TemplateProblem(logical_id, "Properties", problem)
    for name in present:
        value = properties[name]
        if name == "Definition":
            prefix = pointer(pointer(pointer("/Resources", logical_id), "Properties"), "Definition")
            yield from _repeats_under(logical_id, name, prefix, repeats)
            yield _marked(name, value, substitutions)
        elif name == "DefinitionUri":
            yield from _from_uri(logical_id, value, folder, substitutions)
        else:
            yield from _from_string(logical_id, value, substitutions)


def _unchecked(logical_id: str, source: str, why: str) -> TemplateProblem:
    return TemplateProblem(logical_id, source, Problem("NOT_CHECKED", why, ""), kind="unchecked")


def _repeats_under(
    logical_id: str, source: str, prefix: str, repeats: list[Duplicate]
) -> Iterator[TemplateProblem]:
    inside = [
        Duplicate(repeat.pointer[len(prefix) :], repeat.first, repeat.second)
        for repeat in repeats
        if repeat.pointer.startswith(prefix + "/")
    ]
    for problem in duplicate_key_problems(inside):
        yield TemplateProblem(logical_id, source, problem)


def _literal_substitutions(value: object) -> dict[str, Any]:
    """The substitutions known before deployment; an intrinsic comes later, so it stays ``${Name}``."""
    if not isinstance(value, Mapping):
        return {}
    return {
        str(key): item
        for key, item in value.items()
        if isinstance(item, (str, int, float, bool)) and intrinsic_name(item) is None
    }


def _marked(source: str, definition: Any, substitutions: Mapping[str, Any]) -> tuple[str, Any]:
    try:
        return source, mark(substitute(definition, substitutions))
    except RecursionError:
        return source, definition


def _from_uri(
    logical_id: str, value: object, folder: Path, substitutions: Mapping[str, Any]
) -> Iterator[_Found]:
    source = "DefinitionUri"
    if isinstance(value, Mapping) and intrinsic_name(value) is None:
        yield _unchecked(
            logical_id, source, "the definition is in S3 (Bucket and Key) and cannot be read here"
        )
        return
    if not isinstance(value, str):
        yield _unchecked(logical_id, source, "the location is only known at deploy time")
        return
    if value.startswith("s3://"):
        yield _unchecked(logical_id, f"{source} {value}", "the definition is in S3 and cannot be read here")
        return
    path = folder / value
    source = f"{source} {value}"
    if not path.is_file():
        problem = Problem(
            SCHEMA, f"DefinitionUri names {value}, which is not a file next to the template", ""
        )
        yield TemplateProblem(logical_id, source, problem)
        return
    try:
        definition, duplicates = read_definition(path)
    except DefinitionError as err:
        for problem in err.problems:
            yield TemplateProblem(logical_id, source, problem)
        return
    for problem in duplicates:
        yield TemplateProblem(logical_id, source, problem)
    yield _marked(source, definition, substitutions)


def _from_string(logical_id: str, value: object, substitutions: Mapping[str, Any]) -> Iterator[_Found]:
    source = "DefinitionString"
    text = _string_text(value, substitutions)
    if text is None:
        yield _unchecked(
            logical_id, source, "the text is built by an intrinsic that is only known at deploy time"
        )
        return
    text = _quote_bare_placeholders(text)
    try:
        definition = json.loads(text)
    except json.JSONDecodeError as err:
        problem = Problem(
            SCHEMA,
            f"DefinitionString is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}",
            "",
        )
        yield TemplateProblem(logical_id, source, problem)
        return
    for problem in duplicate_key_problems(json_duplicates(text)):
        yield TemplateProblem(logical_id, source, problem)
    yield _marked(source, definition, substitutions)


def _string_text(value: object, substitutions: Mapping[str, Any]) -> str | None:
    """The JSON text of a DefinitionString: a string, ``Fn::Sub`` (with its own variables) or ``Fn::Join``."""
    if isinstance(value, str):
        return value
    name = intrinsic_name(value)
    assert name is None or isinstance(value, Mapping)
    if name == "Fn::Sub" and isinstance(value, Mapping):
        body = value[name]
        if isinstance(body, str):
            return body
        if isinstance(body, list) and len(body) == 2 and isinstance(body[0], str):
            variables = _literal_substitutions(body[1])
            return PLACEHOLDER.sub(
                lambda m: _as_text(variables[m.group(1)]) if m.group(1) in variables else m.group(0), body[0]
            )
    if name == "Fn::Join" and isinstance(value, Mapping):
        body = value[name]
        if (
            isinstance(body, list)
            and len(body) == 2
            and isinstance(body[0], str)
            and isinstance(body[1], list)
        ):
            parts = [part if isinstance(part, str) else "${" + _token(part) + "}" for part in body[1]]
            return body[0].join(parts)
    return None


def _as_text(value: object) -> str:
    """A substituted value as it reads inside JSON text: a string as is, anything else as JSON (true)."""
    return value if isinstance(value, str) else json.dumps(value)


def _token(part: object) -> str:
    """A placeholder name standing for an intrinsic inside joined text, readable in messages."""
    name = intrinsic_name(part)
    if name is not None and isinstance(part, Mapping):
        argument = part[name]
        if isinstance(argument, list):
            argument = ".".join(str(item) for item in argument if isinstance(item, str))
        return re.sub(r"[^A-Za-z0-9_.:-]", "_", f"{name}:{argument}")[:60]
    return "value"


def _quote_bare_placeholders(text: str) -> str:
    """Put quotes round each ``${Name}`` standing outside a JSON string (``"Seconds": ${Wait}``), so
    that the text parses and the placeholder becomes a whole-string value to come."""
    out: list[str] = []
    index, inside = 0, False
    while index < len(text):
        char = text[index]
        if inside:
            if char == "\\":
                out.append(text[index : index + 2])
                index += 2
                continue
            inside = char != '"'
        elif char == '"':
            inside = True
        elif char == "$":
            match = PLACEHOLDER.match(text, index)
            if match is not None:
                out.append(json.dumps(match.group(0)))
                index = match.end()
                continue
        out.append(char)
        index += 1
    return "".join(out)


def pending_values(value: Any) -> list[str]:
    """The values to come in a marked definition, in document order, each once."""
    seen: dict[str, None] = {}
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Pending):
            seen.setdefault(str(item), None)
        elif isinstance(item, Mapping):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return list(seen)
