"""HSDS 3.0 as tables: the CSV data package form, and writing tables into the directory.

Every import, JSON or CSV, ends here as flat tables keyed by id (the HSDS
tabular shape). ``import_tables`` checks and writes them in dependency order
inside the caller's session: on any error, or on a dry run, it rolls the
session back, so nothing is written; otherwise the caller commits.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import logging
import re
import unicodedata
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.api import hsds
from portal.db import utcnow
from portal.geo.models import Municipality, Postcode
from portal.offers.models import (
    Frequency,
    Location,
    LocationType,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
)
from portal.organizations.models import Contact, Organization, Phone
from portal.taxonomy.models import ServiceAttribute, Taxonomy, TaxonomyTerm
from portal.taxonomy.vocabulary import VOCABULARIES

logger = logging.getLogger(__name__)

Row = dict[str, Any]
Tables = dict[str, dict[str, Row]]

# The HSDS tables the directory reads and writes, with their HSDS file names
# and columns (HSDS 3.0 tabular form); other HSDS tables are ignored on import.
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "organization": (
        "organizations.csv",
        ("id", "name", "alternate_name", "description", "email", "website", "tax_status",
         "tax_id", "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id"),
    ),
    "service": (
        "services.csv",
        ("id", "organization_id", "program_id", "name", "alternate_name", "description", "url",
         "email", "status", "interpretation_services", "application_process",
         "fees_description", "wait_time", "fees", "accreditations", "eligibility_description",
         "minimum_age", "maximum_age", "assured_date", "assurer_email", "licenses", "alert",
         "last_modified"),
    ),
    "location": (
        "locations.csv",
        ("id", "location_type", "url", "organization_id", "name", "alternate_name",
         "description", "transportation", "latitude", "longitude", "external_identifier",
         "external_identifier_type"),
    ),
    "address": (
        "addresses.csv",
        ("id", "location_id", "attention", "address_1", "address_2", "city", "region",
         "state_province", "postal_code", "country", "address_type"),
    ),
    "service_at_location": (
        "service_at_location.csv",
        ("id", "service_id", "location_id", "description"),
    ),
    "schedule": (
        "schedules.csv",
        ("id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to",
         "dtstart", "timezone", "until", "count", "wkst", "freq", "interval", "byday",
         "byweekno", "bymonthday", "byyearday", "description", "opens_at", "closes_at",
         "schedule_link", "attending_type", "notes"),
    ),
    "phone": (
        "phones.csv",
        ("id", "location_id", "service_id", "organization_id", "contact_id",
         "service_at_location_id", "number", "extension", "type", "description"),
    ),
    "contact": (
        "contacts.csv",
        ("id", "organization_id", "service_id", "service_at_location_id", "location_id", "name",
         "title", "department", "email"),
    ),
    "taxonomy": ("taxonomies.csv", ("id", "name", "description", "uri", "version")),
    "taxonomy_term": (
        "taxonomy_terms.csv",
        ("id", "code", "name", "description", "parent_id", "taxonomy", "language",
         "taxonomy_id", "term_uri"),
    ),
    "attribute": (
        "attributes.csv",
        ("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"),
    ),
    "cost_option": (
        "cost_options.csv",
        ("id", "service_id", "valid_from", "valid_to", "option", "currency", "amount",
         "amount_description"),
    ),
}  # fmt: skip
TABLES = tuple(COLUMNS)
_NUMBERS = {"latitude", "longitude", "amount"}
_INTEGERS = {"minimum_age", "maximum_age", "interval", "count", "timezone", "extension",
             "year_incorporated"}  # fmt: skip
_DATES = {"valid_from", "valid_to", "dtstart", "until", "assured_date"}
IMPORTED_TAXONOMY = "imported"
_SEED_CODES = {
    name.casefold(): seed.code for seed in VOCABULARIES for name in (seed.name, seed.name_en)
}
_POSTAL_CODE = re.compile(r"^\d{4}$")


def empty_tables() -> Tables:
    """Return one empty table per HSDS table the directory knows."""
    return {name: {} for name in TABLES}


@dataclass(frozen=True)
class ImportProblem:
    """Something wrong with one field of one object of the imported data."""

    table: str
    id: str
    field: str
    message: str

    def __str__(self) -> str:
        where = " ".join(part for part in (self.table, self.id) if part) or "dataset"
        return f"{where}: {self.field + ' ' if self.field else ''}{self.message}"


@dataclass
class ImportReport:
    """What an import did, or would do on a dry run, table by table."""

    dry_run: bool = False
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    errors: list[ImportProblem] = field(default_factory=list)
    warnings: list[ImportProblem] = field(default_factory=list)
    mapped_terms: list[str] = field(default_factory=list)
    created_terms: list[str] = field(default_factory=list)
    ignored: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Return whether the data was (or on a dry run would be) imported."""
        return not self.errors

    @property
    def changes(self) -> int:
        """Return how many rows were created, updated or deleted."""
        return sum((self.created + self.updated + self.deleted).values())

    def lines(self) -> list[str]:
        """Return one line per table touched, then mapped and created terms."""
        lines = []
        for table in TABLES:
            counts = (self.created[table], self.updated[table], self.deleted[table])
            if any(counts) or self.unchanged[table]:
                lines.append(
                    f"{table}: {counts[0]} created, {counts[1]} updated, "
                    f"{self.unchanged[table]} unchanged, {counts[2]} deleted"
                )
        lines += [f"mapped term: {text}" for text in self.mapped_terms]
        lines += [f"new term: {text}" for text in self.created_terms]
        if self.ignored:
            names = ", ".join(f"{k} ({v})" for k, v in sorted(self.ignored.items()))
            lines.append(f"not stored by this directory: {names}")
        return lines


