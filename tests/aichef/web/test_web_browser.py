"""The page in a real browser (Debian's chromium driven by Playwright), as a Korean family uses it.

Phone (390x844 and 360 wide) and laptop (1366x900): a normal session, a fast one whose every phase
must still be seen, a failed one, bad input, the servings control, print, English, axe-core, and two
browsers that must not see each other's sessions. The README's screenshots are taken here
(docs/screenshots/); the others go to artifacts/web/. Chromium is installed by scripts/_chromium.sh
when missing; the test skips only when that is impossible here, and never skips in CI.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_support import ScriptedServer, axe_script
from web_support import LiveServer

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the browser fixture says so, and fails in CI
    expect = sync_playwright = None

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "artifacts" / "web"
SCREENSHOTS = ROOT / "docs" / "screenshots"
AXE_CACHE = ROOT / ".cache" / "axe-core"
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
PHONE = {"width": 390, "height": 844}
NARROW_PHONE = {"width": 360, "height": 780}
LAPTOP = {"width": 1366, "height": 900}

# The phases in order with the words the Korean page shows for each (the oracle, written here).
PHASE_WORDS_KO = ["레시피 구성 중", "레시피 완성", "가격 확인 중", "가격 확인 완료", "결과 정리 중", "완료"]
# Words a user must never read: developer English, exception names, the tracker.
DEVELOPER_TEXT = re.compile(
    r"issue|#\d|Input should|profile\.|constraints\.|Error\b|Exception|Traceback|validation|"
    r"ConstraintNotMet|\bnull\b|\bundefined\b|\bNaN\b|\[object",
    re.IGNORECASE,
)
CAMEL_CASE = re.compile(r"\b[a-z]+[A-Z]\w*")  # a field name such as maxCookingTime
HANGUL = re.compile(r"[가-힣]")


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


@pytest.fixture(scope="module")
def axe() -> str:
    try:
        script = axe_script(AXE_CACHE)
    except (OSError, subprocess.SubprocessError) as error:
        script = None
        _unavailable(f"axe-core could not be fetched from the npm registry: {error}")
    if script is None:
        _unavailable("npm is not installed: axe-core cannot be fetched")
    assert script is not None
    return script


def _unexpected(message: Any) -> bool:
    # A 4xx is the API's answer the page shows (bad input, no such session); chromium logs it as failed.
    return bool(message.type == "error" and not re.search(r"status of 4\d\d", message.text))


Opener = Callable[..., Any]


@pytest.fixture
def open_page(browser: Any) -> Iterator[Opener]:
    """open_page(server_url, viewport) -> a page whose errors and outside requests fail the test."""
    contexts: list[Any] = []
    problems: list[str] = []

    def opener(url: str, viewport: dict[str, int] = PHONE, **options: Any) -> Any:
        context = browser.new_context(viewport=viewport, locale="ko-KR", bypass_csp=True, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("console", lambda msg: problems.append(f"console: {msg.text}") if _unexpected(msg) else None)

        # Nothing outside this server may be asked for: the page must work on a machine without internet.
        def only_local(route: Any) -> None:
            if route.request.url.startswith(url):
                route.continue_()
            else:
                problems.append(f"outside request: {route.request.url}")
                route.abort()

        page.route("**/*", only_local)
        page.goto(f"{url}/")
        page.locator("#targets input").first.wait_for(state="attached")
        return page

    yield opener
    for context in contexts:
        context.close()
    assert problems == []


def _artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def _session_id(page: Any) -> str:
    match = re.match(r"#/sessions/(.+)$", page.evaluate("location.hash"))
    assert match, page.url
    return match.group(1)


def _watch_progress(page: Any) -> None:
    """Record every phase the bar shows and whether the button was disabled at that moment."""
    page.evaluate(
        """() => {
          window.seen = [];
          const bar = document.getElementById('progress');
          const button = document.getElementById('submit');
          new MutationObserver(() => window.seen.push({
              progress: Number(bar.getAttribute('aria-valuenow')),
              words: document.getElementById('phase-label').textContent,
              disabled: button.disabled,
              visible: !document.getElementById('progress-card').hidden,
          })).observe(bar, {attributes: true, attributeFilter: ['aria-valuenow']});
        }"""
    )


def _assert_plain(text: str) -> None:
    found = DEVELOPER_TEXT.search(text) or CAMEL_CASE.search(text)
    around = "" if found is None else text[max(0, found.start() - 80) : found.end() + 80]
    assert found is None, f"developer text shown to a user: ...{around}..."


def _no_horizontal_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _axe(page: Any, script: str) -> list[dict[str, Any]]:
    page.add_script_tag(content=script)
    report = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in report["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _cook(page: Any, target: str = "다이어트") -> str:
    page.get_by_role("radio", name=target).check()
    page.get_by_role("button", name="레시피 만들기").click()
    page.locator("#recipe-name").wait_for()
    return _session_id(page)


def test_a_phone_session_shows_progress_result_servings_print_and_english(
    open_page: Opener, live_server: LiveServer, axe: str
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = open_page(live_server.url, PHONE)
    assert page.locator("html").get_attribute("lang") == "ko"
    assert page.locator("#form-title").inner_text() == "누구를 위한 요리인가요?"
    assert _axe(page, axe) == []
    # The button is in reach on a phone without scrolling past the form.
    assert page.locator("#submit").bounding_box()["y"] + 40 <= PHONE["height"]
    # and from the keyboard: the second skip link puts the focus on it.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link").nth(1)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#submit")).to_be_focused()

    page.get_by_role("radio", name="다이어트").check()
    page.get_by_role("checkbox", name="알류(가금류)").check()
    page.get_by_role("checkbox", name="고혈압").check()
    page.get_by_label("인분", exact=True).fill("2")
    page.get_by_label("예산", exact=True).fill("40000")
    page.get_by_label("최대 조리 시간").fill("40")
    _watch_progress(page)
    page.get_by_role("button", name="레시피 만들기").click()
    page.locator("#recipe-name").wait_for()
    expect(page.locator("#recipe-name")).to_be_focused()  # focus followed the progress to the result
    seen = page.evaluate("window.seen")
    progress = [s["progress"] for s in seen if s["visible"]]
    assert progress and progress == sorted(progress) and progress[-1] == 100
    assert all(s["disabled"] for s in seen)  # no second session while one runs
    shown_words = [s["words"] for s in seen if s["progress"] > 0]
    assert shown_words == [w for w in PHASE_WORDS_KO if w in shown_words]  # in the design's order
    expect(page.locator("#submit")).to_be_enabled()

    session_id = _session_id(page)
    result = httpx.get(f"{live_server.url}/api/sessions/{session_id}/result", timeout=10).json()
    assert page.locator("#recipe-name").inner_text() == result["recipe"]["recipeName"]
    assert page.locator("#steps li").count() == len(result["recipe"]["instructions"])
    assert page.locator("#total-cost").inner_text() == f"{result['pricing']['totalEstimatedCost']:,}원"
    assert page.locator("#shopping-table tbody tr").count() == len(result["pricing"]["items"])
    assert "egg" not in {line["ingredientKey"] for line in result["pricing"]["items"]}
    for rule, check in zip(result["compliance"], page.locator("#compliance li").all(), strict=True):
        # The rule's title is shown once, above its explanation, not again at its start.
        assert not check.locator(".check-expl").inner_text().startswith(rule["title"]["ko"])
    _assert_plain(page.locator("main").inner_text())
    _no_horizontal_scroll(page)
    # The shopping list is cards: each line's name on one line, never one syllable per line.
    first = page.locator("#shopping-table tbody th").first
    box = first.bounding_box()
    assert box["height"] < 40 and page.evaluate("getComputedStyle(document.body).wordBreak") == "keep-all"
    assert _axe(page, axe) == []
    for anchor, name in (("#recipe-name", "phone-result.png"), ("#shopping-title", "phone-shopping.png")):
        page.evaluate(f"document.querySelector('{anchor}').scrollIntoView({{block: 'start'}})")
        page.evaluate("window.scrollBy(0, -24)")
        page.screenshot(path=str(SCREENSHOTS / name))

    # Servings: the server recomputes; the page shows its numbers.
    three = httpx.post(
        f"{live_server.url}/api/sessions/{session_id}/servings",
        json={"servings": 3, "language": "ko"},
        timeout=30,
    ).json()
    page.get_by_role("button", name="1인분 늘리기").click()
    expect(page.locator("#servings-badge")).to_have_text("3인분")
    assert page.locator("#total-cost").inner_text() == f"{three['pricing']['totalEstimatedCost']:,}원"
    assert page.locator("#cost-per-serving").inner_text() == f"{three['pricing']['costPerServing']:,}원"
    first_line = three["recipe"]["ingredients"][0]
    shown_amount = f"{first_line['amount']:,.2f}".rstrip("0").rstrip(".")
    assert (
        page.locator("#ingredients .amt")
        .first.inner_text()
        .startswith(f"{shown_amount} {first_line['unit']}")
    )
    expect(page.locator("#tool-status")).to_have_text("3인분으로 다시 계산했습니다.")

    # English: the same dish in English, Korean names beside, no Korean units.
    page.get_by_role("button", name="English").click()
    expect(page.locator("#servings-badge")).to_have_text("3")
    english = httpx.post(
        f"{live_server.url}/api/sessions/{session_id}/servings",
        json={"servings": 3, "language": "en"},
        timeout=30,
    ).json()
    expect(page.locator("#recipe-name")).to_have_text(english["recipe"]["recipeName"])
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#total-cost").inner_text() == f"₩{english['pricing']['totalEstimatedCost']:,}"
    for line in page.locator("#ingredients li").all():
        name = line.locator(".ing-name")
        own = name.evaluate("n => n.firstChild.textContent")
        assert not HANGUL.search(own) and not HANGUL.search(line.locator(".amt").inner_text())
        assert HANGUL.search(name.locator(".ko-name").inner_text())  # the Korean name beside
    for cell in page.locator("#shopping-table td[data-label='Package']").all_inner_texts():
        assert not re.search(r"\d\s*(개|봉지|알|팩|단|통|캔|마리)", cell), cell
    page.screenshot(path=str(_artifacts() / "phone-result-en.png"), full_page=True)
    page.get_by_role("button", name="한국어").click()
    expect(page.locator("#recipe-name")).to_have_text(three["recipe"]["recipeName"])


def test_the_laptop_page_prints_the_recipe_without_the_form(
    open_page: Opener, live_server: LiveServer, axe: str
) -> None:
    page = open_page(live_server.url, LAPTOP)
    assert _axe(page, axe) == []
    _cook(page, "키토 (저탄수화물)")
    assert _axe(page, axe) == []
    page.screenshot(path=str(_artifacts() / "laptop-result.png"), full_page=True)
    page.emulate_media(media="print")
    for hidden in ("#profile-form", ".topbar", ".recent-card", ".tools", ".footer"):
        assert page.locator(hidden).is_hidden(), hidden
    for shown in ("#recipe-name", "#nutrition-table", "#compliance", "#shopping-table"):
        assert page.locator(shown).is_visible(), shown
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 800, "height": 1100})  # about an A4 page's width at 96 dpi
    page.screenshot(path=str(SCREENSHOTS / "print.png"), full_page=True)
    pdf_pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", page.pdf(format="A4")))
    assert 1 <= pdf_pages <= 3, pdf_pages  # was five pages with the whole form


def test_every_phase_of_a_fast_session_is_seen_in_order(open_page: Opener, live_server: LiveServer) -> None:
    """All six phases arrive within about 30 ms; the page shows each one, in order, then the result."""
    started = httpx.post(f"{live_server.url}/api/sessions", json={"profile": {"target": "diet"}}, timeout=10)
    session_id = started.json()["sessionId"]
    httpx.get(f"{live_server.url}/api/sessions/{session_id}/events", timeout=30)  # returns at the end
    result = httpx.get(f"{live_server.url}/api/sessions/{session_id}/result", timeout=10).json()
    with ScriptedServer(result) as scripted:
        page = open_page(scripted.url, NARROW_PHONE)
        _no_horizontal_scroll(page)
        _watch_progress(page)
        page.get_by_role("button", name="레시피 만들기").click()
        expect(page.locator("#submit")).to_be_disabled()
        page.locator("#recipe-name").wait_for()
        seen = page.evaluate("window.seen")
        shown = [(s["progress"], s["words"]) for s in seen if s["progress"] > 0]
        assert shown == list(zip([10, 50, 60, 80, 90, 100], PHASE_WORDS_KO, strict=True))
        assert all(s["disabled"] for s in seen)
        expect(page.locator("#submit")).to_be_enabled()
        _no_horizontal_scroll(page)
        page.screenshot(path=str(_artifacts() / "narrow-result.png"), full_page=True)


def test_a_failed_session_says_what_failed_and_what_to_change(
    open_page: Opener, live_server: LiveServer
) -> None:
    page = open_page(live_server.url, NARROW_PHONE)
    page.get_by_role("radio", name="다이어트").check()
    page.get_by_label("최대 조리 시간").fill("1")
    page.get_by_role("button", name="레시피 만들기").click()
    card = page.locator("#failure-card")
    expect(card).to_be_visible()
    expect(page.locator("#failure-title")).to_be_focused()
    status = httpx.get(f"{live_server.url}/api/sessions/{_session_id(page)}", timeout=10).json()
    assert status["status"] in ("FAILED", "failed")
    assert page.locator("#failure-title").inner_text() == "레시피를 만들지 못했습니다"
    assert "최대 조리 시간" in page.locator("#failure-reason").inner_text()  # what failed
    assert "조리 시간" in page.locator("#failure-advice").inner_text()  # what to change
    assert page.locator("#progress-card").is_hidden()  # no red bar at 100 %
    assert page.locator("#result").is_hidden()
    _assert_plain(card.inner_text())
    expect(page.locator("#submit")).to_be_enabled()
    _no_horizontal_scroll(page)
    page.screenshot(path=str(_artifacts() / "failed-ko.png"), full_page=True)


def test_bad_input_is_named_next_to_its_field_in_plain_korean(
    open_page: Opener, live_server: LiveServer
) -> None:
    page = open_page(live_server.url, PHONE)
    page.get_by_role("radio", name="냉장고 파먹기").check()
    page.get_by_role("button", name="레시피 만들기").click()
    expect(page.locator("#fridgeIngredients-error")).to_have_text(
        "‘냉장고 파먹기’는 냉장고 재료를 하나 이상 적어 주세요."
    )
    assert page.locator("#fridgeIngredients").get_attribute("aria-invalid") == "true"

    page.get_by_role("radio", name="키토 (저탄수화물)").check()
    page.get_by_label("인분", exact=True).fill("40")
    page.get_by_label("예산", exact=True).fill("")
    page.get_by_role("button", name="레시피 만들기").click()
    expect(page.locator("#servings-error")).to_have_text("1부터 12까지의 숫자로 적어 주세요.")
    expect(page.locator("#budget-error")).to_have_text("꼭 적어 주세요.")
    assert page.locator("#servings").get_attribute("aria-describedby") == "servings-error"
    assert "인분: 1부터 12까지의 숫자로 적어 주세요." in page.locator("#form-errors").inner_text()
    _assert_plain(page.locator("#profile-form").inner_text())

    # What the server answers for a budget it cannot take, shown the same way (its English stays in the API).
    answer = httpx.post(
        f"{live_server.url}/api/sessions", json={"profile": {"target": "keto", "budget": 0.5}}, timeout=10
    )
    assert answer.status_code == 422 and "profile.budget" in answer.text
    page.route(
        "**/api/sessions",
        lambda route: (
            route.fulfill(status=422, content_type="application/json", body=answer.text)
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    page.get_by_label("인분", exact=True).fill("2")
    page.get_by_label("예산", exact=True).fill("30000")
    page.get_by_role("button", name="레시피 만들기").click()
    expect(page.locator("#budget-error")).to_have_text("30,000 또는 3만원처럼 10,000,000원까지 적어 주세요.")
    _assert_plain(page.locator("#profile-form").inner_text())
    expect(page.locator("#submit")).to_be_enabled()
    page.screenshot(path=str(_artifacts() / "form-error-ko.png"), full_page=True)


def test_a_recent_session_can_be_reopened_and_saved(open_page: Opener, live_server: LiveServer) -> None:
    page = open_page(live_server.url, LAPTOP)
    first = _cook(page, "키토 (저탄수화물)")
    page.goto(f"{live_server.url}/")
    page.locator(f'#recent a[href="#/sessions/{first}"]').click()
    page.locator("#recipe-name").wait_for()
    assert _session_id(page) == first
    page.locator("#save-btn").click()
    expect(page.locator("#save-btn")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f'#favourites a[href="#/sessions/{first}"]')).to_be_visible()
    page.reload()
    expect(page.locator(f'#favourites a[href="#/sessions/{first}"]')).to_be_visible()  # kept in this browser
    # Share: no share sheet in headless chromium, so the link is copied (or shown to copy).
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.locator(f'#favourites a[href="#/sessions/{first}"]').click()
    page.locator("#share-btn").click()
    expect(page.locator("#tool-status")).to_have_text(
        re.compile(r"링크를 복사했습니다|이 링크를 복사해 주세요")
    )


def test_two_browsers_see_only_their_own_sessions(open_page: Opener, live_server: LiveServer) -> None:
    mine = open_page(live_server.url, PHONE)
    theirs = open_page(live_server.url, LAPTOP)
    my_session, their_session = _cook(mine), _cook(theirs, "키토 (저탄수화물)")
    for page, own, other in ((mine, my_session, their_session), (theirs, their_session, my_session)):
        page.get_by_role("button", name="새로고침").click()
        expect(page.locator(f'#recent a[href="#/sessions/{own}"]')).to_be_visible()
        assert page.locator(f'#recent a[href="#/sessions/{other}"]').count() == 0
    anonymous = httpx.get(f"{live_server.url}/api/sessions", timeout=10).json()["sessions"]
    assert anonymous == []
