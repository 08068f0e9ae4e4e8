"""Real-browser checks: WCAG 2.1 AA with axe-core, small screens, keyboard and the CSP.

Runs Debian's Chromium through Playwright against the app served on 127.0.0.1.
Fixtures live in conftest.py; every page is offline (no map tiles).
"""

from __future__ import annotations

import pytest

from tests.browser.live import AXE_OPTIONS, NARROWEST_PHONE, LiveSite, new_page, settle

pytestmark = pytest.mark.browser


def test_pages_have_no_wcag_violations(site: LiveSite, browser) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    csp_errors: list[str] = []
    page = new_page(browser, site, csp_errors)
    reports = {}
    for name in site.paths:
        page.goto(site.url(name))
        settle(page)
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports[name] = results.generate_report()
    # The same pages in English (the switch is remembered in the session).
    page.goto(site.base_url + "/sprog/en?next=/")
    for name in ("home", "search", "unknown place", "offer"):
        page.goto(site.url(name))
        settle(page)
        assert page.locator("html").get_attribute("lang") == "en"
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports[f"{name} (English)"] = results.generate_report()

    assert not reports, "\n\n".join(f"== {name} ==\n{text}" for name, text in reports.items())
    assert csp_errors == []


def test_pages_have_no_wcag_violations_on_a_phone(site: LiveSite, browser) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = new_page(browser, site, [], viewport=NARROWEST_PHONE)
    reports = {}
    for name in ("search", "empty search", "unknown place", "offer", "open data"):
        page.goto(site.url(name))
        settle(page)
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports[name] = results.generate_report()

    assert not reports, "\n\n".join(f"== {name} ==\n{text}" for name, text in reports.items())


def test_home_shows_the_counts(site: LiveSite, browser) -> None:
    page = new_page(browser, site, [])

    page.goto(site.url("home"))

    counts = page.locator(".counts")
    assert counts.is_visible()
    assert "5 fællesskaber i 3 kommuner" in " ".join(counts.inner_text().split())
    assert page.get_by_role("heading", level=1).inner_text() == "Find et fællesskab nær dig"


def test_search_from_the_home_page_works_without_javascript(site: LiveSite, browser) -> None:
    page = new_page(browser, site, [], java_script_enabled=False)
    page.goto(site.url("home"))
    assert not page.get_by_role("button", name="Brug min position").is_visible()

    page.get_by_label("By eller postnummer").fill("Thisted")
    page.get_by_role("button", name="Find fællesskaber").click()

    assert "where=Thisted" in page.url
    assert "lat=" not in page.url, "no empty coordinates"
    titles = page.locator(".offer-card__title a").all_inner_texts()
    assert set(titles) == {"Fællesspisning i Thisted", "Gåtur ved fjorden", "Snak over nettet"}


def test_no_horizontal_scrolling_on_a_320_pixel_screen(site: LiveSite, browser) -> None:
    page = new_page(browser, site, [], viewport=NARROWEST_PHONE)
    too_wide = {}
    for name in site.paths:
        page.goto(site.url(name))
        settle(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > NARROWEST_PHONE["width"]:
            too_wide[name] = width

    assert too_wide == {}


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(
    site: LiveSite, browser
) -> None:
    page = new_page(browser, site, [])
    page.goto(site.url("search"))

    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.innerText]")
    assert focused == ["skip-link", "Gå til indholdet"]
    assert page.locator(".skip-link").is_visible()

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
