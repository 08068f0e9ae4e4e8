"""Put anonymous referral rows in the database for the statistics tests.

The statistics read the referral table by its column names, so these helpers
write the columns the statistics read and nothing about a citizen. Without
the portal's referral table they make a minimal one, as another referral
system's would be.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa

from portal.db import Base
from portal.extensions import db
from portal.models import Service


def referral_table() -> sa.Table:
    """Return the referral table, creating a minimal one if the schema has none."""
    connection = db.session.connection()
    if sa.inspect(connection).has_table("referral"):
        known = Base.metadata.tables.get("referral")
        if known is not None:
            return known
        return sa.Table("referral", sa.MetaData(), autoload_with=connection)
    table = sa.Table(
        "referral",
        sa.MetaData(),
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("service_id", sa.Uuid, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    table.create(connection)
    return table


def add_referral(
    service: Service,
    status: str,
    created_at: dt.datetime,
    reason: str | None = None,
    kind: str = "referral",
) -> None:
    """Add one referral of ``service`` with an outcome and nothing else."""
    table = referral_table()
    values = {
        "id": uuid.uuid4(),
        "service_id": service.id,
        "status": status,
        "created_at": created_at,
    }
    optional = {
        "kind": kind,
        "form_token": uuid.uuid4().hex,
        "organization_id": service.organization_id,
        "outcome_reason": reason,
        "municipality_code": service.service_at_locations[0].location.municipality_code,
        "updated_at": created_at,
        "version": 1,
    }
    values.update({key: value for key, value in optional.items() if key in table.c})
    if "outcome_reason" not in table.c and reason == "waiting_list":
        values["status"] = "waiting_list"
    if "kind" not in table.c and kind != "referral":
        return
    db.session.execute(sa.insert(table).values(**values))
    db.session.commit()
