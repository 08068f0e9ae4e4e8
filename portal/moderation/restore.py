"""Restore an offer to an earlier version: every field, place, time, term, contact and phone.

Rows that already match the snapshot are kept as they are (so links to them
survive); the rest are removed or created. Places are shared by an
organisation's offers, so a place is never changed in place: the offer is
linked to a matching place of the organisation, or to a new one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from portal.accounts.models import User
from portal.moderation.models import ServiceVersion, VersionEvent
from portal.moderation.publication import apply_edit
from portal.moderation.versions import (
    SERVICE_FIELDS,
    check_version,
    location_data,
    schedule_data,
)
from portal.offers.models import (
    Frequency,
    Location,
    LocationType,
    Schedule,
    Service,
    ServiceAtLocation,
)
from portal.organizations.models import Contact, Phone
from portal.taxonomy.models import ServiceAttribute
from portal.taxonomy.services import terms_by_code

T = TypeVar("T")
_DATE_FIELDS = {"closed_until", "dtstart", "until", "valid_from", "valid_to"}
_TIME_FIELDS = {"opens_at", "closes_at"}


def _value(key: str, value: Any) -> Any:
    """Turn a snapshot's JSON value back into the column's Python value."""
    if value is None:
        return None
    if key in _DATE_FIELDS:
        return dt.date.fromisoformat(value)
    if key in _TIME_FIELDS:
        return dt.time.fromisoformat(value)
    if key == "freq":
        return Frequency(value)
    if key == "location_type":
        return LocationType(value)
    return value


def _columns(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _value(key, value) for key, value in item.items()}


def _reconcile(
    existing: list[T],
    wanted: list[dict[str, Any]],
    as_dict: Callable[[T], dict[str, Any]],
    make: Callable[[dict[str, Any]], T],
) -> list[T]:
    """Return the rows to keep plus new ones, so that they match ``wanted`` item for item."""
    spare = list(existing)
    result: list[T] = []
    for item in wanted:
        match = next((row for row in spare if as_dict(row) == item), None)
        if match is None:
            result.append(make(item))
        else:
            spare.remove(match)
            result.append(match)
    return result


def _restore_locations(session: so.Session, service: Service, wanted: list[dict]) -> None:
    organisation_places = list(
        session.scalars(
            sa.select(Location).where(Location.organization_id == service.organization_id)
        )
    )

    def link(item: dict[str, Any]) -> ServiceAtLocation:
        place = next((p for p in organisation_places if location_data(p) == item), None)
        if place is None:
            place = Location(organization_id=service.organization_id, **_columns(item))
        return ServiceAtLocation(location=place)

    service.service_at_locations = _reconcile(
        service.service_at_locations, wanted, lambda sal: location_data(sal.location), link
    )


def _restore_terms(session: so.Session, service: Service, wanted: dict[str, list[str]]) -> None:
    terms = terms_by_code(session)
    codes = [(taxonomy, code) for taxonomy, items in wanted.items() for code in items]
    # A term removed from the vocabulary since cannot come back; the rest do.
    items = [{"key": list(pair)} for pair in codes if pair in terms]
    service.attributes = _reconcile(
        service.attributes,
        items,
        lambda a: {"key": [a.taxonomy_term.taxonomy.code, a.taxonomy_term.code]},
        lambda item: ServiceAttribute(taxonomy_term=terms[tuple(item["key"])]),
    )


def apply_snapshot(session: so.Session, service: Service, data: dict[str, Any]) -> None:
    """Make the offer match a snapshot in every field and list."""
    for key in SERVICE_FIELDS:
        if key in data:
            setattr(service, key, _value(key, data[key]))
    _restore_locations(session, service, data.get("locations") or [])
    service.schedules = _reconcile(
        service.schedules,
        data.get("schedules") or [],
        schedule_data,
        lambda item: Schedule(**_columns(item)),
    )
    _restore_terms(session, service, data.get("terms") or {})
    service.contacts = _reconcile(
        service.contacts,
        data.get("contacts") or [],
        lambda c: {"name": c.name, "title": c.title, "email": c.email},
        lambda item: Contact(**item),
    )
    service.phones = _reconcile(
        service.phones,
        data.get("phones") or [],
        lambda p: {"number": p.number, "description": p.description},
        lambda item: Phone(**item),
    )


def restore_version(
    session: so.Session,
    service: Service,
    version: ServiceVersion,
    actor: User,
    expected_version: int | None,
) -> ServiceVersion:
    """Apply an earlier version as a new RESTORED version, under the publication rules.

    Raises VersionConflict if the offer changed after the page was opened.
    """
    check_version(service, expected_version)
    apply_snapshot(session, service, version.snapshot)
    note = _("Gendannet fra version %(number)s", number=version.number)
    return apply_edit(service, actor, VersionEvent.RESTORED, note=note)
