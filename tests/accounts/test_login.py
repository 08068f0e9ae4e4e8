"""Sign-in with throttling, safe redirects afterwards, and sign-out that really ends the session."""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher

from portal.accounts.passwords import verify_password
from tests.accounts.conftest import fresh, mails, text
from tests.conftest import TEST_PASSWORD
from tests.helpers import csrf_token, post_from_page

WRONG = "Forkert e-mail eller adgangskode."


@pytest.fixture(autouse=True)
def _generous_ip_limit(app) -> None:
    # These tests sign in many times from one address; the limit has its own test.
    app.config["RATELIMIT_LOGIN"] = "1000 per minute"


def _login(client, email: str, password: str = TEST_PASSWORD, **extra):
    return post_from_page(client, "/log-ind", {"email": email, "password": password, **extra})


def _signed_in(client) -> bool:
    response = client.get("/konto")
    return response.status_code == 200


def test_login_page_has_labelled_fields_and_links(client) -> None:
    page = text(client.get("/log-ind"))

    assert '<label for="email">E-mail</label>' in page
    assert '<label for="password">Adgangskode</label>' in page
    assert 'autocomplete="current-password"' in page
    assert 'href="/glemt-adgangskode"' in page
    assert 'href="/konto/opret"' in page


def test_sign_in_goes_to_the_overview_and_is_remembered_in_the_session(client, make_user) -> None:
    user = make_user(email="karen@forening.example")

    response = _login(client, " Karen@Forening.example ")

    assert response.status_code == 302
    assert response.location == "/min-side"
    assert _signed_in(client)
    assert fresh(user).last_login_at is not None


def test_wrong_password_and_unknown_address_get_the_same_answer(client, make_user) -> None:
    make_user(email="karen@forening.example")

    wrong_password = _login(client, "karen@forening.example", "forkert kodeord her")
    unknown = _login(client, "ukendt@forening.example", "forkert kodeord her")

    assert wrong_password.status_code == unknown.status_code == 200
    assert WRONG in text(wrong_password)
    assert WRONG in text(unknown)
    assert 'value="karen@forening.example"' in text(wrong_password)
    assert not _signed_in(client)


def test_unknown_address_is_checked_against_a_dummy_hash(client, monkeypatch) -> None:
    checked = []
    import portal.accounts.services as services

    real = services.verify_password
    monkeypatch.setattr(services, "verify_password", lambda h, p: checked.append(h) or real(h, p))

    _login(client, "ukendt@forening.example", "noget helt andet")

    assert checked == [None]  # verify_password(None, …) compares against the dummy hash


def test_unconfirmed_account_is_asked_to_confirm_with_a_resend_button(client, make_user) -> None:
    make_user(email="ny@forening.example", email_verified_at=None)

    response = _login(client, "ny@forening.example")

    page = text(response)
    assert "Du skal bekræfte din e-mailadresse" in page
    assert 'action="/konto/send-igen"' in page
    assert "Send et nyt link" in page
    assert not _signed_in(client)


def test_unconfirmed_account_with_a_wrong_password_is_told_nothing_more(client, make_user) -> None:
    make_user(email="ny@forening.example", email_verified_at=None)

    page = text(_login(client, "ny@forening.example", "forkert kodeord her"))

    assert WRONG in page
    assert "bekræfte" not in page


def test_disabled_account_cannot_sign_in(client, make_user) -> None:
    make_user(email="lukket@forening.example", is_disabled=True)

    page = text(_login(client, "lukket@forening.example"))

    assert "Din konto er lukket" in page
    assert not _signed_in(client)


def test_missing_csrf_token_is_refused(client, make_user) -> None:
    make_user(email="karen@forening.example")

    response = client.post(
        "/log-ind", data={"email": "karen@forening.example", "password": TEST_PASSWORD}
    )

    assert response.status_code == 400
    assert not _signed_in(client)


def test_five_failures_block_the_account_for_a_minute(client, make_user, clock) -> None:
    user = make_user(email="karen@forening.example")
    for _ in range(4):
        assert WRONG in text(_login(client, user.email, "forkert kodeord her"))

    fifth = text(_login(client, user.email, "forkert kodeord her"))

    assert "for mange forkerte forsøg" in fifth
    assert "Vent 1 minut," in fifth
    blocked = text(_login(client, user.email))  # even the right password waits
    assert "Vent 1 minut," in blocked
    assert not _signed_in(client)

    clock.advance(seconds=61)
    assert _login(client, user.email).status_code == 302
    assert fresh(user).failed_login_count == 0
    assert fresh(user).login_blocked_until is None


def test_the_block_doubles_per_failure_up_to_fifteen_minutes(client, make_user, clock) -> None:
    user = make_user(email="karen@forening.example")
    for _ in range(4):
        _login(client, user.email, "forkert kodeord her")
    waits = []
    for _ in range(7):
        page = text(_login(client, user.email, "forkert kodeord her"))
        waits.append(page.split("Vent ")[1].split(",")[0])
        clock.advance(minutes=16)

    assert waits == [
        "1 minut",
        "2 minutter",
        "4 minutter",
        "8 minutter",
        "15 minutter",
        "15 minutter",
        "15 minutter",
    ]
    # Never for good: after the wait the right password works.
    assert _login(client, user.email).status_code == 302


