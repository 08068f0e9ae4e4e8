"""Real-browser checks of problem reports: WCAG 2.1 AA with axe-core, phone, no JavaScript."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from portal.extensions import db
from portal.moderation.models import ProblemKind, ProblemReport
from portal.moderation.reports import create_report
from tests.browser.live import (
    AXE_OPTIONS,
    NARROWEST_PHONE,
    LiveSite,
    new_page,
    require_chromium,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def report_site(app, client, login, make_organization, make_offer, make_user) -> Iterator[tuple]:
    """Serve an offer to report on and a queue with one report; yield the site and a session."""
    require_chromium()
    app.config["RATELIMIT_REPORTS"] = "1000 per hour"
    organization = make_organization(name="Nye Venner Thy")
    offer = make_offer(organization=organization, name="Strikkecafé i Hurup")
    reported = make_offer(organization=organization, name="Gåtur ved Limfjorden")
    create_report(reported, ProblemKind.WRONG_PLACE, "Vi mødes nu ved <havnen>.\nFra kl. 10.")
    db.session.commit()
    login(make_user("admin@portal.example", name="Anna Admin", is_admin=True))
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))

    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, name="live-portal", daemon=True)
    thread.start()
    try:
        site = LiveSite(
            base_url=f"http://127.0.0.1:{server.server_port}",
            paths={
                "offer": f"/tilbud/{offer.id}",
                "form": f"/tilbud/{offer.id}/rapporter",
                "queue": "/admin/rapporter",
                "organisation": f"/forening/{organization.id}/rapporter",
            },
        )
        yield site, cookie.value
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _idle(page) -> None:
    """Wait until the page has fetched everything, so no download is cut off by leaving it."""
    page.wait_for_load_state("networkidle")


def _violations(axe, page) -> str:
    _idle(page)
    results = axe.run(page, options=AXE_OPTIONS)
    return results.generate_report() if results.violations_count else ""


def test_the_report_form_its_error_and_the_thanks_are_accessible(report_site, browser) -> None:
    from axe_playwright_python.sync_playwright import Axe

    site, _session = report_site
    axe = Axe()
    csp_errors: list[str] = []
    page = new_page(browser, site, csp_errors)
    reports: dict[str, str] = {}

    page.goto(site.url("offer"))
    _idle(page)
    page.get_by_role("link", name="Rapportér et problem").click()
    assert page.url == site.url("form")
    reports["form"] = _violations(axe, page)

    page.get_by_label("Noget andet er forkert").check()
    page.get_by_role("button", name="Send rapporten").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert "Skriv kort, hvad der er forkert." in summary.inner_text()
    assert page.title().startswith("Fejl:")
    reports["form with an error"] = _violations(axe, page)

    summary.get_by_role("link").click()
    message = page.get_by_label("Fortæl gerne mere (frivilligt)")
    assert message.evaluate("element => element === document.activeElement")
    message.fill("Caféen holder nu til i biblioteket.")
    page.get_by_role("button", name="Send rapporten").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Tak for din besked"
    reports["thanks"] = _violations(axe, page)
    page.get_by_role("link", name="Tilbage til tilbuddet").click()
    assert page.url == site.url("offer")
    _idle(page)

    failures = {name: text for name, text in reports.items() if text}
    assert not failures, "\n\n".join(f"== {name} ==\n{text}" for name, text in failures.items())
    assert csp_errors == []
    stored = db.session.scalars(
        sa.select(ProblemReport.message).where(ProblemReport.kind == ProblemKind.OTHER)
    ).all()
    assert stored == ["Caféen holder nu til i biblioteket."]


def test_the_form_on_a_phone_by_keyboard(report_site, browser) -> None:
    from axe_playwright_python.sync_playwright import Axe

    site, _session = report_site
    page = new_page(browser, site, [], viewport=NARROWEST_PHONE)
    page.goto(site.url("form"))

    # The hidden field for bots is never reached by Tab.
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.name || document.activeElement.id"))
    assert "kind" in reached
    assert "message" in reached
    assert "website" not in reached
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROWEST_PHONE["width"]
    assert _violations(Axe(), page) == ""


def test_a_report_can_be_sent_without_javascript(report_site, browser) -> None:
    site, _session = report_site
    page = new_page(browser, site, [], java_script_enabled=False)
    page.goto(site.url("form"))
    _idle(page)

    page.get_by_label("Tilbuddet findes ikke længere").check()
    page.get_by_role("button", name="Send rapporten").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Tak for din besked"
    _idle(page)


def test_the_queues_are_accessible(report_site, browser) -> None:
    from axe_playwright_python.sync_playwright import Axe

    site, session = report_site
    axe = Axe()
    csp_errors: list[str] = []
    page = new_page(browser, site, csp_errors)
    page.context.add_cookies([{"name": "session", "value": session, "url": site.base_url}])
    reports: dict[str, str] = {}

    for name in ("queue", "organisation"):
        page.goto(site.url(name))
        assert "Gåtur ved Limfjorden" in page.inner_text("main")
        reports[name] = _violations(axe, page)
    page.set_viewport_size(NARROWEST_PHONE)
    page.goto(site.url("queue"))
    reports["queue on a phone"] = _violations(axe, page)
    page.get_by_label("Note (frivillig)").fill("Adressen er rettet.")
    page.get_by_role("button", name="Markér som løst").click()
    assert "Rapporten er markeret som løst." in page.inner_text("main")
    reports["queue after resolving"] = _violations(axe, page)

    failures = {name: text for name, text in reports.items() if text}
    assert not failures, "\n\n".join(f"== {name} ==\n{text}" for name, text in failures.items())
    assert csp_errors == []
