"""Fixtures of the moderation tests: people, posting a form, a frozen clock."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from babel.dates import format_date
from flask.testing import FlaskClient

from portal.accounts.models import MemberRole, User
from portal.db import utcnow
from portal.extensions import db
from portal.find.models import SearchOutbox
from portal.mail.models import MailMessage
from portal.organizations.models import Organization
from tests.helpers import post_with_session_token

# The moment the tests run at; fixed for the whole run so times can be compared
# exactly, and near the real time so what drains after a request agrees with it.
FROZEN_NOW = utcnow().replace(microsecond=0)


@pytest.fixture
def post(client: FlaskClient) -> Callable[..., Any]:
    """Return a function that POSTs a form from the client with a valid CSRF token."""
    return partial(post_with_session_token, client)


@dataclass
class People:
    """An unverified organisation with an owner and an editor, an admin and an outsider."""

    organization: Organization
    owner: User
    editor: User
    admin: User
    outsider: User


@pytest.fixture
def people(make_organization, make_user) -> People:
    """Return the people of a typical moderation case."""
    organization = make_organization(name="Nye Venner Thy", is_verified=False)
    other = make_organization(name="Anden Forening", is_verified=False)
    return People(
        organization=organization,
        owner=make_user("ejer@nyevenner.example", organization, name="Ole Ejer"),
        editor=make_user("redaktoer@nyevenner.example", organization, MemberRole.EDITOR),
        admin=make_user("admin@portal.example", name="Anna Admin", is_admin=True),
        outsider=make_user("fremmed@anden.example", other, name="Frede Fremmed"),
    )


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.datetime], None]:
    """Return a function that sets the time the freshness rules and decisions see."""

    def set_time(moment: dt.datetime) -> None:
        for module in ("portal.moderation.freshness", "portal.moderation.publication"):
            monkeypatch.setattr(f"{module}.utcnow", lambda: moment)

    set_time(FROZEN_NOW)
    return set_time


def danish_date(moment: dt.datetime) -> str:
    """Return a day as the pages write it, e.g. "3. marts 2026"."""
    return format_date(moment.astimezone(ZoneInfo("Europe/Copenhagen")), "d. MMMM y", locale="da")


def mails_to(address: str) -> list[MailMessage]:
    """Return the queued mails to an address, oldest first."""
    return list(
        db.session.scalars(
            sa.select(MailMessage)
            .where(MailMessage.to_address == address)
            .order_by(MailMessage.created_at)
        )
    )


def outbox_ids() -> set:
    """Return the offers waiting in the search outbox."""
    return set(db.session.scalars(sa.select(SearchOutbox.service_id)))


def clear_outbox() -> None:
    """Empty the search outbox, so a test sees only what it causes."""
    db.session.execute(sa.delete(SearchOutbox))
    db.session.commit()


def text(response: Any) -> str:
    """Return a response body as text with runs of whitespace made single spaces."""
    return " ".join(response.get_data(as_text=True).split())


def visible(response: Any) -> str:
    """Return the words a reader sees: the body without tags, whitespace made single spaces."""
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split()))
