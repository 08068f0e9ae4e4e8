"""The referral flow over HTTP: safety step, form, inbox, timeline, permissions and privacy."""

from __future__ import annotations

import re
import uuid

import pyotp
import pytest
import sqlalchemy as sa

from portal.db import db
from portal.referrals.models import AuditAction, AuditEntry, Referral, ReferralStatus
from portal.twofactor.models import TwoFactor
from tests.helpers import csrf_token


@pytest.fixture
def offer(make_offer):
    return make_offer()


@pytest.fixture
def member(make_user, offer):
    return make_user(
        email="frivillig@example.org", name="Frida Frivillig", organization=offer.organization
    )


def _form(client, offer, **overrides):
    page = client.get(f"/tilbud/{offer.id}/henvis/formular")
    html = page.get_data(as_text=True)
    token = re.search(r'name="form_token"[^>]*value="([^"]+)"', html).group(1)
    data = {
        "csrf_token": csrf_token(client, f"/tilbud/{offer.id}/henvis/formular"),
        "form_token": token,
        "citizen_name": "Anne Hansen",
        "phone": "12345678",
        "contact_time": "formiddag",
        "reason": "flyttet",
        "note": "Vil gerne møde nye mennesker.",
        "consent_given": "y",
        "consent_by": "citizen",
        "consent_method": "verbal",
        "consent_date": "2026-11-28",
    }
    data.update(overrides)
    return data


def test_the_safety_step_comes_first_and_names_where_to_turn(client, offer) -> None:
    html = client.get(f"/tilbud/{offer.id}/henvis").get_data(as_text=True)
    assert "112" in html and "70 201 201" in html
    assert f"/tilbud/{offer.id}/henvis/formular" in html


def test_the_form_requires_sign_in_and_the_second_factor(
    client, offer, professional, login
) -> None:
    assert client.get(f"/tilbud/{offer.id}/henvis/formular").status_code == 302
    login(professional, second_factor=False)
    response = client.get(f"/tilbud/{offer.id}/henvis/formular")
    assert "/konto/totrin" in response.headers["Location"]


def test_enrolment_with_the_app_then_a_code(client, professional, login) -> None:
    login(professional, second_factor=False)
    page = client.get("/konto/totrin/").get_data(as_text=True)
    assert "data:image/svg+xml" in page
    secret = db.session.get(TwoFactor, professional.id).secret
    wrong = client.post(
        "/konto/totrin/",
        data={"csrf_token": csrf_token(client, "/konto/totrin/"), "code": "000000"},
    )
    assert "passer ikke" in wrong.get_data(as_text=True)
    right = client.post(
        "/konto/totrin/",
        data={"csrf_token": csrf_token(client, "/konto/totrin/"), "code": pyotp.TOTP(secret).now()},
    )
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", right.get_data(as_text=True))
    assert len(codes) == 10
    assert client.get("/henvisninger").status_code == 200


def test_an_unverified_professional_cannot_refer(client, offer, make_user, sign_in_2fa) -> None:
    user = make_user(email="ny@example.org")
    sign_in_2fa(user)
    response = client.get(f"/tilbud/{offer.id}/henvis/formular")
    assert response.status_code == 403
    assert "godkendt" in response.get_data(as_text=True)


def test_a_referral_end_to_end(client, app, offer, professional, member, sign_in_2fa) -> None:
    sign_in_2fa(professional)
    response = client.post(f"/tilbud/{offer.id}/henvis/formular", data=_form(client, offer))
    assert response.status_code == 302
    referral = db.session.scalars(sa.select(Referral)).one()
    assert response.headers["Location"].endswith(f"/henvisninger/{referral.id}")

    other = app.test_client()
    sign_in_2fa(member, other)
    inbox = other.get("/henvisninger").get_data(as_text=True)
    assert "Anne" not in inbox and offer.name in inbox
    page = other.get(f"/henvisninger/{referral.id}")
    assert "Anne Hansen" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    db.session.refresh(referral)
    assert referral.status is ReferralStatus.OPENED

    token = csrf_token(other, f"/henvisninger/{referral.id}")
    for status in ("contacted", "started"):
        db.session.refresh(referral)
        other.post(
            f"/henvisninger/{referral.id}/status",
            data={"csrf_token": token, "status": status, "version": referral.version},
        )
    db.session.refresh(referral)
    assert referral.status is ReferralStatus.STARTED

    timeline = client.get(f"/henvisninger/{referral.id}").get_data(as_text=True)
    assert "Kontaktet" in timeline and "Startet" in timeline


