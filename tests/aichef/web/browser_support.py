"""For the browser test: axe-core (a pinned copy from the npm registry) and a server whose sessions
follow a script (every phase within a few milliseconds, as a fast session does)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import subprocess
import tarfile
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

from web_support import FakeService, ThreadedServer

from aichef.sessions import TERMINAL
from aichef.web import create_app

# Pinned: the test reads exactly this release, checked against the tarball's digest.
AXE_VERSION = "4.10.2"
AXE_SHA256 = "9ea2d2d6917da998122bdacfd3b473e31ead53f4b87146c716a12edf89158100"

# A fast session's statuses, each a few milliseconds after the last, in the words the server uses:
# the design's (contract 7) once the server speaks them, the upper-case ones before.
_NEW_WORDS = "completed" in TERMINAL
_RUNNING, _COMPLETED = ("processing", "completed") if _NEW_WORDS else ("RUNNING", "COMPLETED")
_PHASES = (
    (
        "recipe_generation",
        "recipe_completed",
        "price_lookup",
        "price_completed",
        "combining_results",
        "finished",
    )
    if _NEW_WORDS
    else (
        "RECIPE_GENERATION",
        "RECIPE_COMPLETED",
        "PRICE_LOOKUP",
        "PRICES_COMPLETED",
        "COMBINING",
        "COMPLETED",
    )
)
SCRIPT: tuple[tuple[str, str, int], ...] = tuple(
    (_COMPLETED if progress == 100 else _RUNNING, phase, progress)
    for phase, progress in zip(_PHASES, (10, 50, 60, 80, 90, 100), strict=True)
)


def axe_script(cache: Path) -> str | None:
    """axe.min.js of the pinned release, fetched once with `npm pack` into ``cache``; None without npm."""
    target = cache / f"axe-core-{AXE_VERSION}.min.js"
    if not target.exists():
        npm = shutil.which("npm")
        if npm is None:
            return None
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "pack", f"axe-core@{AXE_VERSION}", "--pack-destination", str(cache), "--silent"],
            check=True,
            capture_output=True,
            timeout=180,
        )
        tarball = cache / f"axe-core-{AXE_VERSION}.tgz"
        digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
        if digest != AXE_SHA256:
            raise RuntimeError(
                f"axe-core {AXE_VERSION} from the registry has digest {digest}, not the pinned one"
            )
        with tarfile.open(tarball) as archive:
            member = archive.extractfile("package/axe.min.js")
            assert member is not None
            target.write_bytes(member.read())
        tarball.unlink()
    return target.read_text(encoding="utf-8")


class ScriptedService(FakeService):
    """Sessions that stay as started until someone follows them, then run SCRIPT at once. Built on the
    web tests' FakeService so that it keeps up with the session service's protocol."""

    def __init__(self, result: Mapping[str, Any]) -> None:
        super().__init__()
        self.result = dict(result)

    def get_result_text(self, session_id: str, *_: Any, **__: Any) -> str | None:
        if self.sessions.get(session_id, {}).get("status") != _COMPLETED:
            return None
        return json.dumps({**self.result, "sessionId": session_id}, ensure_ascii=False)

    async def subscribe(self, session_id: str, *_: Any, **__: Any) -> AsyncIterator[dict[str, Any]]:
        for status, phase, progress in SCRIPT:
            await asyncio.sleep(0.005)
            yield self.put(session_id, status, progress, phase=phase)


class ScriptedServer(ThreadedServer):
    """The app serving a ScriptedService."""

    def __init__(self, result: Mapping[str, Any]) -> None:
        super().__init__()
        self.service = ScriptedService(result)

    async def _open(self) -> Any:
        return create_app(self.service)
