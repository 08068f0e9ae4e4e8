"""Publishing an offer: directly for verified organisations, otherwise through review."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.accounts.models import User
from portal.db import db, utcnow
from portal.mail.services import queue_mail
from portal.moderation.models import ServiceVersion, VersionEvent
from portal.moderation.versions import record_version
from portal.offers.models import Service, ServiceStatus


def may_publish_directly(service: Service, actor: User) -> bool:
    """Return whether the actor's changes go live without review."""
    return actor.is_admin or service.organization.is_verified


def publish(service: Service, actor: User | None, event: VersionEvent) -> ServiceVersion:
    """Make the offer public now and count it as confirmed today."""
    now = utcnow()
    service.status = ServiceStatus.PUBLISHED
    service.published_at = service.published_at or now
    service.last_confirmed_at = now
    service.stale_reminder_sent_at = None
    return record_version(service, actor, event, is_published=True)


def submit(service: Service, actor: User) -> ServiceVersion:
    """Ask for the offer to be published: publish it, or put it in the review queue."""
    if may_publish_directly(service, actor):
        return publish(service, actor, VersionEvent.PUBLISHED)
    service.status = ServiceStatus.PENDING_REVIEW
    version = record_version(service, actor, VersionEvent.SUBMITTED, is_published=False)
    for admin_email in db.session.scalars(
        sa.select(User.email).where(User.is_admin, sa.not_(User.is_disabled))
    ):
        queue_mail(
            admin_email,
            _("Nyt tilbud venter på godkendelse"),
            "review_requested",
            service_id=service.id,
        )
    return version
