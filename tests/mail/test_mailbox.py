"""The development mailbox: mail lands there at once and can be read, only where it is allowed."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from portal.db import utcnow
from portal.extensions import db
from portal.mail.models import MailMessage, MailStatus
from portal.mail.sender import send_due
from portal.mail.services import queue_mail


def _mailbox(app: Flask) -> Path:
    return Path(app.config["MAIL_MAILBOX_DIR"])


def _queue_report_mail(to: str = "admin@example.org") -> MailMessage:
    return queue_mail(
        to,
        "Et problem er rapporteret: Strikkecafé",
        "report_admin",
        service_id=uuid.uuid4(),
        service_name="Strikkecafé",
        organization_id=uuid.uuid4(),
        kind_label="Tidspunktet er forkert",
        message="Vi mødes nu om torsdagen.",
    )


def test_mail_queued_in_a_rolled_back_transaction_is_never_sent(app) -> None:
    _queue_report_mail()
    db.session.rollback()

    counts = send_due(now=utcnow() + dt.timedelta(seconds=1))

    assert counts.handled == 0
    assert not list(_mailbox(app).glob("*.eml"))


def test_without_a_mail_server_messages_become_files_in_the_mailbox(app) -> None:
    message = _queue_report_mail()
    db.session.commit()

    assert send_due(now=utcnow() + dt.timedelta(seconds=1)).sent == 1

    files = list(_mailbox(app).glob("*.eml"))
    assert [path.name for path in files] == [f"{message.id}.eml"]
    content = files[0].read_text(encoding="utf-8")
    assert f"Message-ID: {message.message_id}" in content
    assert "Vi mødes nu om torsdagen." in content


@pytest.mark.parametrize("path", ["/dev/mail", f"/dev/mail/{uuid.uuid4()}"])
def test_the_mailbox_page_does_not_exist_outside_development(client, path) -> None:
    assert client.get(path).status_code == 404


def test_the_mailbox_lists_messages_and_shows_the_text_escaped(app, client) -> None:
    app.config["MAIL_DEV_MAILBOX"] = True
    message = queue_mail(
        "borger@example.org",
        "Bekræft din e-mail",
        "report_admin",
        service_id=uuid.uuid4(),
        service_name="<b>Fed</b> café",
        organization_id=uuid.uuid4(),
        kind_label="Andet",
        message="",
    )
    db.session.commit()
    send_due(now=utcnow() + dt.timedelta(seconds=1))

    listing = client.get("/dev/mail")
    page = client.get(f"/dev/mail/{message.id}")

    assert listing.status_code == 200
    assert "Bekræft din e-mail" in listing.get_data(as_text=True)
    assert f"/dev/mail/{message.id}" in listing.get_data(as_text=True)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "&lt;b&gt;Fed&lt;/b&gt; café" in html
    assert "<b>Fed</b>" not in html
    # Links in the text can be followed, e.g. to confirm an address in the demo.
    assert '<a href="http://127.0.0.1:5000/admin/rapporter">' in html
    download = client.get(f"/dev/mail/{message.id}.eml")
    assert download.status_code == 200
    assert download.mimetype == "message/rfc822"
    assert "attachment" in download.headers["Content-Disposition"]
    assert client.get(f"/dev/mail/{uuid.uuid4()}").status_code == 404


def test_the_mailbox_is_on_by_default_in_development(tmp_path) -> None:
    from portal.config import from_environment

    development = from_environment({"PORTAL_ENV": "development"}, tmp_path)
    testing = from_environment({"PORTAL_ENV": "testing"}, tmp_path)

    assert development["MAIL_DEV_MAILBOX"] is True
    assert testing["MAIL_DEV_MAILBOX"] is False


def _add_mail_route(app: Flask) -> None:
    def queue_and_commit() -> str:
        _queue_report_mail()
        db.session.commit()
        return "ok"

    app.add_url_rule("/test-queue-mail", "test_queue_mail", queue_and_commit)


def test_mail_a_request_commits_is_in_the_mailbox_when_the_response_is_done(app, client) -> None:
    _add_mail_route(app)

    response = client.get("/test-queue-mail")

    assert response.status_code == 200
    assert len(list(_mailbox(app).glob("*.eml"))) == 1
    assert db.session.scalar(sa.select(MailMessage.status)) is MailStatus.SENT


def test_with_smtp_a_request_leaves_sending_to_the_worker(app, client, smtp) -> None:
    _add_mail_route(app)

    client.get("/test-queue-mail")

    assert smtp.connections == [], "the page did not wait for the mail server"
    db.session.expire_all()
    assert db.session.scalar(sa.select(MailMessage.status)) is MailStatus.PENDING


def test_small_installs_may_send_over_smtp_after_the_request(app, client, smtp) -> None:
    app.config["MAIL_SEND_AFTER_REQUEST"] = True
    _add_mail_route(app)

    client.get("/test-queue-mail")

    assert len(smtp.delivered) == 1
