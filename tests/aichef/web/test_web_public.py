"""The package's public face, and the page's files: served, self-contained, no outside address."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from importlib.resources import files

import httpx
import pytest

import aichef.web

pytestmark = pytest.mark.anyio

STATIC = files("aichef.web") / "static"


def test_all_is_sorted_and_exactly_the_public_names() -> None:
    assert aichef.web.__all__ == sorted(aichef.web.__all__) == ["create_app", "serve"]
    public = {name for name in vars(aichef.web) if not name.startswith("_")}
    assert public - {"annotations", "app", "server"} == set(aichef.web.__all__)


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.labelled: set[str] = set()
        self.inputs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.refs += [v for k, v in attrs if k in ("src", "href") and v]
        if tag == "label" and found.get("for"):
            self.labelled.add(str(found["for"]))
        if tag in ("input", "select") and found.get("id"):
            self.inputs.append(str(found["id"]))


def test_the_page_loads_nothing_from_outside_and_labels_every_field() -> None:
    parser = _Refs()
    parser.feed((STATIC / "index.html").read_text(encoding="utf-8"))
    outside = [ref for ref in parser.refs if re.match(r"^(https?:)?//", ref)]
    assert outside == []
    assert {"/static/app.css", "/static/app.js"} <= set(parser.refs)
    assert set(parser.inputs) <= parser.labelled  # every field a screen reader can name
    script = (STATIC / "app.js").read_text(encoding="utf-8")
    assert re.findall(r"""fetch\(\s*["'`]https?:""", script) == []
    assert "innerHTML" not in script  # server text goes in as text, never as markup
    assert "url(" not in (STATIC / "app.css").read_text(encoding="utf-8")


async def test_the_page_and_its_files_are_served(fake_client: httpx.AsyncClient) -> None:
    page = await fake_client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="ko">' in page.text
    script = await fake_client.get("/static/app.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    style = await fake_client.get("/static/app.css")
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")
    assert (await fake_client.get("/api/docs")).status_code == 404  # its page would load a CDN's scripts
    missing = await fake_client.get("/static/nothing.js")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
