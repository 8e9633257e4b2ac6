"""The page in a real browser (Debian's chromium driven by Playwright): form, live progress, result.

Screenshots are kept under artifacts/web/. The test installs chromium through scripts/_chromium.sh
when it is missing; it skips only when that is impossible here, and never skips in CI.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from web_support import LiveServer

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the browser fixture says so, and fails in CI
    expect = sync_playwright = None

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "artifacts" / "web"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"the browser test must run in CI: {reason}")
    pytest.skip(reason)


def _chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found is None:
        done = subprocess.run(
            ["bash", str(ROOT / "scripts" / "_chromium.sh")], capture_output=True, text=True
        )
        found = shutil.which("chromium")
        if found is None:
            _unavailable(
                f"chromium is not installed and could not be installed: {done.stderr.strip()[-300:]}"
            )
    assert found is not None
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if sync_playwright is None:
        _unavailable("the playwright package is not installed (pip install playwright)")
    executable = _chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _unexpected(message: Any) -> bool:
    # A 422 is the API's answer to bad input, which the page shows; chromium logs it as a failed load.
    return bool(message.type == "error" and "status of 422" not in message.text)


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda msg: problems.append(f"console: {msg.text}") if _unexpected(msg) else None)

    # Nothing outside this server may be asked for: the page must work on a machine without internet.
    def only_local(route: Any) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            problems.append(f"outside request: {route.request.url}")
            route.abort()

    page.route("**/*", only_local)
    page.problems = problems
    yield page
    context.close()
    assert problems == []


def _session_id(page: Any) -> str:
    match = re.match(r"#/sessions/(.+)$", page.evaluate("location.hash"))
    assert match, page.url
    return match.group(1)


def test_fill_the_form_watch_progress_and_read_the_recipe(page: Any, live_server: LiveServer) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "ko"
    assert page.locator("#form-title").inner_text() == "누구를 위한 요리인가요?"

    page.get_by_role("radio", name="다이어트").check()
    page.get_by_role("checkbox", name="알류(가금류)").check()
    page.get_by_role("checkbox", name="고혈압").check()
    page.get_by_label("인분", exact=True).fill("2")
    page.get_by_label("예산", exact=True).fill("40000")
    page.get_by_label("최대 조리 시간").fill("40")
    # Every value the bar shows, as the event stream moves it.
    page.evaluate(
        """() => {
          window.seenProgress = [];
          const bar = document.getElementById('progress');
          new MutationObserver(() => window.seenProgress.push(Number(bar.getAttribute('aria-valuenow'))))
            .observe(bar, {attributes: true, attributeFilter: ['aria-valuenow']});
        }"""
    )
    page.get_by_role("button", name="레시피 만들기").click()

    expect(page.locator("#progress-value")).to_have_text("100%")
    page.locator("#recipe-name").wait_for()
    seen = page.evaluate("window.seenProgress")
    assert seen and seen == sorted(seen) and seen[-1] == 100

    session_id = _session_id(page)
    result = httpx.get(f"{live_server.url}/api/sessions/{session_id}/result", timeout=10).json()
    assert page.locator("#recipe-name").inner_text() == result["recipe"]["recipeName"]
    assert page.locator("#steps li").count() == len(result["recipe"]["instructions"])
    assert page.locator("#total-cost").inner_text() == f"{result['pricing']['totalEstimatedCost']:,}원"
    assert page.locator("#cost-per-serving").inner_text() == f"{result['pricing']['costPerServing']:,}원"
    assert page.locator("#shopping-table tbody tr").count() == len(result["pricing"]["items"])
    assert page.locator("#compliance li").count() == len(result["compliance"])
    assert page.locator("svg.donut circle").count() == 4  # the track and three shares of energy
    assert "egg" not in {line["ingredientKey"] for line in result["pricing"]["items"]}
    page.screenshot(path=str(ARTIFACTS / "result-ko.png"), full_page=True)

    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#form-title").inner_text() == "Who are we cooking for?"
    assert page.locator("#total-cost").inner_text() == f"₩{result['pricing']['totalEstimatedCost']:,}"
    page.screenshot(path=str(ARTIFACTS / "result-en.png"), full_page=True)
    page.get_by_role("button", name="한국어").click()


def test_a_recent_session_can_be_reopened(page: Any, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/")
    page.wait_for_function("localStorage.getItem('aichef.client') !== null")
    browser = {"X-AIChef-Client": page.evaluate("localStorage.getItem('aichef.client')")}
    first = httpx.post(
        f"{live_server.url}/api/sessions",
        json={"profile": {"target": "keto", "servings": 1}},
        headers=browser,  # started as this browser: only its own sessions are listed
        timeout=10,
    ).json()["sessionId"]
    httpx.get(f"{live_server.url}/api/sessions/{first}/events", timeout=10)  # returns at the end
    page.reload()
    link = page.locator(f'#recent a[href="#/sessions/{first}"]')
    link.click()
    page.locator("#recipe-name").wait_for()
    result = httpx.get(f"{live_server.url}/api/sessions/{first}/result", timeout=10).json()
    assert page.locator("#recipe-name").inner_text() == result["recipe"]["recipeName"]
    assert _session_id(page) == first


def test_bad_input_is_shown_next_to_the_form(page: Any, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/")
    page.get_by_role("radio", name="냉장고 파먹기").check()
    page.get_by_role("button", name="레시피 만들기").click()
    assert "재료를 하나 이상" in page.locator("#form-errors").inner_text()

    page.get_by_role("radio", name="키토 (저탄수화물)").check()
    page.get_by_label("인분", exact=True).fill("40")
    page.get_by_role("button", name="레시피 만들기").click()
    page.locator("#form-errors li").first.wait_for()
    assert "profile.servings" in page.locator("#form-errors").inner_text()
    assert page.locator("#servings").get_attribute("aria-invalid") == "true"
    page.screenshot(path=str(ARTIFACTS / "form-error-ko.png"), full_page=True)


def test_a_session_that_fails_says_why_in_the_page(page: Any, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/")
    page.get_by_role("button", name="English").click()
    page.get_by_role("radio", name="Weight loss").check()
    page.get_by_label("Max cooking time").fill("1")
    page.get_by_role("button", name="Make my recipe").click()
    expect(page.locator("#session-error")).to_be_visible()
    status = httpx.get(f"{live_server.url}/api/sessions/{_session_id(page)}", timeout=10).json()
    assert status["status"] == "failed"
    assert (
        page.locator("#session-error").inner_text()
        == f"Could not make a recipe: {status['error']['message']}"
    )
    assert page.locator("#result").is_hidden()
