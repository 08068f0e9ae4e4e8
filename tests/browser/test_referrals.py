"""The referral flow in a real browser: sign-in with a code, refer, answer, follow, and axe.

A verified GP and an association member sign in on the real pages with
codes from their authenticator apps (computed here with pyotp), the GP
refers a citizen from an offer page, the association moves the referral
on, and the GP sees the timeline. Every page of the flow is checked against
WCAG 2.1 A/AA with axe-core.
"""

from __future__ import annotations

import uuid

import pyotp
import pytest

from portal.db import db, utcnow
from portal.offers.models import Service
from portal.referrals.models import ProfessionalKind, ProfessionalProfile, Referral
from portal.twofactor.models import TwoFactor
from portal.twofactor.services import new_recovery_codes
from tests.browser.live import AXE_OPTIONS, NARROWEST_PHONE, LiveSite, new_page
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


class Checks:
    """Run axe on pages as the flow reaches them; remember every violation by page."""

    def __init__(self) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.reports: dict[str, str] = {}
        self.checked: list[str] = []

    def run(self, page, name: str) -> None:
        """Check the page as it is now."""
        results = self.axe.run(page, options=AXE_OPTIONS)
        self.checked.append(name)
        if results.violations_count:
            self.reports[name] = results.generate_report()

    def assert_clean(self) -> None:
        """Fail with every report at once."""
        assert not self.reports, "\n\n".join(
            f"== {name} ==\n{text}" for name, text in self.reports.items()
        )


def _with_authenticator(user) -> str:
    """Give the user a confirmed authenticator app and recovery codes; return its secret."""
    secret = pyotp.random_base32()
    db.session.add(TwoFactor(user_id=user.id, secret=secret, confirmed_at=utcnow()))
    new_recovery_codes(user.id)
    db.session.commit()
    return secret


@pytest.fixture
def people(site: LiveSite, make_user):
    """Return the offer, a verified GP and an association member, both with authenticators."""
    offer_id = uuid.UUID(site.paths["offer"].rsplit("/", 1)[1])
    offer = db.session.get(Service, offer_id)
    gp = make_user(email="laege@example.org", name="Dr. Ida Jensen")
    db.session.add(
        ProfessionalProfile(
            user_id=gp.id,
            kind=ProfessionalKind.GP,
            workplace="Lægehuset Torvet",
            municipality_code="787",
            verified_at=utcnow(),
        )
    )
    member = make_user(
        email="frivillig@example.org", name="Frida Frivillig", organization=offer.organization
    )
    return {
        "offer": offer,
        "gp": (gp, _with_authenticator(gp)),
        "member": (member, _with_authenticator(member)),
    }


def _sign_in(page, site: LiveSite, user, secret: str, next_path: str, checks: Checks) -> None:
    """Sign in on the real page, then give the code the authenticator app shows."""
    page.goto(f"{site.base_url}/log-ind?next={next_path}")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Adgangskode").fill(TEST_PASSWORD)
    page.locator("form.account-form").get_by_role("button", name="Log ind").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Skriv din kode"
    checks.run(page, "code page")
    page.get_by_label("Kode").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Fortsæt").click()
    assert "/konto/totrin" not in page.url


def _fill_referral(page) -> None:
    page.get_by_label("Borgerens navn").fill("Anne Hansen")
    page.get_by_label("Telefon").fill("20 30 40 50")
    page.get_by_label("Hvornår er det bedst at ringe?").fill("Formiddag")
    page.get_by_label("Hvad handler henvisningen om?").select_option(label="Flyttet")
    page.get_by_label("Følgeskab første gang").check()
    page.get_by_label("Kort note til foreningen (valgfri)").fill("Vil gerne møde nye mennesker.")
    page.get_by_label("Borgeren har fået informationen", exact=False).check()


def _timeline(page) -> str:
    return " ".join(page.locator("ol.timeline").inner_text().split())


