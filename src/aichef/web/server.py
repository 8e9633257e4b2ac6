"""serve(): run AI Chef's web server (API and page) with the local runtime in this process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import AsyncIterator, Sequence
from typing import Any, Literal

import uvicorn

from aichef.web.app import create_app
from asl.observe import use_log_format

__all__ = ["serve", "worker_app"]


# On SIGTERM open streams get this long to end before they are closed: a stop never hangs.
_SHUTDOWN_SECONDS = 3


def _own_names(host: str) -> list[str]:
    """The host the server listens on answers requests that name it (not a wildcard address)."""
    return [] if host in ("0.0.0.0", "::", "") else [host]


def _log_config() -> Any:
    # JSON lines: uvicorn's loggers go through the root's JSON handler instead of its own config
    return None if os.environ.get("AICHEF_LOG_FORMAT") == "json" else uvicorn.config.LOGGING_CONFIG


async def _run(host: str, port: int, data_dir: str | None, log_level: str) -> None:
    from aichef.service import Kitchen  # imported here: it installs the table store when built

    # Built inside the running loop: the kitchen's workflow tasks belong to this loop.
    kitchen = Kitchen(data_dir=data_dir)
    try:
        kitchen.warm_up()
        resumed = await kitchen.resume()  # sessions a stopped or killed server left running go on
        if resumed:
            logging.getLogger("aichef.web").info("resumed %d running session(s)", len(resumed))
        config = uvicorn.Config(
            create_app(kitchen, hosts=_own_names(host)),
            host=host,
            port=port,
            log_level=log_level,
            log_config=_log_config(),
            access_log=False,
            server_header=False,
            lifespan="off",
            ws=_websocket_protocol(),
            timeout_graceful_shutdown=_SHUTDOWN_SECONDS,
        )
        await uvicorn.Server(config).serve()
    finally:
        await kitchen.close()


def worker_app() -> Any:
    """The app of one worker process (``serve(workers=N)``): its own kitchen on the shared folder,
    resuming its sessions at start-up and closing at shutdown."""
    from aichef.service import Kitchen

    use_log_format(None, "AICHEF_LOG_FORMAT")  # the parent checked the value and set it for us
    kitchen = Kitchen(worker=True)
    app = create_app(kitchen)

    @contextlib.asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        kitchen.warm_up()
        await kitchen.resume()
        yield
        await kitchen.close()

    app.router.lifespan_context = lifespan
    return app


def _serve_workers(host: str, port: int, data_dir: str | None, log_level: str, workers: int) -> int:
    """Several processes on one listening socket; each runs sessions on its own core."""
    from uvicorn.supervisors import Multiprocess

    if data_dir is not None:
        os.environ["AICHEF_DATA_DIR"] = data_dir  # the workers read the folder from the environment
    names = ",".join([*_own_names(host), os.environ.get("AICHEF_ALLOWED_HOSTS", "")])
    os.environ["AICHEF_ALLOWED_HOSTS"] = names.strip(",")
    config = uvicorn.Config(
        "aichef.web.server:worker_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        log_config=_log_config(),
        access_log=False,
        server_header=False,
        lifespan="on",
        ws=_websocket_protocol(),
        timeout_graceful_shutdown=_SHUTDOWN_SECONDS,
    )
    sock = config.bind_socket()
    Multiprocess(config, sockets=[sock]).run()
    return 0


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    data_dir: str | None = None,
    log_level: str = "info",
    workers: int = 1,
    allowed_hosts: Sequence[str] = (),
    log_format: str | None = None,
) -> int:
    """Serve until interrupted; 127.0.0.1 unless told otherwise. Answers the process exit code.

    A host other than loopback is allowed (the caller asked for it) but said out loud, since the API
    has no authentication.
    """
    if not 0 <= port <= 65535:
        print(f"aichef serve: --port must be between 0 and 65535, got {port}", file=sys.stderr)
        return 2
    try:  # json (or $AICHEF_LOG_FORMAT=json): a JSON object per log line, also in the workers
        if use_log_format(log_format, "AICHEF_LOG_FORMAT") == "json":
            os.environ["AICHEF_LOG_FORMAT"] = "json"
    except ValueError:
        print("aichef serve: --log-format (or AICHEF_LOG_FORMAT) must be text or json", file=sys.stderr)
        return 2
    if host not in ("127.0.0.1", "localhost", "::1"):
        logging.getLogger("aichef.web").warning(
            "listening on %s: anyone who can reach it can use the API", host
        )
    if allowed_hosts:  # the workers (and create_app) read the allow-list from the environment
        listed = [os.environ.get("AICHEF_ALLOWED_HOSTS", ""), *allowed_hosts]
        os.environ["AICHEF_ALLOWED_HOSTS"] = ",".join(name for name in listed if name)
    print(
        f"AI Chef: http://{'[' + host + ']' if ':' in host else host}:{port}/  (Ctrl+C to stop)",
        file=sys.stderr,
    )
    if not 1 <= workers <= 16:
        print(f"aichef serve: --workers must be between 1 and 16, got {workers}", file=sys.stderr)
        return 2
    try:
        _loop_policy()
        if workers > 1:
            return _serve_workers(host, port, data_dir, log_level, workers)
        asyncio.run(_run(host, port, data_dir, log_level))
    except KeyboardInterrupt:
        return 0
    except OSError as exc:
        print(f"aichef serve: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except SystemExit:
        # uvicorn exits this way when it cannot bind; it has already said why.
        print(f"aichef serve: could not start on {host}:{port}", file=sys.stderr)
        return 1
    return 0


def _websocket_protocol() -> Literal["auto", "websockets-sansio"]:
    # websockets' sans-I/O protocol is its maintained one; without the package, uvicorn picks what it has.
    try:
        import websockets  # noqa: F401
    except ImportError:
        return "auto"
    return "websockets-sansio"


def _loop_policy() -> None:
    # uvloop makes the server about twice as fast when it is installed; the standard loop works too.
    try:
        import uvloop
    except ImportError:
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
