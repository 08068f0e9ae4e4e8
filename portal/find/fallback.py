"""Answer a search from the database when the engine is down or slow.

Simpler matching than the engines (every word as a substring, no typos,
stemming or synonyms, no facet counts), but the same filters, the same place
rules and exact distances, so citizens still get a useful list.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.db import utcnow
from portal.find.documents import documents_for, indexable_condition
from portal.offers.models import Location, LocationType, Schedule, Service, ServiceAtLocation
from portal.organizations.models import Organization
from portal.taxonomy.models import ServiceAttribute, Taxonomy, TaxonomyTerm
from portal.taxonomy.vocabulary import REMOTE_FEATURES
from search import Hit, SearchQuery, SearchResult, Sort
from search.base import bounding_box, haversine_km

MAX_WORDS = 8
MAX_CANDIDATES = 5000
_TIME_RANGES = {
    "morning": (dt.time(0, 0), dt.time(12, 0)),
    "afternoon": (dt.time(12, 0), dt.time(17, 0)),
    "evening": (dt.time(17, 0), dt.time(23, 59, 59)),
}


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _with_terms(taxonomy: str, codes: tuple[str, ...] | frozenset[str]) -> sa.ColumnElement:
    return Service.id.in_(
        sa.select(ServiceAttribute.service_id)
        .join(TaxonomyTerm, TaxonomyTerm.id == ServiceAttribute.taxonomy_term_id)
        .join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
        .where(Taxonomy.code == taxonomy, TaxonomyTerm.code.in_(codes))
    )


def _conditions(query: SearchQuery, now: dt.datetime) -> list[sa.ColumnElement]:
    conditions: list[sa.ColumnElement] = [indexable_condition(now)]
    haystack = sa.func.lower(Service.name + " " + Service.description + " " + Organization.name)
    for word in query.text.lower().split()[:MAX_WORDS]:
        conditions.append(haystack.like(f"%{_escape_like(word)}%", escape="\\"))
    for taxonomy, codes in (
        ("aktivitet", query.activity),
        ("maalgruppe", query.target_group),
        ("livssituation", query.life_situation),
    ):
        if codes:
            conditions.append(_with_terms(taxonomy, codes))
    conditions += [_with_terms("praktisk", (code,)) for code in query.features]
    if query.free_only:
        conditions.append(Service.is_free.is_(True))
    if query.weekday:
        conditions.append(
            Service.id.in_(
                sa.select(Schedule.service_id).where(
                    sa.or_(*(Schedule.byday.like(f"%{day}%") for day in query.weekday))
                )
            )
        )
    if query.time_of_day:
        ranges = [_TIME_RANGES[t] for t in query.time_of_day if t in _TIME_RANGES]
        conditions.append(
            Service.id.in_(
                sa.select(Schedule.service_id).where(
                    sa.or_(*(Schedule.opens_at.between(lo, hi) for lo, hi in ranges))
                )
            )
        )
    return conditions


def _place_condition(query: SearchQuery) -> sa.ColumnElement | None:
    local: list[sa.ColumnElement] = []
    if query.point is not None and query.radius_km is not None:
        min_lat, max_lat, min_lon, max_lon = bounding_box(query.point, query.radius_km)
        local.append(
            sa.and_(
                Location.latitude.between(min_lat, max_lat),
                Location.longitude.between(min_lon, max_lon),
            )
        )
    if query.municipality:
        local.append(Location.municipality_code.in_(query.municipality))
    if not local:
        return None
    condition = sa.and_(*local)
    if query.include_remote:
        return sa.or_(condition, _with_terms("praktisk", REMOTE_FEATURES))
    return condition


def database_search(
    session: so.Session, query: SearchQuery, now: dt.datetime | None = None
) -> SearchResult:
    """Answer ``query`` from the database, with exact distances and no facet counts."""
    now = now or utcnow()
    conditions = _conditions(query, now)
    place = _place_condition(query)
    if place is not None:
        conditions.append(place)
    statement = (
        sa.select(
            Service.id, Service.name, Location.latitude, Location.longitude, Location.location_type
        )
        .join(Organization, Organization.id == Service.organization_id)
        .outerjoin(ServiceAtLocation, ServiceAtLocation.service_id == Service.id)
        .outerjoin(Location, Location.id == ServiceAtLocation.location_id)
        .where(*conditions)
        .order_by(Service.name, Service.id)
        .limit(MAX_CANDIDATES)
    )
    candidates: dict[uuid.UUID, tuple[str, float | None]] = {}
    for service_id, name, lat, lon, kind in session.execute(statement):
        distance = None
        if query.point is not None and lat is not None and kind == LocationType.PHYSICAL:
            distance = haversine_km(query.point, lat, lon)
        best = candidates.get(service_id)
        if best is None or (distance is not None and (best[1] is None or distance < best[1])):
            candidates[service_id] = (name, distance)
    rows = list(candidates.items())
    if query.radius_km is not None:
        remote = set(
            session.scalars(
                sa.select(Service.id).where(
                    Service.id.in_(list(candidates)), _with_terms("praktisk", REMOTE_FEATURES)
                )
            )
        )
        radius = query.radius_km
        rows = [
            row
            for row in rows
            if (row[1][1] is not None and row[1][1] <= radius)
            or (query.include_remote and row[0] in remote)
        ]
    if query.sort is Sort.DISTANCE or (query.point is not None and not query.text):
        rows.sort(key=lambda r: (r[1][1] is None, r[1][1] or 0.0, r[1][0]))
    page_rows = rows[query.offset : query.offset + query.per_page]
    documents, _removed = documents_for(session, [r[0] for r in page_rows], now)
    by_id = {d["id"]: d for d in documents}
    hits = [
        Hit(id=str(sid), document=dict(by_id[str(sid)]), distance_km=distance)
        for sid, (_name, distance) in page_rows
        if str(sid) in by_id
    ]
    return SearchResult(
        total=len(rows), hits=hits, facets={}, page=query.page, per_page=query.per_page
    )
