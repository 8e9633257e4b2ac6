"""The kitchen: AI Chef on one machine, the workflow on the local runtime with local tables.

The command line and the HTTP API both go through a :class:`Kitchen`. It validates a
request before anything is written (bad input leaves nothing half-done), creates the
session item, starts the workflow in the background, and reads sessions and results back.

Workflow executions are durable: they are kept in ``executions.sqlite`` beside the tables (a
server's other workers in ``executions-2.sqlite`` ...), and a kitchen opened on the same folder
resumes every session that was still running when the last one stopped (or was killed), without
running a finished step again. It first adopts the stores no live process holds, so sessions of
workers that are not started again (fewer workers, or one process) are finished too.

>>> import asyncio
>>> async def cook():
...     kitchen = Kitchen(in_memory=True)
...     session = await kitchen.start_session({"profile": {"target": "diet", "servings": 1}})
...     return (await kitchen.wait(session["sessionId"]))["status"]
>>> asyncio.run(cook())
'COMPLETED'
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import re
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any

from aichef import secrets
from aichef.config import settings
from aichef.errors import AIChefError
from aichef.models import parse_session
from aichef.sessions import TERMINAL, create_session, session_view
from aichef.tables import results_table, sessions_table, use_store
from aichef.workflows import local_machine
from asl import ASLError, ExecutionDoesNotExist, ExecutionStore, Runtime
from asl.dynamodb import TableStore
from asl.store import StoreInUse

__all__ = ["Kitchen"]


_MAX_WORKERS = 16
_STORE_FILE = re.compile(r"executions(?:-([0-9]+))?\.sqlite")
_log = logging.getLogger("aichef.service")


def _open_executions(folder: Path, read_only: bool, worker: bool) -> ExecutionStore:
    """The folder's executions store. A server worker takes the first store no other worker holds
    (``executions.sqlite``, ``executions-2.sqlite`` ...): workers share the tables, and each
    resumes the sessions it was running before a restart. A kitchen that drives sessions then
    adopts every other store no live process holds. Read-only kitchens just look."""
    if read_only:
        return ExecutionStore(folder / "executions.sqlite", exclusive=False)
    # One process at a time takes its store and adopts the others. Workers start together, and a
    # process killed after an adoption's commit leaves the adopted file behind beside the store
    # that has its executions: taken in turn, both go to the same store (which skips the repeats);
    # at once, one worker could take the file as its own store and the sessions would run twice.
    with _folder_lock(folder):
        store = _own_store(folder, worker)
        for path in _store_files(folder):
            if path.name == Path(store.path).name:
                continue
            try:
                adopted = store.adopt(path)
            except StoreInUse:
                continue  # a live process drives those sessions
            except (ASLError, sqlite3.Error, OSError) as error:  # one bad file must not keep the kitchen shut
                _log.error("cannot adopt the sessions of %s: %s", path, error)
                continue
            if adopted:
                _log.info("adopted %d session(s) from %s", len(adopted), path.name)
        return store


def _own_store(folder: Path, worker: bool) -> ExecutionStore:
    names = ["executions.sqlite"] + [f"executions-{n}.sqlite" for n in range(2, _MAX_WORKERS + 1)]
    for name in names if worker else names[:1]:
        try:
            return ExecutionStore(folder / name)
        except StoreInUse:
            continue
    raise AIChefError(
        f"another AI Chef process (aichef serve?) is using {folder}; stop it, "
        "or give this one its own --data-dir"
    )


def _store_files(folder: Path) -> list[Path]:
    """The folder's execution store files: ``executions.sqlite`` first, then by number."""
    found: list[tuple[int, Path]] = []
    for path in folder.glob("executions*.sqlite"):
        match = _STORE_FILE.fullmatch(path.name)
        if match is not None:
            found.append((int(match.group(1) or 1), path))
    return [path for _, path in sorted(found)]


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """Wait for, then hold, the folder's lock on taking and adopting stores."""
    with open(folder / "executions.adopting.lock", "wb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed, or the process dies
        yield


def _read_history(folder: Path, own: str, execution_arn: str) -> list[dict[str, Any]] | None:
    """An execution's history from whichever other store file of the folder holds it, read
    without locks (a live worker may be writing it)."""
    # twice: a store adopted meanwhile moves its sessions from a file read later into one read earlier
    for _ in range(2):
        for path in _store_files(folder):
            if path.name == own:
                continue
            try:
                store = ExecutionStore(path, read_only=True)
            except ASLError:
                continue  # removed by an adoption, or not yet a store
            try:
                record = store.execution(execution_arn)
                if record is not None:
                    return [event for event, _ in store.events(record.id)]
            except sqlite3.Error:
                continue
            finally:
                store.close()
    return None


def _handlers_wait_on_network() -> bool:
    """Handlers that only compute (the offline provider, reference prices) run inline: on one
    core a thread hop buys nothing and costs a quarter of the throughput. A language model or
    live prices make them wait on the network, and then they run on threads so the event loop
    (the web server, other sessions) goes on meanwhile."""
    live_prices = secrets.naver_configured()
    return settings().provider != "offline" or live_prices


class Kitchen:
    """Sessions on the local runtime. One kitchen per process: it installs its table store.

    ``read_only`` opens the folder without taking the executions store's lock, to list and show
    sessions while another process (``aichef serve``) runs them; ``worker`` is one of several
    server processes on the same folder. ``task_threads`` None chooses
    by what the handlers wait on (see :func:`_handlers_wait_on_network`).
    """

    def __init__(
        self,
        data_dir: str | Path | None = None,
        *,
        in_memory: bool = False,
        clock: Any = None,
        task_threads: bool | None = None,
        poll_seconds: float = 0.05,
        read_only: bool = False,
        worker: bool = False,
    ) -> None:
        from aichef.handlers.recipe import configured_provider

        configured_provider()  # a missing credential stops here, before anything is opened
        self.folder: Path | None = None
        if in_memory:
            executions = ExecutionStore(":memory:")
            self.store = TableStore(":memory:")
        else:
            folder = self.folder = Path(data_dir) if data_dir is not None else settings().data_dir
            folder.mkdir(parents=True, exist_ok=True)
            try:
                executions = _open_executions(folder, read_only, worker)
            except (
                ValueError
            ) as error:  # $ASL_SYNCHRONOUS neither FULL nor NORMAL: said before anything opens
                raise AIChefError(str(error)) from None
            self.store = TableStore(folder / "tables.sqlite")
        use_store(self.store)
        if task_threads is None:
            task_threads = _handlers_wait_on_network()
        self.machine = local_machine(self.store, clock=clock, task_threads=task_threads)
        self.runtime = Runtime(executions, clock=clock)
        self.machine_arn = self.runtime.register(self.machine)
        self.poll_seconds = poll_seconds
        self._resumed = read_only  # a read-only kitchen never drives executions

    def warm_up(self) -> None:
        """Load the knowledge (ingredients, recipe library, reference prices) now, so that a
        server's first sessions do not load it while their clients wait."""
        from aichef.knowledge.ingredients import all_ingredients
        from aichef.knowledge.prices import load_reference_table
        from aichef.knowledge.recipes import load_library

        all_ingredients()
        load_library()
        load_reference_table()

    async def resume(self) -> list[str]:
        """Carry on the sessions a previous process left running (once per kitchen)."""
        if self._resumed:
            return []
        self._resumed = True
        return await self.runtime.resume()

    def _execution_arn(self, session_id: str) -> str:
        return f"{self.machine_arn.replace(':stateMachine:', ':execution:')}:{session_id}"

    async def start_session(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Validate, create the session and start its workflow; answers the new session."""
        data = dict(body)
        if not data.get("sessionId"):
            data["sessionId"] = uuid.uuid4().hex
        request = parse_session(data)
        await self.resume()
        view = create_session(sessions_table(), request)
        await self.runtime.start_execution(
            self.machine_arn, request.model_dump(mode="json"), name=request.sessionId
        )
        return view

    def get_session(self, session_id: str) -> dict[str, Any] | None:
        item = sessions_table().get_item(Key={"sessionId": session_id}).get("Item")
        return None if item is None else session_view(item)

    def get_result_text(self, session_id: str) -> str | None:
        """The result's JSON text as the workflow stored it (None while there is none)."""
        item = results_table().get_item(Key={"sessionId": session_id}).get("Item")
        return None if item is None else str(item["result"])

    def get_result(self, session_id: str) -> dict[str, Any] | None:
        text = self.get_result_text(session_id)
        if text is None:
            return None
        result: dict[str, Any] = json.loads(text)
        return result

    def list_sessions(self, limit: int = 20) -> list[dict[str, Any]]:
        """The most recent sessions first."""
        items: list[dict[str, Any]] = []
        page: dict[str, Any] = {}
        while True:
            response = sessions_table().scan(**page)
            items.extend(response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                break
            page = {"ExclusiveStartKey": response["LastEvaluatedKey"]}
        items.sort(key=lambda item: str(item.get("createdAt", "")), reverse=True)
        return [session_view(item) for item in items[: max(0, limit)]]

    def history(self, session_id: str) -> list[dict[str, Any]]:
        """The workflow's history events of a session, as GetExecutionHistory lists them, from
        whichever of the folder's stores holds it (another worker may be running it)."""
        arn = self._execution_arn(session_id)
        try:
            return self._own_history(arn)
        except ExecutionDoesNotExist:
            own = Path(self.runtime.store.path).name
            found = None if self.folder is None else _read_history(self.folder, own, arn)
            if found is None:
                raise
            return found

    def _own_history(self, execution_arn: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            page = self.runtime.get_execution_history(execution_arn, max_results=1000, next_token=token)
            events.extend(page["events"])
            token = page.get("nextToken")
            if not token:
                return events

    async def subscribe(self, session_id: str) -> AsyncIterator[dict[str, Any]]:
        """Yield the session each time it changes, until it ends."""
        last: tuple[Any, ...] | None = None
        while True:
            session = self.get_session(session_id)
            if session is None:
                return
            seen = (session.get("status"), session.get("phase"), session.get("progress"))
            if seen != last:
                last = seen
                yield session
            if session.get("status") in TERMINAL:
                return
            await self._changed(session_id)

    async def _changed(self, session_id: str) -> None:
        """Sleep a poll interval, waking early when the session's execution ends."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ended(session_id), self.poll_seconds)

    async def _ended(self, session_id: str) -> None:
        try:
            await self.runtime.wait(self._execution_arn(session_id))
        except ASLError:  # not an execution of this kitchen (yet): poll instead
            await asyncio.sleep(self.poll_seconds)

    async def wait(self, session_id: str, timeout: float | None = None) -> dict[str, Any]:
        """Wait until the session has ended; answers its final state."""

        async def until_done() -> dict[str, Any]:
            with contextlib.suppress(ASLError):
                await self.runtime.wait(self._execution_arn(session_id))
            final: dict[str, Any] = {}
            async for session in self.subscribe(session_id):
                final = session
            return final

        return await asyncio.wait_for(until_done(), timeout)

    async def close(self) -> None:
        """Stop; sessions still running are resumed by the next kitchen on this folder."""
        await self.runtime.close()
        use_store(None)
        self.store.close()
