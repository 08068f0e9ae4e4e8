"""Fixtures of the mail tests: a fake SMTP server and messages in the outbox."""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from portal.extensions import db
from portal.mail.models import MailMessage
from tests.mail.fakes import FakeSMTP


@pytest.fixture
def smtp(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[type[FakeSMTP]]:
    """Send through a recording fake SMTP server instead of the dev mailbox."""
    FakeSMTP.reset()
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    app.config.update(
        MAIL_SERVER="smtp.example.org",
        MAIL_PORT=587,
        MAIL_USERNAME="portal",
        MAIL_PASSWORD="hemmeligt-kodeord",
        MAIL_USE_TLS=True,
    )
    yield FakeSMTP
    FakeSMTP.reset()


@pytest.fixture
def make_message(app: Flask) -> Callable[..., MailMessage]:
    """Return a factory of committed outbox messages."""
    counter = iter(range(1, 10_000))

    def factory(**overrides: Any) -> MailMessage:
        number = next(counter)
        values: dict[str, Any] = {
            "to_address": f"modtager{number}@example.org",
            "subject": f"Besked nummer {number}",
            "body_text": f"Hej\n\nDette er besked {number}.\n",
            "template": "test",
        }
        message = MailMessage(**{**values, **overrides})
        db.session.add(message)
        db.session.commit()
        return message

    return factory
