"""Running the endpoint: in the foreground for ``asl serve``, or on a thread for tests and notebooks.

>>> with BackgroundServer(create_app(tmp_dir, handlers)) as server:  # doctest: +SKIP
...     sfn = boto3.client("stepfunctions", endpoint_url=server.url, region_name="us-east-1")
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from types import TracebackType

import uvicorn

from asl import observe
from asl.server.app import Endpoint

__all__ = ["BackgroundServer", "serve"]


def _config(
    app: Endpoint, host: str, port: int, log_level: str, grace: int, log_format: str = "text"
) -> uvicorn.Config:
    # no access log: the endpoint logs what it needs and a request's headers carry credentials;
    # a pending GetActivityTask long poll (60 s) is answered empty after ``grace`` seconds of shutting down
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        lifespan="on",
        ws="none",
        timeout_graceful_shutdown=grace,
        # JSON lines: uvicorn's own loggers go through the root's JSON handler instead of its config
        log_config=None if log_format == "json" else uvicorn.config.LOGGING_CONFIG,
    )


def serve(
    app: Endpoint,
    host: str = "127.0.0.1",
    port: int = 8083,
    log_level: str = "info",
    grace: int = 5,
    log_format: str | None = None,
) -> None:
    """Serve until interrupted (Ctrl-C); running executions stay RUNNING and resume next time.

    ``log_format`` ``json`` (or ``$ASL_LOG_FORMAT=json``): one JSON object per log line."""
    chosen = observe.use_log_format(log_format, "ASL_LOG_FORMAT")
    uvicorn.Server(_config(app, host, port, log_level, grace, chosen)).run()


class BackgroundServer:
    """The endpoint on 127.0.0.1 on a free port, served by a thread; :attr:`url` is its address."""

    def __init__(self, app: Endpoint, host: str = "127.0.0.1", port: int = 0, grace: int = 5) -> None:
        self.app = app
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.host, self.port = self._socket.getsockname()[:2]
        self._server = uvicorn.Server(_config(app, self.host, self.port, "warning", grace))
        self._thread = threading.Thread(target=self._run, name="asl-serve", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _run(self) -> None:
        with contextlib.suppress(SystemExit):  # uvicorn exits when the app cannot start; start() says why
            self._server.run(sockets=[self._socket])

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        """Start serving; returns once the endpoint answers (or raises if it could not start)."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started and self._thread.is_alive():
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"asl serve did not start within {timeout} s")
            time.sleep(0.01)
        if not self._server.started:
            self._socket.close()
            raise RuntimeError(f"asl serve could not start: {self.app.startup_error or 'see the log'}")
        return self

    def stop(self) -> None:
        """Stop serving and close the stores (running executions stay RUNNING in the store)."""
        self._server.should_exit = True
        self._thread.join(30)
        self._socket.close()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
