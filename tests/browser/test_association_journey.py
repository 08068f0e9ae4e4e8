"""The whole association journey in a real browser, from sign-up to the yearly confirmation.

A volunteer signs up, confirms the address from the mail, creates an association
and writes an offer that waits for review; an admin approves it; a citizen finds
it; eleven months later the reminder mail's link confirms it still runs. Debian's
Chromium runs the pages through Playwright against the app served on 127.0.0.1,
and axe-core checks the pages on the way.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pyotp
import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from portal.accounts.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.find.engine import search_engine
from portal.find.sync import drain_all
from portal.mail.models import MailMessage
from portal.offers.models import Service, ServiceStatus
from portal.organizations.models import Organization
from portal.twofactor.models import TwoFactor
from tests.browser.live import DESKTOP, LiveSite, new_page, require_chromium
from tests.browser.test_editor import axe_report, loaded
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

VOLUNTEER = "mette.frivillig@thy-venner.example"
PASSPHRASE = "blæksprutten danser tango i Hanstholm havn"
TITLE = "Kortspil og kaffe i Thisted"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@pytest.fixture
def journey_site(app) -> Iterator[LiveSite]:
    """Serve the app, with nothing in it yet, on a free local port; stop it afterwards."""
    require_chromium()
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, name="live-journey", daemon=True)
    thread.start()
    try:
        yield LiveSite(base_url=f"http://127.0.0.1:{server.server_port}", paths={})
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def open_browser(browser, site: LiveSite, csp_errors: list[str]):
    """Open a page in a context of its own: its own cookies, so its own person."""
    page = new_page(browser, site, csp_errors, viewport=DESKTOP)
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
    return page


def submit(page, button: str, url: str | re.Pattern[str] | None = None) -> None:
    """Press a button that sends a form and wait until the next page has loaded."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()
    if url is not None:
        page.wait_for_url(url)
    loaded(page)


def up_to_date() -> None:
    """End the test's own transaction so the next read sees what the live site wrote.

    Never a rollback: on PostgreSQL the live site's requests run in savepoints
    of the same connection, and rolling back would undo them.
    """
    db.session.commit()
    db.session.expire_all()


def mailed_link(site: LiveSite, to: str, template: str, path: str) -> str:
    """Return the link in the newest mail of ``template`` to ``to``, pointed at the live site."""
    up_to_date()
    message = db.session.scalars(
        sa.select(MailMessage)
        .where(MailMessage.to_address == to, MailMessage.template == template)
        .order_by(MailMessage.created_at.desc())
    ).first()
    assert message is not None, f"no {template} mail to {to}"
    links = [
        link
        for link in re.findall(r"https?://\S+", message.body_text)
        if urlsplit(link).path.startswith(path)
    ]
    assert len(links) == 1, message.body_text
    # The mail points at PUBLIC_URL; the live site listens on another port.
    parts = urlsplit(links[0])
    return site.base_url + parts.path + (f"?{parts.query}" if parts.query else "")


def flashed(page) -> str:
    """Return the text of the messages shown after the last action."""
    return page.locator(".flash-messages").inner_text()


def search_results(page, site: LiveSite) -> list[str]:
    """Search as a citizen for the title's first word in Thisted; return the titles found."""
    page.goto(f"{site.base_url}/search?q=kortspil&where=Thisted")
    loaded(page)
    return page.locator(".offer-card__title a").all_inner_texts()


