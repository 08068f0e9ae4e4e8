"""Forgotten password: a mailed link, valid for an hour and only once, that ends all sessions."""

from __future__ import annotations

import time

from flask.testing import FlaskClient

from portal.accounts.passwords import verify_password
from portal.db import utcnow
from tests.accounts.conftest import fresh, link_to, mails, text
from tests.conftest import TEST_PASSWORD
from tests.helpers import post_from_page

NEW_PASSWORD = "syv søde søstre synger i kirken"


def _ask_for_link(client, email: str = "karen@forening.example"):
    return post_from_page(client, "/glemt-adgangskode", {"email": email})


def _reset_link(client, user) -> str:
    _ask_for_link(client, user.email)
    return link_to(mails("account_reset", to=user.email)[-1], "/nulstil/")


def _choose(client, link: str, password: str = NEW_PASSWORD, repeat: str | None = None):
    return post_from_page(
        client, link, {"password": password, "password_repeat": repeat or password}
    )


def test_a_known_address_gets_a_link_that_is_valid_for_an_hour(client, make_user) -> None:
    make_user(email="karen@forening.example")

    response = _ask_for_link(client, " KAREN@forening.example")

    assert response.status_code == 302
    page = text(client.get(response.location))
    assert "Hvis der er en konto med adressen karen@forening.example" in page
    [mail] = mails()
    assert mail.template == "account_reset"
    assert mail.to_address == "karen@forening.example"
    assert "en time" in mail.body_text
    assert link_to(mail, "/nulstil/")


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, make_user) -> None:
    make_user(email="karen@forening.example")

    known = text(client.get(_ask_for_link(client, "karen@forening.example").location))
    unknown = text(client.get(_ask_for_link(client, "ukendt@forening.example").location))

    assert known.replace("karen@", "X@") == unknown.replace("ukendt@", "X@")
    assert [mail.to_address for mail in mails()] == ["karen@forening.example"]


def test_a_disabled_account_gets_no_link(client, make_user) -> None:
    make_user(email="karen@forening.example", is_disabled=True)

    _ask_for_link(client)

    assert mails() == []


def test_an_invalid_address_is_refused(client) -> None:
    response = _ask_for_link(client, "karen(at)forening.example")

    assert response.status_code == 200
    assert "Skriv en gyldig e-mailadresse" in text(response)


def test_the_forgot_form_needs_a_csrf_token(client, make_user) -> None:
    make_user(email="karen@forening.example")

    response = client.post("/glemt-adgangskode", data={"email": "karen@forening.example"})

    assert response.status_code == 400
    assert mails() == []


def test_opening_the_link_shows_a_form_and_changes_nothing(client, make_user) -> None:
    user = make_user(email="karen@forening.example")
    link = _reset_link(client, user)

    response = client.get(link)

    assert response.status_code == 200
    assert "Vælg en ny adgangskode" in text(response)
    assert verify_password(fresh(user).password_hash, TEST_PASSWORD)


def test_a_new_password_ends_every_session_and_must_be_used_to_sign_in(
    app, client, make_user, signed_in
) -> None:
    user = make_user(email="karen@forening.example")
    other_device: FlaskClient = app.test_client()
    signed_in(user, test_client=other_device)
    link = _reset_link(client, user)

    response = _choose(client, link)

    assert response.status_code == 302
    assert response.location == "/log-ind"
    assert "Din adgangskode er skiftet" in text(client.get("/log-ind"))
    assert other_device.get("/konto").status_code == 302  # signed out
    assert verify_password(fresh(user).password_hash, NEW_PASSWORD)
    assert not verify_password(fresh(user).password_hash, TEST_PASSWORD)
    [notice] = mails("account_password_changed")
    assert notice.to_address == "karen@forening.example"
    signed_in(user, password=NEW_PASSWORD)


