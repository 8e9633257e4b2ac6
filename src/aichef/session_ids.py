"""Session ids: the server's unguessable ones, and the rules a client-chosen one must follow.

A session id is also its workflow execution's name, so it follows Step Functions' naming rules
(StartExecution's ``name``): 1 to 80 characters, no whitespace, none of
``< > { } [ ] ? * " # % \\ ^ | ~ ` $ & , ; : /``, no control characters (U+0000-001F,
U+007F-009F, U+FFFE-FFFF) and no surrogates. ``.`` and ``..`` are refused as well: they are
path segments, and the session's URLs would not reach it. Checked before anything is written
or looked up, so an id the workflow would refuse never leaves a half-made session.

>>> problem("tuesday-dinner") is None
True
>>> problem("a/b")
"must not contain '/' (letters, digits, '-', '_' and '.' are fine)"
>>> len(new_session_id())
32
"""

from __future__ import annotations

import re
import secrets

__all__ = ["MAX_LENGTH", "new_session_id", "problem"]

MAX_LENGTH = 80
_FORBIDDEN = frozenset('<>{}[]?*"#%\\^|~`$&,;:/')
_ALLOWED_HINT = "letters, digits, '-', '_' and '.' are fine"


def new_session_id() -> str:
    """128 random bits as 32 hex digits: nobody can guess another person's session."""
    return secrets.token_hex(16)


# Everything the rules refuse, as one character class: an id is checked in one pass, in C.
_REFUSED = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def problem(session_id: str) -> str | None:
    """What is wrong with a session id, in plain words; None when it may be used."""
    if not 1 <= len(session_id) <= MAX_LENGTH:
        return f"must be 1 to {MAX_LENGTH} characters long (got {len(session_id)})"
    if session_id in (".", ".."):
        return f"must not be '.' or '..' ({_ALLOWED_HINT})"
    found = _REFUSED.search(session_id)
    if found is None:
        return None
    char = found.group()
    if char in _FORBIDDEN:
        return f"must not contain {char!r} ({_ALLOWED_HINT})"
    if char.isspace():
        return f"must not contain spaces or other whitespace ({_ALLOWED_HINT})"
    return f"must not contain control characters such as U+{ord(char):04X} ({_ALLOWED_HINT})"
