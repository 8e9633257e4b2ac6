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
'completed'
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aichef import secrets
from aichef.config import settings
from aichef.errors import AIChefError
from aichef.models import SessionRequest
from aichef.retention import PURGE_EVERY_SECONDS, purge_closed_executions
from aichef.sessions import (
    TERMINAL,
    already_exists,
    new_item,
    now_iso,
    owner_hash,
    progress_events,
    session_request,
    session_view,
)
from aichef.tables import (
    ensure_kitchen_tables,
    owners_table,
    results_table,
    sessions_table,
    starting_table,
    use_store,
)
from aichef.workflows import local_machine
from asl import ASLError, ExecutionDoesNotExist, ExecutionStore, Runtime
from asl.dynamodb import TableStore
from asl.store import StoreInUse

__all__ = ["Kitchen"]


_MAX_WORKERS = 16
# A subscriber re-reads its session this often at first, then at most every _SLOW_POLL seconds:
# a session another worker runs (or a slow model) is followed without a 20 Hz loop for minutes.
_SLOW_POLL = 0.5
_SLOW_AFTER = 2.0
# How often the "starting" rows of started sessions are deleted (in one write).
_FORGET_EVERY = 0.5
# How often the kitchen looks for executions that ended without their session's last update, and
# how far back from the last look (the workflow's TimeoutSeconds: no execution runs longer).
_SETTLE_EVERY = 60.0
_LONGEST_EXECUTION = timedelta(seconds=900)
_STORE_FILE = re.compile(r"executions(?:-([0-9]+))?\.sqlite")
_log = logging.getLogger("aichef.service")


