"""Which process writes a store file: an exclusive ``flock`` on ``<file>.lock``, held while it is open."""

from __future__ import annotations

import fcntl
from pathlib import Path
from typing import IO

from asl.errors import ASLError

__all__ = ["StoreInUse", "lock_store"]


class StoreInUse(ASLError):
    """Another process has this execution store open for writing."""


def lock_store(path: str) -> IO[bytes]:
    """An exclusive lock on ``<path>.lock``, held while the handle is open (released on any exit).

    The lock file itself is never deleted, not even with its store: a process that opened the
    old file could still lock it while another locks a new one, and both would write the store.
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    handle = open(f"{path}.lock", "wb")  # noqa: SIM115  # held open as the lock itself
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise StoreInUse(
            f"The execution store {path} is in use by another process; one runtime drives a store "
            "at a time (open it with exclusive=False to read it)."
        ) from None
    return handle
