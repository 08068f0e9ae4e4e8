"""Snapshots of an offer: one version per save or decision, in plain JSON."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.accounts.models import User
from portal.db import db
from portal.moderation.models import ServiceVersion, VersionEvent
from portal.offers.models import Location, Schedule, Service

SERVICE_FIELDS = (
    "name",
    "alternate_name",
    "description",
    "url",
    "email",
    "how_to_join",
    "is_free",
    "price_text",
    "is_newcomer_welcome",
    "has_waiting_list",
    "waiting_list_text",
    "minimum_age",
    "maximum_age",
    "closed_until",
)
LOCATION_FIELDS = (
    "location_type",
    "name",
    "address_1",
    "address_2",
    "postal_code",
    "city",
    "municipality_code",
    "latitude",
    "longitude",
    "description",
    "transportation",
    "url",
)
SCHEDULE_FIELDS = (
    "freq",
    "interval",
    "byday",
    "bymonthday",
    "opens_at",
    "closes_at",
    "dtstart",
    "until",
    "valid_from",
    "valid_to",
    "description",
)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "value"):  # enum members
        return value.value
    return value


def _fields(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in names}


def location_data(location: Location) -> dict[str, Any]:
    return _fields(location, LOCATION_FIELDS)


def schedule_data(schedule: Schedule) -> dict[str, Any]:
    return _fields(schedule, SCHEDULE_FIELDS)


def snapshot(service: Service) -> dict[str, Any]:
    """Return every editable field of an offer as JSON-ready data.

    Locations, schedules, taxonomy terms (as ``{taxonomy code: [term codes]}``),
    contacts and phone numbers are included, so a version can be compared with
    another field by field and restored.
    """
    data = _fields(service, SERVICE_FIELDS)
    data["locations"] = _sorted(
        [location_data(sal.location) for sal in service.service_at_locations]
    )
    data["schedules"] = _sorted([schedule_data(schedule) for schedule in service.schedules])
    terms: dict[str, list[str]] = {}
    for attribute in service.attributes:
        term = attribute.taxonomy_term
        terms.setdefault(term.taxonomy.code, []).append(term.code)
    data["terms"] = {code: sorted(codes) for code, codes in sorted(terms.items())}
    data["contacts"] = _sorted(
        [{"name": c.name, "title": c.title, "email": c.email} for c in service.contacts]
    )
    data["phones"] = _sorted(
        [{"number": p.number, "description": p.description} for p in service.phones]
    )
    return data


def _sorted(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Related rows load in no fixed order; a fixed order makes two snapshots
    # of the same offer equal and their differences readable.
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, default=str))


def record_version(
    service: Service,
    actor: User | None,
    event: VersionEvent,
    note: str | None = None,
    is_published: bool | None = None,
) -> ServiceVersion:
    """Add a version of the offer as it is now (the caller commits).

    ``is_published`` defaults to whether the offer is published at this moment.
    """
    db.session.flush()
    latest = db.session.scalar(
        sa.select(sa.func.max(ServiceVersion.number)).where(ServiceVersion.service_id == service.id)
    )
    version = ServiceVersion(
        service_id=service.id,
        number=(latest or 0) + 1,
        event=event,
        is_published=service.is_published if is_published is None else is_published,
        snapshot=snapshot(service),
        note=note,
        actor_id=actor.id if actor is not None else None,
    )
    db.session.add(version)
    return version


def last_published_version(service_id: uuid.UUID) -> ServiceVersion | None:
    """Return the most recent version that citizens saw, if any."""
    return db.session.scalar(
        sa.select(ServiceVersion)
        .where(ServiceVersion.service_id == service_id, ServiceVersion.is_published)
        .order_by(ServiceVersion.number.desc())
        .limit(1)
    )


def _approved_condition() -> sa.ColumnElement[bool]:
    # A version counts as approved when an admin published or checked it, or
    # when it was published through the normal rules (only admins and
    # verified organisations can record a PUBLISHED event).
    admin_ids = sa.select(User.id).where(User.is_admin).scalar_subquery()
    return sa.and_(
        ServiceVersion.is_published,
        sa.or_(
            ServiceVersion.event == VersionEvent.PUBLISHED,
            ServiceVersion.actor_id.in_(admin_ids),
        ),
    )


def last_approved_version(service_id: uuid.UUID) -> ServiceVersion | None:
    """Return the most recent version an admin (or the publication rules) approved, if any."""
    return db.session.scalar(
        sa.select(ServiceVersion)
        .where(ServiceVersion.service_id == service_id, _approved_condition())
        .order_by(ServiceVersion.number.desc())
        .limit(1)
    )


def approved_number_subquery() -> sa.ScalarSelect[int]:
    """Return a correlated subquery: the number of each offer's last approved version (or 0)."""
    return (
        sa.select(sa.func.coalesce(sa.func.max(ServiceVersion.number), 0))
        .where(ServiceVersion.service_id == Service.id, _approved_condition())
        .correlate(Service)
        .scalar_subquery()
    )


def versions_of(service_id: uuid.UUID) -> list[ServiceVersion]:
    """Return every version of an offer, newest first, with who made it."""
    return list(
        db.session.scalars(
            sa.select(ServiceVersion)
            .where(ServiceVersion.service_id == service_id)
            .options(so.joinedload(ServiceVersion.actor))
            .order_by(ServiceVersion.number.desc())
        )
    )


def get_version(service_id: uuid.UUID, number: int) -> ServiceVersion | None:
    """Return one version of an offer by its number, or None."""
    return db.session.scalar(
        sa.select(ServiceVersion).where(
            ServiceVersion.service_id == service_id, ServiceVersion.number == number
        )
    )


class VersionConflict(Exception):
    """The offer was changed by someone else after the page was opened."""


def check_version(service: Service, expected: int | None) -> None:
    """Raise VersionConflict unless the offer is still at the version the page showed."""
    if expected is None or expected != service.version:
        raise VersionConflict(str(service.id))
