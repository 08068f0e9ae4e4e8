"""Fixtures of the association pages: postcodes and posting a form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from portal.extensions import db
from portal.geo.models import Postcode
from portal.mail.models import MailMessage
from tests.helpers import post_with_session_token


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
def post() -> Callable[..., Any]:
    """Return a function that POSTs a form with a valid CSRF token: post(client, path, data)."""
    return post_with_session_token


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
