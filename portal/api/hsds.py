"""Open Referral HSDS 3.0 objects from the directory's rows, and the queries that feed them.

The serialisers are shared by the API (``portal.api.views``) and the dataset
export (``portal.api.dataset``). They leave out fields without a value, because
the official schemas type them as plain strings and numbers (never null).
Only published offers confirmed within a year are ever public; the queries
here apply that rule (``indexable_condition``) to every listing.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.db import utcnow
from portal.find.documents import indexable_condition, is_indexable
from portal.find.services import run_search
from portal.geo.models import Municipality, Postcode
from portal.offers.models import Location, LocationType, Schedule, Service, ServiceAtLocation
from portal.organizations.models import Organization, Phone
from portal.taxonomy.models import ServiceAttribute, Taxonomy, TaxonomyTerm
from search import SearchEngine, SearchQuery

HSDS_VERSION = "3.0"
HSDS_PROFILE = "https://openreferral.org/hsds/3.0"
COUNTRY = "DK"
LANGUAGE = {"name": "Dansk", "code": "da"}
# Stable ids for objects the directory does not store as rows (a cost option,
# a language, an address): derived from their owner's id, so repeated exports
# and imports agree.
_NAMESPACE = uuid.UUID("2f1c7c1e-5b0e-4c55-9a43-6d6a0c3b9d10")

JSON = dict[str, Any]


def derived_id(kind: str, owner_id: uuid.UUID | str) -> str:
    """Return the stable id of a ``kind`` object that belongs to ``owner_id``."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{owner_id}"))


def _clean(values: dict[str, Any]) -> JSON:
    return {key: value for key, value in values.items() if value is not None and value != ""}