def test_the_wait_shown_counts_down(client, make_user, clock) -> None:
    user = make_user(email="karen@forening.example", failed_login_count=7)
    _login(client, user.email, "forkert kodeord her")  # the 8th: 8 minutes

    clock.advance(minutes=5, seconds=10)

    assert "Vent 3 minutter," in text(_login(client, user.email))


def test_a_success_resets_the_count(client, make_user) -> None:
    user = make_user(email="karen@forening.example")
    for _ in range(4):
        _login(client, user.email, "forkert kodeord her")

    _login(client, user.email)
    post_from_page(client, "/log-ud", {}, form_page="/konto")
    for _ in range(4):
        assert WRONG in text(_login(client, user.email, "forkert kodeord her"))

    assert fresh(user).failed_login_count == 4
    assert fresh(user).login_blocked_until is None


def test_the_ip_limit_answers_429_after_too_many_attempts(client, app, make_user) -> None:
    app.config["RATELIMIT_LOGIN"] = "3 per minute"
    make_user(email="karen@forening.example")
    token = csrf_token(client, "/log-ind")
    data = {"csrf_token": token, "email": "karen@forening.example", "password": "forkert"}

    statuses = [client.post("/log-ind", data=data).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert "For mange forespørgsler" in text(client.post("/log-ind", data=data))
    assert client.get("/log-ind").status_code == 200  # reading the page is not limited


@pytest.mark.parametrize("target", ["/konto", "/tilbud?side=2"])
def test_next_leads_back_to_a_page_on_the_site(client, make_user, target) -> None:
    make_user(email="karen@forening.example")
    page = text(client.get("/log-ind", query_string={"next": target}))
    assert f'<input name="next" type="hidden" value="{target}">' in page

    response = post_from_page(
        client,
        "/log-ind",
        {"email": "karen@forening.example", "password": TEST_PASSWORD, "next": target},
    )

    assert response.location == target


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
        "http:/evil.example",
        "evil.example",
    ],
)
def test_next_never_leads_off_the_site(client, make_user, target) -> None:
    make_user(email="karen@forening.example")
    page = text(client.get("/log-ind", query_string={"next": target}))
    assert re.search(r'<input name="next" type="hidden" value="">', page)

    response = _login(client, "karen@forening.example", next=target)

    assert response.location == "/min-side"


def test_login_required_pages_send_visitors_to_sign_in_and_back(client, make_user) -> None:
    make_user(email="karen@forening.example")

    response = client.get("/konto")

    assert response.status_code == 302
    assert response.location.startswith("/log-ind?next=")
    login_page = client.get(response.location)
    assert 'value="/konto"' in text(login_page)


def test_an_outdated_hash_is_upgraded_at_sign_in(client, make_user) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192).hash(TEST_PASSWORD)
    user = make_user(email="karen@forening.example", password_hash=weak)

    _login(client, user.email)

    upgraded = fresh(user).password_hash
    assert upgraded != weak
    assert verify_password(upgraded, TEST_PASSWORD)


def test_sign_in_starts_a_new_session_but_keeps_the_language(client, make_user) -> None:
    make_user(email="karen@forening.example")
    with client.session_transaction() as session:
        session["lang"] = "en"
        session["left_over"] = "from before"

    _login(client, "karen@forening.example")

    with client.session_transaction() as session:
        assert "left_over" not in session
        assert session["lang"] == "en"
        assert session["_user_id"]


def test_the_header_offers_sign_in_to_visitors(client) -> None:
    page = text(client.get("/"))

    assert 'href="/log-ind"' in page
    assert "Log ud" not in page


def test_the_header_shows_the_name_overview_and_sign_out(client, make_user, login) -> None:
    login(make_user(name="Karen Jensen"))

    page = text(client.get("/"))

    assert 'href="/konto"' in page and "Karen Jensen</span></a>" in page
    assert 'href="/min-side">Mit overblik</a>' in page
    assert 'action="/log-ud"' in page
    assert 'href="/log-ind"' not in page


def test_sign_out_really_ends_the_session(client, make_user) -> None:
    user = make_user(email="karen@forening.example")
    _login(client, user.email)
    old_cookie = client.get_cookie("session").value

    response = post_from_page(client, "/log-ud", {}, form_page="/konto")

    assert response.status_code == 302
    assert not _signed_in(client)
    # Someone who copied the cookie before sign-out gets nothing with it.
    client.set_cookie("session", old_cookie)
    assert not _signed_in(client)
    assert client.get("/konto").location.startswith("/log-ind")


def test_sign_out_needs_post_and_a_csrf_token(client, make_user, login) -> None:
    login(make_user())

    assert client.get("/log-ud").status_code == 405
    assert client.post("/log-ud").status_code == 400
    assert _signed_in(client)


def test_sign_out_says_so(client, make_user, login) -> None:
    login(make_user())

    response = post_from_page(client, "/log-ud", {}, form_page="/konto")

    assert "Du er logget ud." in text(client.get(response.location))


def test_no_mail_is_sent_by_signing_in(client, make_user) -> None:
    make_user(email="karen@forening.example")
    _login(client, "karen@forening.example", "forkert kodeord her")
    _login(client, "karen@forening.example")

    assert mails() == []
