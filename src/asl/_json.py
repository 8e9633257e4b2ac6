"""JSON text as the service stores it: compact, UTF-8, one encoder for every call.

Many layers write JSON text (history events, stored rows, Lambda payloads, templates), so it
lives at the bottom of the package, below every layer that needs it.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["to_json", "to_json_around"]

# one encoder for every call: json.dumps with options would build a new one each time
_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def to_json(value: Any) -> str:
    """Serialise a payload compactly, as the service stores it."""
    return _ENCODE(value)


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