def _id(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def _datetime(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M:%S") if value is not None else None


# ---------- taxonomy ----------


def taxonomy(t: Taxonomy) -> JSON:
    """Return a vocabulary as an HSDS taxonomy."""
    return _clean(
        {
            "id": str(t.id),
            "name": t.name,
            "description": t.description or t.name_en or t.name,
            "version": t.version,
        }
    )


def taxonomy_term(term: TaxonomyTerm) -> JSON:
    """Return a term as an HSDS taxonomy_term with its taxonomy's details."""
    values = _clean(
        {
            "id": str(term.id),
            "code": term.code,
            "name": term.name,
            "description": term.description or term.name_en or term.name,
            "parent_id": _id(term.parent_id),
            "taxonomy_id": str(term.taxonomy_id),
            "language": "da",
        }
    )
    if term.taxonomy is not None:
        values["taxonomy"] = term.taxonomy.name
        values["taxonomy_detail"] = taxonomy(term.taxonomy)
    return values


def attribute(item: ServiceAttribute) -> JSON:
    """Return an offer's term as an HSDS attribute linking the service to the term."""
    return _clean(
        {
            "id": str(item.id),
            "link_id": str(item.service_id),
            "link_type": "service",
            "link_entity": "service",
            "taxonomy_term_id": str(item.taxonomy_term_id),
            "value": item.value,
            "taxonomy_term": taxonomy_term(item.taxonomy_term),
        }
    )


# ---------- contact details ----------


def phone(item: Phone) -> JSON:
    """Return a phone number as an HSDS phone."""
    return _clean(
        {
            "id": str(item.id),
            "number": item.number,
            "type": item.type,
            "description": item.description,
            "organization_id": _id(item.organization_id),
            "service_id": _id(item.service_id),
            "location_id": _id(item.location_id),
            "contact_id": _id(item.contact_id),
        }
    )


# ---------- schedules and places ----------


def schedule(item: Schedule) -> JSON:
    """Return a recurring meeting time as an HSDS schedule."""
    return _clean(
        {
            "id": str(item.id),
            "service_id": _id(item.service_id),
            "service_at_location_id": _id(item.service_at_location_id),
            "freq": item.freq.value if item.freq is not None else None,
            "interval": item.interval,
            "byday": item.byday,
            "bymonthday": item.bymonthday,
            "opens_at": _time(item.opens_at),
            "closes_at": _time(item.closes_at),
            "dtstart": _date(item.dtstart),
            "until": _date(item.until),
            "valid_from": _date(item.valid_from),
            "valid_to": _date(item.valid_to),
            "description": item.description,
        }
    )


def address(location: Location) -> JSON | None:
    """Return a place's street address as an HSDS address, or None if it has none."""
    if location.is_virtual or not (location.address_1 and location.city and location.postal_code):
        return None
    municipality: Municipality | None = location.municipality
    region = municipality.region.name if municipality is not None else ""
    return _clean(
        {
            "id": derived_id("address", location.id),
            "location_id": str(location.id),
            "address_1": location.address_1,
            "address_2": location.address_2,
            "city": location.city,
            "region": municipality.name if municipality is not None else None,
            "postal_code": location.postal_code,
            "country": COUNTRY,
            "address_type": "physical",
        }
    ) | {"state_province": region}


def location_full(location: Location) -> JSON:
    """Return a place (or a virtual one) as an HSDS location with its address."""
    found = address(location)
    return _clean(
        {
            "id": str(location.id),
            "location_type": location.location_type.value,
            "url": location.url,
            "organization_id": _id(location.organization_id),
            "name": location.name,
            "description": location.description,
            "transportation": location.transportation,
            "latitude": location.latitude,
            "longitude": location.longitude,
            "addresses": [found] if found else [],
            "languages": [],
        }
    )


# ---------- organisations ----------


def organization_basic(org: Organization) -> JSON:
    """Return an organisation's own fields as an HSDS organization."""
    return _clean(
        {
            "id": str(org.id),
            "name": org.name,
            "alternate_name": org.alternate_name,
            "description": org.description or org.name,
            "email": org.email,
            "website": org.website,
            "tax_id": org.cvr,
            "parent_organization_id": _id(org.parent_organization_id),
        }
    )


def _public_services(org: Organization) -> list[Service]:
    now = utcnow()
    return sorted(
        (s for s in org.services if is_indexable(s, now)), key=lambda s: (s.name, str(s.id))
    )


def organization_full(org: Organization) -> JSON:
    """Return an organisation with its phones, public places and public offers.

    Named contact persons are left out: open data never carries personal data,
    and their names and e-mail addresses are shown only on the offer pages.
    """
    services = _public_services(org)
    location_ids = {sal.location_id for s in services for sal in s.service_at_locations}
    locations = sorted(
        (loc for loc in org.locations if loc.id in location_ids), key=lambda loc: str(loc.id)
    )
    return organization_basic(org) | {
        "phones": [phone(p) for p in org.phones if p.service_id is None and p.contact_id is None],
        "locations": [location_full(loc) for loc in locations],
        "services": [service_basic(s) for s in services],
    }


# ---------- offers ----------


def cost_options(service: Service) -> list[JSON]:
    """Return the offer's price as one HSDS cost_option (free is an amount of 0 DKK)."""
    values: dict[str, Any] = {
        "id": derived_id("cost_option", service.id),
        "service_id": str(service.id),
        "currency": "DKK",
    }
    if service.is_free:
        values |= {"option": "Gratis", "amount": 0}
    else:
        values |= {"option": "Betaling", "amount_description": service.price_text}
    return [_clean(values)]


def languages(service: Service) -> list[JSON]:
    """Return the offer's language: Danish, the directory's language."""
    return [{"id": derived_id("language", service.id), "service_id": str(service.id), **LANGUAGE}]


def service_basic(service: Service) -> JSON:
    """Return an offer's own fields as an HSDS service (no nested lists)."""
    return _clean(
        {
            "id": str(service.id),
            "organization_id": str(service.organization_id),
            "name": service.name,
            "alternate_name": service.alternate_name,
            "description": service.description,
            "url": service.url,
            "email": service.email,
            "status": service.status.hsds_status,
            "application_process": service.how_to_join,
            "fees_description": None if service.is_free else service.price_text,
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "assured_date": _date(
                (service.last_confirmed_at or service.published_at or service.updated_at).date()
            ),
            "last_modified": _datetime(service.updated_at),
        }
    )


def service_minimal(service: Service) -> JSON:
    """Return just what a client needs to notice a change: id, name, status, last_modified."""
    return _clean(
        {
            "id": str(service.id),
            "name": service.name,
            "status": service.status.hsds_status,
            "last_modified": _datetime(service.updated_at),
        }
    )


def service_at_location_basic(sal: ServiceAtLocation) -> JSON:
    """Return the link of an offer and a place, with the place and its schedules."""
    return _clean(
        {
            "id": str(sal.id),
            "service_id": str(sal.service_id),
            "location_id": str(sal.location_id),
            "description": sal.description,
            "schedules": [schedule(s) for s in sal.schedules],
            "location": location_full(sal.location),
        }
    )


def service_full(service: Service) -> JSON:
    """Return an offer fully nested: organisation, places, schedules, phones, terms, cost.

    Named contact persons are left out, as in ``organization_full``.
    """
    return service_basic(service) | {
        "organization": organization_basic(service.organization),
        "service_at_locations": [
            service_at_location_basic(sal)
            for sal in sorted(service.service_at_locations, key=lambda sal: str(sal.id))
        ],
        "schedules": [schedule(s) for s in service.schedules],
        "phones": [phone(p) for p in service.phones if p.contact_id is None],
        "attributes": [
            attribute(a)
            for a in sorted(
                service.attributes,
                key=lambda a: (a.taxonomy_term.taxonomy.code, a.taxonomy_term.position),
            )
        ],
        "cost_options": cost_options(service),
        "languages": languages(service),
    }


def service_at_location_listed(sal: ServiceAtLocation) -> JSON:
    """Return the link of an offer and a place with the place and the offer's own fields."""
    return service_at_location_basic(sal) | {"service": service_basic(sal.service)}


def service_at_location_full(sal: ServiceAtLocation) -> JSON:
    """Return the link of an offer and a place with the whole offer nested."""
    return service_at_location_basic(sal) | {"service": service_full(sal.service)}


# ---------- loading ----------


def _location_options() -> Sequence[so.interfaces.LoaderOption]:
    return (so.selectinload(Location.municipality).joinedload(Municipality.region),)


def load_options_for_services() -> list[so.interfaces.LoaderOption]:
    """Return loader options that fetch a page of fully nested offers in a fixed few queries."""
    term = so.selectinload(Service.attributes).joinedload(ServiceAttribute.taxonomy_term)
    return [
        so.joinedload(Service.organization),
        so.selectinload(Service.service_at_locations)
        .joinedload(ServiceAtLocation.location)
        .options(*_location_options()),
        so.selectinload(Service.service_at_locations).selectinload(ServiceAtLocation.schedules),
        so.selectinload(Service.schedules),
        term.joinedload(TaxonomyTerm.taxonomy),
        so.selectinload(Service.phones),
    ]


def load_options_for_service_at_locations() -> list[so.interfaces.LoaderOption]:
    """Return loader options for links of offers and places with the whole offer."""
    return [
        so.joinedload(ServiceAtLocation.location).options(*_location_options()),
        so.selectinload(ServiceAtLocation.schedules),
        so.joinedload(ServiceAtLocation.service).options(*load_options_for_services()),
    ]


def load_options_for_organizations() -> list[so.interfaces.LoaderOption]:
    """Return loader options for organisations with their contacts, places and offers."""
    return [
        so.selectinload(Organization.phones),
        so.selectinload(Organization.locations).options(*_location_options()),
        so.selectinload(Organization.services).selectinload(Service.service_at_locations),
    ]


# ---------- queries ----------


@dataclass(frozen=True)
class ServiceFilters:
    """What a listing of offers is narrowed by; every given filter must hold (AND)."""

    taxonomy_term_ids: tuple[uuid.UUID, ...] = ()
    taxonomy_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    modified_after: dt.datetime | None = None
    postcode: str | None = None


def public_services_condition(now: dt.datetime | None = None) -> sa.ColumnElement[bool]:
    """Return the SQL condition of offers the public may see (published, confirmed)."""
    return indexable_condition(now or utcnow())


def service_conditions(filters: ServiceFilters, now: dt.datetime) -> list[sa.ColumnElement[bool]]:
    """Return the SQL conditions on ``Service`` of the public offers matching ``filters``."""
    conditions: list[sa.ColumnElement[bool]] = [indexable_condition(now)]
    for term_id in filters.taxonomy_term_ids:
        conditions.append(Service.attributes.any(ServiceAttribute.taxonomy_term_id == term_id))
    if filters.taxonomy_id is not None:
        conditions.append(
            Service.attributes.any(
                ServiceAttribute.taxonomy_term.has(TaxonomyTerm.taxonomy_id == filters.taxonomy_id)
            )
        )
    if filters.organization_id is not None:
        conditions.append(Service.organization_id == filters.organization_id)
    if filters.modified_after is not None:
        conditions.append(Service.updated_at >= filters.modified_after)
    return conditions


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in metres between two WGS84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(a)))


