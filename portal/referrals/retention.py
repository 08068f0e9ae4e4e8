"""Deadlines on referrals: flag the unanswered, delete personal data when its time is up."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from portal.accounts.models import User
from portal.db import db, utcnow
from portal.mail.services import queue_mail
from portal.referrals.audit import audit
from portal.referrals.models import (
    CLOSED_STATUSES,
    AuditAction,
    AuditEntry,
    EventKind,
    Referral,
    ReferralEvent,
    ReferralStatus,
)
from portal.referrals.services import _member_emails, same_citizen

logger = logging.getLogger(__name__)

PERSONAL_FIELDS = (
    "citizen_name",
    "citizen_phone",
    "citizen_email",
    "contact_time",
    "needs",
    "note",
    "decline_message",
    "phone_fingerprint",
    "email_fingerprint",
    "consent_by",
)
WAITING = (ReferralStatus.SENT, ReferralStatus.OPENED)


def flag_unanswered(now: dt.datetime | None = None) -> int:
    """Flag referrals with no reaction after REFERRAL_FLAG_AFTER_DAYS and tell both sides once."""
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=current_app.config["REFERRAL_FLAG_AFTER_DAYS"])
    referrals = db.session.scalars(
        sa.select(Referral).where(
            Referral.status.in_(WAITING),
            Referral.first_reaction_at.is_(None),
            Referral.flagged_at.is_(None),
            Referral.purged_at.is_(None),
            Referral.created_at < cutoff,
        )
    ).all()
    for referral in referrals:
        referral.flagged_at = now
        db.session.add(ReferralEvent(referral_id=referral.id, kind=EventKind.FLAGGED, at=now))
        for address in _member_emails(referral.organization_id):
            queue_mail(
                address,
                _("En henvisning venter på svar"),
                "referral_waiting",
                referral_id=referral.id,
            )
        if referral.referrer is not None:
            queue_mail(
                referral.referrer.email,
                _("Din henvisning har ikke fået svar endnu"),
                "referral_waiting",
                referral_id=referral.id,
            )
    db.session.flush()
    return len(referrals)


def _empty(referral: Referral) -> None:
    for name in PERSONAL_FIELDS:
        setattr(referral, name, None)
    for event in referral.events:
        event.message = None


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete the personal data of referrals past their retention time; idempotent.

    Closed referrals keep it REFERRAL_PURGE_CLOSED_DAYS after closing, others
    REFERRAL_PURGE_OPEN_DAYS after they were sent. Status, dates, offer and
    municipality remain for the anonymous statistics.
    """
    now = now or utcnow()
    closed_before = now - dt.timedelta(days=current_app.config["REFERRAL_PURGE_CLOSED_DAYS"])
    sent_before = now - dt.timedelta(days=current_app.config["REFERRAL_PURGE_OPEN_DAYS"])
    referrals = db.session.scalars(
        sa.select(Referral).where(
            Referral.purged_at.is_(None),
            sa.or_(
                sa.and_(Referral.status.in_(CLOSED_STATUSES), Referral.closed_at < closed_before),
                sa.and_(Referral.status.not_in(CLOSED_STATUSES), Referral.created_at < sent_before),
            ),
        )
    ).all()
    for referral in referrals:
        _empty(referral)
        referral.purged_at = now
        audit(
            AuditAction.PURGE,
            actor=None,
            referral_id=referral.id,
            organization_id=referral.organization_id,
        )
    db.session.flush()
    logger.info("purged personal data of %d referrals", len(referrals))
    return len(referrals)


def find_citizen(name: str, phone: str | None, email: str | None) -> list[Referral]:
    """Return the referrals of a citizen, found by name with phone or email (no decryption)."""
    citizen_match = same_citizen(name, phone, email)
    if citizen_match is None:
        return []
    return list(
        db.session.scalars(sa.select(Referral).where(citizen_match).order_by(Referral.created_at))
    )


@dataclass
class AccessLine:
    """One line of the audit trail as the citizen may see it (no staff names)."""

    at: dt.datetime
    action: AuditAction
    who: str


def access_report(referrals: list[Referral], admin: User, request_reason: str) -> dict:
    """Answer a citizen's access request: their referrals and who looked, staff names withheld."""
    lines: dict[object, list[AccessLine]] = {}
    for referral in referrals:
        audit(
            AuditAction.ACCESS_REQUEST,
            actor=admin,
            referral_id=referral.id,
            reason=request_reason,
        )
        entries = db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.referral_id == referral.id)
            .order_by(AuditEntry.at, AuditEntry.id)
        )
        lines[referral.id] = [
            AccessLine(entry.at, entry.action, _describe_actor(entry, referral))
            for entry in entries
        ]
    return {"referrals": referrals, "trail": lines}


def _describe_actor(entry: AuditEntry, referral: Referral) -> str:
    if entry.actor_id is None:
        return _("Portalen (automatisk)")
    if entry.actor_id == referral.referrer_id:
        return _("Den fagperson, der henviste")
    if entry.organization_id == referral.organization_id:
        return _(
            "En medarbejder eller frivillig i %(organization)s",
            organization=referral.organization.name,
        )
    return _("En administrator af portalen")


def erase(referral: Referral, admin: User, reason: str) -> None:
    """Delete a citizen's personal data now, at their request, leaving an audit tombstone."""
    _empty(referral)
    referral.purged_at = referral.purged_at or utcnow()
    audit(
        AuditAction.ERASURE,
        actor=admin,
        referral_id=referral.id,
        organization_id=referral.organization_id,
        reason=reason,
    )
    db.session.flush()
