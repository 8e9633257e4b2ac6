"""Random identifiers as text: UUID version 4, made without a system call.

``str(uuid.uuid4())`` reads 16 bytes from the operating system and builds a ``UUID`` object,
which on this machine costs more than running a quick state; every execution needs one for its
name. These come from a generator of their own (a test seeding :mod:`random` does not make
names repeat), seeded from the operating system and seeded again in a forked child, so two
worker processes never share a sequence. They name things; they are never secrets (task
tokens are not made here).
"""

from __future__ import annotations

import os
import random

__all__ = ["uuid4_text"]

_VERSION = 0x4000 << 64  # the version nibble: 4
_VARIANT = 0x8000 << 48  # the variant bits: 10 (RFC 4122)
_KEEP = ~((0xF000 << 64) | (0xC000 << 48))

_generator = random.Random()  # seeded from os.urandom
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_generator.seed)


def uuid4_text() -> str:
    """A random UUID's text, as ``str(uuid.uuid4())`` writes it.

    >>> import uuid; uuid.UUID(uuid4_text()).version
    4
    """
    digits = "%032x" % (_generator.getrandbits(128) & _KEEP | _VERSION | _VARIANT)
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"