# ---------- checking values ----------


class _Rollback(Exception):
    """Raised to stop writing once the database refuses a row."""


class _Record:
    """One row being checked; problems go to the report under its table and id."""

    def __init__(self, report: ImportReport, table: str, key: str, row: Row) -> None:
        self.report, self.table, self.key, self.row = report, table, key, row
        self.failed = False

    def error(self, name: str, message: str) -> None:
        self.failed = True
        self.report.errors.append(ImportProblem(self.table, self.key, name, message))

    def warn(self, name: str, message: str) -> None:
        self.report.warnings.append(ImportProblem(self.table, self.key, name, message))

    def raw(self, name: str) -> Any:
        value = self.row.get(name)
        return None if value is None or (isinstance(value, str) and not value.strip()) else value

    def text(self, name: str, limit: int | None = None, *, required: bool = False) -> str | None:
        value = self.raw(name)
        if value is None:
            if required:
                self.error(name, "is required")
            return None
        value = str(value)
        if limit is not None and len(value) > limit:
            if required:
                self.error(name, f"is longer than {limit} characters")
            else:
                self.warn(name, f"is longer than {limit} characters; left out")
            return None
        return value

    def uuid(self, name: str, *, required: bool = False) -> uuid.UUID | None:
        value = self.raw(name)
        if value is None:
            if required:
                self.error(name, "is required")
            return None
        try:
            return uuid.UUID(str(value))
        except ValueError:
            self.error(name, f"is not a valid UUID: {str(value)[:50]!r}")
            return None

    def number(self, name: str, low: float, high: float) -> float | None:
        value = self.raw(name)
        if value is None:
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = None
        if number is None or not low <= number <= high:
            self.warn(name, f"must be a number from {low:g} to {high:g}; left out")
            return None
        return number

    def integer(self, name: str, low: int, high: int) -> int | None:
        number = self.number(name, low, high)
        return int(number) if number is not None else None

    def date(self, name: str) -> dt.date | None:
        value = self.raw(name)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            self.warn(name, "is not a date (YYYY-MM-DD); left out")
            return None

    def time(self, name: str) -> dt.time | None:
        value = self.raw(name)
        if value is None:
            return None
        match = re.match(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?", str(value))
        if match is None or int(match[1]) > 23 or int(match[2]) > 59 or int(match[3] or 0) > 59:
            self.warn(name, "is not a time (HH:MM:SS); left out")
            return None
        return dt.time(int(match[1]), int(match[2]), int(match[3] or 0))

    def moment(self, name: str) -> dt.datetime | None:
        value = self.raw(name)
        if value is None:
            return None
        try:
            moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            self.warn(name, "is not a date and time (ISO 8601); left out")
            return None
        return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def _slug(text: str) -> str:
    text = text.casefold().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:50]


# ---------- writing ----------