def by_distance(
    rows: Iterable[tuple[uuid.UUID, float | None, float | None]],
    lat: float,
    lon: float,
    proximity_m: float | None,
) -> list[uuid.UUID]:
    """Return the ids of (id, lat, lon) rows nearest first, each at its nearest point."""
    nearest: dict[uuid.UUID, float] = {}
    for row_id, row_lat, row_lon in rows:
        if row_lat is None or row_lon is None:
            continue
        distance = haversine_m(lat, lon, row_lat, row_lon)
        if proximity_m is not None and distance > proximity_m:
            continue
        if distance < nearest.get(row_id, math.inf):
            nearest[row_id] = distance
    return sorted(nearest, key=lambda row_id: (nearest[row_id], str(row_id)))


def physical_location_condition() -> sa.ColumnElement[bool]:
    """Return the SQL condition of places with coordinates."""
    return sa.and_(
        Location.location_type == LocationType.PHYSICAL,
        Location.latitude.is_not(None),
        Location.longitude.is_not(None),
    )


# ---------- listings ----------

MAX_SEARCH_HITS = 1000
_ENGINE_PAGE = 100


@dataclass
class Page:
    """One page of a listing and how many items the whole listing has."""

    items: list[Any]
    total: int
    page: int
    per_page: int


def envelope(page: Page, contents: list[JSON]) -> JSON:
    """Return the HSDS paginated envelope around ``contents``."""
    total_pages = max(1, math.ceil(page.total / page.per_page)) if page.total else 0
    return {
        "total_items": page.total,
        "total_pages": total_pages,
        "page_number": page.page,
        "size": len(contents),
        "first_page": page.page == 1,
        "last_page": page.page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def search_service_ids(
    session: so.Session, engine: SearchEngine, text: str, timeout_s: float
) -> list[uuid.UUID]:
    """Return the ids of the offers the search page's engine finds for ``text``, best first."""
    found: list[uuid.UUID] = []
    page = 1
    while len(found) < MAX_SEARCH_HITS:
        query = SearchQuery(text=text, page=page, per_page=_ENGINE_PAGE)
        result = run_search(session, engine, query, timeout_s).result
        for hit in result.hits:
            try:
                found.append(uuid.UUID(hit.id))
            except ValueError:
                continue
        if len(result.hits) < _ENGINE_PAGE or page * _ENGINE_PAGE >= result.total:
            break
        page += 1
    return list(dict.fromkeys(found))


def _box(point_lat: float, point_lon: float, metres: float) -> sa.ColumnElement[bool]:
    dlat = metres / 111_000 + 0.01
    dlon = metres / (111_000 * max(0.01, math.cos(math.radians(point_lat)))) + 0.01
    return sa.and_(
        Location.latitude.between(point_lat - dlat, point_lat + dlat),
        Location.longitude.between(point_lon - dlon, point_lon + dlon),
    )


def _ordered(
    session: so.Session,
    key: Any,
    statement: sa.Select[Any],
    order_by: Sequence[Any],
    paging_page: int,
    per_page: int,
    search_ids: list[uuid.UUID] | None,
    point: tuple[float, float, float | None] | None,
) -> tuple[list[uuid.UUID], int]:
    """Return (ids of one page, total) of ``statement``'s rows in the listing's order."""
    offset = (paging_page - 1) * per_page
    if search_ids is not None:
        statement = statement.where(Service.id.in_(search_ids))
    if point is not None:
        lat, lon, proximity = point
        statement = statement.where(physical_location_condition())
        if proximity is not None:
            statement = statement.where(_box(lat, lon, proximity))
        rows = session.execute(
            statement.with_only_columns(key, Location.latitude, Location.longitude)
        ).all()
        ids = by_distance(((r[0], r[1], r[2]) for r in rows), lat, lon, proximity)
        return ids[offset : offset + per_page], len(ids)
    if search_ids is not None:
        rows = session.execute(statement.with_only_columns(key, Service.id)).all()
        rank = {service_id: i for i, service_id in enumerate(search_ids)}
        ids = [r[0] for r in sorted(rows, key=lambda r: (rank[r[1]], str(r[0])))]
        ids = list(dict.fromkeys(ids))
        return ids[offset : offset + per_page], len(ids)
    total = session.scalar(statement.with_only_columns(sa.func.count(sa.distinct(key)))) or 0
    ids = list(
        session.scalars(
            statement.with_only_columns(key).order_by(*order_by).offset(offset).limit(per_page)
        )
    )
    return ids, total


def _in_order(items: Iterable[Any], ids: list[uuid.UUID]) -> list[Any]:
    by_id = {item.id: item for item in items}
    return [by_id[i] for i in ids if i in by_id]


def list_services(
    session: so.Session,
    filters: ServiceFilters,
    page: int,
    per_page: int,
    *,
    search_ids: list[uuid.UUID] | None = None,
    point: tuple[float, float, float | None] | None = None,
    options: Sequence[so.interfaces.LoaderOption] = (),
) -> Page:
    """Return a page of public offers matching ``filters`` (and a search, and a point).

    Order: nearest first with a point, the engine's order with a search, else name.
    """
    statement = sa.select(Service.id).where(*service_conditions(filters, utcnow()))
    if point is not None:
        statement = statement.join(Service.service_at_locations).join(ServiceAtLocation.location)
    ids, total = _ordered(
        session,
        Service.id,
        statement,
        (Service.name, Service.id),
        page,
        per_page,
        search_ids,
        point,
    )
    services = session.scalars(
        sa.select(Service).where(Service.id.in_(ids)).options(*options)
    ).unique()
    return Page(_in_order(services, ids), total, page, per_page)


def list_service_at_locations(
    session: so.Session,
    filters: ServiceFilters,
    page: int,
    per_page: int,
    *,
    search_ids: list[uuid.UUID] | None = None,
    point: tuple[float, float, float | None] | None = None,
) -> Page:
    """Return a page of public offers at places matching ``filters``; order as ``list_services``."""
    statement = (
        sa.select(ServiceAtLocation.id)
        .join(ServiceAtLocation.service)
        .join(ServiceAtLocation.location)
        .where(*service_conditions(filters, utcnow()))
    )
    if filters.postcode is not None:
        statement = statement.where(Location.postal_code == filters.postcode)
    order = (Service.name, Service.id, ServiceAtLocation.id)
    ids, total = _ordered(
        session, ServiceAtLocation.id, statement, order, page, per_page, search_ids, point
    )
    items = session.scalars(
        sa.select(ServiceAtLocation)
        .where(ServiceAtLocation.id.in_(ids))
        .options(*load_options_for_service_at_locations())
    ).unique()
    return Page(_in_order(items, ids), total, page, per_page)


def postcode_centroid(session: so.Session, code: str) -> tuple[float, float] | None:
    """Return the centre of a postcode area, or None when it is unknown.

    The official postcode list gives the centre; where it has not been imported,
    the mean of the directory's places in that postcode stands in.
    """
    row = session.execute(
        sa.select(Postcode.latitude, Postcode.longitude).where(Postcode.code == code)
    ).first()
    if row is not None and row.latitude is not None and row.longitude is not None:
        return row.latitude, row.longitude
    mean = session.execute(
        sa.select(sa.func.avg(Location.latitude), sa.func.avg(Location.longitude)).where(
            Location.postal_code == code, physical_location_condition()
        )
    ).first()
    if mean is None or mean[0] is None or mean[1] is None:
        return None
    return float(mean[0]), float(mean[1])


def _public_organization_condition() -> sa.ColumnElement[bool]:
    return Organization.services.any(indexable_condition(utcnow()))


def list_organizations(
    session: so.Session, page: int, per_page: int, text: str = "", full: bool = False
) -> Page:
    """Return a page of organisations with at least one public offer, by name."""
    statement = sa.select(Organization.id).where(_public_organization_condition())
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(Organization.name.ilike(pattern, escape="\\"))
    ids, total = _ordered(
        session,
        Organization.id,
        statement,
        (Organization.name, Organization.id),
        page,
        per_page,
        None,
        None,
    )
    options = load_options_for_organizations() if full else []
    items = session.scalars(
        sa.select(Organization).where(Organization.id.in_(ids)).options(*options)
    ).unique()
    return Page(_in_order(items, ids), total, page, per_page)


def list_taxonomies(session: so.Session, page: int, per_page: int) -> Page:
    """Return a page of the vocabularies, by name."""
    total = session.scalar(sa.select(sa.func.count(Taxonomy.id))) or 0
    items = session.scalars(
        sa.select(Taxonomy)
        .order_by(Taxonomy.name, Taxonomy.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return Page(list(items), total, page, per_page)


def list_taxonomy_terms(
    session: so.Session, page: int, per_page: int, taxonomy_id: uuid.UUID | None = None
) -> Page:
    """Return a page of active terms, in vocabulary order, optionally of one vocabulary."""
    condition = TaxonomyTerm.is_active.is_(True)
    if taxonomy_id is not None:
        condition = sa.and_(condition, TaxonomyTerm.taxonomy_id == taxonomy_id)
    total = session.scalar(sa.select(sa.func.count(TaxonomyTerm.id)).where(condition)) or 0
    items = session.scalars(
        sa.select(TaxonomyTerm)
        .join(TaxonomyTerm.taxonomy)
        .where(condition)
        .options(so.contains_eager(TaxonomyTerm.taxonomy))
        .order_by(Taxonomy.code, TaxonomyTerm.position, TaxonomyTerm.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return Page(list(items), total, page, per_page)


def get_public_service(session: so.Session, service_id: uuid.UUID) -> Service | None:
    """Return a public offer, fully loaded, or None."""
    return session.scalars(
        sa.select(Service)
        .where(Service.id == service_id, indexable_condition(utcnow()))
        .options(*load_options_for_services())
    ).first()


def get_public_service_at_location(
    session: so.Session, sal_id: uuid.UUID
) -> ServiceAtLocation | None:
    """Return a public offer at a place, fully loaded, or None."""
    return session.scalars(
        sa.select(ServiceAtLocation)
        .join(ServiceAtLocation.service)
        .where(ServiceAtLocation.id == sal_id, indexable_condition(utcnow()))
        .options(*load_options_for_service_at_locations())
    ).first()


def get_public_organization(session: so.Session, org_id: uuid.UUID) -> Organization | None:
    """Return an organisation with at least one public offer, fully loaded, or None."""
    return session.scalars(
        sa.select(Organization)
        .where(Organization.id == org_id, _public_organization_condition())
        .options(*load_options_for_organizations())
    ).first()
