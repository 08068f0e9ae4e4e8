"""Account settings: name, password, address, and signing out on every device."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from portal.accounts.passwords import verify_password
from portal.extensions import db
from tests.accounts.conftest import fresh, link_to, mails, text
from tests.conftest import TEST_PASSWORD
from tests.helpers import post_from_page

NEW_PASSWORD = "syv søde søstre synger i kirken"


@pytest.fixture(autouse=True)
def _generous_ip_limit(app) -> None:
    app.config["RATELIMIT_LOGIN"] = "1000 per minute"


@pytest.fixture
def karen(make_user):
    return make_user(email="karen@forening.example", name="Karen Jensen")


def _settings(client, **data):
    return post_from_page(client, "/konto", data)


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/konto").status_code == 200


def test_settings_need_sign_in(client) -> None:
    response = client.get("/konto")

    assert response.status_code == 302
    assert response.location.startswith("/log-ind")


def test_settings_page_shows_the_account_and_every_form(client, karen, signed_in) -> None:
    signed_in(karen)

    page = text(client.get("/konto"))

    assert "Din konto" in page
    assert "Din adresse er karen@forening.example." in page
    assert 'value="Karen Jensen"' in page
    for label in ("Gem navn", "Skift e-mailadresse", "Skift adgangskode"):
        assert label in page
    assert page.count("Log ud på alle enheder") >= 2
    assert ' id="csrf_token"' not in page  # several forms, no repeated ids
    assert ' id="action"' not in page


def test_change_name(client, karen, signed_in) -> None:
    signed_in(karen)

    response = _settings(client, action="name", name="  Karen Marie Jensen ")

    assert response.status_code == 302
    assert fresh(karen).name == "Karen Marie Jensen"
    page = text(client.get("/konto"))
    assert "Dit navn er gemt." in page
    assert "Karen Marie Jensen</span></a>" in page  # in the header


def test_empty_name_is_refused(client, karen, signed_in) -> None:
    signed_in(karen)

    response = _settings(client, action="name", name="   ")

    assert response.status_code == 400
    assert "Skriv dit navn." in text(response)
    assert fresh(karen).name == "Karen Jensen"


def test_extra_fields_cannot_make_an_admin(client, karen, signed_in) -> None:
    signed_in(karen)

    _settings(client, action="name", name="Karen", is_admin="1", is_editor="y", email="x@y.dk")

    user = fresh(karen)
    assert (user.name, user.is_admin, user.is_editor) == ("Karen", False, False)
    assert user.email == "karen@forening.example"


def test_html_in_the_name_is_escaped(client, karen, signed_in) -> None:
    signed_in(karen)

    _settings(client, action="name", name='<img src=x onerror="alert(1)">')

    page = client.get("/konto").get_data(as_text=True)
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=" in page


def test_change_password_keeps_this_session_and_ends_the_others(
    app, client, karen, signed_in
) -> None:
    signed_in(karen)
    other_device = app.test_client()
    signed_in(karen, test_client=other_device)
    old_cookie = client.get_cookie("session").value

    response = _settings(
        client,
        action="password",
        current_password=TEST_PASSWORD,
        password=NEW_PASSWORD,
        password_repeat=NEW_PASSWORD,
    )

    assert response.status_code == 302
    assert "Din adgangskode er skiftet" in text(client.get("/konto"))
    assert _signed_in(client)
    assert not _signed_in(other_device)
    # A copy of this browser's cookie from before the change is dead too.
    replay = app.test_client()
    replay.set_cookie("session", old_cookie)
    assert not _signed_in(replay)
    assert verify_password(fresh(karen).password_hash, NEW_PASSWORD)
    [notice] = mails("account_password_changed")
    assert notice.to_address == "karen@forening.example"


def test_change_password_needs_the_current_one(client, karen, signed_in) -> None:
    signed_in(karen)

    response = _settings(
        client,
        action="password",
        current_password="ikke den rigtige",
        password=NEW_PASSWORD,
        password_repeat=NEW_PASSWORD,
    )

    assert response.status_code == 400
    assert "Adgangskoden er forkert." in text(response)
    assert verify_password(fresh(karen).password_hash, TEST_PASSWORD)
    assert mails() == []


def test_change_password_obeys_the_policy(client, karen, signed_in) -> None:
    signed_in(karen)

    response = _settings(
        client,
        action="password",
        current_password=TEST_PASSWORD,
        password="KarenJensen1",
        password_repeat="KarenJensen1",
    )

    assert response.status_code == 400
    assert "Adgangskoden er for let at gætte." in text(response)
    assert verify_password(fresh(karen).password_hash, TEST_PASSWORD)


def test_change_email_waits_for_the_new_address_to_confirm(client, karen, signed_in) -> None:
    signed_in(karen)

    response = _settings(
        client, action="email", email=" Karen@Nyt.example ", email_password=TEST_PASSWORD
    )

    assert response.status_code == 302
    assert "Vi har sendt et link til karen@nyt.example" in text(client.get("/konto"))
    assert fresh(karen).email == "karen@forening.example"
    [mail] = mails()
    assert (mail.template, mail.to_address) == ("account_verify_new_email", "karen@nyt.example")
    assert "Karen Jensen" not in mail.body_text

    link = link_to(mail, "/konto/bekraeft/")
    assert client.get(link).status_code == 200
    assert fresh(karen).email == "karen@forening.example"  # opening changes nothing
    confirmed = post_from_page(client, link, {})

    assert confirmed.location == "/konto"
    assert fresh(karen).email == "karen@nyt.example"
    [notice] = mails("account_email_changed")
    assert notice.to_address == "karen@forening.example"
    assert "karen@nyt.example" in notice.body_text
    assert client.get(link).status_code == 400  # used once


def test_change_email_needs_the_password(client, karen, signed_in) -> None:
    signed_in(karen)

    response = _settings(client, action="email", email="karen@nyt.example", email_password="nej")

    assert response.status_code == 400
    assert "Adgangskoden er forkert." in text(response)
    assert 'value="karen@nyt.example"' in text(response)
    assert mails() == []


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("ikke-en-adresse", "Skriv en gyldig e-mailadresse"),
        ("karen@forening.example", "Det er allerede din e-mailadresse."),
    ],
)
def test_change_email_refuses_bad_addresses(client, karen, signed_in, email, message) -> None:
    signed_in(karen)

    response = _settings(client, action="email", email=email, email_password=TEST_PASSWORD)

    assert response.status_code == 400
    assert message in text(response)
    assert mails() == []


def test_an_address_of_another_account_tells_its_owner_and_changes_nothing(
    client, karen, make_user, signed_in
) -> None:
    make_user(email="anden@forening.example")
    signed_in(karen)

    response = _settings(
        client, action="email", email="anden@forening.example", email_password=TEST_PASSWORD
    )

    assert response.status_code == 302
    assert "Vi har sendt et link til anden@forening.example" in text(client.get("/konto"))
    [mail] = mails()
    assert (mail.template, mail.to_address) == ("account_email_taken", "anden@forening.example")
    assert "/konto/bekraeft/" not in mail.body_text
    assert fresh(karen).email == "karen@forening.example"


def test_a_change_link_is_refused_if_the_address_was_taken_meanwhile(
    client, karen, make_user, signed_in
) -> None:
    signed_in(karen)
    _settings(client, action="email", email="karen@nyt.example", email_password=TEST_PASSWORD)
    link = link_to(mails()[-1], "/konto/bekraeft/")
    make_user(email="karen@nyt.example")

    response = client.get(link)

    assert response.status_code == 400
    assert "Adressen bruges allerede af en anden konto." in text(response)
    assert fresh(karen).email == "karen@forening.example"


def test_a_change_link_dies_when_the_address_changes_another_way(client, karen, signed_in) -> None:
    signed_in(karen)
    _settings(client, action="email", email="karen@nyt.example", email_password=TEST_PASSWORD)
    link = link_to(mails()[-1], "/konto/bekraeft/")
    user = fresh(karen)
    user.email = "karen@tredje.example"
    db.session.commit()

    assert client.get(link).status_code == 400


def test_sign_out_on_every_device(app, client, karen, signed_in) -> None:
    signed_in(karen)
    other_device = app.test_client()
    signed_in(karen, test_client=other_device)

    response = _settings(client, action="sessions")

    assert response.status_code == 302
    assert response.location == "/log-ind"
    assert "Du er logget ud på alle enheder." in text(client.get("/log-ind"))
    assert not _signed_in(client)
    assert not _signed_in(other_device)


def test_settings_forms_need_a_csrf_token(client, karen, signed_in) -> None:
    signed_in(karen)

    response = client.post("/konto", data={"action": "name", "name": "Hacket"})

    assert response.status_code == 400
    assert fresh(karen).name == "Karen Jensen"


def test_an_unknown_action_changes_nothing(client, karen, signed_in) -> None:
    signed_in(karen)

    response = _settings(client, action="is_admin", name="X")

    assert response.status_code == 400
    assert fresh(karen).name == "Karen Jensen"
