"""Real-browser checks of the association pages: WCAG 2.1 AA with axe-core, phones, the CSP."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from portal.accounts.models import MemberRole
from portal.db import utcnow
from portal.offers.models import ServiceStatus
from tests.browser.live import (
    AXE_OPTIONS,
    NARROWEST_PHONE,
    LiveSite,
    new_page,
    require_chromium,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def association_site(app, make_offer, make_organization, make_user) -> Iterator[LiveSite]:
    """Serve an association with fresh, due, hidden and draft offers; sign its owner in."""
    require_chromium()
    organization = make_organization(name="Fællesspisning Thy", cvr="13585628")
    owner = make_user(email="ejer@example.org", organization=organization, name="Karen Ejer")
    make_user(email="redaktoer@example.org", organization=organization, role=MemberRole.EDITOR)
    for name, days, status in [
        ("Fællesspisning i Thisted", 10, ServiceStatus.PUBLISHED),
        (
            "Gåtur ved fjorden med en meget lang titel der skal kunne brydes",
            340,
            ServiceStatus.PUBLISHED,
        ),
        ("Strikkeklub", 400, ServiceStatus.PUBLISHED),
        ("Sorggruppe", 1, ServiceStatus.DRAFT),
    ]:
        make_offer(
            organization=organization,
            name=name,
            status=status,
            last_confirmed_at=utcnow() - dt.timedelta(days=days),
        )
    cookie = app.session_interface.get_signing_serializer(app).dumps(
        {"_user_id": owner.get_id(), "_fresh": True}
    )

    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, name="live-portal", daemon=True)
    thread.start()
    try:
        site = LiveSite(
            base_url=f"http://127.0.0.1:{server.server_port}",
            paths={
                "dashboard": f"/forening/{organization.id}",
                "new": "/forening/ny",
                "members": f"/forening/{organization.id}/medlemmer",
                "profile": f"/forening/{organization.id}/profil",
            },
        )
        site.session_cookie = {  # type: ignore[attr-defined]
            "name": app.config["SESSION_COOKIE_NAME"],
            "value": cookie,
            "url": site.base_url,
        }
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def signed_in_page(browser, site: LiveSite, csp_errors: list[str], **options):
    page = new_page(browser, site, csp_errors, **options)
    page.context.add_cookies([site.session_cookie])  # type: ignore[attr-defined]
    return page


def violations(page) -> str | None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    return results.generate_report() if results.violations_count else None


def test_association_pages_have_no_wcag_violations(association_site: LiveSite, browser) -> None:
    csp_errors: list[str] = []
    page = signed_in_page(browser, association_site, csp_errors)
    reports = {}
    for name in ("dashboard", "members", "profile", "new"):
        page.goto(association_site.url(name))
        assert page.get_by_role("heading", level=1).is_visible()
        if report := violations(page):
            reports[name] = report

    # The new-organisation form with its errors shown.
    page.goto(association_site.url("new"))
    page.get_by_label("Foreningens navn").fill("")
    page.get_by_label("CVR-nummer (valgfrit)").fill("13585627")
    page.get_by_label("Hjemmeside (valgfrit)").fill("javascript:alert(1)")
    page.get_by_label("Telefon (valgfrit)").fill("12")
    page.get_by_role("button", name="Opret foreningen").click()
    summary = page.get_by_role("alert")
    assert "Der er noget, der skal rettes" in summary.inner_text()
    assert page.get_by_label("CVR-nummer (valgfrit)").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("CVR-nummer (valgfrit)").input_value() == "13585627"
    if report := violations(page):
        reports["new with errors"] = report

    assert not reports, "\n\n".join(f"== {name} ==\n{text}" for name, text in reports.items())
    assert csp_errors == []


def test_the_dashboard_fits_a_narrow_phone(association_site: LiveSite, browser) -> None:
    page = signed_in_page(browser, association_site, [], viewport=NARROWEST_PHONE)

    page.goto(association_site.url("dashboard"))

    due = page.locator(".due-box")
    assert due.is_visible()
    assert "Strikkeklub" in due.inner_text() and "Gåtur ved fjorden" in due.inner_text()
    assert "Fællesspisning i Thisted" not in due.inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROWEST_PHONE["width"]
    if report := violations(page):
        pytest.fail(report)


def test_an_error_link_in_the_summary_moves_to_its_field(association_site: LiveSite, browser):
    page = signed_in_page(browser, association_site, [])
    page.goto(association_site.url("new"))
    page.get_by_label("Postnummer (valgfrit)").fill("77")
    page.get_by_role("button", name="Opret foreningen").click()

    page.get_by_role("link", name="Et postnummer har 4 cifre, fx 7700.").click()

    assert page.evaluate("document.activeElement.id") == "postal_code"