def test_a_gp_refers_the_association_answers_and_the_gp_follows(
    site: LiveSite, browser, people
) -> None:
    checks = Checks()
    csp_errors: list[str] = []
    offer = people["offer"]
    gp, gp_secret = people["gp"]
    member, member_secret = people["member"]

    # The GP signs in and is asked for the code first.
    gp_page = new_page(browser, site, csp_errors)
    _sign_in(gp_page, site, gp, gp_secret, "/henvisninger", checks)
    assert gp_page.get_by_role("heading", level=1).inner_text() == "Henvisninger"

    # The offer page offers the GP to refer, and tells how the association answers.
    gp_page.goto(site.url("offer"))
    checks.run(gp_page, "offer page, signed in as a GP")
    assert gp_page.get_by_text("Foreningens henvisninger det seneste år").is_visible()
    gp_page.get_by_role("link", name="Henvis borger").click()

    # The safety step, then the form.
    assert "akut fare" in gp_page.get_by_role("heading", level=2).first.inner_text()
    checks.run(gp_page, "safety step")
    gp_page.get_by_role("link", name="Nej, fortsæt til henvisningen").click()
    assert gp_page.get_by_role("heading", level=1).inner_text() == (
        f"Henvis en borger til {offer.name}"
    )
    checks.run(gp_page, "referral form")

    # Sent without a name, way of contact or consent: errors, nothing lost.
    gp_page.get_by_label("Hvornår er det bedst at ringe?").fill("Formiddag")
    gp_page.get_by_role("button", name="Send henvisningen").click()
    summary = gp_page.locator(".error-summary")
    assert summary.is_visible()
    assert "Skriv borgerens navn." in summary.inner_text()
    assert gp_page.get_by_label("Hvornår er det bedst at ringe?").input_value() == "Formiddag"
    assert gp_page.get_by_label("Borgerens navn").get_attribute("aria-invalid") == "true"
    checks.run(gp_page, "referral form with errors")

    _fill_referral(gp_page)
    gp_page.get_by_role("button", name="Send henvisningen").click()
    assert "Henvisningen er sendt" in gp_page.locator(".flash-messages").inner_text()
    citizen = " ".join(gp_page.locator(".facts").inner_text().split())
    assert "Anne Hansen" in citizen
    assert "Følgeskab første gang" in citizen
    assert "Borgeren selv, Mundtligt" in citizen
    checks.run(gp_page, "referral as the GP sees it")
    detail_url = gp_page.url
    referral_id = uuid.UUID(detail_url.rsplit("/", 1)[1])
    assert db.session.get(Referral, referral_id).service_id == offer.id

    # The association member signs in, finds it in the inbox and opens it.
    member_page = new_page(browser, site, csp_errors)
    _sign_in(member_page, site, member, member_secret, "/henvisninger", checks)
    row = member_page.locator("tr", has_text=offer.name)
    assert "Sendt" in row.inner_text()
    checks.run(member_page, "inbox")
    row.get_by_role("link", name="Åbn").click()
    assert member_page.url == detail_url
    assert member_page.get_by_role("link", name="20 30 40 50").get_attribute("href") == (
        "tel:20304050"
    )
    choices = member_page.locator("#status-title ~ form .choice-group label").all_inner_texts()
    assert choices == ["Kontaktet", "Ikke startet", "Afvist"]
    checks.run(member_page, "referral as the association sees it")

    member_page.get_by_label("Kontaktet", exact=True).check()
    member_page.get_by_role("button", name="Gem status").click()
    assert "Status er opdateret" in member_page.locator(".flash-messages").inner_text()
    member_page.get_by_label("Startet", exact=True).check()
    member_page.get_by_role("button", name="Gem status").click()
    assert "Status: Startet" in " ".join(member_page.locator(".status-line").inner_text().split())
    checks.run(member_page, "referral after the status changes")

    # The GP sees the timeline: sent, opened, contacted, started.
    gp_page.goto(detail_url)
    timeline = _timeline(gp_page)
    for step in ("Sendt", "Åbnet", "Kontaktet", "Startet"):
        assert step in timeline
    assert timeline.index("Kontaktet") < timeline.index("Startet")
    assert "Frida Frivillig" in timeline
    checks.run(gp_page, "timeline as the GP sees it")

    checks.assert_clean()
    assert csp_errors == []


def test_the_referral_form_fits_the_narrowest_phone(site: LiveSite, browser, people) -> None:
    checks = Checks()
    gp, secret = people["gp"]
    page = new_page(browser, site, [], viewport=NARROWEST_PHONE)
    form_path = f"/tilbud/{people['offer'].id}/henvis/formular"

    _sign_in(page, site, gp, secret, form_path, checks)

    assert page.get_by_role("button", name="Send henvisningen").is_visible()
    checks.run(page, "referral form at 320px")
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROWEST_PHONE["width"]
    page.get_by_role("button", name="Send henvisningen").click()
    assert page.locator(".error-summary").is_visible()
    checks.run(page, "referral form with errors at 320px")
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROWEST_PHONE["width"]
    checks.assert_clean()


