"""The append-only audit trail of every view, change, export and deletion of personal data."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event

from portal.accounts.models import User
from portal.db import db
from portal.referrals.models import AuditAction, AuditEntry


class AuditTamperError(RuntimeError):
    """Someone tried to change or delete an audit row."""


def audit(
    action: AuditAction,
    *,
    actor: User | None,
    referral_id: uuid.UUID | None = None,
    organization_id: uuid.UUID | None = None,
    reason: str | None = None,
    detail: str | None = None,
) -> AuditEntry:
    """Add an audit row (written with the caller's transaction)."""
    entry = AuditEntry(
        action=action,
        actor_id=actor.id if actor is not None else None,
        referral_id=referral_id,
        organization_id=organization_id,
        reason=reason,
        detail=detail,
    )
    db.session.add(entry)
    return entry


def _refuse(_mapper: Any, _connection: Any, _target: AuditEntry) -> None:
    raise AuditTamperError("audit entries are append-only")


# The database refuses too (triggers in the migration); this catches it early.
event.listen(AuditEntry, "before_update", _refuse)
event.listen(AuditEntry, "before_delete", _refuse)
