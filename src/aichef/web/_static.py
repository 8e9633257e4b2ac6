"""The page and its files: read once, gzipped once, served with ETags and the right caching.

No build step: the files are served as written. The page's links to its CSS and script carry a
hash of their content (``/static/app.js?v=...``), so those answers may be cached for a year; the
page itself is revalidated on every visit (a 304 when unchanged), so a new release shows at once.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request, Response

from aichef.http_api import not_found

__all__ = ["static_router"]

_REVALIDATE = "no-cache"  # may be kept, but asked about each time (answered 304 when unchanged)
_IMMUTABLE = "public, max-age=31536000, immutable"
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".html": "text/html; charset=utf-8", ".json": "application/json"}  # fmt: skip


@dataclass(frozen=True)
class _File:
    body: bytes
    gzipped: bytes
    etag: str
    media_type: str

    @classmethod
    def of(cls, name: str, body: bytes) -> _File:
        suffix = Path(name).suffix
        media = _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
        digest = hashlib.sha256(body).hexdigest()[:20]
        # mtime=0: the same bytes give the same gzip stream on every start and every worker.
        return cls(body, gzip.compress(body, compresslevel=9, mtime=0), f'"{digest}"', media)

    def answer(self, request: Request, cache_control: str) -> Response:
        headers = {"ETag": self.etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding"}
        if self.etag in _etags(request.headers.get("if-none-match", "")):
            return Response(status_code=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", "").lower() and len(self.gzipped) < len(
            self.body
        ):
            return Response(
                self.gzipped, media_type=self.media_type, headers={**headers, "Content-Encoding": "gzip"}
            )
        return Response(self.body, media_type=self.media_type, headers=headers)


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def _load(folder: Path) -> tuple[_File, dict[str, _File]]:
    files = {
        path.name: _File.of(path.name, path.read_bytes())
        for path in sorted(folder.iterdir())
        if path.is_file() and path.name != "index.html"
    }
    page = (folder / "index.html").read_text(encoding="utf-8")
    for name, file in files.items():
        page = page.replace(f'"/static/{name}"', f'"/static/{name}?v={file.etag.strip(chr(34))[:12]}"')
    return _File.of("index.html", page.encode()), files


def static_router(folder: Path) -> APIRouter:
    """``GET /`` (the page) and ``GET /static/{name}`` (its files), from ``folder`` as it is now."""
    page, files = _load(folder)
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    async def index(request: Request) -> Response:
        return page.answer(request, _REVALIDATE)

    @router.get("/static/{name}")
    async def static(request: Request, name: str) -> Response:
        file = files.get(name)
        if file is None:
            raise not_found(name)
        # Only a link carrying the content's hash may be kept without asking again.
        versioned = request.query_params.get("v") == file.etag.strip('"')[:12]
        return file.answer(request, _IMMUTABLE if versioned else _REVALIDATE)

    return router
