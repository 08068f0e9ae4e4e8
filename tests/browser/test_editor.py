"""The offer editor in a real browser: a volunteer writes an offer, on a desktop and a small phone.

Runs Debian's Chromium through Playwright against the app served on 127.0.0.1;
map tiles are refused, as without internet.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from portal.extensions import db
from portal.models import Service, ServiceStatus
from tests.browser.live import (
    AXE_OPTIONS,
    DESKTOP,
    NARROWEST_PHONE,
    LiveSite,
    new_page,
    require_chromium,
)

pytestmark = pytest.mark.browser


@dataclass
class EditorSite:
    """The live site and the signed-in volunteer's session cookie."""

    site: LiveSite
    cookie: dict[str, str]
    organization_id: str

    def open(self, browser, **context_options):
        """Open a page signed in as the volunteer; return it and its CSP errors."""
        csp_errors: list[str] = []
        page = new_page(browser, self.site, csp_errors, **context_options)
        page.context.add_cookies([self.cookie])
        # The favicon is fetched after each load; a quick next click would cut the
        # server's file transfer short and leave the file to the garbage collector.
        page.route(
            "**/favicon.svg",
            lambda route: route.fulfill(
                status=200,
                content_type="image/svg+xml",
                body='<svg xmlns="http://www.w3.org/2000/svg"/>',
            ),
        )
        return page, csp_errors

    @property
    def new_offer(self) -> str:
        return f"{self.site.base_url}/forening/{self.organization_id}/tilbud/nyt"