def test_missing_consent_sends_nothing(client, offer, professional, sign_in_2fa) -> None:
    sign_in_2fa(professional)
    data = _form(client, offer)
    del data["consent_given"]
    response = client.post(f"/tilbud/{offer.id}/henvis/formular", data=data)
    assert response.status_code == 200
    assert "samtykke" in response.get_data(as_text=True)
    assert "Anne Hansen" in response.get_data(as_text=True)  # nothing typed is lost
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0


def test_a_cpr_number_is_refused_in_the_form(client, offer, professional, sign_in_2fa) -> None:
    sign_in_2fa(professional)
    response = client.post(
        f"/tilbud/{offer.id}/henvis/formular", data=_form(client, offer, note="cpr 070761-4285")
    )
    assert "CPR" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0


def test_a_double_submit_gives_one_referral(client, offer, professional, sign_in_2fa) -> None:
    sign_in_2fa(professional)
    data = _form(client, offer)
    first = client.post(f"/tilbud/{offer.id}/henvis/formular", data=data)
    second = client.post(f"/tilbud/{offer.id}/henvis/formular", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 1


def test_the_same_citizen_within_a_day_asks_for_confirmation(
    client, offer, professional, sign_in_2fa
) -> None:
    sign_in_2fa(professional)
    client.post(f"/tilbud/{offer.id}/henvis/formular", data=_form(client, offer))
    again = client.post(f"/tilbud/{offer.id}/henvis/formular", data=_form(client, offer))
    assert "inden for det sidste døgn" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 1
    confirmed = client.post(
        f"/tilbud/{offer.id}/henvis/formular", data=_form(client, offer, confirm_duplicate="y")
    )
    assert confirmed.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 2


def test_contact_request_from_a_citizen(client, offer, member) -> None:
    token_page = client.get(f"/tilbud/{offer.id}/kontakt").get_data(as_text=True)
    form_token = re.search(r'name="form_token"[^>]*value="([^"]+)"', token_page).group(1)
    data = {
        "csrf_token": csrf_token(client, f"/tilbud/{offer.id}/kontakt"),
        "form_token": form_token,
        "name": "Bo Berg",
        "phone": "87654321",
        "message": "Jeg vil gerne høre mere.",
        "consent_given": "y",
    }
    response = client.post(f"/tilbud/{offer.id}/kontakt", data=data)
    assert "Tak for din henvendelse" in response.get_data(as_text=True)
    referral = db.session.scalars(sa.select(Referral)).one()
    assert referral.referrer_id is None and referral.citizen_name == "Bo Berg"


def test_the_contact_honeypot_stores_nothing(client, offer) -> None:
    data = {
        "csrf_token": csrf_token(client, f"/tilbud/{offer.id}/kontakt"),
        "name": "Bot",
        "phone": "11111111",
        "consent_given": "y",
        "website": "http://spam.example",
    }
    response = client.post(f"/tilbud/{offer.id}/kontakt", data=data)
    assert "Tak for din henvendelse" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0


# Who may use each referral route. A new route that takes a referral id and is
# not listed here fails test_every_referral_route_has_a_rule.
RULES = {
    "referrals.detail": {"referrer", "receiver"},
    "referrals.change_status": {"receiver"},
    "referrals.reply": {"receiver"},
    "referral_admin.break_glass": {"admin"},
    "referral_admin.erase": {"admin"},
}


def test_every_referral_route_has_a_rule(app) -> None:
    taking_a_referral = {
        rule.endpoint for rule in app.url_map.iter_rules() if "referral_id" in rule.arguments
    }
    assert taking_a_referral == set(RULES)


@pytest.fixture
def cast(app, offer, professional, member, make_user, make_organization, make_referral):
    referral = make_referral(offer, professional)
    return {
        "referral": referral,
        "referrer": professional,
        "receiver": member,
        "stranger": make_user(
            email="fremmed@example.org", organization=make_organization(name="X")
        ),
        "other_professional": make_user(email="anden@example.org"),
        "admin": make_user(email="admin@example.org", is_admin=True),
    }


@pytest.mark.parametrize("endpoint", sorted(RULES))
@pytest.mark.parametrize(
    "role", ["anonymous", "stranger", "other_professional", "referrer", "receiver", "admin"]
)
def test_the_permissions_matrix(app, client, cast, sign_in_2fa, endpoint, role) -> None:
    referral = cast["referral"]
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        url = adapter.build(endpoint, {"referral_id": referral.id})
        unknown = adapter.build(endpoint, {"referral_id": uuid.uuid4()})
    if role != "anonymous":
        sign_in_2fa(cast[role])
    method = "GET" if "GET" in rule.methods else "POST"
    form = {"csrf_token": csrf_token(client, f"/tilbud/{referral.service_id}/kontakt")}
    response = client.open(url, method=method, data=form)
    body = response.get_data(as_text=True)
    if role == "anonymous":
        assert response.status_code == 302 and "/log-ind" in response.headers["Location"]
    elif role in RULES[endpoint]:
        assert response.status_code in {200, 302, 400}
    else:
        assert response.status_code == 404
        assert "Anne" not in body
    assert client.open(unknown, method=method, data=form).status_code in {302, 404}


def test_each_view_of_a_referral_is_audited(app, client, cast, sign_in_2fa) -> None:
    referral = cast["referral"]
    sign_in_2fa(cast["receiver"])
    client.get(f"/henvisninger/{referral.id}")
    client.get(f"/henvisninger/{referral.id}")
    views = db.session.scalar(
        sa.select(sa.func.count()).where(
            AuditEntry.referral_id == referral.id, AuditEntry.action == AuditAction.VIEW
        )
    )
    assert views == 2


def test_break_glass_opens_one_referral_with_a_reason(app, client, cast, sign_in_2fa) -> None:
    referral = cast["referral"]
    sign_in_2fa(cast["admin"])
    assert client.get(f"/henvisninger/{referral.id}").status_code == 404
    page = f"/admin/henvisninger/{referral.id}/adgang"
    client.post(
        page, data={"csrf_token": csrf_token(client, page), "reason": "Klage fra borger, sag 17"}
    )
    assert "Anne Hansen" in client.get(f"/henvisninger/{referral.id}").get_data(as_text=True)


def test_the_printable_card_has_a_qr_code_and_no_personal_data(client, offer) -> None:
    html = client.get(f"/tilbud/{offer.id}/recept?format=a4").get_data(as_text=True)
    assert "prescription--a4" in html and "data:image/svg+xml" in html
    assert offer.name in html


def test_send_link_mails_without_storing_the_address(app, client, offer, tmp_path) -> None:
    from portal.mail.models import MailMessage

    app.config["MAIL_MAILBOX_DIR"] = str(tmp_path / "box")
    page = f"/tilbud/{offer.id}/recept"
    response = client.post(
        f"/tilbud/{offer.id}/send-link",
        data={"csrf_token": csrf_token(client, page), "email": "ven@example.org"},
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MailMessage)) == 0
    sent = list((tmp_path / "box").glob("*.eml"))
    assert len(sent) == 1 and "ven@example.org" in sent[0].read_text()


def test_referral_creation_is_rate_limited(app, client, offer, professional, sign_in_2fa) -> None:
    app.config["RATELIMIT_REFERRALS"] = "2 per hour"
    sign_in_2fa(professional)
    statuses = [
        client.post(
            f"/tilbud/{offer.id}/henvis/formular",
            data=_form(client, offer, citizen_name=f"Borger {n}", phone=f"1234567{n}"),
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