def test_enrolling_the_authenticator_app(site: LiveSite, browser, people, make_user) -> None:
    checks = Checks()
    newcomer = make_user(
        email="ny@example.org", name="Ny Frivillig", organization=people["offer"].organization
    )
    page = new_page(browser, site, [])
    page.goto(f"{site.base_url}/log-ind?next=/henvisninger")
    page.get_by_label("E-mail").fill(newcomer.email)
    page.get_by_label("Adgangskode").fill(TEST_PASSWORD)
    page.locator("form.account-form").get_by_role("button", name="Log ind").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Slå totrinsbekræftelse til"
    assert page.get_by_role("img", name="QR-kode til godkendelsesappen").is_visible()
    checks.run(page, "authenticator setup")
    page.get_by_text("Kan du ikke scanne? Skriv nøglen i stedet").click()
    secret = page.locator(".secret-key").inner_text().strip()
    checks.run(page, "authenticator setup with the key shown")

    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    page.get_by_label("Kode").fill(wrong)
    page.get_by_role("button", name="Bekræft").click()
    assert "Koden passer ikke" in page.locator(".error-summary").inner_text()
    checks.run(page, "authenticator setup with a wrong code")

    page.get_by_label("Kode").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Bekræft").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Totrinsbekræftelse er slået til"
    assert page.locator(".recovery-codes li").count() == 10
    checks.run(page, "recovery codes")
    page.get_by_role("link", name="Jeg har gemt koderne").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Henvisninger"

    # Signed in again later: only the code is asked for.
    code_page = new_page(browser, site, [])
    code_page.goto(f"{site.base_url}/log-ind?next=/henvisninger")
    code_page.get_by_label("E-mail").fill(newcomer.email)
    code_page.get_by_label("Adgangskode").fill(TEST_PASSWORD)
    code_page.locator("form.account-form").get_by_role("button", name="Log ind").click()
    code_page.get_by_label("Kode").fill("000000" if wrong != "000000" else "111111")
    code_page.get_by_role("button", name="Fortsæt").click()
    assert "allerede brugt" in code_page.locator(".error-summary").inner_text()
    checks.run(code_page, "code page with a wrong code")
    checks.assert_clean()


def test_a_citizen_asks_to_be_contacted_and_prints_the_card(
    site: LiveSite, browser, people
) -> None:
    checks = Checks()
    csp_errors: list[str] = []
    page = new_page(browser, site, csp_errors)
    page.goto(site.url("offer"))
    assert not page.get_by_role("link", name="Henvis borger").count()
    checks.run(page, "offer page for a citizen")

    page.get_by_role("link", name="Jeg vil gerne kontaktes").click()
    checks.run(page, "contact request form")
    # The field for bots is out of sight and out of the tab order.
    trap = page.get_by_label("Lad dette felt være tomt")
    box = trap.bounding_box()
    assert box is None or box["x"] + box["width"] <= 0
    assert trap.get_attribute("tabindex") == "-1"
    page.get_by_label("Dit navn").fill("Bo Borger")
    page.get_by_role("button", name="Send", exact=True).click()
    assert "hvis du giver samtykke" in page.locator(".error-summary").inner_text()
    assert page.get_by_label("Jeg giver samtykke", exact=False).get_attribute("aria-invalid") == (
        "true"
    )
    assert page.get_by_label("Dit navn").input_value() == "Bo Borger"
    checks.run(page, "contact request form with errors")
    page.get_by_label("Telefon").fill("30 40 50 60")
    page.get_by_label("Jeg giver samtykke", exact=False).check()
    page.get_by_role("button", name="Send", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Tak for din henvendelse"
    checks.run(page, "contact request sent")

    page.goto(site.url("offer"))
    page.get_by_role("link", name="Print fællesskabsrecept").click()
    assert page.get_by_role("heading", name=people["offer"].name).is_visible()
    assert page.get_by_role("img", name="QR-kode til tilbuddets side").is_visible()
    checks.run(page, "printable card")
    page.get_by_role("link", name="A4").click()
    checks.run(page, "printable card, A4")
    page.emulate_media(media="print")
    assert not page.get_by_role("heading", name="Send linket på e-mail").is_visible()
    assert page.get_by_role("heading", name=people["offer"].name).is_visible()

    checks.assert_clean()
    assert csp_errors == []
