"""Where asl keeps its files when no path is given: one data folder for every store."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_dir"]


def data_dir() -> Path:
    """``$ASL_DATA_DIR``, else ``$XDG_DATA_HOME/asl``, else ``~/.local/share/asl``.

    The execution store and the local DynamoDB tables live side by side in it; each store
    asks this module rather than the other store, so neither package imports the other.
    """
    base = os.environ.get("ASL_DATA_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "asl"