class _Writer:
    """Check the tables and write them in dependency order, counting what changes."""

    def __init__(self, session: so.Session, tables: Tables, report: ImportReport) -> None:
        self.session, self.tables, self.report = session, tables, report
        self.now = utcnow()
        self.written: dict[str, set[uuid.UUID]] = {name: set() for name in TABLES}
        self.taxonomy_ids: dict[str, uuid.UUID] = {}
        self.term_ids: dict[str, uuid.UUID] = {}
        self.existing_services: set[uuid.UUID] = set()
        self.taxonomy_by_name: dict[str, uuid.UUID] = {}

    def rows(self, table: str) -> list[tuple[str, Row]]:
        return sorted(self.tables.get(table, {}).items())

    def record(self, table: str, key: str, row: Row) -> _Record:
        return _Record(self.report, table, key, row)

    def exists(self, table: str, model: type, key: uuid.UUID | None) -> bool:
        return key is not None and (
            key in self.written[table] or self.session.get(model, key) is not None
        )

    def link(self, rec: _Record, name: str, table: str, model: type) -> uuid.UUID | None:
        """Return an optional reference, left out with a warning when it names nothing."""
        key = rec.uuid(name)
        if key is not None and not self.exists(table, model, key):
            rec.warn(name, f"names no {table} in the data or the directory; left out")
            return None
        return key

    def upsert(self, table: str, model: type, key: uuid.UUID, values: Row) -> tuple[Any, bool]:
        obj = self.session.get(model, key)
        if obj is None:
            # An explicit None must stay NULL; the ORM would put a column default there.
            columns = sa.inspect(model).columns
            obj = model(
                id=key,
                **{
                    name: sa.null() if value is None and columns[name].default else value
                    for name, value in values.items()
                },
            )
            self.session.add(obj)
            self.report.created[table] += 1
            self.written[table].add(key)
            return obj, True
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        for name in changed:
            setattr(obj, name, values[name])
        (self.report.updated if changed else self.report.unchanged)[table] += 1
        self.written[table].add(key)
        return obj, bool(changed)

    def flush(self) -> None:
        try:
            self.session.flush()
        except sa.exc.SQLAlchemyError as error:
            orig = getattr(error, "orig", None) or error
            self.report.errors.append(
                ImportProblem("", "", "", f"the database refused the data: {orig}")
            )
            raise _Rollback from error

    def run(self) -> None:
        steps = (
            self.taxonomies,
            self.terms,
            self.organizations,
            self.locations,
            self.services,
            self.service_at_locations,
            self.schedules,
            self.contacts,
            self.phones,
            self.attributes,
            self.remove_missing_children,
        )
        for step in steps:
            step()
            if self.report.errors:
                return
            self.flush()

    # ----- taxonomies -----

    def taxonomies(self) -> None:
        existing = list(self.session.scalars(sa.select(Taxonomy)))
        by_name = {n.casefold(): t for t in existing for n in (t.name, t.name_en, t.code)}
        self.taxonomy_by_name = {name: t.id for name, t in by_name.items()}
        codes = {t.code for t in existing}
        for key, row in self.rows("taxonomy"):
            rec = self.record("taxonomy", key, row)
            taxonomy_id = rec.uuid("id", required=True)
            name = rec.text("name", 200, required=True)
            if rec.failed or taxonomy_id is None or name is None:
                continue
            found = self.session.get(Taxonomy, taxonomy_id) or by_name.get(name.casefold())
            if found is not None:
                self.taxonomy_ids[key] = found.id
                self.report.unchanged["taxonomy"] += 1
                continue
            code = _unique(_SEED_CODES.get(name.casefold()) or _slug(name) or key[:50], codes)
            description = rec.text("description") or ""
            values = {"code": code, "name": name, "name_en": name, "description": description}
            values["version"] = rec.text("version", 20)
            self.upsert("taxonomy", Taxonomy, taxonomy_id, values)
            self.taxonomy_ids[key] = taxonomy_id

    def imported_taxonomy(self) -> uuid.UUID:
        found = self.session.scalar(sa.select(Taxonomy).where(Taxonomy.code == IMPORTED_TAXONOMY))
        if found is None:
            found = Taxonomy(
                code=IMPORTED_TAXONOMY,
                name="Importerede termer",
                name_en="Imported terms",
                description="Termer fra andre kataloger uden et match i portalens egne.",
            )
            self.session.add(found)
            self.session.flush()
            self.report.created["taxonomy"] += 1
        return found.id

    def terms(self) -> None:
        existing = list(self.session.scalars(sa.select(TaxonomyTerm)))
        created_taxonomies = self.written["taxonomy"]
        parents: list[tuple[TaxonomyTerm, _Record]] = []
        positions: Counter[uuid.UUID] = Counter(t.taxonomy_id for t in existing)
        # In data order, not id order: the order of a vocabulary's terms is its position.
        for key, row in self.tables.get("taxonomy_term", {}).items():
            rec = self.record("taxonomy_term", key, row)
            term_id = rec.uuid("id", required=True)
            name = rec.text("name", 200, required=True)
            code = rec.text("code")
            if rec.failed or term_id is None or name is None:
                continue
            if self.session.get(TaxonomyTerm, term_id) is not None:
                self.term_ids[key] = term_id
                self.report.unchanged["taxonomy_term"] += 1
                continue
            taxonomy_id = self.taxonomy_ids.get(str(row.get("taxonomy_id")))
            if taxonomy_id is None and rec.raw("taxonomy_id") is not None:
                given = rec.uuid("taxonomy_id")
                if given is not None and self.session.get(Taxonomy, given) is not None:
                    taxonomy_id = given
            if taxonomy_id is None and isinstance(row.get("taxonomy"), str):
                # HSDS also names the taxonomy as text, e.g. "Målgrupper".
                taxonomy_id = self.taxonomy_by_name.get(row["taxonomy"].casefold())
            match = None
            if taxonomy_id not in created_taxonomies:
                match = _match_term(existing, taxonomy_id, code, name)
            if match is not None:
                self.term_ids[key] = match.id
                self.report.mapped_terms.append(
                    f"{name!r} ({key}) -> {match.taxonomy.code}:{match.code}"
                )
                continue
            taxonomy_id = taxonomy_id or self.imported_taxonomy()
            taken = {t.code for t in existing if t.taxonomy_id == taxonomy_id}
            values = {
                "taxonomy_id": taxonomy_id,
                "code": _unique((code or "")[:50] or _slug(name) or key[:50], taken),
                "name": name,
                "name_en": name,
                "description": rec.text("description") or "",
                "position": positions[taxonomy_id],
            }
            positions[taxonomy_id] += 1
            term, _ = self.upsert("taxonomy_term", TaxonomyTerm, term_id, values)
            existing.append(term)
            self.term_ids[key] = term_id
            self.report.created_terms.append(f"{name!r} ({key})")
            if rec.raw("parent_id") is not None:
                parents.append((term, rec))
        self.flush()
        for term, rec in parents:
            parent = rec.uuid("parent_id")
            parent = self.term_ids.get(str(parent), parent)
            if parent is not None and self.exists("taxonomy_term", TaxonomyTerm, parent):
                term.parent_id = parent
            else:
                rec.warn("parent_id", "names no taxonomy_term; left out")

    # ----- organisations and places -----

    def organizations(self) -> None:
        parents: list[tuple[Organization, _Record]] = []
        for key, row in self.rows("organization"):
            rec = self.record("organization", key, row)
            organization_id = rec.uuid("id", required=True)
            values = {
                "name": rec.text("name", 200, required=True),
                "alternate_name": rec.text("alternate_name", 200),
                "description": rec.text("description") or "",
                "email": rec.text("email", 254),
                "website": rec.text("website", 500),
                "cvr": _cvr(rec),
            }
            if rec.failed or organization_id is None:
                continue
            organization, _ = self.upsert("organization", Organization, organization_id, values)
            parents.append((organization, rec))
        self.flush()
        # Parents last: they may come later in the data than their children.
        for organization, rec in parents:
            parent = self.link(rec, "parent_organization_id", "organization", Organization)
            if organization.parent_organization_id != parent:
                organization.parent_organization_id = parent

    def locations(self) -> None:
        addresses: dict[str, list[Row]] = {}
        for _, row in self.rows("address"):
            addresses.setdefault(str(row.get("location_id")), []).append(row)
        for key, row in self.rows("location"):
            rec = self.record("location", key, row)
            location_id = rec.uuid("id", required=True)
            virtual = rec.raw("location_type") == "virtual"
            values = {
                "location_type": LocationType.VIRTUAL if virtual else LocationType.PHYSICAL,
                "url": rec.text("url", 500),
                "organization_id": self.link(rec, "organization_id", "organization", Organization),
                "name": rec.text("name", 200),
                "description": rec.text("description"),
                "transportation": rec.text("transportation"),
                **_coordinates(rec),
            }
            found = sorted(
                addresses.get(key, []),
                key=lambda a: (a.get("address_type") != "physical", str(a.get("id"))),
            )
            values |= self.address(found[0] if found else None)
            if not rec.failed and location_id is not None:
                self.upsert("location", Location, location_id, values)

    def address(self, row: Row | None) -> Row:
        values: Row = dict.fromkeys(
            ("address_1", "address_2", "postal_code", "city", "municipality_code")
        )
        if row is None:
            return values
        rec = self.record("address", str(row.get("id") or ""), row)
        postal_code = rec.text("postal_code")
        if postal_code is not None and not _POSTAL_CODE.match(postal_code):
            rec.warn("postal_code", "is not a Danish postcode (4 digits); left out")
            postal_code = None
        values |= {
            "address_1": rec.text("address_1", 200),
            "address_2": rec.text("address_2", 200),
            "postal_code": postal_code,
            "city": rec.text("city", 100),
            "municipality_code": self.municipality(rec.text("region"), postal_code),
        }
        return values

    def municipality(self, region: str | None, postal_code: str | None) -> str | None:
        if region:
            code = self.session.scalar(
                sa.select(Municipality.code).where(Municipality.name == region)
            )
            if code is not None:
                return code
        if postal_code:
            return self.session.scalar(
                sa.select(Postcode.municipality_code).where(Postcode.code == postal_code)
            )
        return None

    # ----- offers -----

    def services(self) -> None:
        costs: dict[str, list[Row]] = {}
        for _, row in self.rows("cost_option"):
            costs.setdefault(str(row.get("service_id")), []).append(row)
        for key, row in self.rows("service"):
            rec = self.record("service", key, row)
            service_id = rec.uuid("id", required=True)
            organization_id = rec.uuid("organization_id", required=True)
            if organization_id is not None and not self.exists(
                "organization", Organization, organization_id
            ):
                rec.error("organization_id", "names no organization in the data or the directory")
            status = rec.raw("status")
            if status is None:
                rec.warn("status", "is missing; imported as a draft")
            values = {
                "organization_id": organization_id,
                "name": rec.text("name", 200, required=True),
                "alternate_name": rec.text("alternate_name", 200),
                "description": rec.text("description") or "",
                "url": rec.text("url", 500),
                "email": rec.text("email", 254),
                "status": ServiceStatus.PUBLISHED if status == "active" else ServiceStatus.DRAFT,
                "how_to_join": rec.text("application_process") or "",
                **_ages(rec),
                **_price(rec, costs.get(key, [])),
            }
            modified = rec.moment("last_modified")
            if modified is not None:
                values["updated_at"] = modified
            if rec.failed or service_id is None:
                continue
            if self.session.get(Service, service_id) is not None:
                self.existing_services.add(service_id)
            service, changed = self.upsert("service", Service, service_id, values)
            if service.status is ServiceStatus.PUBLISHED:
                self.confirm(service, rec.date("assured_date"), changed)

    def confirm(self, service: Service, assured: dt.date | None, changed: bool) -> None:
        """Mark an active offer confirmed when the source last vouched for it, else now.

        Keeping the source's assured_date makes the round trip exact and keeps
        stale offers hidden; without one, a new or changed offer counts as
        confirmed today.
        """
        current = service.last_confirmed_at
        if assured is not None:
            end_of_day = dt.datetime.combine(assured, dt.time.max, dt.UTC)
            moment = min(end_of_day, self.now)
            if current is None or current.date() != moment.date():
                service.last_confirmed_at = moment
                if not changed:
                    self.report.unchanged["service"] -= 1
                    self.report.updated["service"] += 1
        elif changed or current is None:
            service.last_confirmed_at = self.now
        service.published_at = service.published_at or service.last_confirmed_at

    def service_at_locations(self) -> None:
        pairs: set[tuple[uuid.UUID, uuid.UUID]] = set()
        for key, row in self.rows("service_at_location"):
            rec = self.record("service_at_location", key, row)
            sal_id = rec.uuid("id", required=True)
            service_id = rec.uuid("service_id", required=True)
            location_id = rec.uuid("location_id", required=True)
            if service_id is not None and not self.exists("service", Service, service_id):
                rec.error("service_id", "names no service in the data or the directory")
            if location_id is not None and not self.exists("location", Location, location_id):
                rec.error("location_id", "names no location in the data or the directory")
            if rec.failed or sal_id is None or service_id is None or location_id is None:
                continue
            if (service_id, location_id) in pairs:
                rec.warn("location_id", "repeats a place of the same service; left out")
                continue
            pairs.add((service_id, location_id))
            values = {
                "service_id": service_id,
                "location_id": location_id,
                "description": rec.text("description"),
            }
            self.upsert("service_at_location", ServiceAtLocation, sal_id, values)

    def schedules(self) -> None:
        for key, row in self.rows("schedule"):
            rec = self.record("schedule", key, row)
            schedule_id = rec.uuid("id", required=True)
            service_id = self.link(rec, "service_id", "service", Service)
            sal_id = self.link(
                rec, "service_at_location_id", "service_at_location", ServiceAtLocation
            )
            if service_id is None and sal_id is None:
                rec.warn("service_id", "the schedule belongs to no imported service; left out")
                continue
            freq = str(rec.raw("freq") or "").upper() or None
            if freq is not None and freq not in {f.value for f in Frequency}:
                rec.warn("freq", "only WEEKLY and MONTHLY are supported; left out")
                freq = None
            opens_at, closes_at = rec.time("opens_at"), rec.time("closes_at")
            if opens_at and closes_at and opens_at >= closes_at:
                rec.warn("closes_at", "is not after opens_at; left out")
                closes_at = None
            values = {
                "service_id": service_id,
                "service_at_location_id": sal_id,
                "freq": Frequency(freq) if freq else None,
                "interval": rec.integer("interval", 1, 1000),
                "byday": rec.text("byday", 50),
                "bymonthday": rec.text("bymonthday", 50),
                "opens_at": opens_at,
                "closes_at": closes_at,
                "dtstart": rec.date("dtstart"),
                "until": rec.date("until"),
                "valid_from": rec.date("valid_from"),
                "valid_to": rec.date("valid_to"),
                "description": rec.text("description"),
            }
            if not rec.failed and schedule_id is not None:
                self.upsert("schedule", Schedule, schedule_id, values)

    def contacts(self) -> None:
        for key, row in self.rows("contact"):
            rec = self.record("contact", key, row)
            contact_id = rec.uuid("id", required=True)
            values = {
                "organization_id": self.link(rec, "organization_id", "organization", Organization),
                "service_id": self.link(rec, "service_id", "service", Service),
                "name": rec.text("name", 200),
                "title": rec.text("title", 200),
                "email": rec.text("email", 254),
            }
            if values["organization_id"] is None and values["service_id"] is None:
                rec.warn("service_id", "the contact belongs to no imported service; left out")
                continue
            if not rec.failed and contact_id is not None:
                self.upsert("contact", Contact, contact_id, values)

    def phones(self) -> None:
        for key, row in self.rows("phone"):
            rec = self.record("phone", key, row)
            phone_id = rec.uuid("id", required=True)
            values = {
                "number": rec.text("number", 30, required=True),
                "type": rec.text("type", 20) or "voice",
                "description": rec.text("description", 200),
                "organization_id": self.link(rec, "organization_id", "organization", Organization),
                "service_id": self.link(rec, "service_id", "service", Service),
                "location_id": self.link(rec, "location_id", "location", Location),
                "contact_id": self.link(rec, "contact_id", "contact", Contact),
            }
            owners = ("organization_id", "service_id", "location_id", "contact_id")
            if all(values[name] is None for name in owners):
                rec.warn("service_id", "the phone belongs to nothing imported; left out")
                continue
            if not rec.failed and phone_id is not None:
                self.upsert("phone", Phone, phone_id, values)

    def attributes(self) -> None:
        pairs: set[tuple[uuid.UUID, uuid.UUID]] = set()
        for key, row in self.rows("attribute"):
            rec = self.record("attribute", key, row)
            attribute_id = rec.uuid("id", required=True)
            entity = rec.raw("link_entity")
            service_id = rec.uuid("link_id")
            if entity not in (None, "service") or not self.exists("service", Service, service_id):
                rec.warn("link_id", "only attributes of imported services are kept; left out")
                continue
            term_id = self.term_ids.get(str(rec.raw("taxonomy_term_id")))
            if term_id is None:
                given = rec.uuid("taxonomy_term_id")
                if given is None or not self.exists("taxonomy_term", TaxonomyTerm, given):
                    rec.error("taxonomy_term_id", "names no taxonomy_term")
                    continue
                term_id = given
            assert service_id is not None  # noqa: S101 -- checked by exists() above
            if (service_id, term_id) in pairs:
                rec.warn("taxonomy_term_id", "repeats a term of the same service; left out")
                continue
            pairs.add((service_id, term_id))
            values = {
                "service_id": service_id,
                "taxonomy_term_id": term_id,
                "value": rec.text("value", 200),
            }
            if not rec.failed and attribute_id is not None:
                self.upsert("attribute", ServiceAttribute, attribute_id, values)

    def remove_missing_children(self) -> None:
        """Delete the parts of updated offers that the source no longer lists."""
        if not self.existing_services:
            return
        # Contacts are not among them: exports never carry contact persons, so
        # their absence from a dataset says nothing about whether they left.
        children = (
            ("attribute", ServiceAttribute),
            ("phone", Phone),
            ("schedule", Schedule),
            ("service_at_location", ServiceAtLocation),
        )
        for table, model in children:
            stale = self.session.scalars(
                sa.select(model).where(
                    model.service_id.in_(self.existing_services),  # type: ignore[attr-defined]
                    model.id.not_in(self.written[table]),  # type: ignore[attr-defined]
                )
            )
            for obj in stale:
                self.session.delete(obj)
                self.report.deleted[table] += 1


