"""The optional parts of the distribution, and the one line to print when one is not installed.

``pip install aichef`` gives asl's runtime and AI Chef's core; ``asl serve`` needs the ``server``
extra, ``aichef serve`` the ``web`` extra and the Anthropic provider the ``providers`` extra
(pyproject.toml lists what each holds). A command whose extra is missing says which to install and
exits 2, instead of a traceback ending in ``ModuleNotFoundError``.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["DISTRIBUTION", "install_hint", "missing_extra"]

#: the distribution that holds asl and aichef, and so their extras
DISTRIBUTION = "aichef"


def install_hint(extra: str) -> str:
    """The command that installs ``extra``, quoted for a shell."""
    return f"pip install '{DISTRIBUTION}[{extra}]'"


def missing_extra(err: ImportError, extra: str, packages: Iterable[str]) -> str | None:
    """What to tell the user when ``err`` says one of ``extra``'s ``packages`` is not installed;
    ``None`` when it is about something else (a broken install, a bug), which must not be hidden.

    >>> missing_extra(ModuleNotFoundError(name="uvicorn"), "server", ["uvicorn"])
    "the server extra is not installed (no module named 'uvicorn'): pip install 'aichef[server]'"
    """
    name = (err.name or "").partition(".")[0]
    if name not in set(packages):
        return None
    return f"the {extra} extra is not installed (no module named {name!r}): {install_hint(extra)}"
