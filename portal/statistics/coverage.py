"""Coverage: searchable offers per municipality, white spots and the way to the nearest offer.

An offer counts in every municipality where it has a physical meeting place
(once per municipality, however many places it has there). Offers online, by
phone or nationwide reach everyone and are counted apart. Every number comes
from a handful of grouped queries, whatever the number of offers; only the
white spots' distances look at single meeting places, and only when there are
white spots.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.db import utcnow
from portal.find.documents import indexable_condition
from portal.geo.models import Municipality, Region, municipality_display_name
from portal.geo.services import danish_sort_key
from portal.offers.models import Location, LocationType, Service, ServiceAtLocation
from portal.statistics.nearest import NearestPoints
from portal.statistics.population import PopulationFigure, latest_population
from portal.taxonomy.models import ServiceAttribute, Taxonomy, TaxonomyTerm
from portal.taxonomy.vocabulary import REMOTE_FEATURES

PER_INHABITANTS = 10_000
# Meeting places closer than this (about 100 m) count as one for distances.
POINT_DECIMALS = 3
SORT_KEYS = ("name", "region", "offers", "rate", "population", "distance")
RATE_CLASSES = 4


@dataclass(frozen=True)
class CoverageFilters:
    """Which offers to count: a target group and an activity type, each optional."""

    target_group: str = ""
    activity: str = ""


@dataclass
class MunicipalityCoverage:
    """One municipality's numbers."""

    code: str
    name: str
    region: str
    latitude: float
    longitude: float
    offers: int = 0
    population: PopulationFigure | None = None
    nearest_km: float | None = None
    rate_class: int | None = None

    @property
    def display_name(self) -> str:
        """Return the official long name, e.g. "Thisted Kommune"."""
        return municipality_display_name(self.name)

    @property
    def is_white_spot(self) -> bool:
        """Return whether no offer has a meeting place here."""
        return self.offers == 0

    @property
    def per_10000(self) -> float | None:
        """Return offers per 10,000 inhabitants, or None without a population figure."""
        if self.population is None or self.population.population <= 0:
            return None
        return self.offers * PER_INHABITANTS / self.population.population


@dataclass
class Coverage:
    """The coverage of the whole country for one choice of filters."""

    filters: CoverageFilters
    rows: list[MunicipalityCoverage]
    offers_with_place: int
    remote_offers: int
    rate_breaks: list[float] = field(default_factory=list)

    @property
    def white_spots(self) -> list[MunicipalityCoverage]:
        """Return the municipalities without any offer, the farthest from one first."""
        spots = [row for row in self.rows if row.is_white_spot]
        return sorted(spots, key=lambda r: -(r.nearest_km or 0.0))

    @property
    def covered(self) -> int:
        """Return how many municipalities have at least one offer."""
        return sum(1 for row in self.rows if not row.is_white_spot)

    @property
    def imported_years(self) -> list[int]:
        """Return the years of the imported population figures in use."""
        return sorted(
            {r.population.year for r in self.rows if r.population and r.population.imported}
        )

    @property
    def uses_built_in_population(self) -> bool:
        """Return whether some municipality has only the built-in approximate figure."""
        return any(r.population is not None and not r.population.imported for r in self.rows)


def _having_terms(session: so.Session, taxonomy: str, codes: list[str]) -> sa.Select:
    """Return the ids of offers with one of these terms, the terms looked up first.

    Matching term ids lets the database use the index on the link table
    instead of joining every offer's terms.
    """
    term_ids = list(
        session.scalars(
            sa.select(TaxonomyTerm.id)
            .join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
            .where(Taxonomy.code == taxonomy, TaxonomyTerm.code.in_(codes))
        )
    )
    return sa.select(ServiceAttribute.service_id).where(
        ServiceAttribute.taxonomy_term_id.in_(term_ids) if term_ids else sa.false()
    )


def offer_conditions(
    session: so.Session, filters: CoverageFilters, now: dt.datetime
) -> list[sa.ColumnElement[bool]]:
    """Return the SQL conditions of searchable offers matching ``filters``."""
    conditions = [indexable_condition(now)]
    if filters.target_group:
        conditions.append(
            Service.id.in_(_having_terms(session, "maalgruppe", [filters.target_group]))
        )
    if filters.activity:
        conditions.append(Service.id.in_(_having_terms(session, "aktivitet", [filters.activity])))
    return conditions


def _with_place() -> sa.Select:
    """Return offers joined to their physical places that lie in a municipality."""
    return (
        sa.select(Service.id, Location.municipality_code, Location.latitude, Location.longitude)
        .join(ServiceAtLocation, ServiceAtLocation.service_id == Service.id)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .where(
            Location.location_type == LocationType.PHYSICAL,
            Location.municipality_code.is_not(None),
        )
    )


@dataclass(frozen=True)
class _Counts:
    """The numbers one pass over the offers gives."""

    per_municipality: dict[str, int]
    with_place: int
    remote: int


