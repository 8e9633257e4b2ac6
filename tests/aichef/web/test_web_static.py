"""The page's files: gzipped, with ETags (304 when unchanged), cached for a year only under a hashed link."""

from __future__ import annotations

import gzip
import re
from importlib.resources import files

import httpx
import pytest

pytestmark = pytest.mark.anyio

STATIC = files("aichef.web") / "static"


async def test_the_page_links_its_files_by_content_and_is_revalidated(fake_client: httpx.AsyncClient) -> None:
    page = await fake_client.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200 and page.headers["content-encoding"] == "gzip"
    assert page.headers["cache-control"] == "no-cache" and page.headers["etag"].startswith('"')
    assert page.headers["vary"] == "Accept-Encoding"
    linked = dict(re.findall(r'"/static/(app\.(?:js|css))\?v=([0-9a-f]{12})"', page.text))
    assert set(linked) == {"app.js", "app.css"}
    again = await fake_client.get("/", headers={"If-None-Match": page.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize("name", ["app.js", "app.css"])
async def test_a_file_is_gzipped_and_immutable_under_its_hashed_link(
    fake_client: httpx.AsyncClient, name: str
) -> None:
    page = await fake_client.get("/")
    version = re.search(rf'"/static/{re.escape(name)}\?v=([0-9a-f]{{12}})"', page.text)
    assert version
    url = f"/static/{name}?v={version.group(1)}"
    # httpx decodes gzip by itself: read the raw bytes to see what went over the wire.
    async with fake_client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as answer:
        raw = b"".join([chunk async for chunk in answer.aiter_raw()])
    original = (STATIC / name).read_bytes()
    assert answer.headers["content-encoding"] == "gzip"
    assert gzip.decompress(raw) == original and len(raw) < len(original) / 2
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    plain = await fake_client.get(f"/static/{name}", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == original
    assert plain.headers["cache-control"] == "no-cache"  # an unversioned link is asked about again
    unchanged = await fake_client.get(url, headers={"If-None-Match": f"W/{answer.headers['etag']}"})
    assert unchanged.status_code == 304


def test_every_unit_the_recipes_use_has_an_english_word_on_the_page() -> None:
    """English mode shows units in English: the page's table covers every unit the library writes."""
    import json
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[3] / "src" / "aichef"
    script = (root / "web" / "static" / "app.js").read_text("utf-8")
    start = script.index("const UNITS_EN = {")
    table = script[start : script.index("};", start)]
    known = set(re.findall(r'"([^"]+)":', table))
    used = {
        line["unit"]
        for path in (root / "knowledge" / "data" / "recipes").glob("*.json")
        for recipe in json.loads(path.read_text("utf-8"))["recipes"]
        for line in recipe["ingredients"]
    }
    hangul = {unit for unit in used if re.search(r"[가-힣]", unit)}
    assert hangul <= known, sorted(hangul - known)
