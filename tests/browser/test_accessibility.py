"""Real-browser checks: WCAG 2.1 AA with axe-core, small screens, keyboard and the CSP.

Runs Debian's Chromium through Playwright against the app served on 127.0.0.1.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
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
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
NARROWEST_PHONE = {"width": 320, "height": 640}


@dataclass
class LiveSite:
    """The app served over HTTP, and the paths worth visiting."""

    base_url: str
    paths: dict[str, str]

    def url(self, name: str) -> str:
        return self.base_url + self.paths[name]


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing; install it with: apt-get install -y chromium"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def site(app, make_offer) -> Iterator[LiveSite]:
    """Serve the app with a few offers on a free local port; stop the server afterwards."""
    _require_chromium()
    local = make_offer(
        name="Fællesspisning i Thisted",
        municipality_code="787",
        target_groups=["aeldre", "over-85"],
        features=["koerestolsadgang", "hoereslynge"],
        description="Vi laver mad sammen.\n\nAlle er velkomne, også hvis du kommer alene.",
    )
    make_offer(
        name="Gåtur ved fjorden", municipality_code="787", is_free=False, price_text="20 kr."
    )
    make_offer(name="Strikkeklub i København", municipality_code="101", city="København")
    online = make_offer(name="Snak over nettet", virtual=True, features=["online"])

    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, name="live-portal", daemon=True)
    thread.start()
    try:
        yield LiveSite(
            base_url=f"http://127.0.0.1:{server.server_port}",
            paths={
                "home": "/",
                "list": "/tilbud",
                "filtered list": "/tilbud?kommune=787&gratis=1",
                "empty list": "/tilbud?q=xylofonorkester",
                "offer": f"/tilbud/{local.id}",
                "online offer": f"/tilbud/{online.id}",
                "not found": "/tilbud/findes-ikke",
            },
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[object]:
    """Launch headless Chromium once per test."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def _new_page(browser, csp_errors: list[str], **context_options):
    context = browser.new_context(locale="da-DK", **context_options)
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return page


def test_pages_have_no_wcag_violations(site: LiveSite, browser) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    csp_errors: list[str] = []
    page = _new_page(browser, csp_errors)
    reports = {}
    for name in site.paths:
        page.goto(site.url(name))
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports[name] = results.generate_report()
    # The same pages in English (the switch is remembered in the session).
    page.goto(site.base_url + "/sprog/en?next=/")
    for name in ("home", "offer"):
        page.goto(site.url(name))
        assert page.locator("html").get_attribute("lang") == "en"
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports[f"{name} (English)"] = results.generate_report()

    assert not reports, "\n\n".join(f"== {name} ==\n{text}" for name, text in reports.items())
    assert csp_errors == []


def test_home_shows_the_counts(site: LiveSite, browser) -> None:
    csp_errors: list[str] = []
    page = _new_page(browser, csp_errors)

    page.goto(site.url("home"))

    counts = page.locator(".counts")
    assert counts.is_visible()
    assert "4 fællesskaber i 2 kommuner" in " ".join(counts.inner_text().split())
    assert page.get_by_role("heading", level=1).inner_text() == "Find et fællesskab nær dig"


def test_search_from_the_home_page_works_without_javascript(site: LiveSite, browser) -> None:
    page = _new_page(browser, [], java_script_enabled=False)
    page.goto(site.url("home"))

    page.get_by_label("Kommune").select_option("787")
    page.get_by_role("button", name="Find fællesskaber").click()

    assert "kommune=787" in page.url
    titles = page.locator(".offer-card__title").all_inner_texts()
    assert titles == ["Fællesspisning i Thisted", "Gåtur ved fjorden", "Snak over nettet"]


def test_no_horizontal_scrolling_on_a_320_pixel_screen(site: LiveSite, browser) -> None:
    page = _new_page(browser, [], viewport=NARROWEST_PHONE)
    too_wide = {}
    for name in site.paths:
        page.goto(site.url(name))
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > NARROWEST_PHONE["width"]:
            too_wide[name] = width

    assert too_wide == {}


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(
    site: LiveSite, browser
) -> None:
    page = _new_page(browser, [])
    page.goto(site.url("list"))

    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.innerText]")
    assert focused == ["skip-link", "Gå til indholdet"]
    assert page.locator(".skip-link").is_visible()

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