def _open_executions(
    folder: Path, read_only: bool, worker: bool, claim: Callable[[str, set[str]], None] | None = None
) -> ExecutionStore:
    """The folder's executions store. A server worker takes the first store no other worker holds
    (``executions.sqlite``, ``executions-2.sqlite`` ...): workers share the tables, and each
    resumes the sessions it was running before a restart. A kitchen that drives sessions then
    adopts every other store no live process holds, and (still under the folder's lock)
    ``claim(own store name, names live processes hold)`` takes the sessions a dead process was
    starting. Read-only kitchens just look."""
    if read_only:
        return ExecutionStore(folder / "executions.sqlite", exclusive=False)
    # One process at a time takes its store and adopts the others. Workers start together, and a
    # process killed after an adoption's commit leaves the adopted file behind beside the store
    # that has its executions: taken in turn, both go to the same store (which skips the repeats);
    # at once, one worker could take the file as its own store and the sessions would run twice.
    with _folder_lock(folder):
        store = _own_store(folder, worker)
        live: set[str] = set()
        for path in _store_files(folder):
            if path.name == Path(store.path).name:
                continue
            try:
                adopted = store.adopt(path)
            except StoreInUse:
                live.add(path.name)
                continue  # a live process drives those sessions
            except (ASLError, sqlite3.Error, OSError) as error:  # one bad file must not keep the kitchen shut
                _log.error("cannot adopt the sessions of %s: %s", path, error)
                continue
            if adopted:
                _log.info("adopted %d session(s) from %s", len(adopted), path.name)
        if claim is not None:
            claim(Path(store.path).name, live)
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
            use_store(self.store)
            ensure_kitchen_tables(self.store)
        else:
            folder = self.folder = Path(data_dir) if data_dir is not None else settings().data_dir
            folder.mkdir(parents=True, exist_ok=True)
            try:
                # the tables first: taking the executions store claims the sessions a dead process
                # was starting, and those are rows of a table
                self.store = TableStore(folder / "tables.sqlite")
                use_store(self.store)
                ensure_kitchen_tables(self.store)
                executions = _open_executions(
                    folder, read_only, worker, claim=None if read_only else _claim_unstarted
                )
            except (
                ValueError
            ) as error:  # $ASL_SYNCHRONOUS neither FULL nor NORMAL: said before anything opens
                raise AIChefError(str(error)) from None
        if task_threads is None:
            task_threads = _handlers_wait_on_network()
        self.machine = local_machine(self.store, clock=clock, task_threads=task_threads)
        self.runtime = Runtime(executions, clock=clock)
        self.machine_arn = self.runtime.register(self.machine)
        self.poll_seconds = poll_seconds
        self._resumed = read_only  # a read-only kitchen never drives executions
        self._own_store = Path(executions.path).name
        self._background: set[asyncio.Task[Any]] = set()
        self._started: list[str] = []  # started sessions whose "starting" row is still there

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
        """Carry on the sessions a previous process left running (once per kitchen); start the
        ones it wrote but was killed before starting; purge closed executions past their
        retention now and periodically."""
        if self._resumed:
            return []
        self._resumed = True
        resumed = await self.runtime.resume()
        await self._start_unstarted()
        self.purge_executions()
        self._spawn(self._purge_periodically())
        self._spawn(self._settle_periodically())
        self._spawn(self._forget_started_periodically())
        return resumed

    def purge_executions(self) -> int:
        """Delete closed executions past their retention from this kitchen's store (one place)."""
        return purge_closed_executions(self.runtime.store)

    async def _purge_periodically(self) -> None:
        while True:
            await asyncio.sleep(PURGE_EVERY_SECONDS)
            try:
                self.purge_executions()
            except (ASLError, sqlite3.Error) as error:  # a busy file now is purged next time
                _log.warning("could not purge closed executions: %s", error)

    def _forget_started(self) -> None:
        """Delete the "starting" rows of the sessions started since the last time, in one write."""
        done, self._started = self._started, []
        if done:
            with self.store.transaction():
                for session_id in done:
                    starting_table().delete_item(Key={"sessionId": session_id})

    async def _forget_started_periodically(self) -> None:
        while True:
            await asyncio.sleep(_FORGET_EVERY)
            try:
                self._forget_started()
            except (ASLError, sqlite3.Error) as error:  # the rows stay; the next kitchen drops them
                _log.warning("could not clear started sessions: %s", error)

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def execution_arn(self, session_id: str) -> str:
        """The ARN of the session's workflow execution (its name is the session id)."""
        return f"{self.machine_arn.replace(':stateMachine:', ':execution:')}:{session_id}"

    _execution_arn = execution_arn  # the name web/_metrics and the tests look up

    async def start_session(
        self, body: Mapping[str, Any] | SessionRequest, owner: str | None = None
    ) -> dict[str, Any]:
        """Validate, create the session and start its workflow; answers the new session. The one
        way a session starts on this machine: the web API passes the request's body, the command
        line (and the API handler run locally) the request they already read with
        :func:`~aichef.sessions.session_request`, so the profile is parsed once either way.

        ``owner`` is the client's id (the page's ``X-AIChef-Client``); its hash is kept on the item
        and in the owner's recent-sessions index. The item, the owner's index entry and a
        "starting" row are written in one transaction; the row goes once the execution is
        started. A process killed in between leaves the row, and the next kitchen on the folder
        starts that session (:meth:`resume`); a start that fails takes the item back."""
        request = body if isinstance(body, SessionRequest) else session_request(body)
        await self.resume()
        hashed = None if owner is None else owner_hash(owner)
        item = new_item(request, hashed)
        payload = request.model_dump(mode="json")
        session_id = request.sessionId
        from botocore.exceptions import ClientError

        try:
            with self.store.transaction():
                sessions_table().put_item(Item=item, ConditionExpression="attribute_not_exists(sessionId)")
                starting_table().put_item(
                    Item={"sessionId": session_id, "store": self._own_store, "request": json.dumps(payload)}
                )
                if hashed is not None:
                    owners_table().put_item(Item=_owner_entry(item, hashed))
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise already_exists(session_id) from None
            raise
        try:
            await self.runtime.start_execution(self.machine_arn, payload, name=session_id)
        except BaseException:
            with self.store.transaction():  # never acknowledged: nothing of it stays
                sessions_table().delete_item(Key={"sessionId": session_id})
                starting_table().delete_item(Key={"sessionId": session_id})
                if hashed is not None:
                    owners_table().delete_item(Key=_owner_key(item, hashed))
            raise
        # its "starting" row goes in the next batch (one write for many sessions, off the request's
        # path); a row left by a kill names a started execution, and the next kitchen just drops it
        self._started.append(session_id)
        return session_view(item)

    async def _start_unstarted(self) -> None:
        """Start the sessions this kitchen claimed (a dead process wrote them, never started them)."""
        rows = (
            starting_table()
            .scan(
                FilterExpression="#store = :mine",
                ExpressionAttributeNames={"#store": "store"},
                ExpressionAttributeValues={":mine": self._own_store},
            )
            .get("Items", [])
        )
        for row in rows:
            session_id = str(row["sessionId"])
            item = sessions_table().get_item(Key={"sessionId": session_id}).get("Item")
            if item is not None and session_view(item).get("status") not in TERMINAL:
                try:
                    self.runtime.describe_execution(self._execution_arn(session_id))
                except ExecutionDoesNotExist:
                    await self.runtime.start_execution(
                        self.machine_arn, json.loads(str(row["request"])), name=session_id
                    )
                    _log.info("started session %s, which a stopped process had accepted", session_id)
            starting_table().delete_item(Key={"sessionId": session_id})

    async def _settle_periodically(self) -> None:
        since: datetime | None = None  # the first sweep looks at every execution the store keeps
        while True:
            moment = datetime.now(UTC)
            try:
                self.settle_ended(since)
                since = moment
            except (ASLError, sqlite3.Error) as error:  # a busy file now is swept next time
                _log.warning("could not settle ended sessions: %s", error)
            await asyncio.sleep(_SETTLE_EVERY)

    def settle_ended(self, since: datetime | None = None) -> int:
        """Settle (see :meth:`settle`) the sessions whose execution ended without success, of those
        started since ``since`` less the workflow's longest run (all when None); how many were.

        The workflow's Catches end every failure through a status update, so this finds work only
        when that update failed too; a subscriber settles its session at once, and this sweep
        (at start and every minute) the sessions nobody watches. Successful executions need none:
        SUCCEEDED means the last status update was written."""
        horizon = None if since is None else (since - _LONGEST_EXECUTION).timestamp()
        settled = 0
        for status in ("FAILED", "TIMED_OUT", "ABORTED"):
            token: str | None = None
            while True:
                page = self.runtime.list_executions(
                    self.machine_arn, status_filter=status, max_results=100, next_token=token
                )
                for execution in page["executions"]:
                    if horizon is not None and execution["startDate"].timestamp() < horizon:
                        break  # newest first: the rest started earlier still
                    settled += self.settle(str(execution["name"]))
                else:
                    token = page.get("nextToken")
                    if token:
                        continue
                break
        return settled

    def settle(self, session_id: str) -> bool:
        """If the session's execution has ended but its item still says processing (a status
        update failed for good), end the item as the execution ended; True when it did."""
        item = self._item(session_id)
        if item is None or session_view(item).get("status") in TERMINAL:
            return False  # the usual case, answered by one read
        try:
            described = self.runtime.describe_execution(self._execution_arn(session_id))
        except ExecutionDoesNotExist:
            return False
        if described["status"] == "RUNNING":
            return False
        if described["status"] == "SUCCEEDED" and self.get_result_text(session_id) is not None:
            status, error = "completed", None
        else:
            error = json.dumps(
                {
                    "Error": described.get("error") or described["status"],
                    "Cause": described.get("cause")
                    or "the session's workflow ended before it could record its outcome",
                },
                ensure_ascii=False,
            )
            status = "failed"
        values: dict[str, Any] = {":status": status, ":phase": "finished", ":now": now_iso()}
        values |= {":processing": "processing", ":running": "RUNNING", ":pending": "PENDING"}
        expression = "SET #status = :status, #phase = :phase, #updatedAt = :now"
        if error is not None:
            expression += ", #error = :error"
            values[":error"] = error
        from botocore.exceptions import ClientError

        try:
            sessions_table().update_item(
                Key={"sessionId": session_id},
                UpdateExpression=expression,
                ConditionExpression="#status IN (:processing, :running, :pending)",
                ExpressionAttributeNames={"#status": "status", "#phase": "phase", "#updatedAt": "updatedAt"}
                | ({"#error": "error"} if error is not None else {}),
                ExpressionAttributeValues=values,
            )
        except ClientError:
            return False  # already terminal (or gone): nothing to settle
        _log.warning(
            "session %s ended %s without its status update; marked %s",
            session_id,
            described["status"],
            status,
        )
        return True

    def _item(self, session_id: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = sessions_table().get_item(Key={"sessionId": session_id}).get("Item")
        return item

    def get_session(self, session_id: str) -> dict[str, Any] | None:
        item = self._item(session_id)
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

    def list_sessions(self, limit: int = 20, owner: str | None = None) -> list[dict[str, Any]]:
        """The owner's most recent sessions first: one Query of the owner's index for at most
        ``limit`` keys, then those items. Without an owner, nothing (no one sees others' sessions)."""
        if owner is None or limit < 1:
            return []
        keys = (
            owners_table()
            .query(
                KeyConditionExpression="#owner = :owner",
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues={":owner": owner_hash(owner)},
                ScanIndexForward=False,
                Limit=limit,
            )
            .get("Items", [])
        )
        found = []
        for key in keys:
            item = self._item(str(key["sessionId"]))
            if item is not None:  # expired meanwhile
                found.append(session_view(item))
        return found

    def list_all_sessions(self, limit: int = 20) -> list[dict[str, Any]]:
        """Every session of the folder, newest first (the operator's view: reads the whole table,
        which TTL keeps to about a week of sessions)."""
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
        """Yield each step of the session in order, from its first (steps kept on the item are
        replayed, so a late subscriber sees 10, 50, 60, 80, 90, 100 too), until it ends.

        Every turn waits: for a change, the poll interval, or the execution's end. An execution
        that ended with its item still processing is settled here, so the stream always ends."""
        seen: set[tuple[Any, ...]] = set()
        writing: Any = None  # the model's progress last sent (see session_view)
        loop = asyncio.get_running_loop()
        quiet_since = loop.time()
        ended = False
        while True:
            item = self._item(session_id)
            if item is None:
                return
            fresh = False
            steps = progress_events(item)
            for step in steps:
                key = (step.get("status"), step.get("phase"), step.get("progress"))
                if key not in seen:
                    seen.add(key)
                    fresh = True
                    writing = step.get("writing")
                    yield step
            # The model writing (same step, more pieces) is news too, sent as the current step
            # again; a replayed step never carries it, so the steps' order is untouched.
            current = steps[-1] if steps else None
            if current is not None and current.get("writing") not in (None, writing):
                writing = current["writing"]
                fresh = True
                yield current
            if session_view(item).get("status") in TERMINAL:
                return
            if ended:  # ended, settled, and still not terminal: nothing more will come
                return
            if fresh:
                quiet_since = loop.time()
            slow = loop.time() - quiet_since > _SLOW_AFTER
            ended = await self._changed(session_id, _SLOW_POLL if slow else self.poll_seconds)

    async def _changed(self, session_id: str, seconds: float) -> bool:
        """Sleep up to ``seconds``, waking early when the session's execution ends; True when it
        has ended (the item is then settled if a status update was lost)."""
        try:
            described = await asyncio.wait_for(self.runtime.wait(self._execution_arn(session_id)), seconds)
        except TimeoutError:
            return False
        except ASLError:  # not an execution of this kitchen (another worker's): poll
            await asyncio.sleep(seconds)
            return False
        if described.get("status") == "RUNNING":  # in the store, driven by no one here: poll
            await asyncio.sleep(seconds)
            return False
        self.settle(session_id)
        return True

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
        for task in list(self._background):
            task.cancel()
        with contextlib.suppress(ASLError, sqlite3.Error):
            self._forget_started()
        for task in list(self._background):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.runtime.close()
        use_store(None)
        self.store.close()


def _owner_key(item: Mapping[str, Any], hashed: str) -> dict[str, Any]:
    return {"owner": hashed, "recent": f"{item['createdAt']}#{item['sessionId']}"}


def _owner_entry(item: Mapping[str, Any], hashed: str) -> dict[str, Any]:
    return {**_owner_key(item, hashed), "sessionId": item["sessionId"], "expiresAt": item["expiresAt"]}


def _claim_unstarted(own: str, live: set[str]) -> None:
    """Under the folder's lock: make this kitchen's the sessions a dead process accepted but may
    not have started (its "starting" rows name a store no live process holds)."""
    for row in starting_table().scan().get("Items", []):
        if row.get("store") != own and row.get("store") not in live:
            starting_table().update_item(
                Key={"sessionId": row["sessionId"]},
                UpdateExpression="SET #store = :mine",
                ExpressionAttributeNames={"#store": "store"},
                ExpressionAttributeValues={":mine": own},
            )
