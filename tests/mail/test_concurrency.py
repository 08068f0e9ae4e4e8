"""Two senders at once (two workers, or cron overlapping a worker) never send a message twice.

The senders run in threads with their own connections and really commit, on
the SQLite file or on PostgreSQL, so the test cleans up after itself.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from flask import Flask

from portal import create_app
from portal.db import utcnow
from portal.extensions import db
from portal.mail.models import MailMessage, MailStatus
from portal.mail.sender import SendCounts, send_due
from tests.conftest import TEST_SECRET_KEY
from tests.mail.fakes import FakeSMTP

MESSAGES = 30


@pytest.fixture
def committing_app(app: Flask, tmp_path, monkeypatch) -> Iterator[Flask]:
    """Return a second app on the same database whose sessions really commit."""
    FakeSMTP.reset()
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    second = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": TEST_SECRET_KEY,
            "SEARCH_INDEX_DIR": str(tmp_path / "second-index"),
            "MAIL_SERVER": "smtp.example.org",
            "MAIL_USE_TLS": False,
        }
    )
    yield second
    with second.app_context():
        db.session.execute(sa.delete(MailMessage).where(MailMessage.template == "race"))
        db.session.commit()
        db.engine.dispose()
    FakeSMTP.reset()


def test_two_senders_racing_send_each_message_exactly_once(committing_app: Flask) -> None:
    with committing_app.app_context():
        messages = [
            MailMessage(
                to_address=f"deltager{n}@example.org",
                subject=f"Besked {n}",
                body_text="Hej",
                template="race",
            )
            for n in range(MESSAGES)
        ]
        db.session.add_all(messages)
        db.session.commit()
        expected = {message.message_id for message in messages}
    FakeSMTP.delay = 0.005
    start = threading.Barrier(2)
    now = utcnow() + dt.timedelta(seconds=1)

    def run() -> SendCounts:
        start.wait(timeout=10)
        return send_due(committing_app, limit=MESSAGES, now=now)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = [future.result(timeout=120) for future in [pool.submit(run) for _ in range(2)]]

    delivered = Counter(email["Message-ID"] for email in FakeSMTP.delivered)
    assert set(delivered) == expected
    assert max(delivered.values()) == 1, "a message was sent twice"
    assert sum(result.sent for result in results) == MESSAGES
    assert all(result.sent for result in results), "both senders took part"
    with committing_app.app_context():
        statuses = db.session.scalars(
            sa.select(MailMessage.status).where(MailMessage.template == "race")
        ).all()
    assert set(statuses) == {MailStatus.SENT}
