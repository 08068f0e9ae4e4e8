"""Export the published directory as an HSDS 3.0 dataset and import one from elsewhere.

The JSON dataset this module writes (and reads back) is one object::

    {"hsds_version": "3.0", "profile": ..., "taxonomies": [...],
     "taxonomy_terms": [...], "organizations": [organization_full...],
     "services": [service_full...]}

Taxonomies, organisations and services are sorted by id, terms in vocabulary
order (taxonomy id, position, id), and every nested list of objects by id, so
two exports of the same data are equal byte for byte.

Import accepts that dataset, a single ``service_full``, a list of them, or an
``organization_full`` with nested services. Every input is first flattened
into the HSDS tables (the same shape the CSV form has, see ``tabular``), then
checked and written by ``import_tables``: all or nothing, idempotent by id.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.api import hsds
from portal.api.tabular import (
    ImportProblem,
    ImportReport,
    Tables,
    empty_tables,
    import_tables,
    write_tables,
)
from portal.db import utcnow
from portal.find.documents import indexable_condition
from portal.offers.models import Service
from portal.organizations.models import Organization
from portal.taxonomy.models import Taxonomy, TaxonomyTerm

__all__ = [
    "ImportProblem",
    "ImportReport",
    "collect_json",
    "dump_json",
    "export_json",
    "export_tabular",
    "import_dataset",
    "public_services",
]

logger = logging.getLogger(__name__)

JSON = dict[str, Any]


# ---------- export ----------


def public_services(session: so.Session) -> list[Service]:
    """Return every public offer, fully loaded for serialising, in id order."""
    return list(
        session.scalars(
            sa.select(Service)
            .where(indexable_condition(utcnow()))
            .options(*hsds.load_options_for_services())
            .order_by(Service.id)
        )
    )


def _sorted_nested(value: Any) -> Any:
    """Return ``value`` with every list of objects sorted by id, recursively."""
    if isinstance(value, dict):
        return {key: _sorted_nested(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [_sorted_nested(item) for item in value]
        if items and all(isinstance(item, dict) and "id" in item for item in items):
            items.sort(key=lambda item: str(item["id"]))
        return items
    return value


def export_json(session: so.Session) -> JSON:
    """Return the whole public directory as one deterministic HSDS 3.0 JSON dataset."""
    services = public_services(session)
    organization_ids = sorted({s.organization_id for s in services})
    organizations = session.scalars(
        sa.select(Organization)
        .where(Organization.id.in_(organization_ids))
        .options(*hsds.load_options_for_organizations())
        .order_by(Organization.id)
    )
    taxonomies = session.scalars(sa.select(Taxonomy).order_by(Taxonomy.id))
    terms = session.scalars(
        sa.select(TaxonomyTerm)
        .options(so.joinedload(TaxonomyTerm.taxonomy))
        .order_by(TaxonomyTerm.taxonomy_id, TaxonomyTerm.position, TaxonomyTerm.id)
    )
    return {
        "hsds_version": hsds.HSDS_VERSION,
        "profile": hsds.HSDS_PROFILE,
        "taxonomies": [_sorted_nested(hsds.taxonomy(t)) for t in taxonomies],
        "taxonomy_terms": [_sorted_nested(hsds.taxonomy_term(t)) for t in terms],
        "organizations": [_sorted_nested(hsds.organization_full(o)) for o in organizations],
        "services": [_sorted_nested(hsds.service_full(s)) for s in services],
    }


def dump_json(data: Any) -> str:
    """Return ``data`` as the UTF-8 JSON text of an export file."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def export_tabular(session: so.Session, folder: Path) -> list[Path]:
    """Write the public directory as HSDS CSV files plus datapackage.json; return the paths."""
    tables, _, _ = collect_json(export_json(session))
    return write_tables(tables, Path(folder))


# ---------- import: JSON into tables ----------


