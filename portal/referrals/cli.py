"""Commands for cron: flag unanswered referrals, delete expired personal data, rotate keys."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from portal.db import db
from portal.referrals import retention
from portal.referrals.models import Referral, ReferralEvent
from portal.twofactor.models import TwoFactor

ENCRYPTED = {
    Referral: (
        "citizen_name",
        "citizen_phone",
        "citizen_email",
        "contact_time",
        "needs",
        "note",
        "decline_message",
    ),
    ReferralEvent: ("message",),
    TwoFactor: ("secret",),
}


@click.group("referrals")
def referrals_group() -> None:
    """Referral chores: flags, deletion of personal data, key rotation."""


@referrals_group.command("flag-unanswered")
@with_appcontext
def flag_unanswered() -> None:
    """Flag referrals with no reaction after a week and tell both sides (daily)."""
    count = retention.flag_unanswered()
    db.session.commit()
    click.echo(f"Flagged {count} referrals waiting for a reaction.")


@referrals_group.command("purge")
@with_appcontext
def purge() -> None:
    """Delete the personal data of referrals past their retention time (daily; idempotent)."""
    count = retention.purge_expired()
    db.session.commit()
    click.echo(f"Deleted the personal data of {count} referrals.")


@referrals_group.command("rotate-keys")
@click.option("--batch", default=500, show_default=True, type=click.IntRange(1, 10_000))
@with_appcontext
def rotate_keys(batch: int) -> None:
    """Re-encrypt every personal field with the newest key in ENCRYPTION_KEYS."""
    total = 0
    for model, columns in ENCRYPTED.items():
        table = model.__table__
        key_columns = list(table.primary_key.columns)
        offset = 0
        while True:
            rows = db.session.execute(
                sa.select(*key_columns, *(table.c[name] for name in columns))
                .order_by(*key_columns)
                .limit(batch)
                .offset(offset)
            ).all()
            if not rows:
                break
            for row in rows:
                # Reading decrypts with whichever key fits; writing encrypts with
                # the newest, so writing the same text back rotates it.
                values = {
                    name: value
                    for name, value in zip(columns, row[len(key_columns) :], strict=True)
                    if value is not None
                }
                if values:
                    condition = sa.and_(*(column == row[i] for i, column in enumerate(key_columns)))
                    db.session.execute(sa.update(table).where(condition).values(**values))
                    total += 1
            db.session.commit()
            offset += batch
    click.echo(f"Re-encrypted {total} rows with the newest key.")