def test_the_link_works_only_once(client, make_user) -> None:
    user = make_user(email="karen@forening.example")
    link = _reset_link(client, user)
    _choose(client, link)

    response = client.get(link)

    assert response.status_code == 400
    assert "Linket virker ikke" in text(response)
    assert 'href="/glemt-adgangskode"' in text(response)


def test_the_link_dies_when_the_password_changes_another_way(client, make_user) -> None:
    user = make_user(email="karen@forening.example")
    link = _reset_link(client, user)
    from portal.accounts.services import set_password
    from portal.extensions import db

    set_password(fresh(user), "en helt anden lang adgangskode", utcnow())
    db.session.commit()

    assert client.get(link).status_code == 400


def test_an_expired_link_says_it_is_too_old(client, make_user, monkeypatch) -> None:
    user = make_user(email="karen@forening.example")
    two_hours_ago = time.time() - 2 * 3600
    with monkeypatch.context() as patched:
        patched.setattr(time, "time", lambda: two_hours_ago)
        link = _reset_link(client, user)

    response = client.get(link)

    assert response.status_code == 400
    assert "Linket er for gammelt" in text(response)
    assert "en time" in text(response)


def test_a_tampered_link_is_refused(client, make_user) -> None:
    user = make_user(email="karen@forening.example")
    link = _reset_link(client, user)

    assert client.get(link[:-2] + "xx").status_code == 400
    assert client.get("/nulstil/ikke-et-token").status_code == 400
    # A confirmation link is signed for another purpose and opens nothing here.
    assert client.get(link.replace("/nulstil/", "/konto/bekraeft/")).status_code == 400


def test_a_weak_new_password_is_refused(client, make_user) -> None:
    user = make_user(email="karen@forening.example", name="Karen Jensen")
    link = _reset_link(client, user)

    for weak in ("password1", "Fællesskab1", "karen@forening.example", "kort"):
        response = _choose(client, link, weak)
        assert response.status_code == 200
        assert "Der er noget, der skal rettes" in text(response)
    assert verify_password(fresh(user).password_hash, TEST_PASSWORD)


def test_a_mismatched_repeat_is_refused(client, make_user) -> None:
    user = make_user(email="karen@forening.example")
    link = _reset_link(client, user)

    response = _choose(client, link, NEW_PASSWORD, NEW_PASSWORD + "!")

    assert "Adgangskoderne er ikke ens" in text(response)
    assert verify_password(fresh(user).password_hash, TEST_PASSWORD)


def test_the_reset_form_needs_a_csrf_token(client, make_user) -> None:
    user = make_user(email="karen@forening.example")
    link = _reset_link(client, user)

    response = client.post(link, data={"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})

    assert response.status_code == 400
    assert verify_password(fresh(user).password_hash, TEST_PASSWORD)


def test_a_reset_confirms_the_address_and_lifts_a_block(client, make_user, clock) -> None:
    user = make_user(
        email="karen@forening.example",
        email_verified_at=None,
        failed_login_count=9,
        login_blocked_until=utcnow().replace(year=utcnow().year + 1),
    )
    link = _reset_link(client, user)

    _choose(client, link)

    assert fresh(user).is_verified
    assert fresh(user).login_blocked_until is None
    assert fresh(user).failed_login_count == 0


def test_html_in_the_name_is_escaped_in_the_mail(client, make_user) -> None:
    make_user(email="karen@forening.example", name="<b>Karen</b> & co")

    _ask_for_link(client)

    [mail] = mails()
    assert "&lt;b&gt;Karen&lt;/b&gt; &amp; co" in mail.body_html
    assert "<b>Karen</b>" not in mail.body_html
    assert "<b>Karen</b> & co" in mail.body_text  # plain text shows what was typed


def test_at_most_one_link_a_minute_goes_to_an_address(client, make_user) -> None:
    make_user(email="karen@forening.example")

    for _ in range(3):
        _ask_for_link(client)

    assert len(mails("account_reset")) == 1
