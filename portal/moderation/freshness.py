"""How fresh an offer's information is, yearly re-confirmation, reminders and hiding.

An offer counts as confirmed when it was published, edited or confirmed. After
OFFER_REMIND_AFTER_DAYS its contact is emailed a one-click confirmation link;
after OFFER_HIDE_AFTER_DAYS it leaves search (``find.documents.indexable_condition``)
until someone confirms it.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import gettext as _

from portal.accounts.models import Membership, User
from portal.db import utcnow
from portal.find.documents import hide_after
from portal.find.outbox import enqueue
from portal.mail.services import queue_mail
from portal.moderation.models import ServiceVersion, VersionEvent
from portal.moderation.publication import mail_language
from portal.moderation.tokens import make_confirm_token
from portal.moderation.versions import record_version
from portal.offers.models import Service, ServiceStatus

logger = logging.getLogger(__name__)


def confirmed_sql() -> sa.ColumnElement[dt.datetime]:
    """Return the SQL of ``confirmed_at``: when the offer was confirmed, or else published."""
    return sa.func.coalesce(Service.last_confirmed_at, Service.published_at)


class Freshness(enum.StrEnum):
    """Where an offer stands: confirmed recently, due for confirmation, or hidden from search."""

    FRESH = "fresh"
    DUE = "due"
    HIDDEN = "hidden"
    UNCONFIRMED = "unconfirmed"


def now() -> dt.datetime:
    """Return the current time (one place, so tests can move the clock)."""
    return utcnow()


def remind_before(at: dt.datetime | None = None) -> dt.datetime:
    """Return the time before which a confirmation makes an offer due for a reminder."""
    days = current_app.config["OFFER_REMIND_AFTER_DAYS"]
    return (at or now()) - dt.timedelta(days=days)


def hide_before(at: dt.datetime | None = None) -> dt.datetime:
    """Return the time before which a confirmation no longer keeps an offer in search."""
    return (at or now()) - hide_after()


def confirmed_at(service: Service) -> dt.datetime | None:
    """Return when the offer was last confirmed (or published, if never confirmed)."""
    return service.last_confirmed_at or service.published_at


def freshness(service: Service) -> Freshness:
    """Return how fresh the offer is."""
    confirmed = confirmed_at(service)
    if confirmed is None:
        return Freshness.UNCONFIRMED
    if confirmed < hide_before():
        return Freshness.HIDDEN
    if confirmed < remind_before():
        return Freshness.DUE
    return Freshness.FRESH


def hidden_on(service: Service) -> dt.date | None:
    """Return the day the offer leaves search unless confirmed first."""
    confirmed = confirmed_at(service)
    if confirmed is None:
        return None
    return (confirmed + hide_after()).date()


def confirm_offer(service: Service, actor: User | None) -> ServiceVersion:
    """Record that the offer is still running; a hidden offer comes back into search."""
    service.last_confirmed_at = now()
    service.stale_reminder_sent_at = None
    # The changed row puts the offer in the search outbox, which reindexes it.
    return record_version(service, actor, VersionEvent.CONFIRMED, is_published=True)


def due_for_reminder(at: dt.datetime) -> sa.ColumnElement[bool]:
    """Return the condition: published, unconfirmed for too long, not reminded since."""
    confirmed = confirmed_sql()
    return sa.and_(
        Service.status == ServiceStatus.PUBLISHED,
        confirmed < remind_before(at),
        sa.or_(
            Service.stale_reminder_sent_at.is_(None),
            Service.stale_reminder_sent_at < confirmed,
        ),
    )


def reminder_recipients(session: so.Session, service: Service) -> list[str]:
    """Return who is asked: the offer's email, else its contacts' emails, else its members."""
    if service.email:
        return [service.email]
    contacts = list(dict.fromkeys(c.email for c in service.contacts if c.email))
    if contacts:
        return contacts
    return list(
        session.scalars(
            sa.select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organization_id == service.organization_id, ~User.is_disabled)
            .order_by(User.email)
        )
    )


@dataclass
class ReminderBatch:
    """What one batch of reminders did; ``last_id`` is None when nothing was left."""

    last_id: uuid.UUID | None = None
    offers: int = 0
    mails: int = 0
    unreachable: int = 0


def remind_batch(
    session: so.Session, at: dt.datetime, after: uuid.UUID | None, limit: int = 500
) -> ReminderBatch:
    """Email the contacts of up to ``limit`` offers due for a reminder (the caller commits)."""
    statement = (
        sa.select(Service)
        .where(due_for_reminder(at))
        .options(so.selectinload(Service.contacts), so.joinedload(Service.organization))
        .order_by(Service.id)
        .limit(limit)
    )
    if after is not None:
        statement = statement.where(Service.id > after)
    batch = ReminderBatch()
    with mail_language():
        for service in session.scalars(statement).unique():
            _remind(session, service, at, batch)
    return batch


def _remind(session: so.Session, service: Service, at: dt.datetime, batch: ReminderBatch) -> None:
    """Email one offer's contacts a confirmation link and mark the offer reminded."""
    batch.last_id = service.id
    recipients = reminder_recipients(session, service)
    for address in recipients:
        queue_mail(
            address,
            _("Kører %(name)s stadig?", name=service.name),
            "moderation_remind_stale",
            service=service,
            token=make_confirm_token(service),
            hide_date=hidden_on(service),
            is_hidden=confirmed_at(service) < hide_before(at),
        )
    # Marked even without an address, so a daily run does not retry it forever.
    service.stale_reminder_sent_at = at
    batch.offers += 1
    batch.mails += len(recipients)
    batch.unreachable += int(not recipients)


def newly_hidden_ids(session: so.Session, at: dt.datetime, within: dt.timedelta) -> list[uuid.UUID]:
    """Return published offers whose confirmation grew too old within the last ``within``."""
    limit = hide_before(at)
    confirmed = confirmed_sql()
    return list(
        session.scalars(
            sa.select(Service.id).where(
                Service.status == ServiceStatus.PUBLISHED,
                confirmed < limit,
                confirmed >= limit - within,
            )
        )
    )


def queue_newly_hidden(session: so.Session, at: dt.datetime, within: dt.timedelta) -> int:
    """Put offers that just turned stale in the search outbox, so the index drops them."""
    ids = newly_hidden_ids(session, at, within)
    enqueue(session, set(ids))
    if ids:
        logger.info("queued %s stale offers for removal from search", len(ids))
    return len(ids)
