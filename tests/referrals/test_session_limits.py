"""Signed-in sessions end after 30 idle minutes and 10 hours in all, on the server."""

from __future__ import annotations

import time

import pytest

from portal.accounts.lifetime import SEEN_AT, SIGNED_IN_AT


@pytest.fixture
def signed_in(client, make_user, login):
    user = make_user(email="bruger@example.org")
    login(user)
    assert client.get("/fagperson").status_code == 200
    return client


def _age(client, **seconds_ago: int) -> None:
    now = int(time.time())
    with client.session_transaction() as session:
        for key, ago in seconds_ago.items():
            session[key] = now - ago


def test_an_active_session_goes_on(signed_in) -> None:
    _age(signed_in, **{SEEN_AT: 29 * 60, SIGNED_IN_AT: 9 * 3600})
    assert signed_in.get("/fagperson").status_code == 200


def test_thirty_idle_minutes_end_the_session(signed_in) -> None:
    _age(signed_in, **{SEEN_AT: 31 * 60})
    response = signed_in.get("/fagperson")
    assert response.status_code == 302 and "/log-ind" in response.headers["Location"]


def test_ten_hours_end_the_session_even_when_active(signed_in) -> None:
    _age(signed_in, **{SEEN_AT: 10, SIGNED_IN_AT: 10 * 3600 + 60})
    response = signed_in.get("/fagperson")
    assert response.status_code == 302


def test_an_admin_can_end_a_users_sessions(app, client, make_user, login, sign_in_2fa) -> None:
    from tests.helpers import csrf_token

    user = make_user(email="mistet@example.org")
    victim = app.test_client()
    login(user, victim)
    assert victim.get("/fagperson").status_code == 200
    admin = make_user(email="admin@example.org", is_admin=True)
    sign_in_2fa(admin)
    client.post(
        f"/admin/brugere/{user.id}/log-ud",
        data={"csrf_token": csrf_token(client, "/fagperson")},
    )
    assert victim.get("/fagperson").status_code == 302
