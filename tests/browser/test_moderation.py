"""Real-browser checks of the moderation pages: WCAG 2.1 AA with axe-core, phone and keyboard."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from portal.extensions import db
from portal.moderation.models import VersionEvent
from portal.moderation.publication import apply_edit, submit
from portal.moderation.tokens import make_confirm_token
from portal.moderation.versions import record_version
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
def moderation_site(
    app, client, login, make_organization, make_offer, make_user
) -> Iterator[tuple]:
    """Serve a review queue with a new offer and a changed one; yield the site and a session."""
    require_chromium()
    organization = make_organization(name="Nye Venner Thy", is_verified=False)
    owner = make_user("ejer@nyevenner.example", organization, name="Ole Ejer")
    admin = make_user("admin@portal.example", name="Anna Admin", is_admin=True)
    new = make_offer(
        organization=organization,
        name="Strikkecafé i Hurup",
        status=ServiceStatus.DRAFT,
        description="Vi strikker <i>og</i> drikker kaffe.",
    )
    submit(new, owner)
    changed = make_offer(organization=organization, name="Gåtur ved Limfjorden")
    record_version(changed, admin, VersionEvent.PUBLISHED, is_published=True)
    changed.description = "Vi går en lang tur langs vandet og drikker kaffe bagefter."
    changed.schedules[0].byday = "WE"
    apply_edit(changed, owner)
    db.session.commit()
    login(admin)
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))

    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, name="live-portal", daemon=True)
    thread.start()
    try:
        site = LiveSite(
            base_url=f"http://127.0.0.1:{server.server_port}",
            paths={
                "admin": "/admin",
                "queue": "/admin/godkendelse",
                "review new": f"/admin/tilbud/{new.id}",
                "review changed": f"/admin/tilbud/{changed.id}",
                "history": f"/tilbud/{changed.id}/historik",
                "version": f"/tilbud/{changed.id}/historik/1",
                "confirm": f"/bekraeft/{make_confirm_token(changed)}",
                "confirm invalid": "/bekraeft/ikke-et-gyldigt-link",
            },
        )
        yield site, cookie.value
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _signed_in_page(browser, site: LiveSite, session_cookie: str, csp_errors: list[str], **options):
    page = new_page(browser, site, csp_errors, **options)
    page.context.add_cookies([{"name": "session", "value": session_cookie, "url": site.base_url}])
    return page


def test_moderation_pages_have_no_wcag_violations(moderation_site, browser) -> None:
    from axe_playwright_python.sync_playwright import Axe

    site, cookie = moderation_site
    axe = Axe()
    csp_errors: list[str] = []
    reports = {}
    for viewport in (None, NARROWEST_PHONE):
        options = {"viewport": viewport} if viewport else {}
        page = _signed_in_page(browser, site, cookie, csp_errors, **options)
        for name in site.paths:
            page.goto(site.url(name))
            assert page.locator("h1").count() == 1, name
            results = axe.run(page, options=AXE_OPTIONS)
            if results.violations_count:
                reports[f"{name} ({'phone' if viewport else 'desktop'})"] = (
                    results.generate_report()
                )
        page.context.close()

    assert not reports, "\n\n".join(f"== {name} ==\n{text}" for name, text in reports.items())
    assert csp_errors == []


def test_a_rejection_without_reason_is_explained_next_to_the_field(
    moderation_site, browser
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    site, cookie = moderation_site
    page = _signed_in_page(browser, site, cookie, [])
    page.goto(site.url("review new"))
    assert "Nyt tilbud" in page.inner_text("main")
    assert "<i>og</i>" in page.inner_text("main")  # shown as text, never as markup

    page.get_by_role("button", name="Afvis og send tilbage").click()

    field = page.get_by_label("Begrundelse til foreningen")
    assert field.get_attribute("aria-invalid") == "true"
    assert "Skriv en begrundelse" in page.locator(".error-summary").inner_text()
    link = page.locator(".error-summary a")
    assert link.get_attribute("href") == "#" + field.get_attribute("id")
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()

    field.fill("Skriv venligst, hvor I mødes.")
    page.get_by_role("button", name="Afvis og send tilbage").click()
    assert "Strikkecafé i Hurup er sendt tilbage til foreningen." in page.inner_text("main")


def test_the_confirm_button_works_from_the_keyboard(moderation_site, browser) -> None:
    site, cookie = moderation_site
    page = new_page(browser, site, [])
    page.goto(site.url("confirm"))
    button = page.get_by_role("button", name="Ja, tilbuddet kører stadig")
    box = button.bounding_box()
    assert box and box["height"] >= 44

    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert "Tak for bekræftelsen" in page.inner_text("h1")