def sign_up_and_confirm(page, site: LiveSite) -> None:
    """Sign up, confirm the address from the mail and sign in; end on the new-association page."""
    page.goto(site.base_url + "/konto/opret")
    loaded(page)
    assert axe_report(page) == "", axe_report(page)
    page.get_by_label("Navn").fill("Mette Frivillig")
    page.get_by_label("E-mail").fill(VOLUNTEER)
    page.get_by_label("Adgangskode", exact=True).fill(PASSPHRASE)
    page.get_by_label("Gentag adgangskoden").fill(PASSPHRASE)
    submit(page, "Opret konto", "**/konto/tjek-din-indbakke")
    assert page.get_by_role("heading", level=1).inner_text() == "Tjek din indbakke"
    assert VOLUNTEER in page.locator("main").inner_text()

    page.goto(mailed_link(site, VOLUNTEER, "account_verify", "/konto/bekraeft/"))
    loaded(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Bekræft din e-mailadresse"
    submit(page, "Bekræft adressen", re.compile(r"/log-ind(\?.*)?$"))
    assert "Din e-mailadresse er bekræftet" in flashed(page)

    page.get_by_label("E-mail").fill(VOLUNTEER)
    page.get_by_label("Adgangskode", exact=True).fill(PASSPHRASE)
    # Without an association yet, the volunteer is sent on to create one.
    submit(page, "Log ind", "**/forening/ny")


def create_association(page) -> str:
    """Create an association from the open form; return its id."""
    assert page.get_by_role("heading", level=1).inner_text() == "Opret en forening"
    assert axe_report(page) == "", axe_report(page)
    page.get_by_label("Foreningens navn").fill("Thy-venner")
    page.get_by_label("Postnummer (valgfrit)").fill("7700")
    submit(page, "Opret foreningen", re.compile(rf"/forening/{UUID}$"))
    assert "Foreningen er oprettet" in flashed(page)
    assert "gennemset af portalens redaktion" in page.locator("main").inner_text()
    return page.url.rsplit("/", 1)[1]


def write_offer(page) -> str:
    """Write the offer in the editor (first once empty), preview it, send it; return its id."""
    page.get_by_role("link", name="Opret et tilbud").click()
    page.wait_for_url(re.compile(rf"/forening/{UUID}/tilbud/nyt$"))
    loaded(page)
    submit(page, "Send til godkendelse")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert "Skriv en titel" in summary.inner_text()
    assert page.get_by_label("Titel").get_attribute("aria-invalid") == "true"
    assert axe_report(page) == "", axe_report(page)

    page.get_by_label("Titel").fill(TITLE)
    page.get_by_label("Beskrivelse").fill(
        "Vi spiller whist og kasino og drikker kaffe.\n\nDu kan komme alene."
    )
    page.get_by_label("Social café og værested").check()
    page.get_by_label("Ældre", exact=True).check()
    page.get_by_label("Vej og husnummer").fill("Tingstrupvej 20")
    page.get_by_label("Postnummer").fill("7700")
    page.get_by_label("By", exact=True).fill("Thisted")
    page.get_by_label("Onsdag", exact=True).check()
    page.get_by_label("Fra klokken").fill("19:00")
    page.get_by_label("Til klokken (valgfrit)").fill("21:30")
    submit(page, "Gem kladde", re.compile(rf"/tilbud/{UUID}/rediger$"))
    assert "Kladden er gemt" in flashed(page)
    edit_url = page.url

    page.get_by_role("link", name="Se forhåndsvisning").click()
    page.wait_for_url(re.compile(r"/forhaandsvisning$"))
    loaded(page)
    assert "ikke offentlig endnu" in page.locator(".preview-banner").inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    main = page.locator("main").inner_text()
    assert "Hver onsdag kl. 19.00–21.30" in main
    assert "Tingstrupvej 20" in main

    page.goto(edit_url)
    loaded(page)
    submit(page, "Send til godkendelse", edit_url)
    assert "Tilbuddet er sendt til godkendelse" in flashed(page)
    return edit_url.split("/")[-2]


def approve_as_admin(page, site: LiveSite, secret: str) -> None:
    """Sign in as the admin, pass the second factor and approve the offer in the queue."""
    page.goto(site.base_url + "/admin/godkendelse")
    page.wait_for_url(re.compile(r"/log-ind\?"))
    loaded(page)
    page.get_by_label("E-mail").fill("admin@portal.example")
    page.get_by_label("Adgangskode", exact=True).fill(TEST_PASSWORD)
    submit(page, "Log ind", re.compile(r"/konto/totrin/kode"))
    page.get_by_label("Kode").fill(pyotp.TOTP(secret).now())
    submit(page, "Fortsæt", "**/admin/godkendelse")

    waiting = page.locator("section", has=page.locator("#venter"))
    assert "Venter på godkendelse (1)" in waiting.inner_text()
    assert "Thy-venner · ny forening" in waiting.inner_text()
    waiting.get_by_role("link", name=TITLE).click()
    page.wait_for_url(re.compile(rf"/admin/tilbud/{UUID}$"))
    loaded(page)
    submit(page, "Godkend og offentliggør", "**/admin/godkendelse")
    assert f"{TITLE} er godkendt og offentliggjort." in flashed(page)
    assert "Der er ingen tilbud, der venter på godkendelse." in page.locator("main").inner_text()


def test_an_association_signs_up_publishes_an_offer_and_keeps_it_alive(
    journey_site: LiveSite, browser, make_user, runner
) -> None:
    site = journey_site
    csp_errors: list[str] = []

    # 1-2. The volunteer: an account, an association, an offer sent for review.
    volunteer = open_browser(browser, site, csp_errors)
    sign_up_and_confirm(volunteer, site)
    organization_id = create_association(volunteer)
    offer_id = write_offer(volunteer)

    up_to_date()
    offer = db.session.get(Service, uuid.UUID(offer_id))
    assert offer is not None and offer.status is ServiceStatus.PENDING_REVIEW
    organization = db.session.get(Organization, uuid.UUID(organization_id))
    assert organization is not None and not organization.is_verified
    user = db.session.scalars(sa.select(User).where(User.email == VOLUNTEER)).one()
    assert user.email_verified_at is not None
    assert user.role_in(organization.id) is not None

    volunteer.goto(f"{site.base_url}/forening/{organization_id}")
    loaded(volunteer)
    assert TITLE in volunteer.locator("main").inner_text()
    assert axe_report(volunteer) == "", axe_report(volunteer)

    # Waiting for review, the offer is in neither the search nor the public pages.
    citizen = open_browser(browser, site, csp_errors)
    drain_all(db.session, search_engine())
    assert TITLE not in search_results(citizen, site)
    response = citizen.goto(f"{site.base_url}/tilbud/{offer_id}")
    assert response is not None and response.status == 404
    loaded(citizen)

    # 3. The admin approves it, behind the second factor.
    secret = pyotp.random_base32()
    admin = make_user("admin@portal.example", name="Anna Admin", is_admin=True)
    db.session.add(TwoFactor(user_id=admin.id, secret=secret, confirmed_at=utcnow()))
    db.session.commit()
    admin_page = open_browser(browser, site, csp_errors)
    approve_as_admin(admin_page, site, secret)

    # 4. A citizen, not signed in, finds it.
    up_to_date()
    drain_all(db.session, search_engine())
    assert search_results(citizen, site) == [TITLE]
    with citizen.expect_navigation():
        citizen.locator(".offer-card").get_by_role("link", name=TITLE).click()
    loaded(citizen)
    assert citizen.get_by_role("heading", level=1).inner_text() == TITLE
    assert "Hver onsdag kl. 19.00–21.30" in citizen.locator("main").inner_text()

    # 5. Eleven months on (rounded up, so the reminder is surely due), nobody has confirmed.
    up_to_date()
    offer = db.session.get(Service, uuid.UUID(offer_id))
    assert offer is not None
    offer.last_confirmed_at = utcnow() - dt.timedelta(days=11 * 31)
    db.session.commit()
    result = runner.invoke(args=["offers", "remind-stale"])
    assert result.exit_code == 0, result.output
    assert "Reminded 1 offers" in result.output

    link = mailed_link(site, VOLUNTEER, "moderation_remind_stale", "/bekraeft/")
    stranger = open_browser(browser, site, csp_errors)
    stranger.goto(link)
    loaded(stranger)
    assert stranger.get_by_role("heading", level=1).inner_text() == f"Kører {TITLE} stadig?"
    assert axe_report(stranger) == "", axe_report(stranger)
    pressed_at = utcnow()
    submit(stranger, "Ja, tilbuddet kører stadig")
    assert "Tak for bekræftelsen" in stranger.get_by_role("heading", level=1).inner_text()

    up_to_date()
    offer = db.session.get(Service, uuid.UUID(offer_id))
    assert offer is not None and offer.last_confirmed_at is not None
    assert pressed_at <= offer.last_confirmed_at <= utcnow()
    assert offer.last_confirmed_at.date() == utcnow().date()
    assert offer.status is ServiceStatus.PUBLISHED
    assert csp_errors == []
