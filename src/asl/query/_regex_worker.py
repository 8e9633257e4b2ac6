"""JSONata regular expressions run in a worker process that is killed when it runs too long.

Python's ``re`` backtracks: ``/^(a+)+$/`` on forty characters runs for hours and cannot be
interrupted from another thread. So every regex a JSONata expression uses (``$match``,
``$contains``, ``$replace``, ``$split``) is matched in one long-lived worker process; when
an answer does not come back before the evaluation's deadline the worker is killed (and
started again for the next call) and the evaluation fails with
:class:`RegexTimedOut`. The pattern objects this engine returns have the methods
jsonata-python calls (``search``, ``finditer``, ``sub``, ``split``); a replacement
function (JSONata's ``$replace`` with a lambda) runs here, on the matches found there.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any

__all__ = ["GuardedPattern", "RegexTimedOut", "guarded_engine", "shutdown"]

# (start, end, group texts, group dict): what a match sends back; re.Match does not pickle
_MatchData = tuple[int, int, str, tuple[str | None, ...], dict[str, str | None]]


class RegexTimedOut(Exception):
    """A regular expression ran past the evaluation's deadline."""


class _Match:
    """The parts of ``re.Match`` that jsonata-python reads."""

    __slots__ = ("_data",)

    def __init__(self, data: _MatchData) -> None:
        self._data = data

    def group(self, index: int = 0) -> str | None:
        return self._data[2] if index == 0 else self._data[3][index - 1]

    def groups(self) -> tuple[str | None, ...]:
        return self._data[3]

    def groupdict(self) -> dict[str, str | None]:
        return dict(self._data[4])

    def start(self, index: int = 0) -> int:
        return self._data[0]

    def end(self, index: int = 0) -> int:
        return self._data[1]

    def span(self, index: int = 0) -> tuple[int, int]:
        return self._data[0], self._data[1]


def _data(match: re.Match[str]) -> _MatchData:
    return match.start(), match.end(), match.group(0), match.groups(), match.groupdict()


def _serve() -> None:  # pragma: no cover - runs in the worker process
    """The worker's loop: requests on stdin, answers on stdout (pickled by ``Connection``)."""
    _work(Connection(0, writable=False), Connection(1, readable=False))


def _work(requests: Connection, answers: Connection) -> None:  # pragma: no cover - the worker
    compiled: dict[tuple[str, int], re.Pattern[str]] = {}
    answers.send(("ready", None))
    while True:
        try:
            op, pattern, flags, string, argument = requests.recv()
        except EOFError:
            return
        try:
            regex = compiled.get((pattern, flags))
            if regex is None:
                regex = compiled[(pattern, flags)] = re.compile(pattern, flags)
            answer: Any
            if op == "search":
                found = regex.search(string)
                answer = None if found is None else _data(found)
            elif op == "finditer":
                answer = [_data(m) for m in regex.finditer(string)]
            elif op == "sub":
                answer = regex.sub(argument[0], string, argument[1])
            else:
                answer = regex.split(string, argument)
            answers.send(("ok", answer))
        except re.error as err:
            answers.send(("re.error", str(err)))
        except Exception as err:
            answers.send(("error", f"{type(err).__name__}: {err}"))


#: how long a new worker may take to start (not counted against any evaluation's time)
_STARTUP_SECONDS = 10.0


class _Worker:
    """The worker process and the lock that lets one caller at a time use it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process: subprocess.Popen[bytes] | None = None
        self.requests: Connection | None = None
        self.answers: Connection | None = None

    def _start(self) -> tuple[Connection, Connection]:
        # a fresh interpreter (not fork: the server has threads; not multiprocessing's spawn,
        # which would import the caller's __main__ again) running this file, which needs only
        # the standard library: isolated and without site-packages it starts in milliseconds
        process = subprocess.Popen(
            [sys.executable, "-I", "-S", __file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert process.stdin is not None and process.stdout is not None
        self.process = process
        # the connections own copies of the pipes' descriptors; the file objects are closed
        self.requests = Connection(os.dup(process.stdin.fileno()), readable=False)
        self.answers = Connection(os.dup(process.stdout.fileno()), writable=False)
        process.stdin.close()
        process.stdout.close()
        if not self.answers.poll(_STARTUP_SECONDS) or self.answers.recv()[0] != "ready":
            self.stop()
            raise RegexTimedOut()
        return self.requests, self.answers

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(5)
        for connection in (self.requests, self.answers):
            if connection is not None:
                connection.close()
        self.process = self.requests = self.answers = None

    def call(self, request: tuple[Any, ...], deadline: float) -> Any:
        if not self.lock.acquire(timeout=max(deadline - time.monotonic(), 0.0)):
            raise RegexTimedOut()
        try:
            if self.answers is None:
                started = time.monotonic()
                self._start()
                deadline += time.monotonic() - started  # starting the worker is not the regex's time
            requests, answers = self.requests, self.answers
            assert requests is not None and answers is not None
            requests.send(request)
            if not answers.poll(max(deadline - time.monotonic(), 0.0)):
                self.stop()
                raise RegexTimedOut()
            status, answer = answers.recv()
        except (EOFError, OSError, BrokenPipeError):
            self.stop()
            raise RegexTimedOut() from None
        finally:
            self.lock.release()
        if status == "re.error":
            raise re.error(answer)
        if status == "error":
            raise ValueError(answer)
        return answer


_WORKER = _Worker()


def shutdown() -> None:
    """Stop the worker process (it is started again when a regex is next used)."""
    with _WORKER.lock:
        _WORKER.stop()


class GuardedPattern:
    """A compiled pattern whose matching runs in the worker, within ``deadline()``."""

    def __init__(self, pattern: str, flags: int, deadline: Callable[[], float]) -> None:
        re.compile(pattern, flags)  # a syntax error shows when the expression is compiled
        self.pattern = pattern
        self.flags = flags
        self._deadline = deadline

    def _call(self, op: str, string: str, argument: Any = None) -> Any:
        return _WORKER.call((op, self.pattern, self.flags, string, argument), self._deadline())

    def search(self, string: str) -> _Match | None:
        found = self._call("search", string)
        return None if found is None else _Match(found)

    def finditer(self, string: str) -> Iterator[_Match]:
        return iter([_Match(found) for found in self._call("finditer", string)])

    def sub(self, repl: Any, string: str, count: int = 0) -> str:
        if not callable(repl):
            return str(self._call("sub", string, (repl, count)))
        parts: list[str] = []
        position = 0
        for index, found in enumerate(self._call("finditer", string)):
            if count and index >= count:
                break
            parts.append(string[position : found[0]])
            parts.append(repl(_Match(found)))
            position = found[1]
        parts.append(string[position:])
        return "".join(parts)

    def split(self, string: str, maxsplit: int = 0) -> list[str]:
        return list(self._call("split", string, maxsplit))


def guarded_engine(deadline: Callable[[], float]) -> Callable[[str, Any], GuardedPattern]:
    """A jsonata-python ``regex_engine`` whose patterns answer within ``deadline()``."""

    def compile_pattern(pattern: str, flags: Any) -> GuardedPattern:
        native = (re.IGNORECASE if flags.case_insensitive else 0) | (re.MULTILINE if flags.multiline else 0)
        return GuardedPattern(pattern, native, deadline)

    return compile_pattern


if __name__ == "__main__":  # pragma: no cover - the worker process
    _serve()
