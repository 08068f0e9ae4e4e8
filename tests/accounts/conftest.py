"""Helpers for the account tests: submitting forms, reading the outbox, a clock to move."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from portal.accounts.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.mail.models import MailMessage
from tests.helpers import post_from_page

LINK = re.compile(r"https?://[^/\s]+(/\S+)")


def mails(template: str | None = None, to: str | None = None) -> list[MailMessage]:
    """Return the queued messages, oldest first, optionally of one template or recipient."""
    query = sa.select(MailMessage).order_by(MailMessage.created_at)
    if template is not None:
        query = query.where(MailMessage.template == template)
    if to is not None:
        query = query.where(MailMessage.to_address == to)
    db.session.expire_all()
    return list(db.session.scalars(query))


def links(message: MailMessage) -> list[str]:
    """Return the site paths linked from a message's text part."""
    return LINK.findall(message.body_text)


def link_to(message: MailMessage, prefix: str) -> str:
    """Return the one path in the message that starts with ``prefix``."""
    found = [path for path in links(message) if path.startswith(prefix)]
    assert len(found) == 1, f"expected one link to {prefix}, found {found}"
    return found[0]


def fresh(user: User) -> User:
    """Return the user as the database has it now."""
    db.session.expire_all()
    return db.session.get(User, user.id)


def text(response) -> str:
    """Return a response's text with runs of whitespace made single spaces."""
    return " ".join(response.get_data(as_text=True).split())


@pytest.fixture(autouse=True)
def _fresh_csrf_token_per_request(request: pytest.FixtureRequest) -> None:
    """Forget the CSRF token cached in ``g`` before each request, as a real server does.

    The test app keeps one app context (and so one ``g``) for the whole test,
    which would hand one client's token to another.
    """
    from flask import g

    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")

    @app.before_request
    def forget_token() -> None:
        g.pop("csrf_token", None)


@dataclass
class Clock:
    """The time the account views see; tests move it forward."""

    now: dt.datetime

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Freeze the account views' clock at the current time."""
    frozen = Clock(utcnow())
    monkeypatch.setattr("portal.accounts.views.utcnow", lambda: frozen.now)
    return frozen


@pytest.fixture
def signed_in(client: FlaskClient, make_user: Callable[..., User]):
    """Return a function that signs a user in through the real login form."""

    def sign_in(user: User, password: str | None = None, test_client: FlaskClient | None = None):
        from tests.conftest import TEST_PASSWORD

        target = test_client or client
        response = post_from_page(
            target, "/log-ind", {"email": user.email, "password": password or TEST_PASSWORD}
        )
        assert response.status_code == 302, text(response)
        return target

    return sign_in
