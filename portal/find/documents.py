"""Turn offers into the plain documents the search engines index."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.db import utcnow
from portal.geo.models import Municipality
from portal.offers.models import Service, ServiceAtLocation, ServiceStatus
from portal.offers.schedules import ScheduleError, next_meetings, parse_byday
from portal.taxonomy.models import ServiceAttribute, TaxonomyTerm
from portal.taxonomy.vocabulary import REMOTE_FEATURES
from search import Document

# An offer its association has not confirmed for this long is hidden: stale
# listings are the top complaint about every service directory.
STALE_AFTER = dt.timedelta(days=365)
_FIELD_OF_TAXONOMY = {
    "aktivitet": "activity",
    "maalgruppe": "target_group",
    "livssituation": "life_situation",
    "praktisk": "feature",
}
_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def is_indexable(service: Service, now: dt.datetime) -> bool:
    """Return whether citizens should find the offer: published and confirmed recently."""
    if service.status is not ServiceStatus.PUBLISHED:
        return False
    confirmed = service.last_confirmed_at or service.published_at
    return confirmed is not None and now - confirmed <= STALE_AFTER


def indexable_condition(now: dt.datetime) -> sa.ColumnElement[bool]:
    """Return the SQL condition matching ``is_indexable``."""
    return sa.and_(
        Service.status == ServiceStatus.PUBLISHED,
        sa.func.coalesce(Service.last_confirmed_at, Service.published_at) >= now - STALE_AFTER,
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


def build_document(
    service: Service, municipality_names: dict[str, str], now: dt.datetime
) -> Document:
    """Return the search document of one offer (its relations must be loaded)."""
    codes: dict[str, list[str]] = {field: [] for field in _FIELD_OF_TAXONOMY.values()}
    for attribute in service.attributes:
        term = attribute.taxonomy_term
        field = _FIELD_OF_TAXONOMY.get(term.taxonomy.code)
        if field and term.code not in codes[field]:
            codes[field].append(term.code)
    weekdays: list[str] = []
    times: list[str] = []
    for schedule in service.schedules:
        try:
            days = parse_byday(schedule.byday)
        except ScheduleError:
            days = []
        weekdays += [_WEEKDAY_CODES[d.weekday] for d in days]
        if schedule.opens_at:
            times.append(time_of_day(schedule.opens_at))
    physical = [sal.location for sal in service.service_at_locations if not sal.location.is_virtual]
    place = physical[0] if physical else None
    is_remote = not physical or bool(REMOTE_FEATURES & set(codes["feature"]))
    meetings = next_meetings(service.schedules, now, count=1)
    municipality = place.municipality_code if place else None
    return Document(
        id=str(service.id),
        title=service.name,
        description=service.description or "",
        organization=service.organization.name if service.organization else "",
        city=(place.city or "") if place else "",
        municipality=municipality or "",
        municipality_name=municipality_names.get(municipality or "", ""),
        activity=codes["activity"],
        target_group=codes["target_group"],
        life_situation=codes["life_situation"],
        feature=codes["feature"],
        weekday=sorted(set(weekdays), key=_WEEKDAY_CODES.index),
        time_of_day=sorted(set(times)),
        is_free=service.is_free,
        is_remote=is_remote,
        lat=place.latitude if place else None,
        lon=place.longitude if place else None,
        next_meeting=_epoch(meetings[0][0]) if meetings else None,
        updated_at=_epoch(service.updated_at),
    )


def _load_options() -> list:
    return [
        so.selectinload(Service.service_at_locations).joinedload(ServiceAtLocation.location),
        so.selectinload(Service.attributes)
        .joinedload(ServiceAttribute.taxonomy_term)
        .joinedload(TaxonomyTerm.taxonomy),
        so.selectinload(Service.schedules),
        so.joinedload(Service.organization),
    ]


def municipality_names(session: so.Session) -> dict[str, str]:
    """Return municipality names by code."""
    return dict(session.execute(sa.select(Municipality.code, Municipality.name)).all())


def documents_for(
    session: so.Session, service_ids: Sequence[uuid.UUID], now: dt.datetime | None = None
) -> tuple[list[Document], list[str]]:
    """Return (documents to index, ids to remove) for the given offers' current state."""
    now = now or utcnow()
    services = session.scalars(
        sa.select(Service).where(Service.id.in_(service_ids)).options(*_load_options())
    ).all()
    names = municipality_names(session)
    found = {service.id: service for service in services}
    documents = [
        build_document(service, names, now) for service in services if is_indexable(service, now)
    ]
    indexed = {document["id"] for document in documents}
    removed = [str(i) for i in service_ids if str(i) not in indexed or i not in found]
    return documents, sorted(set(removed))


def all_documents(
    session: so.Session, now: dt.datetime | None = None, batch_size: int = 2000
) -> Iterator[Document]:
    """Yield the documents of every indexable offer, loading them in batches by key."""
    now = now or utcnow()
    names = municipality_names(session)
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
        ids = session.scalars(statement).all()
        if not ids:
            return
        services = session.scalars(
            sa.select(Service).where(Service.id.in_(ids)).options(*_load_options())
        ).all()
        for service in sorted(services, key=lambda s: s.id):
            yield build_document(service, names, now)
        last = ids[-1]
        session.expunge_all()


def indexable_versions(session: so.Session, now: dt.datetime | None = None) -> dict[str, int]:
    """Return {id: updated_at in Unix seconds} of every offer that belongs in the index."""
    now = now or utcnow()
    rows = session.execute(
        sa.select(Service.id, Service.updated_at).where(indexable_condition(now))
    )
    return {str(service_id): _epoch(updated) for service_id, updated in rows}
