"""Record, in the same transaction, every change that the search index must follow.

A ``before_flush`` listener notices new, changed and deleted offers and the
rows that make up an offer (places, schedules, terms, contacts, its
organisation) and adds one outbox row per affected offer. Draining the outbox
(see ``sync``) happens only after the commit.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import g, has_app_context

from portal.find.models import SearchOutbox
from portal.offers.models import Location, Schedule, Service, ServiceAtLocation
from portal.organizations.models import Contact, Organization, Phone
from portal.taxonomy.models import ServiceAttribute

_CHILDREN = (Schedule, ServiceAtLocation, ServiceAttribute, Contact, Phone)


def enqueue(session: so.Session, service_ids: set[uuid.UUID]) -> None:
    """Add an outbox row for each offer id."""
    for service_id in sorted(service_ids):
        session.add(SearchOutbox(service_id=service_id))
    if service_ids and has_app_context():
        g.search_outbox_pending = True


def _affected_services(session: so.Session, objects: list[Any]) -> set[uuid.UUID]:
    ids: set[uuid.UUID] = set()
    location_ids: set[uuid.UUID] = set()
    organization_ids: set[uuid.UUID] = set()
    for obj in objects:
        if isinstance(obj, Service):
            ids.add(obj.id)
        elif isinstance(obj, _CHILDREN) and getattr(obj, "service_id", None):
            ids.add(obj.service_id)
        elif isinstance(obj, ServiceAtLocation) and obj.service is not None:
            ids.add(obj.service.id)
        elif isinstance(obj, Location) and obj.id is not None:
            location_ids.add(obj.id)
        elif isinstance(obj, Organization) and obj.id is not None:
            organization_ids.add(obj.id)
    with session.no_autoflush:
        if location_ids:
            ids |= set(
                session.scalars(
                    sa.select(ServiceAtLocation.service_id).where(
                        ServiceAtLocation.location_id.in_(location_ids)
                    )
                )
            )
        if organization_ids:
            ids |= set(
                session.scalars(
                    sa.select(Service.id).where(Service.organization_id.in_(organization_ids))
                )
            )
    return {i for i in ids if i is not None}


def _collect(session: so.Session, _context: Any, _instances: Any) -> None:
    changed = [
        obj
        for obj in [*session.new, *session.dirty, *session.deleted]
        if not isinstance(obj, SearchOutbox)
        and (obj in session.new or obj in session.deleted or session.is_modified(obj))
    ]
    for obj in changed:
        # New offers get their id only at flush; give it now so the outbox can name it.
        if isinstance(obj, Service) and obj.id is None:
            obj.id = uuid.uuid4()
    enqueue(session, _affected_services(session, changed))


def register() -> None:
    """Listen to every ORM session (idempotent)."""
    if not sa.event.contains(so.Session, "before_flush", _collect):
        sa.event.listen(so.Session, "before_flush", _collect)
