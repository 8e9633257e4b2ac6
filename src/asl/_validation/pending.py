"""Values to come: what CloudFormation or SAM fills in at deploy time, accepted wherever a value may go.

A definition kept in a template holds ``${Name}`` placeholders (``DefinitionSubstitutions``,
``Fn::Sub``) and intrinsics (``Ref``, ``Fn::GetAtt``, ``Fn::Join`` ...) where an ARN, a name or a
number will be. :func:`mark` replaces each such value by a :class:`Pending` string; the validator
accepts a ``Pending`` in any field, since its final value cannot be known before deployment, and
still checks every field around it. Plain strings are never pending: a definition run locally
keeps its ``${Name}`` checked as written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["PLACEHOLDER", "Pending", "intrinsic_name", "is_pending", "mark"]

#: a ``${Name}`` placeholder as CloudFormation writes it (``${AWS::Region}``, ``${Fn.Arn}`` included)
PLACEHOLDER = re.compile(r"\$\{!?([^{}]+)\}")


class Pending(str):
    """A value filled in at deploy time; the string is how the template writes it, for messages."""

    __slots__ = ()


def is_pending(value: object) -> bool:
    return isinstance(value, Pending)


def intrinsic_name(value: object) -> str | None:
    """``Ref`` or ``Fn::...`` when ``value`` is an intrinsic function object, else None."""
    if isinstance(value, Mapping) and len(value) == 1:
        (key,) = value
        if isinstance(key, str) and (key == "Ref" or key.startswith("Fn::") or key == "Condition"):
            return key
    return None


def _describe(value: Mapping[str, Any]) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def mark(value: Any) -> Any:
    """A copy of ``value`` with every intrinsic and every string holding ``${...}`` made Pending."""
    if intrinsic_name(value) is not None:
        return Pending(_describe(value))
    if isinstance(value, str):
        return Pending(value) if PLACEHOLDER.search(value) else value
    if isinstance(value, Mapping):
        return {key: mark(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mark(item) for item in value]
    return value
