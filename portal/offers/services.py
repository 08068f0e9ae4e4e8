"""Read the directory: headline counts and one published offer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.db import utcnow
from portal.find.documents import indexable_condition
from portal.offers.models import Location, LocationType, Service, ServiceAtLocation, ServiceStatus
from portal.organizations.models import Organization
from portal.taxonomy.models import ServiceAttribute, TaxonomyTerm


@dataclass(frozen=True)
class DirectoryCounts:
    """Headline figures for the home page."""

    published_offers: int
    municipalities_covered: int
    organizations: int


def directory_counts(session: so.Session) -> DirectoryCounts:
    """Count the offers citizens can find, the municipalities they meet in, and their organisations.

    "Can find" is the search index's rule: published and confirmed within a year.
    """
    published = indexable_condition(utcnow())
    offers = session.scalar(sa.select(sa.func.count()).select_from(Service).where(published))
    covered = session.scalar(
        sa.select(sa.func.count(sa.distinct(Location.municipality_code)))
        .select_from(Location)
        .join(ServiceAtLocation, ServiceAtLocation.location_id == Location.id)
        .join(Service, Service.id == ServiceAtLocation.service_id)
        .where(published, Location.location_type == LocationType.PHYSICAL)
    )
    organizations = session.scalar(
        sa.select(sa.func.count(sa.distinct(Service.organization_id))).where(published)
    )
    return DirectoryCounts(offers or 0, covered or 0, organizations or 0)


def get_published_service(session: so.Session, service_id: uuid.UUID) -> Service | None:
    """Return the published offer with ``service_id`` and what its page shows, or None."""
    return session.scalar(
        sa.select(Service)
        .where(Service.id == service_id, Service.status == ServiceStatus.PUBLISHED)
        .options(
            so.selectinload(Service.service_at_locations),
            so.selectinload(Service.attributes)
            .joinedload(ServiceAttribute.taxonomy_term)
            .joinedload(TaxonomyTerm.taxonomy),
            so.selectinload(Service.schedules),
            so.selectinload(Service.contacts),
            so.selectinload(Service.phones),
            so.joinedload(Service.organization).selectinload(Organization.phones),
        )
    )
