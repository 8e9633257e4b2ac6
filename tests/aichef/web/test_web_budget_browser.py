"""The page's budget and pantry controls in a real browser: "3만원" is read as 30,000 KRW, the pantry
choice reaches the plan, and the shopping card shows the summary sentences the API wrote."""

from __future__ import annotations

from typing import Any

import httpx
from test_web_browser import _session_id, browser, page  # noqa: F401 (fixtures shared with the page test)
from web_support import LiveServer

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails in CI) before this is used
    expect = None


def test_korean_budget_and_pantry_none_from_the_form(page: Any, live_server: LiveServer) -> None:  # noqa: F811
    page.goto(f"{live_server.url}/")
    page.get_by_role("radio", name="키토").check()
    page.get_by_label("예산", exact=True).fill("3만 5천원")
    page.get_by_label("집에 있는 양념").select_option("none")
    page.get_by_role("button", name="레시피 만들기").click()
    expect(page.locator("#progress-value")).to_have_text("100%")
    page.locator("#purchase-summary").wait_for()
    result = httpx.get(f"{live_server.url}/api/sessions/{_session_id(page)}/result", timeout=10).json()
    pricing = result["pricing"]
    assert pricing["budget"] == 35000 and pricing["assumedInPantry"] == []
    shown = page.locator("#purchase-summary li").all_inner_texts()
    assert shown == pricing["summary"]["lines"]


def test_an_own_pantry_list_and_an_unreadable_budget(page: Any, live_server: LiveServer) -> None:  # noqa: F811
    page.goto(f"{live_server.url}/")
    page.get_by_role("radio", name="키토").check()
    page.get_by_label("예산", exact=True).fill("삼만원")
    page.get_by_role("button", name="레시피 만들기").click()
    expect(page.locator("#budget")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("예산", exact=True).fill("₩30,000")
    page.get_by_label("집에 있는 양념").select_option("custom")
    page.locator("#pantryList").fill("소금, 후추")
    page.get_by_role("button", name="레시피 만들기").click()
    expect(page.locator("#progress-value")).to_have_text("100%")
    page.locator("#purchase-summary").wait_for()
    result = httpx.get(f"{live_server.url}/api/sessions/{_session_id(page)}/result", timeout=10).json()
    assert result["pricing"]["budget"] == 30000
    assert not {i["ingredientKey"] for i in result["pricing"]["items"]} & {"salt", "black_pepper"}