def _unique(code: str, taken: set[str]) -> str:
    candidate, number = code, 2
    while candidate in taken:
        suffix = f"-{number}"
        candidate, number = code[: 50 - len(suffix)] + suffix, number + 1
    taken.add(candidate)
    return candidate


def _match_term(
    terms: list[TaxonomyTerm], taxonomy_id: uuid.UUID | None, code: str | None, name: str
) -> TaxonomyTerm | None:
    """Return the one existing term with this code, else with this name, if any."""
    pool = [t for t in terms if taxonomy_id is None or t.taxonomy_id == taxonomy_id]
    for wanted, keys in ((code, ("code",)), (name, ("name", "name_en"))):
        if not wanted:
            continue
        wanted = wanted.casefold()
        found = [t for t in pool if any(getattr(t, k).casefold() == wanted for k in keys)]
        if len(found) == 1:
            return found[0]
    return None


def _coordinates(rec: _Record) -> Row:
    latitude, longitude = rec.number("latitude", -90, 90), rec.number("longitude", -180, 180)
    if latitude is None or longitude is None:
        # Half a point is no place on a map.
        latitude = longitude = None
    return {"latitude": latitude, "longitude": longitude}


def _cvr(rec: _Record) -> str | None:
    value = rec.text("tax_id")
    if value is None:
        return None
    digits = value.replace(" ", "").removeprefix("DK")
    if not re.fullmatch(r"\d{8}", digits):
        rec.warn("tax_id", "is not a CVR number (8 digits); left out")
        return None
    return digits


