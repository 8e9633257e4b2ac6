"""create_app(): the AI Chef HTTP API and web page around one session service.

>>> from aichef.service import Kitchen
>>> app = create_app(Kitchen(in_memory=True))  # an ASGI app: give it to uvicorn or httpx.ASGITransport
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI

from aichef.web._contract import SessionService
from aichef.web._errors import install_handlers
from aichef.web._events import KEEPALIVE_SECONDS
from aichef.web._glossary import glossary_router
from aichef.web._guard import BODY_SECONDS, Guard, allowed_hosts
from aichef.web._metrics import Observed, metrics_router, watch
from aichef.web._routes import api_router
from aichef.web._schemas import install_openapi
from aichef.web._servings import servings_router
from aichef.web._static import static_router

__all__ = ["create_app"]

_STATIC = Path(str(files("aichef.web") / "static"))


def create_app(
    kitchen: SessionService,
    *,
    keepalive: float = KEEPALIVE_SECONDS,
    hosts: Iterable[str] = (),
    body_seconds: float = BODY_SECONDS,
) -> FastAPI:
    """The API under /api, the page at /, its files under /static; the caller owns and closes `kitchen`.

    ``hosts``: host names answered besides loopback and ``$AICHEF_ALLOWED_HOSTS`` (see _guard)."""
    app = FastAPI(
        title="AI Chef",
        version="1.0",
        description="Personalised recipes with real nutrition, diet checks and a costed shopping plan.",
        # FastAPI's docs pages load their scripts from a CDN, which this machine cannot reach: JSON only.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.kitchen = kitchen
    app.state.keepalive = keepalive
    install_handlers(app)
    install_openapi(app)
    app.include_router(api_router())
    app.include_router(servings_router())
    app.include_router(glossary_router())
    app.include_router(static_router(_STATIC))
    app.include_router(metrics_router())
    watch(kitchen)

    app.add_middleware(Guard, hosts=allowed_hosts(hosts), body_seconds=body_seconds)
    app.add_middleware(Observed)  # outermost: counts the requests the guard refuses too
    return app
