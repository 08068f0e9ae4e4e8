"""Command line for the mail outbox: send (once or as a worker), status, retry."""

from __future__ import annotations

import datetime as dt
import signal
import threading
from collections.abc import Callable

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from portal.db import utcnow
from portal.extensions import db
from portal.mail.models import MailMessage, MailStatus
from portal.mail.sender import SendCounts, outbox_state, send_due


@click.group("mail")
def mail_group() -> None:
    """Send queued e-mail and look after the outbox."""


def _describe(counts: SendCounts) -> str:
    """Return one line saying what a run did."""
    return f"Sent {counts.sent}, retrying later {counts.retrying}, failed for good {counts.failed}."


def run_loop(
    send: Callable[[], SendCounts],
    interval: float,
    limit: int,
    stop: threading.Event,
    echo: Callable[[str], None],
) -> None:
    """Send until ``stop`` is set: again at once after a full batch, else after a pause."""
    while not stop.is_set():
        counts = send()
        if counts.handled:
            echo(_describe(counts))
        if counts.handled < limit:
            stop.wait(interval)


@mail_group.command("send")
@click.option("--loop", is_flag=True, help="Keep running as a worker until stopped.")
@click.option("--interval", default=30, show_default=True, type=click.IntRange(1, 3600))
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
@with_appcontext
def mail_send(loop: bool, interval: int, limit: int) -> None:
    """Send the messages that are due (from cron, or with --loop as a worker)."""
    if not loop:
        click.echo(_describe(send_due(limit=limit)))
        return
    stop = threading.Event()
    # A worker being stopped finishes the message in hand; a killed one
    # leaves a lease that expires, so nothing is lost either way.
    signal.signal(signal.SIGTERM, lambda *_args: stop.set())
    click.echo(f"Sending mail every {interval} s (Ctrl+C stops).")
    try:
        run_loop(lambda: send_due(limit=limit), interval, limit, stop, click.echo)
    except KeyboardInterrupt:
        click.echo("Stopped.")


def _age(since: dt.datetime) -> str:
    """Return a short human age like '3 h 12 min'."""
    minutes = int((utcnow() - since).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes // (24 * 60)} days"


@mail_group.command("status")
@with_appcontext
def mail_status() -> None:
    """Show how many messages are in each state and how old the oldest waiting one is."""
    state = outbox_state(db.session)
    for status, number in state.counts.items():
        click.echo(f"{status:8} {number:,}")
    if state.oldest_pending_at is None:
        click.echo("Nothing is waiting to be sent.")
    else:
        click.echo(f"Oldest waiting message: {_age(state.oldest_pending_at)} old.")
    if state.overdue:
        click.echo(f"{state.overdue:,} messages have waited more than 15 minutes.")


@mail_group.command("retry-failed")
@with_appcontext
def mail_retry_failed() -> None:
    """Put the messages that failed for good back in the queue with fresh attempts."""
    with db.transaction() as session:
        result = session.execute(
            sa.update(MailMessage)
            .where(MailMessage.status == MailStatus.FAILED)
            .values(status=MailStatus.PENDING, attempts=0, next_attempt_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    click.echo(f"Queued {result.rowcount or 0} failed messages again.")