def _ages(rec: _Record) -> Row:
    low, high = rec.integer("minimum_age", 0, 120), rec.integer("maximum_age", 0, 120)
    if low is not None and high is not None and low > high:
        rec.warn("maximum_age", "is below minimum_age; ages left out")
        low = high = None
    return {"minimum_age": low, "maximum_age": high}


def _price(rec: _Record, options: list[Row]) -> Row:
    """Return is_free and price_text from the cost options (free means an amount of 0)."""
    amounts = []
    for option in options:
        amount = option.get("amount")
        try:
            amounts.append(float(amount) if amount not in (None, "") else None)
        except (TypeError, ValueError):
            amounts.append(None)
    fees = rec.raw("fees_description")
    is_free = all(a == 0 for a in amounts) if options else fees is None
    if is_free:
        return {"is_free": True, "price_text": None}
    text = str(fees) if fees is not None else None
    if text is None or len(text) > 200:
        paid = next((o for o, a in zip(options, amounts, strict=True) if a != 0), {})
        parts = [
            f"{paid['amount']} {str(paid.get('currency') or '').upper()}".strip()
            if paid.get("amount") not in (None, "")
            else "",
            str(paid.get("amount_description") or paid.get("option") or ""),
        ]
        text = " ".join(p for p in parts if p)[:200] or None
    return {"is_free": False, "price_text": text}


