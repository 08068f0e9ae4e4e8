"""Sign-up, confirming the address by email, and asking for a new confirmation link."""

from __future__ import annotations

import re
import time

import sqlalchemy as sa

from portal.accounts.models import User
from portal.accounts.passwords import verify_password
from portal.extensions import db
from tests.accounts.conftest import fresh, link_to, mails, text
from tests.conftest import TEST_PASSWORD
from tests.helpers import post_from_page

GOOD = {
    "name": "Karen Jensen",
    "email": "karen@forening.example",
    "password": TEST_PASSWORD,
    "password_repeat": TEST_PASSWORD,
}


def _users() -> list[User]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(User)))


def _sign_up(client, **changes):
    return post_from_page(client, "/konto/opret", {**GOOD, **changes})


def test_sign_up_page_has_a_labelled_field_for_everything(client) -> None:
    response = client.get("/konto/opret")

    page = text(response)
    assert response.status_code == 200
    for field, label in [
        ("name", "Navn"),
        ("email", "E-mail"),
        ("password", "Adgangskode"),
        ("password_repeat", "Gentag adgangskoden"),
    ]:
        assert f'<label for="{field}">{label}</label>' in page
    assert 'autocomplete="new-password"' in page
    assert 'type="email"' in page


def test_sign_up_creates_an_unconfirmed_account_and_mails_a_link(client) -> None:
    response = _sign_up(client, email="  Karen@Forening.EXAMPLE ")

    assert response.status_code == 302
    page = text(client.get(response.location))
    assert "Tjek din indbakke" in page
    assert "karen@forening.example" in page
    [user] = _users()
    assert user.email == "karen@forening.example"
    assert user.name == "Karen Jensen"
    assert not user.is_verified
    assert not user.is_admin
    assert TEST_PASSWORD not in user.password_hash
    assert verify_password(user.password_hash, TEST_PASSWORD)
    [mail] = mails()
    assert mail.template == "account_verify"
    assert mail.to_address == "karen@forening.example"
    assert "3 dage" in mail.body_text
    assert link_to(mail, "/konto/bekraeft/")


def test_a_known_address_gets_the_same_answer_and_a_mail_to_its_owner(client, make_user) -> None:
    owner = make_user(email="karen@forening.example", name="Karen Jensen")

    response = _sign_up(client, email="KAREN@forening.example", name="Someone Else")

    assert response.status_code == 302
    assert response.location == "/konto/tjek-din-indbakke"
    page = text(client.get(response.location))
    assert "Vi har sendt en e-mail til karen@forening.example" in page
    assert [user.id for user in _users()] == [owner.id]
    assert fresh(owner).name == "Karen Jensen"
    [mail] = mails()
    assert mail.template == "account_exists"
    assert mail.to_address == "karen@forening.example"
    assert "Someone Else" not in mail.body_text
    assert link_to(mail, "/nulstil/")
    assert link_to(mail, "/log-ind")


def _without_tokens(page: str) -> str:
    return re.sub(r'<input[^>]*name="csrf_token"[^>]*>', "", page)


def test_new_and_known_addresses_get_identical_pages(client, make_user) -> None:
    make_user(email="kendt@forening.example")
    known = text(client.get(_sign_up(client, email="kendt@forening.example").location))
    new = text(client.get(_sign_up(client, email="ny@forening.example").location))

    assert "kendt@forening.example" in known
    assert _without_tokens(known.replace("kendt@", "X@")) == _without_tokens(
        new.replace("ny@", "X@")
    )


def test_a_known_address_takes_about_as_long_as_a_new_one(client, make_user) -> None:
    make_user(email="kendt@forening.example")

    def timed(email: str) -> float:
        started = time.perf_counter()
        _sign_up(client, email=email)
        return time.perf_counter() - started

    new = min(timed(f"ny{i}@forening.example") for i in range(2))
    known = min(timed("kendt@forening.example") for _ in range(2))
    # Both hash the password; without that, the known address would be far faster.
    assert known > new * 0.4


def test_weak_password_is_refused_and_what_was_typed_is_kept(client) -> None:
    response = _sign_up(client, password="sommer2024", password_repeat="sommer2024")

    page = text(response)
    assert response.status_code == 200
    assert "Der er noget, der skal rettes" in page
    assert "Adgangskoden er for let at gætte." in page
    assert 'value="Karen Jensen"' in page
    assert 'value="karen@forening.example"' in page
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="password-hint password-error"' in page
    assert "sommer2024" not in page
    assert _users() == []
    assert mails() == []