class _Collector:
    """Flatten nested HSDS objects into tables keyed by id, merging repeated objects.

    The same object often appears several times in one document (a phone under
    the service, its location and its contact); each appearance may add a link,
    so repeats are merged: a field keeps its first non-empty value.
    """

    def __init__(self) -> None:
        self.tables: Tables = empty_tables()
        self.problems: list[ImportProblem] = []
        self.ignored: dict[str, int] = {}

    def put(self, table: str, record: JSON, **links: Any) -> str | None:
        fields = {k: v for k, v in record.items() if not isinstance(v, list | dict)}
        fields.update({k: v for k, v in links.items() if v is not None})
        key = fields.get("id")
        if key is None or key == "":
            self.problems.append(ImportProblem(table, "", "id", "is missing"))
            return None
        key = str(key)
        rows = self.tables[table]
        if key not in rows:
            rows[key] = fields
            return key
        existing = rows[key]
        for name, value in fields.items():
            if existing.get(name) in (None, "") and value not in (None, ""):
                existing[name] = value
        return key

    def ignore(self, record: JSON, *names: str) -> None:
        for name in names:
            items = record.get(name)
            if items:
                count = len(items) if isinstance(items, list) else 1
                self.ignored[name] = self.ignored.get(name, 0) + count

    def dataset(self, data: JSON) -> None:
        for item in _objects(data.get("taxonomies")):
            self.put("taxonomy", item)
        for item in _objects(data.get("taxonomy_terms")):
            self.term(item)
        # Services first: their full objects win over the organisations' short copies.
        for item in _objects(data.get("services")):
            self.service(item)
        for item in _objects(data.get("organizations")):
            self.organization(item)

    def any_object(self, obj: Any) -> None:
        if not isinstance(obj, dict):
            self.problems.append(ImportProblem("", "", "", "expected an HSDS object"))
        elif isinstance(obj.get("services"), list):
            self.organization(obj)
        else:
            self.service(obj)

    def organization(self, obj: JSON) -> str | None:
        identifiers = _objects(obj.get("organization_identifiers"))
        cvr = next(
            (
                i.get("identifier")
                for i in identifiers
                if str(i.get("identifier_scheme", "")).upper() in {"DK-CVR", "CVR"}
            ),
            None,
        )
        key = self.put("organization", obj, tax_id=obj.get("tax_id") or cvr)
        for item in _objects(obj.get("contacts")):
            self.contact(item, organization_id=key)
        for item in _objects(obj.get("phones")):
            self.put("phone", item, organization_id=key)
        for item in _objects(obj.get("locations")):
            self.location(item, organization_id=key)
        for item in _objects(obj.get("services")):
            self.service(item, organization_id=key)
        self.ignore(obj, "funding", "programs", "organization_identifiers", "metadata")
        return key

    def service(self, obj: JSON, organization_id: str | None = None) -> None:
        if isinstance(obj.get("organization"), dict):
            nested = dict(obj["organization"])
            nested.pop("services", None)
            organization_id = self.organization(nested)
        key = self.put("service", obj, organization_id=organization_id)
        if key is None:
            return
        for item in _objects(obj.get("phones")):
            self.put("phone", item, service_id=key)
        for item in _objects(obj.get("schedules")):
            self.put("schedule", item, service_id=key)
        for item in _objects(obj.get("contacts")):
            self.contact(item, service_id=key)
        for item in _objects(obj.get("cost_options")):
            self.put("cost_option", item, service_id=key)
        for item in _objects(obj.get("service_at_locations")):
            self.service_at_location(item, key)
        for item in _objects(obj.get("attributes")):
            term = item.get("taxonomy_term")
            term_id = self.term(term) if isinstance(term, dict) else item.get("taxonomy_term_id")
            self.put(
                "attribute", item, link_id=key, link_entity="service", taxonomy_term_id=term_id
            )
        self.ignore(obj, "service_areas", "languages", "funding", "program", "required_documents")

    def service_at_location(self, obj: JSON, service_id: str) -> None:
        location = obj.get("location")
        location_id = self.location(location) if isinstance(location, dict) else None
        key = self.put("service_at_location", obj, service_id=service_id, location_id=location_id)
        for item in _objects(obj.get("schedules")):
            self.put("schedule", item, service_at_location_id=key)
        # Our contacts and phones belong to the offer, not to the offer at one place.
        for item in _objects(obj.get("contacts")):
            self.contact(item, service_id=service_id)
        for item in _objects(obj.get("phones")):
            self.put("phone", item, service_id=service_id)

    def location(self, obj: JSON, organization_id: str | None = None) -> str | None:
        key = self.put("location", obj, organization_id=organization_id)
        for item in _objects(obj.get("addresses")):
            self.put("address", item, location_id=key)
        for item in _objects(obj.get("phones")):
            self.put("phone", item, location_id=key)
        # Contacts and schedules of a place have no home in our model.
        self.ignore(obj, "contacts", "schedules", "accessibility", "languages")
        return key

    def contact(self, obj: JSON, **links: Any) -> None:
        key = self.put("contact", obj, **links)
        for item in _objects(obj.get("phones")):
            self.put("phone", item, contact_id=key)

    def term(self, obj: JSON) -> str | None:
        detail = obj.get("taxonomy_detail")
        taxonomy_id = self.put("taxonomy", detail) if isinstance(detail, dict) else None
        return self.put("taxonomy_term", obj, taxonomy_id=obj.get("taxonomy_id") or taxonomy_id)


def _objects(value: Any) -> list[JSON]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


def collect_json(data: Any) -> tuple[Tables, list[ImportProblem], dict[str, int]]:
    """Flatten an HSDS JSON document into tables; return (tables, problems, ignored lists)."""
    collector = _Collector()
    if isinstance(data, list):
        for item in data:
            collector.any_object(item)
    elif isinstance(data, dict) and "id" not in data:
        collector.dataset(data)
    else:
        collector.any_object(data)
    if not any(collector.tables.values()) and not collector.problems:
        collector.problems.append(
            ImportProblem("", "", "", "contains no HSDS services, organizations or taxonomies")
        )
    return collector.tables, collector.problems, collector.ignored


def import_dataset(session: so.Session, data: Any, *, dry_run: bool) -> ImportReport:
    """Import an HSDS 3.0 JSON document, all or nothing; the caller commits when ok."""
    tables, problems, ignored = collect_json(data)
    return import_tables(session, tables, dry_run=dry_run, problems=problems, ignored=ignored)