def import_tables(
    session: so.Session,
    tables: Tables,
    *,
    dry_run: bool,
    problems: list[ImportProblem] | None = None,
    ignored: dict[str, int] | None = None,
) -> ImportReport:
    """Check and write HSDS tables, all or nothing; roll back on error or dry run."""
    report = ImportReport(dry_run=dry_run, ignored=dict(ignored or {}))
    report.errors.extend(problems or [])
    if not report.errors:
        with contextlib.suppress(_Rollback):
            _Writer(session, tables, report).run()
    if report.errors or dry_run:
        session.rollback()
    else:
        # Rows changed under loaded relationships (deleted phones, new terms).
        session.expire_all()
    logger.info("HSDS import: %s changes, %s errors", report.changes, len(report.errors))
    return report


# ---------- the CSV form ----------


def _csv_path(folder: Path, table: str) -> Path | None:
    official = COLUMNS[table][0]
    for name in (official, f"{table}.csv", f"{table}s.csv"):
        if (folder / name).is_file():
            return folder / name
    return None


def read_folder(folder: Path) -> tuple[Tables, dict[str, int]]:
    """Read the HSDS CSV files of ``folder`` into tables; return (tables, ignored files)."""
    tables = empty_tables()
    used: set[Path] = set()
    for table in TABLES:
        path = _csv_path(folder, table)
        if path is None:
            continue
        used.add(path)
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                values = {k: (v if v != "" else None) for k, v in row.items() if k}
                key = str(values.get("id") or f"<row {len(tables[table]) + 2} of {path.name}>")
                tables[table][key] = values
    identifiers = folder / "organization_identifiers.csv"
    if identifiers.is_file():
        used.add(identifiers)
        with identifiers.open(newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                organization = tables["organization"].get(row.get("organization_id") or "")
                scheme = (row.get("identifier_scheme") or "").upper()
                if organization is not None and scheme in {"DK-CVR", "CVR"}:
                    organization["tax_id"] = organization.get("tax_id") or row.get("identifier")
    ignored = {p.stem: 1 for p in sorted(folder.glob("*.csv")) if p not in used}
    return tables, ignored


def import_tabular(session: so.Session, folder: Path, *, dry_run: bool) -> ImportReport:
    """Import an HSDS CSV folder, all or nothing; the caller commits when ok."""
    tables, ignored = read_folder(Path(folder))
    problems = []
    if not any(tables.values()):
        problems.append(ImportProblem("", "", "", "holds no HSDS CSV files (services.csv, ...)"))
    return import_tables(session, tables, dry_run=dry_run, problems=problems, ignored=ignored)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_tables(tables: Tables, folder: Path) -> list[Path]:
    """Write one HSDS CSV per table and a datapackage.json describing them."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table, (file_name, columns) in COLUMNS.items():
        path = folder / file_name
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            # Terms keep their vocabulary order, which is their position on import.
            rows = tables[table].values() if table == "taxonomy_term" else _by_id(tables[table])
            for row in rows:
                writer.writerow([_cell(row.get(c)) for c in columns])
        written.append(path)
    package = folder / "datapackage.json"
    package.write_text(json.dumps(datapackage(), indent=2, ensure_ascii=False) + "\n")
    return [*written, package]


def _by_id(table: dict[str, Row]) -> list[Row]:
    return [row for _, row in sorted(table.items())]


def _field_type(name: str) -> str:
    if name in _NUMBERS:
        return "number"
    if name in _INTEGERS:
        return "integer"
    if name in _DATES:
        return "date"
    if name in {"opens_at", "closes_at"}:
        return "time"
    if name == "last_modified":
        return "datetime"
    return "string"


def datapackage() -> dict[str, Any]:
    """Return the Frictionless descriptor of the exported CSV files."""
    return {
        "name": "faellesskabsportalen-hsds",
        "title": "Fællesskabsportalen: fællesskaber mod ensomhed (Open Referral HSDS 3.0)",
        "profile": "tabular-data-package",
        "hsds_version": hsds.HSDS_VERSION,
        "hsds_profile": hsds.HSDS_PROFILE,
        "resources": [
            {
                "name": table,
                "path": file_name,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [{"name": c, "type": _field_type(c)} for c in columns],
                    "primaryKey": "id",
                },
            }
            for table, (file_name, columns) in COLUMNS.items()
        ],
    }
