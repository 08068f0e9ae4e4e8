"""Fixtures of the association pages: postcodes and a CSRF token."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from portal.extensions import db
from portal.geo.models import Postcode
from portal.mail.models import MailMessage


@pytest.fixture
def postcodes(app: Flask) -> None:
    """Import a few postcodes, as `portal import-postcodes` would."""
    db.session.add_all(
        [
            Postcode(code="7700", name="Thisted", municipality_code="787"),
            Postcode(code="8000", name="Aarhus C", municipality_code="751"),
            Postcode(code="2100", name="København Ø", municipality_code="101"),
        ]
    )
    db.session.commit()


@pytest.fixture
def csrf(app: Flask) -> Callable[[FlaskClient], str]:
    """Return a function giving a valid CSRF token for the client's current session.

    It does what the form's hidden field does, so POSTs can be made from any
    state (also by visitors and people the page would not show a form to).
    """

    def token(client: FlaskClient) -> str:
        with client.session_transaction() as session:
            if "csrf_token" not in session:
                session["csrf_token"] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324
            raw = session["csrf_token"]
        serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
        return serializer.dumps(raw)

    return token


@pytest.fixture
def post(csrf: Callable[[FlaskClient], str]) -> Callable[..., Any]:
    """Return a function that POSTs a form with a valid CSRF token."""

    def send(client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kwargs: Any):
        return client.post(path, data={"csrf_token": csrf(client), **(data or {})}, **kwargs)

    return send


def mails_to(address: str) -> list[MailMessage]:
    """Return the queued mails to an address, oldest first."""
    return list(
        db.session.scalars(
            sa.select(MailMessage)
            .where(MailMessage.to_address == address)
            .order_by(MailMessage.created_at)
        )
    )


def text(response: Any) -> str:
    """Return a response body as text with runs of whitespace made single spaces."""
    return " ".join(response.get_data(as_text=True).split())
