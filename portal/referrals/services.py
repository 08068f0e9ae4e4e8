"""The life of a referral: creation with consent, status changes, replies, flags and deletion.

Functions add and flush; the caller commits. Emails never contain personal
data: only that something happened and a link.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.accounts.models import Membership, User
from portal.db import db, utcnow
from portal.mail.services import queue_mail
from portal.offers.models import Service
from portal.referrals.audit import audit
from portal.referrals.crypto import fingerprint
from portal.referrals.models import (
    CLOSED_STATUSES,
    AuditAction,
    ConsentMethod,
    EventKind,
    NotStartedReason,
    Referral,
    ReferralEvent,
    ReferralKind,
    ReferralStatus,
)
from portal.referrals.privacy import contains_cpr

logger = logging.getLogger(__name__)

TRANSITIONS: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    ReferralStatus.SENT: frozenset(
        {
            ReferralStatus.OPENED,
            ReferralStatus.CONTACTED,
            ReferralStatus.NOT_STARTED,
            ReferralStatus.DECLINED,
        }
    ),
    ReferralStatus.OPENED: frozenset(
        {ReferralStatus.CONTACTED, ReferralStatus.NOT_STARTED, ReferralStatus.DECLINED}
    ),
    ReferralStatus.CONTACTED: frozenset(
        {ReferralStatus.STARTED, ReferralStatus.NOT_STARTED, ReferralStatus.DECLINED}
    ),
}
MAX_NOTE_LENGTH = 500
DUPLICATE_WINDOW = dt.timedelta(hours=24)


class ReferralError(ValueError):
    """A referral cannot be created or changed as asked; the message is for the user."""


class ConflictError(RuntimeError):
    """Someone else changed the referral first."""


@dataclass
class Citizen:
    """What the form says about the citizen."""

    name: str
    phone: str | None = None
    email: str | None = None
    contact_time: str | None = None
    needs: list[str] = field(default_factory=list)
    reason_code: str | None = None
    note: str | None = None


@dataclass
class Consent:
    """Who consented to the referral, how, when, and to which information text."""

    given_by: str
    method: ConsentMethod
    at: dt.datetime
    text_version: str


def _digits(phone: str | None) -> str:
    return re.sub(r"\D", "", phone or "")[-8:]


def citizen_fingerprints(name: str, phone: str | None, email: str | None) -> tuple[str | None, ...]:
    """Return the keyed hashes of name + phone and name + email (None where absent)."""
    digits = _digits(phone)
    return (
        fingerprint(name, digits) if digits else None,
        fingerprint(name, email) if email else None,
    )


def same_citizen(name: str, phone: str | None, email: str | None) -> sa.ColumnElement[bool] | None:
    """Return the condition for referrals of this citizen (name with phone or email), or None."""
    phone_fp, email_fp = citizen_fingerprints(name, phone, email)
    conditions = []
    if phone_fp:
        conditions.append(Referral.phone_fingerprint == phone_fp)
    if email_fp:
        conditions.append(Referral.email_fingerprint == email_fp)
    return sa.or_(*conditions) if conditions else None


def _check_citizen(citizen: Citizen) -> None:
    if not citizen.name.strip():
        raise ReferralError(_("Skriv borgerens navn."))
    if not (citizen.phone or citizen.email):
        raise ReferralError(
            _("Skriv borgerens telefonnummer eller e-mail, så foreningen kan tage kontakt.")
        )
    if citizen.note and len(citizen.note) > MAX_NOTE_LENGTH:
        raise ReferralError(_("Noten må højst være på 500 tegn."))
    texts = [citizen.name, citizen.phone, citizen.email, citizen.contact_time, citizen.note]
    if any(contains_cpr(text) for text in texts):
        raise ReferralError(
            _("Skriv ikke CPR-numre i henvisningen. Foreningen har ikke brug for det.")
        )


def recent_duplicate(service_id: object, citizen: Citizen, now: dt.datetime | None = None) -> bool:
    """Return whether the same citizen was referred to the same offer in the last 24 hours."""
    citizen_match = same_citizen(citizen.name, citizen.phone, citizen.email)
    if citizen_match is None:
        return False
    since = (now or utcnow()) - DUPLICATE_WINDOW
    found = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Referral)
        .where(Referral.service_id == service_id, Referral.created_at >= since, citizen_match)
    )
    return bool(found)


def _member_emails(organization_id: object) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organization_id == organization_id, sa.not_(User.is_disabled))
        )
    )


def create_referral(
    *,
    service: Service,
    referrer: User | None,
    form_token: str,
    citizen: Citizen,
    consent: Consent | None,
    kind: ReferralKind = ReferralKind.REFERRAL,
) -> Referral:
    """Create a referral (or a citizen's contact request) and tell the association.

    Without consent nothing is created. A second submit of the same form
    (same ``form_token``) fails on the unique constraint at flush.
    """
    if consent is None or not consent.given_by or not consent.text_version:
        raise ReferralError(_("Borgeren skal have givet samtykke, før du kan sende henvisningen."))
    _check_citizen(citizen)
    phone_fp, email_fp = citizen_fingerprints(citizen.name, citizen.phone, citizen.email)
    location = next((sal.location for sal in service.service_at_locations), None)
    referral = Referral(
        form_token=form_token,
        kind=kind,
        service_id=service.id,
        organization_id=service.organization_id,
        referrer_id=referrer.id if referrer is not None else None,
        status=ReferralStatus.SENT,
        municipality_code=location.municipality_code if location is not None else None,
        reason_code=citizen.reason_code,
        citizen_name=citizen.name.strip(),
        citizen_phone=(citizen.phone or "").strip() or None,
        citizen_email=(citizen.email or "").strip() or None,
        contact_time=citizen.contact_time or None,
        needs=",".join(citizen.needs) or None,
        note=citizen.note or None,
        phone_fingerprint=phone_fp,
        email_fingerprint=email_fp,
        consent_by=consent.given_by,
        consent_method=consent.method,
        consent_at=consent.at,
        consent_text_version=consent.text_version,
    )
    db.session.add(referral)
    db.session.flush()
    audit(
        AuditAction.CREATE,
        actor=referrer,
        referral_id=referral.id,
        organization_id=service.organization_id,
    )
    subject = (
        _("Ny henvisning") if kind is ReferralKind.REFERRAL else _("En borger vil gerne kontaktes")
    )
    for address in _member_emails(service.organization_id):
        queue_mail(address, subject, "referral_new", referral_id=referral.id, kind=kind.value)
    return referral


def _notify_referrer(referral: Referral) -> None:
    if referral.referrer is not None and not referral.referrer.is_disabled:
        queue_mail(
            referral.referrer.email,
            _("Nyt om din henvisning"),
            "referral_update",
            referral_id=referral.id,
        )


def mark_opened(referral: Referral, actor: User) -> None:
    """Record that the receiving association has opened a new referral."""
    if referral.status is ReferralStatus.SENT:
        _apply_status(referral, actor, ReferralStatus.OPENED, None)


def change_status(
    referral: Referral,
    actor: User,
    new_status: ReferralStatus,
    *,
    expected_version: int,
    reason: NotStartedReason | None = None,
    message: str | None = None,
) -> None:
    """Move the referral on, if that step is allowed from where it stands now.

    ``expected_version`` is the version the actor saw; if someone else changed
    the referral since, ConflictError is raised and nothing changes. Two
    changes racing past this check are stopped by the version column at flush.
    """
    if referral.version != expected_version:
        raise ConflictError("the referral changed since it was shown")
    if new_status not in TRANSITIONS.get(referral.status, frozenset()):
        raise ReferralError(_("Henvisningen kan ikke skifte til den status herfra."))
    if new_status is ReferralStatus.NOT_STARTED and reason is None:
        raise ReferralError(_("Vælg hvorfor borgeren ikke er startet."))
    if new_status is ReferralStatus.DECLINED:
        if not (message or "").strip():
            raise ReferralError(_("Skriv kort, hvorfor I ikke kan tage imod henvisningen."))
        if len(message or "") > MAX_NOTE_LENGTH:
            raise ReferralError(_("Begrundelsen må højst være på 500 tegn."))
        if contains_cpr(message):
            raise ReferralError(_("Skriv ikke CPR-numre i henvisningen."))
        referral.decline_message = message
    _apply_status(referral, actor, new_status, reason)
    audit(
        AuditAction.UPDATE,
        actor=actor,
        referral_id=referral.id,
        organization_id=referral.organization_id,
        detail=f"status:{new_status.value}",
    )
    _notify_referrer(referral)


def _apply_status(
    referral: Referral, actor: User, new_status: ReferralStatus, reason: NotStartedReason | None
) -> None:
    now = utcnow()
    db.session.add(
        ReferralEvent(
            referral_id=referral.id,
            actor_id=actor.id,
            kind=EventKind.STATUS,
            from_status=referral.status.value,
            to_status=new_status.value,
            reason=reason.value if reason else None,
            at=now,
        )
    )
    referral.status = new_status
    if new_status is ReferralStatus.OPENED:
        referral.opened_at = now
    else:
        referral.first_reaction_at = referral.first_reaction_at or now
    if new_status is ReferralStatus.NOT_STARTED:
        referral.outcome_reason = reason
    if new_status in CLOSED_STATUSES:
        referral.closed_at = now
    db.session.flush()


def reply(referral: Referral, actor: User, message: str) -> None:
    """Send the referrer a short message from the association (counts as a reaction)."""
    text = (message or "").strip()
    if not text:
        raise ReferralError(_("Skriv en besked."))
    if len(text) > MAX_NOTE_LENGTH:
        raise ReferralError(_("Beskeden må højst være på 500 tegn."))
    if contains_cpr(text):
        raise ReferralError(_("Skriv ikke CPR-numre i henvisningen."))
    if referral.referrer_id is None:
        raise ReferralError(_("Borgeren har selv bedt om kontakt; der er ingen henviser at svare."))
    db.session.add(
        ReferralEvent(
            referral_id=referral.id, actor_id=actor.id, kind=EventKind.MESSAGE, message=text
        )
    )
    referral.first_reaction_at = referral.first_reaction_at or utcnow()
    audit(
        AuditAction.UPDATE,
        actor=actor,
        referral_id=referral.id,
        organization_id=referral.organization_id,
        detail="reply",
    )
    _notify_referrer(referral)
