"""Unmet demand: count searches that found nothing or almost nothing, and sum the counts.

A search is counted as one more on a counter keyed by the day, the
municipality of the place searched for, and the codes of the target groups,
activity types and life situations chosen. Nothing else is kept: not the
words, not the address or position, not the time, not who searched.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.exc import SQLAlchemyError

from portal.db import utcnow
from portal.geo.municipalities import MUNICIPALITIES
from portal.offers.schedules import COPENHAGEN
from portal.statistics.models import SearchDemandDay
from search.base import GeoPoint, haversine_km

if TYPE_CHECKING:
    from portal.find.params import SearchRequest

logger = logging.getLogger(__name__)

# At most this many results counts as "nothing or almost nothing".
FEW_RESULTS = 2
# A filter with more values than this is stored as MANY: it hardly narrows the search.
MAX_CODES = 5
MANY = "*"
CODE_COLUMN_LENGTH = 255
DEMAND_FILTERS = ("target_group", "activity", "life_situation")
PERIODS = (30, 90, 365)
DEFAULT_PERIOD = 90
MAX_ROWS = 100


def danish_today() -> dt.date:
    """Return today's date in Denmark, where the day of a search is counted."""
    return utcnow().astimezone(COPENHAGEN).date()


def _joined(codes: list[str] | None) -> str:
    """Return a filter's codes sorted and joined with , or MANY for too many."""
    unique = sorted(set(codes or ()))
    if len(unique) > MAX_CODES:
        return MANY
    joined = "+".join(unique)
    return joined if len(joined) <= CODE_COLUMN_LENGTH else MANY


def _nearest_municipality(lat: float, lon: float) -> str:
    """Return the code of the municipality whose seat is nearest the point."""
    point = GeoPoint(lat, lon)
    return min(MUNICIPALITIES, key=lambda m: haversine_km(point, m.seat_lat, m.seat_lon)).code


def searched_municipality(search: SearchRequest) -> str:
    """Return the code of the municipality searched in, or "" for a search in the whole country.

    A place the gazetteer knows carries its municipality; a position (or an
    address found online) counts in the municipality with the nearest seat; a
    search without a place counts in the one municipality it was limited to.
    """
    place = search.place
    if place is not None:
        return place.municipality_code or _nearest_municipality(place.lat, place.lon)
    chosen = search.selected.get("municipality") or []
    return chosen[0] if len(chosen) == 1 else ""


def record_unmet_demand(
    session: so.Session, search: SearchRequest, total: int, today: dt.date | None = None
) -> bool:
    """Count ``search`` when it found at most FEW_RESULTS offers; return whether it should count.

    Never raises; a repeat of a search that should count must be counted again.

    Only the first page is counted (later pages are the same search), and a
    search whose place was not understood is not counted, as it found
    nothing about that place. The counter is written in a savepoint, so a
    failure here leaves the search and its transaction untouched.
    """
    try:
        if total > FEW_RESULTS or search.errors or search.query.page != 1:
            return False
        key = {
            "day": today or danish_today(),
            "municipality_code": searched_municipality(search),
            **{name: _joined(search.selected.get(name)) for name in DEMAND_FILTERS},
        }
        with session.begin_nested():
            session.execute(_increment(session, key, empty=total == 0))
    except (SQLAlchemyError, ValueError, LookupError):
        logger.warning("Could not count a search with few results", exc_info=True)
    return True


def _increment(session: so.Session, key: dict, empty: bool) -> sa.Executable:
    """Return an upsert that adds one search to the counter of ``key``."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        raise LookupError(f"no upsert for {dialect}")
    statement = insert(SearchDemandDay).values(**key, searches=1, without_results=1 if empty else 0)
    table = SearchDemandDay.__table__
    return statement.on_conflict_do_update(
        index_elements=[column.name for column in table.primary_key.columns],
        set_={
            "searches": table.c.searches + 1,
            "without_results": table.c.without_results + (1 if empty else 0),
        },
    )


@dataclass(frozen=True)
class DemandFilters:
    """Which counters to sum: a period in days ending today, and optionally one municipality."""

    days: int = DEFAULT_PERIOD
    municipality: str = ""


@dataclass(frozen=True)
class DemandCount:
    """A sum of counters: searches with few results, and how many of them found none."""

    searches: int
    without_results: int


@dataclass
class Demand:
    """The sums shown on the demand page."""

    filters: DemandFilters
    first_day: dt.date
    last_day: dt.date
    total: DemandCount
    by_municipality: list[tuple[str, DemandCount]]
    by_filters: list[tuple[tuple[str, str, str], DemandCount]]
    by_day: list[tuple[dt.date, DemandCount]]


def _sums() -> tuple[sa.Label, sa.Label]:
    """Return the summed counters, labelled for the queries."""
    return (
        sa.func.sum(SearchDemandDay.searches).label("searches"),
        sa.func.sum(SearchDemandDay.without_results).label("without_results"),
    )


def demand(session: so.Session, filters: DemandFilters, today: dt.date | None = None) -> Demand:
    """Sum the counters of the period, by municipality, by filters chosen and by day."""
    last_day = today or danish_today()
    first_day = last_day - dt.timedelta(days=filters.days - 1)
    where = [SearchDemandDay.day.between(first_day, last_day)]
    if filters.municipality:
        where.append(SearchDemandDay.municipality_code == filters.municipality)
    searches, without = _sums()
    total = session.execute(sa.select(searches, without).where(*where)).one()
    by_municipality = session.execute(
        sa.select(SearchDemandDay.municipality_code, searches, without)
        .where(*where)
        .group_by(SearchDemandDay.municipality_code)
        .order_by(searches.desc(), SearchDemandDay.municipality_code)
        .limit(MAX_ROWS)
    )
    columns = [getattr(SearchDemandDay, name) for name in DEMAND_FILTERS]
    by_filters = session.execute(
        sa.select(*columns, searches, without)
        .where(*where)
        .group_by(*columns)
        .order_by(searches.desc(), *columns)
        .limit(MAX_ROWS)
    )
    by_day = session.execute(
        sa.select(SearchDemandDay.day, searches, without)
        .where(*where)
        .group_by(SearchDemandDay.day)
        .order_by(SearchDemandDay.day.desc())
    )
    return Demand(
        filters=filters,
        first_day=first_day,
        last_day=last_day,
        total=DemandCount(total.searches or 0, total.without_results or 0),
        by_municipality=[(row[0], DemandCount(row[1], row[2])) for row in by_municipality],
        by_filters=[(tuple(row[:3]), DemandCount(row[3], row[4])) for row in by_filters],
        by_day=[(row[0], DemandCount(row[1], row[2])) for row in by_day],
    )


def prune_demand(session: so.Session, keep_days: int, today: dt.date | None = None) -> int:
    """Delete counters older than ``keep_days``; return how many rows went."""
    cutoff = (today or danish_today()) - dt.timedelta(days=keep_days)
    result = session.execute(sa.delete(SearchDemandDay).where(SearchDemandDay.day < cutoff))
    return result.rowcount or 0
