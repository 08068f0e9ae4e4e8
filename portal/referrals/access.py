"""Who may see a referral: its referrer, the receiving organisation's members, and admins
who record a reason ("break glass"). Every view, export and API goes through here,
and every successful look is written to the audit trail.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

import sqlalchemy as sa
from flask import abort, has_request_context, session

from portal.accounts.models import Membership, User
from portal.db import db, utcnow
from portal.referrals.audit import audit
from portal.referrals.models import AuditAction, Referral

BREAK_GLASS_MINUTES = 30
_SESSION_KEY = "break_glass"


class Relation(enum.StrEnum):
    """How a user is related to a referral."""

    REFERRER = "referrer"
    RECEIVER = "receiver"
    BREAK_GLASS = "break_glass"


def _member_of(user: User, organization_id: uuid.UUID) -> bool:
    return any(m.organization_id == organization_id for m in user.memberships)


def _break_glass_reason(user: User, referral_id: uuid.UUID) -> str | None:
    if not user.is_admin or not has_request_context():
        return None
    grant = session.get(_SESSION_KEY, {}).get(str(referral_id))
    if not grant:
        return None
    expires = dt.datetime.fromisoformat(grant["until"])
    return grant["reason"] if expires > utcnow() else None


def relation_to(user: User, referral: Referral) -> Relation | None:
    """Return how the user may see the referral, or None if not at all."""
    if referral.referrer_id is not None and referral.referrer_id == user.id:
        return Relation.REFERRER
    if _member_of(user, referral.organization_id):
        return Relation.RECEIVER
    if _break_glass_reason(user, referral.id):
        return Relation.BREAK_GLASS
    return None


def get_referral_or_404(
    referral_id: str | uuid.UUID, user: User, action: AuditAction = AuditAction.VIEW
) -> tuple[Referral, Relation]:
    """Return a referral the user may see and how, after writing the audit row; else 404."""
    try:
        key = referral_id if isinstance(referral_id, uuid.UUID) else uuid.UUID(str(referral_id))
    except ValueError:
        abort(404)
    referral = db.session.get(Referral, key)
    if referral is None:
        abort(404)
    relation = relation_to(user, referral)
    if relation is None:
        abort(404)
    audit(
        action,
        actor=user,
        referral_id=referral.id,
        organization_id=referral.organization_id if relation is Relation.RECEIVER else None,
        reason=_break_glass_reason(user, referral.id) if relation is Relation.BREAK_GLASS else None,
    )
    return referral, relation


def grant_break_glass(admin: User, referral_id: uuid.UUID, reason: str) -> None:
    """Let an admin see one referral for a short while, with the reason on record."""
    if not admin.is_admin:
        abort(404)
    reason = reason.strip()
    if len(reason) < 10:
        raise ValueError("a reason of at least 10 characters is required")
    if db.session.get(Referral, referral_id) is None:
        abort(404)
    until = utcnow() + dt.timedelta(minutes=BREAK_GLASS_MINUTES)
    grants = dict(session.get(_SESSION_KEY, {}))
    grants[str(referral_id)] = {"until": until.isoformat(), "reason": reason}
    session[_SESSION_KEY] = grants
    audit(AuditAction.BREAK_GLASS, actor=admin, referral_id=referral_id, reason=reason)


def visible_to(user: User) -> sa.Select[tuple[Referral]]:
    """Return a query of the referrals the user sent or whose organisation received them."""
    organizations = sa.select(Membership.organization_id).where(Membership.user_id == user.id)
    return sa.select(Referral).where(
        sa.or_(Referral.referrer_id == user.id, Referral.organization_id.in_(organizations))
    )