def test_short_password_says_how_long_it_must_be(client) -> None:
    page = text(_sign_up(client, password="Ab3$xyz", password_repeat="Ab3$xyz"))

    assert "mindst 8 tegn" in page
    assert _users() == []


def test_own_email_as_password_is_refused(client) -> None:
    page = text(
        _sign_up(
            client, password="karen@forening.example", password_repeat="karen@forening.example"
        )
    )

    assert "Brug ikke din e-mailadresse" in page
    assert _users() == []


def test_mismatched_repeat_is_refused(client) -> None:
    page = text(_sign_up(client, password_repeat=TEST_PASSWORD + "x"))

    assert "Adgangskoderne er ikke ens" in page
    assert _users() == []


def test_invalid_email_is_refused(client) -> None:
    for email in ["karen", "karen@", "karen@forening", "karen forening@example.dk", "a@b..dk"]:
        page = text(_sign_up(client, email=email))

        assert "Skriv en gyldig e-mailadresse" in page, email
    assert _users() == []


def test_empty_form_asks_for_every_field(client) -> None:
    page = text(_sign_up(client, name="", email="", password="", password_repeat=""))

    assert "Skriv dit navn." in page
    assert "Skriv din e-mailadresse." in page
    assert "Vælg en adgangskode." in page
    assert '<a href="#name">' in page


def test_missing_csrf_token_is_refused(client) -> None:
    response = client.post("/konto/opret", data=GOOD)

    assert response.status_code == 400
    assert _users() == []


def test_extra_fields_cannot_make_an_admin(client) -> None:
    _sign_up(client, is_admin="1", is_editor="1", email_verified_at="2020-01-01")

    [user] = _users()
    assert not user.is_admin
    assert not user.is_editor
    assert not user.is_verified


def test_a_name_with_line_breaks_is_refused(client) -> None:
    page = text(_sign_up(client, name="Karen\r\nBcc: alle@example.org"))

    assert "Navnet må kun indeholde almindelige tegn." in page
    assert _users() == []


def test_html_in_the_name_is_shown_as_text(client, make_user, signed_in) -> None:
    _sign_up(client, name="<script>alert(1)</script>")
    [user] = _users()
    user.email_verified_at = user.created_at
    db.session.commit()

    signed_in(user)
    page = client.get("/konto").get_data(as_text=True)

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def _verify_link(client) -> str:
    _sign_up(client)
    return link_to(mails("account_verify")[-1], "/konto/bekraeft/")


def test_opening_the_link_shows_a_button_and_changes_nothing(client) -> None:
    link = _verify_link(client)

    response = client.get(link)

    assert response.status_code == 200
    assert "Bekræft adressen" in text(response)
    [user] = _users()
    assert not user.is_verified


def test_pressing_the_button_confirms_the_address_and_allows_sign_in(client) -> None:
    link = _verify_link(client)

    response = post_from_page(client, link, {})

    assert response.status_code == 302
    assert response.location == "/log-ind"
    [user] = _users()
    assert user.is_verified
    assert "Din e-mailadresse er bekræftet" in text(client.get("/log-ind"))


def test_a_used_link_is_refused_with_a_way_forward(client) -> None:
    link = _verify_link(client)
    post_from_page(client, link, {})

    response = client.get(link)

    page = text(response)
    assert response.status_code == 400
    assert "Linket virker ikke" in page
    assert "allerede brugt" in page
    assert "Log ind" in page


def test_a_tampered_link_is_refused_with_a_form_for_a_new_one(client) -> None:
    link = _verify_link(client)

    response = client.get(link[:-3] + "abc")

    page = text(response)
    assert response.status_code == 400
    assert "Linket virker ikke" in page
    assert 'action="/konto/send-igen"' in page
    assert (
        post_from_page(client, link[:-3] + "abc", {}, form_page="/konto/opret").status_code == 400
    )
    [user] = _users()
    assert not user.is_verified


