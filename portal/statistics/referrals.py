"""Anonymous counts of referrals for the statistics pages.

The referral table is read by its column names (``status``, ``created_at``,
``service_id``, and ``kind``, ``outcome_reason`` and ``municipality_code``
when present) rather than through the referral models, so the statistics
keep working, and leave the referral sections out, on a database without
referrals. Only counts leave this module; no column about the citizen is read.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.db import Base, UTCDateTime
from portal.offers.models import Location, LocationType, ServiceAtLocation
from portal.taxonomy.models import ServiceAttribute, Taxonomy, TaxonomyTerm

logger = logging.getLogger(__name__)

TABLE = "referral"
REQUIRED_COLUMNS = frozenset({"service_id", "status", "created_at"})
DECLINED = "declined"
WAITING_LIST = "waiting_list"
# The order outcomes are shown in; a status not listed here comes after them.
STATUS_ORDER = ("sent", "opened", "contacted", "started", "not_started", "declined")


@dataclass(frozen=True)
class UnmetReferrals:
    """Declined and waiting-list referrals, by municipality and by the offer's target group."""

    rows: list[tuple[str, str, str, int]]  # municipality code, target group code, outcome, count


def referral_table(session: so.Session) -> sa.Table | None:
    """Return the referral table if the portal keeps referrals, else None."""
    table = Base.metadata.tables.get(TABLE)
    connection = session.connection()
    if not sa.inspect(connection).has_table(TABLE):
        return None
    if table is None:
        table = sa.Table(TABLE, sa.MetaData(), autoload_with=connection)
    if not set(table.c.keys()) >= REQUIRED_COLUMNS:
        logger.warning("The referral table lacks %s; no referral statistics", REQUIRED_COLUMNS)
        return None
    return table


def _text(column: sa.ColumnElement) -> sa.ColumnElement[str]:
    """Return a column as plain text, whatever enum type it has."""
    return sa.type_coerce(column, sa.String)


def _referrals_only(table: sa.Table) -> list[sa.ColumnElement[bool]]:
    """Return the condition that leaves out citizens' own contact requests (not referrals)."""
    return [_text(table.c.kind) == "referral"] if "kind" in table.c else []


def sort_statuses(statuses: set[str]) -> list[str]:
    """Return referral statuses in the order of a referral's life."""
    known = [status for status in STATUS_ORDER if status in statuses]
    return known + sorted(statuses - set(STATUS_ORDER))


def referral_outcomes_by_year(session: so.Session) -> dict[int, dict[str, int]] | None:
    """Return {year: {status: count}} of every referral, or None without referrals."""
    table = referral_table(session)
    if table is None:
        return None
    year = sa.extract("year", table.c.created_at)
    status = _text(table.c.status)
    rows = session.execute(
        sa.select(year, status, sa.func.count())
        .where(*_referrals_only(table))
        .group_by(year, status)
    )
    outcomes: dict[int, dict[str, int]] = {}
    for row_year, row_status, count in rows:
        outcomes.setdefault(int(row_year), {})[str(row_status)] = count
    return outcomes


def _moment(session: so.Session, table: sa.Table, day: dt.date) -> dt.datetime:
    """Return midnight UTC of ``day`` as the referral table's timestamps want it.

    The portal's own timestamp type wants aware values; a reflected SQLite
    column holds naive UTC text, which only a naive value compares with.
    """
    moment = dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
    naive = session.get_bind().dialect.name == "sqlite"
    if isinstance(table.c.created_at.type, UTCDateTime) or not naive:
        return moment
    return moment.replace(tzinfo=None)


def _outcome(table: sa.Table) -> tuple[sa.ColumnElement[str], sa.ColumnElement[bool]]:
    """Return the unmet outcome of a referral ("declined" or "waiting_list") and its condition."""
    status = _text(table.c.status)
    if "outcome_reason" in table.c:
        waiting = sa.and_(status == "not_started", _text(table.c.outcome_reason) == WAITING_LIST)
    else:
        waiting = status == WAITING_LIST
    outcome = sa.case((status == DECLINED, DECLINED), else_=WAITING_LIST)
    return outcome, sa.or_(status == DECLINED, waiting)


def _municipality(table: sa.Table) -> tuple[sa.ColumnElement[str], sa.FromClause | None]:
    """Return the referral's municipality: its own anonymous fact, else the offer's place."""
    if "municipality_code" in table.c:
        return table.c.municipality_code, None
    places = (
        sa.select(ServiceAtLocation.service_id, Location.municipality_code)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .where(Location.location_type == LocationType.PHYSICAL)
        .distinct()
        .subquery()
    )
    return places.c.municipality_code, places


def unmet_referrals(
    session: so.Session, first_day: dt.date, last_day: dt.date, municipality: str = ""
) -> UnmetReferrals | None:
    """Count declined and waiting-list referrals of the period, or None without referrals."""
    table = referral_table(session)
    if table is None:
        return None
    groups = (
        sa.select(ServiceAttribute.service_id, TaxonomyTerm.code.label("target_group"))
        .join(TaxonomyTerm, TaxonomyTerm.id == ServiceAttribute.taxonomy_term_id)
        .join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
        .where(Taxonomy.code == "maalgruppe")
        .subquery()
    )
    outcome, unmet = _outcome(table)
    area, places = _municipality(table)
    where = [
        unmet,
        *_referrals_only(table),
        table.c.created_at >= _moment(session, table, first_day),
        table.c.created_at < _moment(session, table, last_day + dt.timedelta(days=1)),
    ]
    if municipality:
        where.append(area == municipality)
    inner = sa.select(
        sa.func.coalesce(area, "").label("area"),
        sa.func.coalesce(groups.c.target_group, "").label("target_group"),
        outcome.label("outcome"),
    ).select_from(table)
    if places is not None:
        inner = inner.outerjoin(places, places.c.service_id == table.c.service_id)
    # Grouped outside, so PostgreSQL need not match the CASE's parameters.
    rows = (
        inner.outerjoin(groups, groups.c.service_id == table.c.service_id).where(*where).subquery()
    )
    columns = (rows.c.area, rows.c.target_group, rows.c.outcome)
    statement = sa.select(*columns, sa.func.count()).group_by(*columns).order_by(*columns)
    return UnmetReferrals(
        [(str(m), str(g), str(o), int(n)) for m, g, o, n in session.execute(statement)]
    )
