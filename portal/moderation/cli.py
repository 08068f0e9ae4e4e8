"""Daily chores that keep offers fresh: reminders, and dropping stale offers from search."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.extensions import db
from portal.moderation import freshness

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


@click.group("offers")
def offers_group() -> None:
    """Keep offers fresh: yearly re-confirmation and hiding stale offers."""


def _send_reminders(at: dt.datetime, batch_size: int) -> freshness.ReminderBatch:
    total = freshness.ReminderBatch()
    after: uuid.UUID | None = None
    while True:
        batch = freshness.remind_batch(db.session, at, after, limit=batch_size)
        # One commit per batch: a crash half-way keeps what was sent, and the
        # next run picks up exactly the offers that were not reminded.
        db.session.commit()
        db.session.expunge_all()
        if batch.last_id is None:
            return total
        after = batch.last_id
        total.offers += batch.offers
        total.mails += batch.mails
        total.unreachable += batch.unreachable


def _hide_stale(at: dt.datetime, within_days: int) -> int:
    count = freshness.queue_newly_hidden(db.session, at, dt.timedelta(days=within_days))
    db.session.commit()
    return count


def _echo_hidden(count: int) -> None:
    days = current_app.config["OFFER_HIDE_AFTER_DAYS"]
    click.echo(
        f"Queued {count:,} offers unconfirmed for over {days} days for removal from search; "
        "`portal search sync` applies it."
    )


_within_option = click.option(
    "--within-days",
    default=7,
    show_default=True,
    type=click.IntRange(min=1),
    help="Queue offers that turned stale this many days back (covers missed runs).",
)


@offers_group.command("remind-stale")
@click.option("--batch-size", default=BATCH_SIZE, show_default=True, type=click.IntRange(min=1))
@_within_option
@with_appcontext
def remind_stale(batch_size: int, within_days: int) -> None:
    """Email offers' contacts a confirmation link when due, and drop stale offers from search."""
    at = freshness.now()
    sent = _send_reminders(at, batch_size)
    days = current_app.config["OFFER_REMIND_AFTER_DAYS"]
    click.echo(
        f"Reminded {sent.offers:,} offers unconfirmed for over {days} days "
        f"({sent.mails:,} emails queued; {sent.unreachable:,} offers had no email address)."
    )
    _echo_hidden(_hide_stale(at, within_days))


@offers_group.command("hide-stale")
@_within_option
@with_appcontext
def hide_stale(within_days: int) -> None:
    """Queue offers that passed OFFER_HIDE_AFTER_DAYS, so the next search sync drops them."""
    _echo_hidden(_hide_stale(freshness.now(), within_days))
