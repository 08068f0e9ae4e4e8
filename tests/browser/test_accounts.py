"""Account pages in a real browser: WCAG 2.1 AA with axe-core, and usable on a 320 px phone."""

from __future__ import annotations

import pytest

from tests.browser.live import AXE_OPTIONS, DESKTOP, NARROWEST_PHONE, LiveSite, new_page
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def _violations(page) -> str | None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    return results.generate_report() if results.violations_count else None


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("viewport", [DESKTOP, NARROWEST_PHONE], ids=["desktop", "320px"])
def test_sign_up_and_login_pages_have_no_violations(site: LiveSite, browser, viewport) -> None:
    csp_errors: list[str] = []
    page = new_page(browser, site, csp_errors, viewport=viewport)
    reports = {}
    for path in ("/konto/opret", "/log-ind", "/glemt-adgangskode"):
        page.goto(site.base_url + path)
        assert _fits(page), f"{path} is wider than the screen"
        if report := _violations(page):
            reports[path] = report

    assert not reports, "\n\n".join(f"== {path} ==\n{text}" for path, text in reports.items())
    assert csp_errors == []


@pytest.mark.parametrize("viewport", [DESKTOP, NARROWEST_PHONE], ids=["desktop", "320px"])
def test_sign_up_errors_are_shown_next_to_the_fields_and_at_the_top(
    site: LiveSite, browser, viewport
) -> None:
    page = new_page(browser, site, [], viewport=viewport)
    page.goto(site.base_url + "/konto/opret")

    page.get_by_label("Navn").fill("Karen Jensen")
    page.get_by_label("E-mail").fill("karen@forening")
    page.get_by_label("Adgangskode", exact=True).fill("sommer2024")
    page.get_by_label("Gentag adgangskoden").fill("sommer2025")
    page.get_by_role("button", name="Opret konto").click()

    summary = page.get_by_role("alert")
    assert summary.is_visible()
    assert "Der er noget, der skal rettes" in summary.inner_text()
    email = page.get_by_label("E-mail")
    assert email.get_attribute("aria-invalid") == "true"
    assert email.input_value() == "karen@forening"
    assert page.get_by_label("Navn").input_value() == "Karen Jensen"
    assert "gyldig e-mailadresse" in page.locator("#email-error").inner_text()
    assert "for let at gætte" in page.locator("#password-error").inner_text()
    # A link in the summary moves focus to the field.
    summary.get_by_role(
        "link", name="Skriv en gyldig e-mailadresse, f.eks. navn@eksempel.dk."
    ).click()
    assert page.evaluate("document.activeElement.id") == "email"
    assert _fits(page)
    assert _violations(page) is None


def test_signing_in_by_keyboard_and_the_header_on_a_phone(
    site: LiveSite, browser, make_user
) -> None:
    make_user(email="karen@forening.example", name="Karen Margrethe Østergaard-Jensen")
    page = new_page(browser, site, [], viewport=NARROWEST_PHONE)
    page.goto(site.base_url + "/log-ind")

    page.get_by_label("E-mail").focus()
    page.keyboard.type("karen@forening.example")
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/log-ind" not in page.url

    page.goto(site.base_url + "/konto")
    header = page.locator(".account-nav")
    assert header.get_by_role("link", name="Mit overblik").is_visible()
    assert header.get_by_role("button", name="Log ud").is_visible()
    assert "Østergaard-Jensen" in header.inner_text()
    assert _fits(page)
    assert _violations(page) is None

    with page.expect_navigation():
        header.get_by_role("button", name="Log ud").click()
    assert page.locator(".account-nav").get_by_role("link", name="Log ind").is_visible()