def _counts(session: so.Session, conditions: list) -> _Counts:
    """Count matching offers per municipality, with a place, and reaching everyone, in one pass.

    The (offer, municipality) pairs are computed once (a CTE used several times
    is materialised by SQLite and PostgreSQL alike) and every count is read
    from them: an offer with two places in one municipality counts once there.
    Offers reaching everyone are those with a remote feature or without a
    place: all matching offers, less those with a place, plus those with both.
    """
    pairs = (
        _with_place()
        .with_only_columns(Service.id, Location.municipality_code)
        .where(*conditions)
        .distinct()
        .cte("pairs")
    )
    with_remote_feature = _having_terms(session, "praktisk", sorted(REMOTE_FEATURES))

    def row(kind: str, code: sa.ColumnElement, count: sa.ColumnElement) -> tuple:
        """Return the columns of one kind of count."""
        return (sa.literal(kind).label("kind"), code.label("code"), count.label("n"))

    no_code = sa.null().cast(sa.String)
    statement = sa.union_all(
        sa.select(*row("municipality", pairs.c.municipality_code, sa.func.count())).group_by(
            pairs.c.municipality_code
        ),
        sa.select(*row("placed", no_code, sa.func.count(sa.distinct(pairs.c.id)))),
        sa.select(*row("placed_remote", no_code, sa.func.count(sa.distinct(pairs.c.id)))).where(
            pairs.c.id.in_(with_remote_feature)
        ),
        sa.select(*row("matching", no_code, sa.func.count()))
        .select_from(Service)
        .where(*conditions),
    )
    per_municipality: dict[str, int] = {}
    totals = {"placed": 0, "placed_remote": 0, "matching": 0}
    for kind, code, number in session.execute(statement):
        if kind == "municipality":
            per_municipality[code] = int(number)
        else:
            totals[kind] = int(number)
    return _Counts(
        per_municipality=per_municipality,
        with_place=totals["placed"],
        remote=totals["matching"] - totals["placed"] + totals["placed_remote"],
    )


def _points(session: so.Session, conditions: list) -> NearestPoints:
    """Return the distinct meeting places of matching offers, ready for nearest-point questions."""
    latitude = sa.func.round(sa.cast(Location.latitude, sa.Numeric(9, 6)), POINT_DECIMALS)
    longitude = sa.func.round(sa.cast(Location.longitude, sa.Numeric(9, 6)), POINT_DECIMALS)
    statement = (
        _with_place()
        .with_only_columns(latitude, longitude)
        .where(*conditions, Location.latitude.is_not(None), Location.longitude.is_not(None))
        .distinct()
    )
    return NearestPoints((float(lat), float(lon)) for lat, lon in session.execute(statement))


def _municipalities(session: so.Session) -> list[MunicipalityCoverage]:
    """Return every municipality with its region and seat, without numbers yet."""
    rows = session.execute(
        sa.select(
            Municipality.code,
            Municipality.name,
            Region.name,
            Municipality.latitude,
            Municipality.longitude,
        ).join(Region, Region.code == Municipality.region_code)
    )
    return [MunicipalityCoverage(*row) for row in rows]


def _rate_breaks(rows: list[MunicipalityCoverage]) -> list[float]:
    """Return the upper bounds of up to four classes of equal size of the non-zero rates."""
    rates = sorted(r.per_10000 for r in rows if r.per_10000)
    if not rates:
        return []
    breaks = [rates[min(len(rates) - 1, len(rates) * k // RATE_CLASSES)] for k in range(1, 4)]
    return sorted({*breaks, rates[-1]})


def _classify(row: MunicipalityCoverage, breaks: list[float]) -> int | None:
    """Return the map colour class of a municipality's rate, or None."""
    if row.per_10000 is None or row.is_white_spot:
        return None
    return next((index for index, high in enumerate(breaks) if row.per_10000 <= high), None)


def coverage(
    session: so.Session, filters: CoverageFilters, now: dt.datetime | None = None
) -> Coverage:
    """Count searchable offers per municipality and measure the way from each white spot."""
    conditions = offer_conditions(session, filters, now or utcnow())
    counts = _counts(session, conditions)
    per_municipality, with_place, remote = (
        counts.per_municipality,
        counts.with_place,
        counts.remote,
    )
    population = latest_population(session)
    rows = _municipalities(session)
    for row in rows:
        row.offers = per_municipality.get(row.code, 0)
        row.population = population.get(row.code)
    if any(row.is_white_spot for row in rows) and with_place:
        nearest = _points(session, conditions)
        for row in rows:
            if row.is_white_spot:
                row.nearest_km = nearest.nearest_km(row.latitude, row.longitude)
    breaks = _rate_breaks(rows)
    for row in rows:
        row.rate_class = _classify(row, breaks)
    return Coverage(
        filters=filters,
        rows=sort_rows(rows, "name"),
        offers_with_place=with_place,
        remote_offers=remote,
        rate_breaks=breaks,
    )


def sort_rows(
    rows: list[MunicipalityCoverage], key: str, descending: bool = False
) -> list[MunicipalityCoverage]:
    """Return the rows sorted by a column; rows without a value come last either way."""
    by_name = sorted(rows, key=lambda r: danish_sort_key(r.name))
    values = {
        "name": lambda r: danish_sort_key(r.name),
        "region": lambda r: danish_sort_key(r.region),
        "offers": lambda r: r.offers,
        "rate": lambda r: r.per_10000,
        "population": lambda r: r.population.population if r.population else None,
        "distance": lambda r: r.nearest_km,
    }
    value = values.get(key, values["name"])
    present = [r for r in by_name if value(r) is not None]
    missing = [r for r in by_name if value(r) is None]
    # Python's sort is stable, so ties stay in name order.
    return sorted(present, key=value, reverse=descending) + missing
