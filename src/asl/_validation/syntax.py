"""Syntax checks for the strings a definition holds: JSONPaths, reference paths, timestamps, JSONata markers.

Each check returns ``None`` when the text is well formed, or a short phrase saying what is wrong,
so that the validator can put it into a message that names the field.

>>> path_error("$.a[0].b") is None
True
>>> path_error("$.a[")
"unclosed '[' at character 3"
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from jsonata import Jsonata
from jsonata.jexception import JException

from asl._timestamps import RFC3339
from asl._validation.schema import INTRINSIC_FUNCTIONS
from asl.query.jsonpath import JSONPathSyntaxError, compile_path

_TIMESTAMP = re.compile(RFC3339)
_INTRINSIC_HEAD = re.compile(r"(States\.[A-Za-z0-9]+)\s*\(")


@lru_cache(maxsize=4096)
def jsonata_error(text: str) -> str | None:
    """Parse the body of a ``{% ... %}`` string with the JSONata engine; say why it fails, if it does."""
    try:
        Jsonata(text[2:-2].strip())
    except JException as err:
        return str(err)
    except Exception:
        # A crash of the engine on odd text is not the author's mistake; the runtime will say more.
        return None
    return None


def timestamp_error(text: str) -> str | None:
    """Check an RFC 3339 timestamp as the spec wants it: uppercase T, and Z or a numeric offset."""
    if not _TIMESTAMP.fullmatch(text):
        return "it is not of the form YYYY-MM-DDThh:mm:ss[.fff](Z|+hh:mm) with an uppercase T"
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return "its date or time is out of range"
    return None


def intrinsic_error(text: str) -> str | None:
    """Check the outer shape of an intrinsic call: a known ``States.`` name, then parentheses."""
    head = _INTRINSIC_HEAD.match(text)
    if head is None:
        return "it is neither a path nor an intrinsic function call such as States.Format('{}', $.x)"
    if head.group(1) not in INTRINSIC_FUNCTIONS:
        return (
            f"{head.group(1)} is not an intrinsic function; known: {', '.join(sorted(INTRINSIC_FUNCTIONS))}"
        )
    if not text.rstrip().endswith(")"):
        return "the intrinsic function call does not end with ')'"
    return None


def path_error(text: str, *, reference: bool = False) -> str | None:
    """Check a JSONPath with the runtime's own parser; with ``reference`` only the spec's Reference Paths.

    Full paths may start with ``$`` (input), ``$$`` (context object) or ``$name`` (a variable),
    and may use wildcards, slices, unions, filters, functions and deep scans as AWS's JSONPath
    does. A Reference Path is ``$`` followed by single names (``.name``, ``['name']``) and indexes.
    """
    try:
        compiled = compile_path(text)
    except JSONPathSyntaxError as err:
        return err.reason
    return compiled.not_reference if reference else None
