"""AI Chef over HTTP: the JSON API, live progress and the web page."""

from __future__ import annotations

from aichef.web.app import create_app
from aichef.web.server import serve

__all__ = ["create_app", "serve"]
