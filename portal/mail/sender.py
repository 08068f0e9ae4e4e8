"""Deliver the mail outbox: claim each due message with a lease, send it, record the outcome.

A sender claims one message at a time with a conditional UPDATE and commits
the claim before it talks to the mail server, so two senders never hold the
same message and a failure is recorded on the row. A sender that dies mid-send
leaves its lease to expire; the message is then sent by the next run. If the
process dies after the server accepted the message but before the "sent"
commit, the message goes out a second time with the same Message-ID header,
which lets the receiving side discard the duplicate.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
import ssl
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, current_app

from portal.db import utcnow
from portal.mail.models import MailMessage, MailStatus

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=5)
FIRST_BACKOFF = dt.timedelta(minutes=1)
MAX_BACKOFF = dt.timedelta(hours=6)
OVERDUE_AFTER = dt.timedelta(minutes=15)


class ServerUnavailable(Exception):
    """The mail server could not be reached or refused the connection or the login."""


# Errors about one message; the connection stays usable for the next one.
_MESSAGE_REFUSED = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
)


@dataclass
class SendCounts:
    """What one run of the sender did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        """Return how many messages this run claimed."""
        return self.sent + self.retrying + self.failed


class Transport(Protocol):
    """Something that delivers a finished email."""

    def send(self, email: EmailMessage, key: uuid.UUID) -> None:
        """Deliver ``email``; ``key`` is the outbox row's id."""

    def close(self) -> None:
        """Release any connection."""


