"""The sender delivers every queued message exactly once, through outages and crashes."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

import pytest

import portal.mail.sender as sender_module
from portal.db import utcnow
from portal.extensions import db
from portal.mail.models import MailMessage, MailStatus
from portal.mail.sender import backoff, send_due


class SenderDied(BaseException):
    """The sending process stopped dead (power cut, OOM killer, kill -9)."""


def _reload(message: MailMessage) -> MailMessage:
    db.session.expire_all()
    reloaded = db.session.get(MailMessage, message.id)
    assert reloaded is not None
    return reloaded


def _soon() -> dt.datetime:
    return utcnow() + dt.timedelta(seconds=1)


def test_a_message_is_delivered_once_with_tls_and_login(app, smtp, make_message) -> None:
    message = make_message(body_text="Velkommen til portalen.\n")
    now = _soon()

    counts = send_due(now=now)
    again = send_due(now=now + dt.timedelta(hours=1))

    assert (counts.sent, again.sent) == (1, 0)
    assert len(smtp.delivered) == 1
    email = smtp.delivered[0]
    assert email["To"] == message.to_address
    assert "Velkommen til portalen." in email.get_content()
    connection = smtp.connections[0]
    assert connection["tls"] is True
    assert connection["login"] == "portal"
    assert connection["from"] == "noreply@localhost"
    assert connection["timeout"] == app.config["MAIL_TIMEOUT"]
    reloaded = _reload(message)
    assert reloaded.status is MailStatus.SENT
    assert reloaded.sent_at == now
    assert reloaded.attempts == 1


def test_headers_carry_a_stable_message_id_and_html_as_an_alternative(smtp, make_message) -> None:
    with_html = make_message(body_html="<p>Hej</p>", subject="Linje ét\nlinje to")
    text_only = make_message()

    send_due(now=_soon())

    by_id = {email["Message-ID"]: email for email in smtp.delivered}
    html_email = by_id[with_html.message_id]
    assert html_email.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in html_email.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert html_email["Subject"] == "Linje ét linje to"
    assert html_email["From"] == "Fællesskabsportalen <noreply@localhost>"
    assert html_email["Auto-Submitted"] == "auto-generated"
    assert by_id[text_only.message_id].get_content_type() == "text/plain"


@pytest.mark.parametrize(
    "outage",
    ["refused", "disconnected"],
)
def test_an_smtp_outage_keeps_mail_queued_with_backoff_then_delivers_once(
    smtp, make_message, outage
) -> None:
    first = make_message()
    second = make_message()
    if outage == "refused":
        smtp.fail_with = ConnectionRefusedError(111, "Connection refused")
        expected_error = "ConnectionRefusedError"
    else:
        smtp.fail_on_send = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        expected_error = "SMTPServerDisconnected"
    now = _soon()

    counts = send_due(now=now)

    assert (counts.sent, counts.retrying) == (0, 1)
    tried, untouched = sorted([_reload(first), _reload(second)], key=lambda m: -m.attempts)
    assert tried.status is MailStatus.PENDING
    assert tried.attempts == 1
    assert tried.next_attempt_at == now + dt.timedelta(minutes=1)
    assert tried.last_error == expected_error
    # The batch stops at a dead server instead of burning every message's attempts.
    assert untouched.attempts == 0
    assert smtp.delivered == []

    smtp.fail_with = None
    smtp.fail_on_send = None
    assert send_due(now=now + dt.timedelta(seconds=30)).sent == 1  # the tried one waits
    assert send_due(now=now + dt.timedelta(minutes=2)).sent == 1
    assert send_due(now=now + dt.timedelta(hours=1)).sent == 0

    delivered_ids = sorted(email["Message-ID"] for email in smtp.delivered)
    assert delivered_ids == sorted([first.message_id, second.message_id])


def test_backoff_doubles_from_a_minute_up_to_six_hours() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [
        dt.timedelta(minutes=1),
        dt.timedelta(minutes=2),
        dt.timedelta(minutes=4),
        dt.timedelta(minutes=8),
    ]
    assert backoff(10) == dt.timedelta(hours=6)
    assert backoff(500) == dt.timedelta(hours=6)


def test_a_sender_that_dies_mid_send_leaves_a_lease_and_the_message_goes_out_once(
    smtp, make_message
) -> None:
    message = make_message()
    smtp.fail_on_send = SenderDied()
    now = _soon()

    with pytest.raises(SenderDied):
        send_due(now=now)

    claimed = _reload(message)
    assert claimed.status is MailStatus.SENDING
    assert claimed.claimed_until == now + dt.timedelta(minutes=5)
    smtp.fail_on_send = None
    assert send_due(now=now + dt.timedelta(minutes=4)).sent == 0, "the lease still holds"
    assert send_due(now=now + dt.timedelta(minutes=6)).sent == 1
    assert send_due(now=now + dt.timedelta(minutes=20)).sent == 0
    assert [email["Message-ID"] for email in smtp.delivered] == [message.message_id]
    assert _reload(message).status is MailStatus.SENT


def test_a_crash_after_the_server_accepted_resends_with_the_same_message_id(
    smtp, make_message, monkeypatch
) -> None:
    message = make_message()
    real_finish = sender_module._finish

    def die_before_recording(*args, **kwargs):
        monkeypatch.setattr(sender_module, "_finish", real_finish)
        raise SenderDied

    monkeypatch.setattr(sender_module, "_finish", die_before_recording)
    now = _soon()
    with pytest.raises(SenderDied):
        send_due(now=now)

    assert send_due(now=now + dt.timedelta(minutes=6)).sent == 1
    # The receiver sees the same Message-ID twice and can discard the copy.
    assert [email["Message-ID"] for email in smtp.delivered] == [message.message_id] * 2


def test_after_the_last_attempt_the_message_is_failed_and_kept(
    app, smtp, make_message, runner
) -> None:
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    message = make_message()
    smtp.fail_on_send = smtplib.SMTPDataError(451, b"Try again later")
    now = _soon()

    for minutes in (0, 2, 10):
        send_due(now=now + dt.timedelta(minutes=minutes))
    send_due(now=now + dt.timedelta(days=2))

    failed = _reload(message)
    assert failed.status is MailStatus.FAILED
    assert failed.attempts == 3
    assert failed.last_error == "SMTPDataError 451"
    assert smtp.delivered == []

    result = runner.invoke(args=["mail", "retry-failed"])
    assert result.exit_code == 0, result.output
    assert "Queued 1 failed messages again." in result.output
    smtp.fail_on_send = None
    assert send_due(now=utcnow() + dt.timedelta(seconds=1)).sent == 1
    assert _reload(message).status is MailStatus.SENT


def test_a_sender_that_died_on_its_last_attempt_fails_the_message_after_the_lease(
    app, smtp, make_message
) -> None:
    app.config["MAIL_MAX_ATTEMPTS"] = 1
    message = make_message()
    smtp.fail_on_send = SenderDied()
    now = _soon()
    with pytest.raises(SenderDied):
        send_due(now=now)
    smtp.fail_on_send = None

    counts = send_due(now=now + dt.timedelta(minutes=6))

    assert (counts.sent, counts.failed) == (0, 1)
    assert _reload(message).status is MailStatus.FAILED
    assert smtp.delivered == []


def test_one_refused_recipient_does_not_hold_up_the_others(smtp, make_message, monkeypatch) -> None:
    refused = make_message(to_address="findes.ikke@example.org")
    fine = make_message()

    class PickySMTP(smtp):
        def send_message(self, message, from_addr=None):
            if message["To"] == refused.to_address:
                raise smtplib.SMTPRecipientsRefused(
                    {refused.to_address: (550, b"No such user findes.ikke@example.org")}
                )
            return super().send_message(message, from_addr)

    monkeypatch.setattr(smtplib, "SMTP", PickySMTP)
    counts = send_due(now=_soon())

    assert (counts.sent, counts.retrying) == (1, 1)
    assert [email["Message-ID"] for email in smtp.delivered] == [fine.message_id]
    assert _reload(refused).last_error == "SMTPRecipientsRefused 550"


def test_logs_hold_no_address_subject_or_body(smtp, make_message, caplog, monkeypatch) -> None:
    caplog.set_level(logging.DEBUG)
    address = "hemmelig.person@example.org"
    sent = make_message(to_address="anden.person@example.org", body_text="Fortrolig tekst")
    refused = make_message(to_address=address, subject="Personligt emne")
    now = _soon()

    class PickySMTP(smtp):
        def send_message(self, message, from_addr=None):
            if message["To"] == address:
                raise smtplib.SMTPRecipientsRefused({address: (550, f"{address} unknown".encode())})
            return super().send_message(message, from_addr)

    monkeypatch.setattr(smtplib, "SMTP", PickySMTP)
    send_due(now=now)
    smtp.fail_with = ConnectionRefusedError(111, f"refused for {address}")
    send_due(now=now + dt.timedelta(hours=1))

    assert caplog.records, "the sender logs what it does"
    logged = caplog.text
    for secret in (
        address,
        sent.to_address,
        "Fortrolig tekst",
        "Personligt emne",
        refused.body_text.strip(),
        "hemmeligt-kodeord",
    ):
        assert secret not in logged
    assert str(sent.id) in logged
