"""Publishing an offer: directly for verified organisations, otherwise through review.

The policy: a new (unverified) organisation's offers wait in the review queue
until an admin approves them; verified organisations and admins publish
directly. Once an offer is published, later changes go live at once, so
citizens never lose a listing; for unverified organisations those changes are
listed for admins as "changed after approval" (see ``services.changed_offers``).
"""

from __future__ import annotations

from contextlib import AbstractContextManager

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.accounts.models import User
from portal.db import db, utcnow
from portal.mail.services import queue_mail
from portal.moderation.models import ServiceVersion, VersionEvent
from portal.moderation.versions import record_version
from portal.offers.models import Service, ServiceStatus


def mail_language() -> AbstractContextManager[None]:
    """Write emails in the portal's default language (Danish), whoever caused them.

    The recipients' language is not known, and cron jobs have no visitor to ask.
    """
    return force_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


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


def apply_edit(
    service: Service,
    actor: User | None,
    event: VersionEvent = VersionEvent.SAVED,
    note: str | None = None,
) -> ServiceVersion:
    """Record a saved change under the publication rules; the status stays as it is.

    A change to a published offer is live at once and, since someone has just
    looked the offer over, counts as a confirmation that it is still running.
    """
    now = utcnow()
    # Touching the row moves the version counter even when only places,
    # times or terms changed, so a page opened before this edit is stale.
    service.updated_at = now
    if service.is_published:
        service.last_confirmed_at = now
        service.stale_reminder_sent_at = None
    return record_version(service, actor, event, note=note, is_published=service.is_published)


def submit(service: Service, actor: User) -> ServiceVersion:
    """Ask for the offer to be published: publish it, keep it live, or queue it for review."""
    if may_publish_directly(service, actor):
        return publish(service, actor, VersionEvent.PUBLISHED)
    if service.is_published:
        # Citizens keep the listing; admins see the change afterwards.
        return apply_edit(service, actor)
    service.status = ServiceStatus.PENDING_REVIEW
    version = record_version(service, actor, VersionEvent.SUBMITTED, is_published=False)
    admins = db.session.scalars(
        sa.select(User.email).where(User.is_admin, sa.not_(User.is_disabled))
    ).all()
    with mail_language():
        for admin_email in admins:
            queue_mail(
                admin_email,
                _("Nyt tilbud venter på godkendelse"),
                "review_requested",
                service_id=service.id,
                service_name=service.name,
                organization_name=service.organization.name,
            )
    return version