@pytest.fixture
def editor_site(app, make_organization, make_user) -> Iterator[EditorSite]:
    """Serve the app with one association and a signed-in volunteer; stop it afterwards."""
    require_chromium()
    organization = make_organization(name="Strikkeforeningen Vejle")
    volunteer = make_user(organization=organization)
    serializer = app.session_interface.get_signing_serializer(app)
    session = serializer.dumps({"_user_id": volunteer.get_id(), "_fresh": True})
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, name="live-editor", daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield EditorSite(
            site=LiveSite(base_url=base_url, paths={}),
            cookie={
                "name": app.config["SESSION_COOKIE_NAME"],
                "value": session,
                "url": base_url,
            },
            organization_id=str(organization.id),
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def fill_a_weekly_offer(page) -> None:
    """Fill in the fields a volunteer needs for a weekly offer at one place."""
    page.get_by_label("Titel").fill("Strikkeklub på biblioteket")
    page.get_by_label("Beskrivelse").fill("Vi strikker og drikker kaffe.\n\nAlle kan være med.")
    page.get_by_label("Kreative aktiviteter").check()
    page.get_by_label("Alle", exact=True).check()
    page.get_by_label("Vej og husnummer").fill("Willy Sørensens Plads 2")
    page.get_by_label("Postnummer").fill("7100")
    page.get_by_label("By", exact=True).fill("Vejle")
    page.get_by_label("Tirsdag", exact=True).check()
    page.get_by_label("Fra klokken").fill("14:00")
    page.get_by_label("Til klokken (valgfrit)").fill("16:00")


def loaded(page) -> None:
    """Wait until the page and its scripts have loaded.

    Leaving a page while the server still sends a file cuts the transfer short
    and leaves the file to the garbage collector, which pytest reports.
    """
    page.wait_for_load_state("load")
    page.wait_for_load_state("networkidle")


def axe_report(page) -> str:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    return results.generate_report() if results.violations_count else ""


def test_a_volunteer_writes_an_offer_and_sees_it_in_preview(editor_site, browser) -> None:
    page, csp_errors = editor_site.open(browser, viewport=DESKTOP)
    page.goto(editor_site.new_offer)
    assert page.get_by_role("heading", level=1).inner_text() == "Nyt tilbud"

    fill_a_weekly_offer(page)
    page.get_by_role("button", name="Gem kladde").click()

    page.wait_for_url(re.compile(r"/tilbud/[0-9a-f-]+/rediger$"))
    loaded(page)
    assert "Kladden er gemt" in page.locator(".flash-messages").inner_text()
    meetings = page.locator(".meetings-preview__list li")
    assert meetings.count() == 5
    assert all(text.startswith("tirsdag") for text in meetings.all_inner_texts())
    # The address was found, so the map shows a pin that can be dragged.
    page.locator("#places-0-map").scroll_into_view_if_needed()
    page.wait_for_selector("#places-0-map.map--ready", timeout=10_000)
    assert page.locator("#places-0-map .map-marker--pin").count() == 1
    assert page.locator("#places-0-latitude").input_value().startswith("55.7")

    page.get_by_role("link", name="Se forhåndsvisning").click()
    loaded(page)

    banner = page.locator(".preview-banner")
    assert "Forhåndsvisning — ikke offentlig endnu" in banner.inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "Strikkeklub på biblioteket"
    assert "Hver tirsdag kl. 14.00–16.00" in page.locator("main").inner_text()
    assert "Willy Sørensens Plads 2" in page.locator("main").inner_text()
    assert csp_errors == []
    (service,) = db.session.scalars(sa.select(Service)).all()
    assert service.status is ServiceStatus.DRAFT


def test_the_editor_with_errors_is_accessible(editor_site, browser) -> None:
    page, csp_errors = editor_site.open(browser, viewport=DESKTOP)
    page.goto(editor_site.new_offer)
    assert axe_report(page) == ""

    page.get_by_label("Vej og husnummer").fill("Skolevej 1")
    page.get_by_label("Fra klokken").fill("16:00")
    page.get_by_label("Til klokken (valgfrit)").fill("14:00")
    page.get_by_role("button", name="Send til godkendelse").click()
    loaded(page)

    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert "Skriv en titel" in summary.inner_text()
    assert page.locator("#schedules-0-closes_at").get_attribute("aria-invalid") == "true"
    assert page.locator("#places-0-address").input_value() == "Skolevej 1"
    report = axe_report(page)
    assert report == "", report
    page.get_by_role("link", name=re.compile("Skriv en titel")).click()
    assert page.evaluate("document.activeElement.id") == "name"
    # Choosing another kind of schedule hides that kind's parts, except one with an error.
    page.get_by_label("Efter aftale (intet fast tidspunkt)").check()
    assert page.locator("#schedules-0-note").is_visible()
    assert not page.locator("#schedules-0-starts_on").is_visible()
    assert page.locator("#schedules-0-closes_at").is_visible()
    assert csp_errors == []


def test_the_editor_works_on_a_small_phone(editor_site, browser) -> None:
    page, _csp = editor_site.open(browser, viewport=NARROWEST_PHONE)
    page.goto(editor_site.new_offer)

    assert page.evaluate("document.documentElement.scrollWidth") <= NARROWEST_PHONE["width"]
    assert axe_report(page) == ""
    fill_a_weekly_offer(page)
    page.get_by_role("button", name="Gem kladde").click()
    page.wait_for_url(re.compile(r"/rediger$"))
    loaded(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROWEST_PHONE["width"]
    page.get_by_role("button", name="Gem kladde").click()
    loaded(page)
    assert "Kladden er gemt" in page.locator(".flash-messages").inner_text()


def test_places_and_times_are_added_without_javascript(editor_site, browser) -> None:
    page, _csp = editor_site.open(browser, viewport=DESKTOP, java_script_enabled=False)
    page.goto(editor_site.new_offer)
    page.get_by_label("Titel").fill("Gåtur ved fjorden")

    page.get_by_role("button", name="Tilføj et sted").click()
    loaded(page)

    assert page.get_by_label("Titel").input_value() == "Gåtur ved fjorden"
    assert page.locator("#places-1").is_visible()
    assert page.url.endswith("#places-1")
    page.get_by_role("button", name="Fjern sted 1").click()
    loaded(page)
    assert page.locator("#places-1").count() == 0
    assert page.locator("#places-0").count() == 1

    # Enter in a text box saves; it does not add or remove a block.
    page.get_by_label("Titel").press("Enter")

    page.wait_for_url(re.compile(r"/rediger$"))
    loaded(page)
    assert "Kladden er gemt" in page.locator(".flash-messages").inner_text()