def test_an_expired_link_says_it_is_too_old(client, monkeypatch) -> None:
    four_days_ago = time.time() - 4 * 24 * 3600
    with monkeypatch.context() as patched:
        patched.setattr(time, "time", lambda: four_days_ago)
        _sign_up(client)
    link = link_to(mails("account_verify")[-1], "/konto/bekraeft/")

    response = client.get(link)

    assert response.status_code == 400
    assert "Linket er for gammelt" in text(response)


def test_a_link_that_is_two_days_old_still_works(client, monkeypatch) -> None:
    two_days_ago = time.time() - 2 * 24 * 3600
    with monkeypatch.context() as patched:
        patched.setattr(time, "time", lambda: two_days_ago)
        _sign_up(client)
    link = link_to(mails("account_verify")[-1], "/konto/bekraeft/")

    assert client.get(link).status_code == 200


def test_a_link_for_an_address_the_account_no_longer_has_is_refused(client) -> None:
    link = _verify_link(client)
    [user] = _users()
    user.email = "nyadresse@forening.example"
    db.session.commit()

    assert client.get(link).status_code == 400
    assert not fresh(user).is_verified


def test_resend_for_an_unconfirmed_account_mails_a_new_link(client, clock) -> None:
    _sign_up(client)
    clock.advance(minutes=2)

    response = post_from_page(
        client, "/konto/send-igen", {"email": "Karen@forening.example"}, form_page="/konto/opret"
    )

    assert response.status_code == 302
    assert "Tjek din indbakke" in text(client.get(response.location))
    assert len(mails("account_verify")) == 2


def test_resend_answers_the_same_for_unknown_and_confirmed_addresses(client, make_user) -> None:
    make_user(email="bekraeftet@forening.example")
    pages = []
    for email in ("ukendt@forening.example", "bekraeftet@forening.example"):
        response = post_from_page(
            client, "/konto/send-igen", {"email": email}, form_page="/konto/opret"
        )
        assert response.status_code == 302
        pages.append(_without_tokens(text(client.get(response.location)).replace(email, "X")))

    assert pages[0] == pages[1]
    assert mails() == []


def test_resend_sends_at_most_one_link_a_minute_to_an_address(client) -> None:
    _sign_up(client)
    post_from_page(client, "/konto/send-igen", {"email": GOOD["email"]}, form_page="/konto/opret")
    post_from_page(client, "/konto/send-igen", {"email": GOOD["email"]}, form_page="/konto/opret")

    assert len(mails("account_verify")) == 1


def test_resend_with_an_invalid_address_shows_the_error(client) -> None:
    response = post_from_page(
        client, "/konto/send-igen", {"email": "ikke en adresse"}, form_page="/konto/opret"
    )

    assert response.status_code == 400
    assert "Skriv en gyldig e-mailadresse" in text(response)


def test_signed_in_users_are_not_offered_a_new_account(client, make_user, login) -> None:
    login(make_user())

    response = client.get("/konto/opret")

    assert response.status_code == 302
    assert response.location == "/min-side"


def test_a_sign_up_from_an_invitation_returns_there_after_confirming(client) -> None:
    page = text(client.get("/konto/opret", query_string={"next": "/invitation/abc"}))
    assert '<input name="next" type="hidden" value="/invitation/abc">' in page

    _sign_up(client, next="/invitation/abc")
    link = link_to(mails("account_verify")[-1], "/konto/bekraeft/")
    assert link.endswith("?next=/invitation/abc")
    response = post_from_page(client, link, {})

    assert response.location == "/log-ind?next=/invitation/abc"


def test_a_sign_up_never_carries_a_foreign_next(client) -> None:
    _sign_up(client, next="//evil.example/x")

    assert "evil" not in mails("account_verify")[-1].body_text


def test_sign_up_resend_and_forgot_password_are_limited_per_ip_address(client, app) -> None:
    app.config["RATELIMIT_ACCOUNT_MAIL"] = "2 per minute"

    for path, data in [
        ("/konto/opret", GOOD),
        ("/konto/send-igen", {"email": "karen@forening.example"}),
        ("/glemt-adgangskode", {"email": "karen@forening.example"}),
    ]:
        statuses = [
            post_from_page(client, path, data, form_page="/konto/opret").status_code
            for _ in range(3)
        ]
        assert statuses[-1] == 429, path
        assert 429 not in statuses[:-1], path
    assert client.get("/konto/opret").status_code == 200
    assert client.get("/glemt-adgangskode").status_code == 200
