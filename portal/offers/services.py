"""Read the directory: counts, browsing published offers, one offer."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.offers.models import Location, LocationType, Service, ServiceAtLocation, ServiceStatus
from portal.organizations.models import Organization
from portal.taxonomy.models import ServiceAttribute, Taxonomy, TaxonomyTerm
from portal.taxonomy.vocabulary import REMOTE_FEATURES

PER_PAGE = 20
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class DirectoryCounts:
    """Headline figures for the home page."""

    published_offers: int
    municipalities_covered: int
    organizations: int


def directory_counts(session: so.Session) -> DirectoryCounts:
    """Count published offers, the municipalities they meet in, and their organisations."""
    published = Service.status == ServiceStatus.PUBLISHED
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


@dataclass
class BrowseFilters:
    """What a visitor narrowed the list by; every field is optional."""

    text: str = ""
    municipality: str = ""
    activity: str = ""
    target_group: str = ""
    free_only: bool = False

    def is_empty(self) -> bool:
        """Return whether no filter is set."""
        return not (
            self.text or self.municipality or self.activity or self.target_group or self.free_only
        )


@dataclass
class BrowsePage:
    """One page of offers and what is needed to page through them."""

    offers: list[Service]
    total: int
    page: int
    per_page: int = PER_PAGE
    remote_ids: set[uuid.UUID] = field(default_factory=set)

    @property
    def pages(self) -> int:
        """Return the number of pages (at least 1)."""
        return max(1, math.ceil(self.total / self.per_page))


def _has_term(taxonomy_code: str, term_codes: set[str] | frozenset[str]) -> sa.ColumnElement:
    return Service.id.in_(
        sa.select(ServiceAttribute.service_id)
        .join(TaxonomyTerm, TaxonomyTerm.id == ServiceAttribute.taxonomy_term_id)
        .join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
        .where(Taxonomy.code == taxonomy_code, TaxonomyTerm.code.in_(term_codes))
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def browse(session: so.Session, filters: BrowseFilters, page: int = 1) -> BrowsePage:
    """Return one page of published offers matching ``filters``, offers near a place first.

    Offers online, by phone or nationwide reach everyone, so a municipality
    filter keeps them (after the local ones).
    """
    remote = _has_term("praktisk", REMOTE_FEATURES)
    conditions: list[sa.ColumnElement] = [Service.status == ServiceStatus.PUBLISHED]
    if filters.text:
        pattern = f"%{_escape_like(filters.text[:MAX_QUERY_LENGTH].lower())}%"
        conditions.append(
            sa.or_(
                sa.func.lower(Service.name).like(pattern, escape="\\"),
                sa.func.lower(Service.description).like(pattern, escape="\\"),
            )
        )
    if filters.activity:
        conditions.append(_has_term("aktivitet", {filters.activity}))
    if filters.target_group:
        conditions.append(_has_term("maalgruppe", {filters.target_group, "alle"}))
    if filters.free_only:
        conditions.append(Service.is_free.is_(True))
    local_first: list[sa.ColumnElement] = []
    if filters.municipality:
        local = Service.id.in_(
            sa.select(ServiceAtLocation.service_id)
            .join(Location, Location.id == ServiceAtLocation.location_id)
            .where(Location.municipality_code == filters.municipality)
        )
        conditions.append(sa.or_(local, remote))
        local_first.append(sa.case((local, 0), else_=1))
    total = session.scalar(sa.select(sa.func.count()).select_from(Service).where(*conditions))
    page = max(1, min(page, max(1, math.ceil((total or 0) / PER_PAGE))))
    offers = list(
        session.scalars(
            sa.select(Service)
            .where(*conditions)
            .options(
                so.selectinload(Service.service_at_locations),
                so.selectinload(Service.attributes)
                .joinedload(ServiceAttribute.taxonomy_term)
                .joinedload(TaxonomyTerm.taxonomy),
                so.selectinload(Service.schedules),
                so.joinedload(Service.organization),
            )
            .order_by(*local_first, Service.name, Service.id)
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        )
    )
    remote_ids = set(
        session.scalars(sa.select(Service.id).where(Service.id.in_([o.id for o in offers]), remote))
    )
    return BrowsePage(offers=offers, total=total or 0, page=page, remote_ids=remote_ids)


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
