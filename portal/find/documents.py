"""Turn offers into the plain documents the search engines index."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, has_app_context

from portal.db import utcnow
from portal.geo.models import Municipality
from portal.offers.models import (
    Location,
    LocationType,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
)
from portal.offers.schedules import ScheduleError, next_meetings, parse_byday
from portal.organizations.models import Organization
from portal.taxonomy.models import ServiceAttribute, Taxonomy, TaxonomyTerm
from portal.taxonomy.vocabulary import REMOTE_FEATURES
from search import Document

# An offer its association has not confirmed for OFFER_HIDE_AFTER_DAYS is
# hidden: stale listings are the top complaint about every service directory.
# Scripts that read documents without an app fall back to the default setting.
DEFAULT_HIDE_AFTER_DAYS = 395
_FIELD_OF_TAXONOMY = {
    "aktivitet": "activity",
    "maalgruppe": "target_group",
    "livssituation": "life_situation",
    "praktisk": "feature",
}
_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def hide_after() -> dt.timedelta:
    """Return how long a confirmation keeps an offer in search (OFFER_HIDE_AFTER_DAYS)."""
    if has_app_context():
        return dt.timedelta(days=current_app.config["OFFER_HIDE_AFTER_DAYS"])
    return dt.timedelta(days=DEFAULT_HIDE_AFTER_DAYS)


def is_indexable(service: Service, now: dt.datetime) -> bool:
    """Return whether citizens should find the offer: published and confirmed recently."""
    if service.status is not ServiceStatus.PUBLISHED:
        return False
    confirmed = service.last_confirmed_at or service.published_at
    return confirmed is not None and now - confirmed <= hide_after()


def indexable_condition(now: dt.datetime) -> sa.ColumnElement[bool]:
    """Return the SQL condition matching ``is_indexable``."""
    return sa.and_(
        Service.status == ServiceStatus.PUBLISHED,
        sa.func.coalesce(Service.last_confirmed_at, Service.published_at) >= now - hide_after(),
    )


def time_of_day(opens: dt.time) -> str:
    """Return "morning", "afternoon" or "evening" for a start time."""
    if opens.hour < 12:
        return "morning"
    if opens.hour < 17:
        return "afternoon"
    return "evening"


def _epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp())


@dataclass
class _Parts:
    """What one offer's document is made of, read with plain SQL rows."""

    service: Any
    codes: dict[str, list[str]] = field(
        default_factory=lambda: {name: [] for name in _FIELD_OF_TAXONOMY.values()}
    )
    schedules: list[Any] = field(default_factory=list)
    places: list[Any] = field(default_factory=list)


def _load_parts(session: so.Session, service_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, _Parts]:
    # Four flat queries instead of ORM objects: rebuilding 100,000 documents
    # through the ORM spent most of its time creating objects nobody keeps.
    services = session.execute(
        sa.select(
            Service.id,
            Service.name,
            Service.description,
            Service.is_free,
            Service.updated_at,
            Organization.name.label("organization"),
        )
        .join(Organization, Organization.id == Service.organization_id)
        .where(Service.id.in_(service_ids))
    )
    parts = {row.id: _Parts(row) for row in services}
    terms = session.execute(
        sa.select(ServiceAttribute.service_id, Taxonomy.code, TaxonomyTerm.code)
        .join(TaxonomyTerm, TaxonomyTerm.id == ServiceAttribute.taxonomy_term_id)
        .join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
        .where(ServiceAttribute.service_id.in_(service_ids))
        .order_by(ServiceAttribute.service_id, TaxonomyTerm.position)
    )
    for service_id, taxonomy_code, term_code in terms:
        field_name = _FIELD_OF_TAXONOMY.get(taxonomy_code)
        codes = parts[service_id].codes if service_id in parts else None
        if codes is not None and field_name and term_code not in codes[field_name]:
            codes[field_name].append(term_code)
    schedules = session.execute(
        sa.select(Schedule).where(Schedule.service_id.in_(service_ids))
    ).scalars()
    for schedule in schedules:
        if schedule.service_id in parts:
            parts[schedule.service_id].schedules.append(schedule)
    places = session.execute(
        sa.select(
            ServiceAtLocation.service_id,
            Location.location_type,
            Location.city,
            Location.municipality_code,
            Location.latitude,
            Location.longitude,
        )
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .where(ServiceAtLocation.service_id.in_(service_ids))
        .order_by(ServiceAtLocation.service_id, Location.created_at, Location.id)
    )
    for place in places:
        if place.service_id in parts and place.location_type is LocationType.PHYSICAL:
            parts[place.service_id].places.append(place)
    return parts