class SmtpTransport:
    """Deliver through an SMTP server, reusing one connection for a batch."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.host = config["MAIL_SERVER"]
        self.port = int(config["MAIL_PORT"])
        self.use_tls = bool(config["MAIL_USE_TLS"])
        self.username = config["MAIL_USERNAME"]
        self.password = config["MAIL_PASSWORD"]
        self.timeout = config["MAIL_TIMEOUT"]
        self.envelope_from = parseaddr(config["MAIL_DEFAULT_SENDER"])[1]
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, email: EmailMessage, key: uuid.UUID) -> None:
        """Send ``email``; a connection that failed is dropped and opened anew next time."""
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except Exception as error:
                raise ServerUnavailable(describe_error(error)) from error
        try:
            self._smtp.send_message(email, from_addr=self.envelope_from)
        except _MESSAGE_REFUSED:
            raise
        except BaseException:
            self._drop()
            raise

    def _drop(self) -> None:
        if self._smtp is not None:
            smtp, self._smtp = self._smtp, None
            try:
                smtp.close()
            except OSError:
                logger.debug("Closing a broken SMTP connection failed")

    def close(self) -> None:
        """Say goodbye to the server, or just drop the connection if it is gone."""
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (smtplib.SMTPException, OSError):
            logger.debug("SMTP QUIT failed; the messages were already accepted")
        finally:
            self._drop()


class MailboxTransport:
    """Write each message as an .eml file for the development mailbox (no mail leaves)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def send(self, email: EmailMessage, key: uuid.UUID) -> None:
        """Write the message atomically, so a half-written file is never shown."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(email.as_bytes())
            # The same file name for the same row: a resend replaces, never duplicates.
            os.replace(temporary, self.directory / f"{key}.eml")
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def close(self) -> None:
        """Nothing to release."""


def uses_dev_mailbox(config: dict[str, Any]) -> bool:
    """Return whether mail goes to the development mailbox rather than to an SMTP server."""
    return not config.get("MAIL_SERVER")


def transport_for(config: dict[str, Any]) -> Transport:
    """Return the transport the configuration asks for."""
    if uses_dev_mailbox(config):
        return MailboxTransport(config["MAIL_MAILBOX_DIR"])
    return SmtpTransport(config)


def build_email(message: MailMessage, sender: str) -> EmailMessage:
    """Turn an outbox row into an email: text, plus an HTML alternative when there is one."""
    email = EmailMessage()
    # A line break in a header would be refused (or, worse, start a new header).
    email["Subject"] = " ".join(message.subject.split())
    email["From"] = sender
    email["To"] = message.to_address
    email["Date"] = format_datetime(message.created_at)
    # Stable across attempts, so a receiver can discard a rare duplicate.
    email["Message-ID"] = message.message_id
    # RFC 3834: tells auto-responders not to answer.
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


def backoff(attempts: int) -> dt.timedelta:
    """Return the wait after the ``attempts``-th failure: 1 minute doubling, at most 6 hours."""
    return min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** min(max(attempts - 1, 0), 20))


def describe_error(error: BaseException) -> str:
    """Describe a sending error by class and SMTP code only (never address or text)."""
    if isinstance(error, ServerUnavailable):
        return str(error)
    codes: list[int] = []
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _text in error.recipients.values()})
    elif isinstance(error, smtplib.SMTPResponseException):
        codes = [error.smtp_code]
    return " ".join([type(error).__name__, *(str(code) for code in codes)])


def _server_down(error: Exception) -> bool:
    """Return whether the error means the server is unusable, not just this message refused."""
    if isinstance(error, ServerUnavailable | smtplib.SMTPServerDisconnected):
        return True
    # Every SMTP error is an OSError; the others (refused, timed out) are network failures.
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def _due(now: dt.datetime, max_attempts: int) -> sa.ColumnElement[bool]:
    waiting = sa.and_(MailMessage.status == MailStatus.PENDING, MailMessage.next_attempt_at <= now)
    abandoned = sa.and_(MailMessage.status == MailStatus.SENDING, MailMessage.claimed_until < now)
    return sa.and_(sa.or_(waiting, abandoned), MailMessage.attempts < max_attempts)


def _give_up_on_exhausted(session: so.Session, now: dt.datetime, max_attempts: int) -> int:
    # A sender that died on its last attempt leaves a lease; once it expires
    # the message is failed rather than tried beyond the limit.
    result = session.execute(
        sa.update(MailMessage)
        .where(
            MailMessage.attempts >= max_attempts,
            sa.or_(
                MailMessage.status == MailStatus.PENDING,
                sa.and_(MailMessage.status == MailStatus.SENDING, MailMessage.claimed_until < now),
            ),
        )
        .values(status=MailStatus.FAILED, claimed_until=None, last_error="gave up: no answer")
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount or 0


def _claim(session: so.Session, message_id: uuid.UUID, now: dt.datetime, max_attempts: int) -> bool:
    # The condition is checked again in the UPDATE itself: whoever updates the
    # row first wins, the other sees rowcount 0 (on SQLite and PostgreSQL alike).
    result = session.execute(
        sa.update(MailMessage)
        .where(MailMessage.id == message_id, _due(now, max_attempts))
        .values(
            status=MailStatus.SENDING,
            claimed_until=now + LEASE,
            attempts=MailMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1


def _finish(session: so.Session, message_id: uuid.UUID, **values: Any) -> None:
    session.execute(
        sa.update(MailMessage)
        .where(MailMessage.id == message_id, MailMessage.status == MailStatus.SENDING)
        .values(claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


@contextmanager
def _own_session() -> Iterator[so.Session]:
    # A session of its own: each claim and result is committed at once, and
    # the caller's unfinished work is never committed by the sender.
    state = current_app.extensions["db"]
    with so.Session(bind=state.bind, expire_on_commit=False, **state.session_options) as session:
        yield session


@contextmanager
def _context(app: Flask | None) -> Iterator[None]:
    if app is None:
        yield
        return
    with app.app_context():
        yield


def send_due(
    app: Flask | None = None,
    limit: int = 100,
    now: dt.datetime | None = None,
    transport: Transport | None = None,
) -> SendCounts:
    """Send up to ``limit`` due messages, each exactly once, and return the counts.

    Runs in ``app``'s context, or in the current one when ``app`` is None.
    """
    with _context(app):
        config = current_app.config
        max_attempts = int(config["MAIL_MAX_ATTEMPTS"])
        transport = transport or transport_for(config)
        counts = SendCounts()
        with _own_session() as session:
            try:
                _run(session, transport, config, counts, limit, now, max_attempts)
            finally:
                transport.close()
        return counts


def _run(
    session: so.Session,
    transport: Transport,
    config: dict[str, Any],
    counts: SendCounts,
    limit: int,
    fixed_now: dt.datetime | None,
    max_attempts: int,
) -> None:
    now = fixed_now or utcnow()
    counts.failed += _give_up_on_exhausted(session, now, max_attempts)
    candidates = session.scalars(
        sa.select(MailMessage.id)
        .where(_due(now, max_attempts))
        .order_by(MailMessage.next_attempt_at, MailMessage.id)
        .limit(limit)
    ).all()
    # End the read before claiming: SQLite refuses to turn a read that another
    # writer overtook into a write.
    session.commit()
    for message_id in candidates:
        now = fixed_now or utcnow()
        if not _claim(session, message_id, now, max_attempts):
            continue
        message = session.get(MailMessage, message_id, populate_existing=True)
        session.commit()
        if message is None:
            continue
        try:
            transport.send(build_email(message, config["MAIL_DEFAULT_SENDER"]), message.id)
        except Exception as error:  # noqa: BLE001 - every failure is recorded on the row
            _record_failure(session, message, error, fixed_now or utcnow(), max_attempts, counts)
            if _server_down(error):
                # The rest of the batch would fail the same way; leave it for later.
                break
            continue
        _finish(session, message.id, status=MailStatus.SENT, sent_at=fixed_now or utcnow())
        counts.sent += 1
        logger.info("Sent mail %s template=%s", message.id, message.template)


def _record_failure(
    session: so.Session,
    message: MailMessage,
    error: Exception,
    now: dt.datetime,
    max_attempts: int,
    counts: SendCounts,
) -> None:
    description = describe_error(error)
    if message.attempts >= max_attempts:
        _finish(session, message.id, status=MailStatus.FAILED, last_error=description)
        counts.failed += 1
        logger.error(
            "Mail %s failed for good after %d attempts: %s",
            message.id,
            message.attempts,
            description,
        )
        return
    _finish(
        session,
        message.id,
        status=MailStatus.PENDING,
        next_attempt_at=now + backoff(message.attempts),
        last_error=description,
    )
    counts.retrying += 1
    logger.warning(
        "Mail %s not sent (attempt %d), will retry: %s", message.id, message.attempts, description
    )


@dataclass
class OutboxState:
    """How the outbox looks: counts per status and the oldest waiting message."""

    counts: dict[str, int]
    oldest_pending_at: dt.datetime | None
    overdue: int


def outbox_state(session: so.Session, now: dt.datetime | None = None) -> OutboxState:
    """Count messages per status, the overdue ones, and find the oldest waiting message."""
    now = now or utcnow()
    counts = {status.value: 0 for status in MailStatus}
    for status, number in session.execute(
        sa.select(MailMessage.status, sa.func.count()).group_by(MailMessage.status)
    ):
        counts[MailStatus(status).value] = number
    waiting = MailMessage.status.in_([MailStatus.PENDING, MailStatus.SENDING])
    oldest = session.scalar(sa.select(sa.func.min(MailMessage.created_at)).where(waiting))
    overdue = session.scalar(
        sa.select(sa.func.count())
        .select_from(MailMessage)
        .where(waiting, MailMessage.created_at < now - OVERDUE_AFTER)
    )
    return OutboxState(counts, oldest, overdue or 0)


def mail_health(session: so.Session) -> dict[str, Any]:
    """Return the readiness check of mail: degraded when messages wait too long or failed."""
    try:
        state = outbox_state(session)
    except sa.exc.SQLAlchemyError:
        session.rollback()
        return {"status": "error"}
    failed = state.counts[MailStatus.FAILED.value]
    return {
        "status": "degraded" if state.overdue or failed else "ok",
        "transport": "mailbox" if uses_dev_mailbox(current_app.config) else "smtp",
        "pending_over_15_minutes": state.overdue,
        "failed": failed,
    }
