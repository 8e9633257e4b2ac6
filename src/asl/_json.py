"""JSON text as the service stores it: compact, UTF-8, one encoder for every call.

Many layers write JSON text (history events, stored rows, Lambda payloads, templates), so it
lives at the bottom of the package, below every layer that needs it.
"""

from __future__ import annotations

import json
import json.encoder
from typing import Any

__all__ = ["from_json", "to_json", "to_json_around"]

# one encoder for every call: json.dumps with options would build a new one each time
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_ENCODE = _ENCODER.encode

# JSONEncoder.encode builds a C encoder (with a fresh table for its cycle check) on every call,
# which is two thirds of the cost of a small payload. This one is built once, without the
# cycle check: a cycle, or nesting too deep, ends in RecursionError, and then the checking
# encoder runs again to raise exactly what it raises (ValueError for a cycle).
_FAST = (
    json.encoder.c_make_encoder(  # type: ignore[attr-defined]
        None,
        _ENCODER.default,
        json.encoder.encode_basestring,
        None,
        ":",
        ",",
        False,
        False,
        True,
    )
    if json.encoder.c_make_encoder is not None  # type: ignore[attr-defined]
    else None
)


def to_json(value: Any) -> str:
    """Serialise a payload compactly, as the service stores it."""
    if _FAST is None or isinstance(value, str):
        return _ENCODE(value)
    try:
        return "".join(_FAST(value, 0))
    except RecursionError:
        return _ENCODE(value)


# json.loads goes through two Python calls and a regex before the C scanner; a text the
# scanner reads whole (no surrounding whitespace, nothing after it) needs none of that
_SCAN = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def from_json(text: str) -> Any:
    """``json.loads(text)``, quicker for the compact texts the runtime writes."""
    try:
        value, end = _SCAN(text, 0)
    except (StopIteration, ValueError):
        return json.loads(text)  # raises json.loads's own error, or reads what it can
    if end != len(text):
        return json.loads(text)
    return value


# NUL never stands unescaped in JSON text, so the marker's text cannot occur by chance.
_MARKER = "\x00asl-member-text\x00"
_MARKER_TEXT = _ENCODE(_MARKER)


def to_json_around(value: dict[str, Any], key: str, member_text: str) -> str:
    """``to_json({**value, key: <the value member_text encodes>})`` without encoding that
    member again: the text of a Lambda payload is already at hand, and a large one is most of
    the cost of writing its events.

    >>> to_json_around({"FunctionName": "f", "Payload": None}, "Payload", '{"a":[1]}')
    '{"FunctionName":"f","Payload":{"a":[1]}}'
    """
    before, _, after = _ENCODE({**value, key: _MARKER}).partition(_MARKER_TEXT)
    return before + member_text + after
