"""The mail outbox: every outgoing email is a row written with the change that causes it."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.db import Base, UUIDPrimaryKey, utcnow
from portal.offers.models import _enum


class MailStatus(enum.StrEnum):
    """Where a message is: waiting, claimed by a sender, delivered, or given up on."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class MailMessage(UUIDPrimaryKey, Base):
    """One email to one recipient, rendered when it was queued."""

    __tablename__ = "mail_message"
    __table_args__ = (sa.Index("ix_mail_message_due", "status", "next_attempt_at"),)

    to_address: so.Mapped[str] = so.mapped_column(sa.String(254))
    subject: so.Mapped[str] = so.mapped_column(sa.String(300))
    body_text: so.Mapped[str] = so.mapped_column(sa.Text)
    body_html: so.Mapped[str | None] = so.mapped_column(sa.Text)
    template: so.Mapped[str] = so.mapped_column(sa.String(100))
    status: so.Mapped[MailStatus] = so.mapped_column(
        _enum(MailStatus, "mail_status"), default=MailStatus.PENDING
    )
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    next_attempt_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    # A sender claims a message by setting this lease; a sender that dies
    # mid-send leaves it to expire, and the Message-ID header (the row id)
    # lets the receiving server discard the rare duplicate.
    claimed_until: so.Mapped[dt.datetime | None]
    sent_at: so.Mapped[dt.datetime | None]
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(500))

    @property
    def message_id(self) -> str:
        """Return the stable Message-ID header for this message."""
        return f"<{self.id}@faellesskabsportalen.dk>"