def _build(parts: _Parts, municipality_names: dict[str, str], now: dt.datetime) -> Document:
    service, codes = parts.service, parts.codes
    weekdays: list[str] = []
    times: list[str] = []
    for schedule in parts.schedules:
        try:
            days = parse_byday(schedule.byday)
        except ScheduleError:
            days = []
        weekdays += [_WEEKDAY_CODES[d.weekday] for d in days]
        if schedule.opens_at:
            times.append(time_of_day(schedule.opens_at))
    place = parts.places[0] if parts.places else None
    meetings = next_meetings(parts.schedules, now, count=1)
    municipality = (place.municipality_code or "") if place else ""
    return Document(
        id=str(service.id),
        title=service.name,
        description=service.description or "",
        organization=service.organization or "",
        city=(place.city or "") if place else "",
        municipality=municipality,
        municipality_name=municipality_names.get(municipality, ""),
        activity=codes["activity"],
        target_group=codes["target_group"],
        life_situation=codes["life_situation"],
        feature=codes["feature"],
        weekday=sorted(set(weekdays), key=_WEEKDAY_CODES.index),
        time_of_day=sorted(set(times)),
        is_free=service.is_free,
        is_remote=place is None or bool(REMOTE_FEATURES & set(codes["feature"])),
        lat=place.latitude if place else None,
        lon=place.longitude if place else None,
        next_meeting=_epoch(meetings[0][0]) if meetings else None,
        updated_at=_epoch(service.updated_at),
    )


def build_documents(
    session: so.Session, service_ids: Sequence[uuid.UUID], now: dt.datetime
) -> list[Document]:
    """Return the documents of the given offers, whatever their status, in id order."""
    names = municipality_names(session)
    parts = _load_parts(session, service_ids)
    return [_build(parts[i], names, now) for i in sorted(parts)]


def municipality_names(session: so.Session) -> dict[str, str]:
    """Return municipality names by code."""
    return dict(session.execute(sa.select(Municipality.code, Municipality.name)).all())


def documents_for(
    session: so.Session, service_ids: Sequence[uuid.UUID], now: dt.datetime | None = None
) -> tuple[list[Document], list[str]]:
    """Return (documents to index, ids to remove) for the given offers' current state."""
    now = now or utcnow()
    indexable = list(
        session.scalars(
            sa.select(Service.id).where(Service.id.in_(service_ids), indexable_condition(now))
        )
    )
    documents = build_documents(session, indexable, now)
    indexed = {document["id"] for document in documents}
    removed = sorted({str(i) for i in service_ids} - indexed)
    return documents, removed


def all_documents(
    session: so.Session, now: dt.datetime | None = None, batch_size: int = 2000
) -> Iterator[Document]:
    """Yield the documents of every indexable offer, loading them in batches by key."""
    now = now or utcnow()
    last: uuid.UUID | None = None
    while True:
        statement = (
            sa.select(Service.id)
            .where(indexable_condition(now))
            .order_by(Service.id)
            .limit(batch_size)
        )
        if last is not None:
            statement = statement.where(Service.id > last)
        ids = list(session.scalars(statement))
        if not ids:
            return
        yield from build_documents(session, ids, now)
        last = ids[-1]
        session.expunge_all()


def indexable_versions(session: so.Session, now: dt.datetime | None = None) -> dict[str, int]:
    """Return {id: updated_at in Unix seconds} of every offer that belongs in the index."""
    now = now or utcnow()
    rows = session.execute(
        sa.select(Service.id, Service.updated_at).where(indexable_condition(now))
    )
    return {str(service_id): _epoch(updated) for service_id, updated in rows}
