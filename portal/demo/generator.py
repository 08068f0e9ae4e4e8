"""Write realistic, deterministic demo offers across all 98 municipalities.

Rows are built as plain dictionaries and inserted with bulk Core inserts, so
100,000 offers (about a million rows) take well under two minutes.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from portal.db import utcnow
from portal.demo import texts
from portal.demo.phones import demo_phone_number
from portal.demo.places import Town, towns_by_municipality
from portal.geo.municipalities import MUNICIPALITIES
from portal.models import (
    Contact,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    Taxonomy,
    TaxonomyTerm,
)
from portal.offers.models import Frequency, LocationType, ServiceStatus
from portal.referrals.models import Referral

BATCH_SIZE = 5_000
REMOTE_SHARE = 0.05
OFFERS_PER_ORGANIZATION = 4
DEMO_EMAIL_DOMAIN = "forening.example"

_STATUS_WEIGHTS = (
    (ServiceStatus.PUBLISHED, 92),
    (ServiceStatus.PENDING_REVIEW, 4),
    (ServiceStatus.DRAFT, 3),
    (ServiceStatus.ARCHIVED, 1),
)
# Meeting times per part of the day; shared meals are in the evening.
_TIME_SLOTS = ((10, 0, 12, 0), (13, 30, 15, 30), (14, 0, 16, 0), (19, 0, 21, 0))
_MEAL_SLOTS = ((17, 30, 19, 30), (12, 0, 13, 30), (18, 0, 20, 0))
_LIFE_SITUATIONS_FOR_TARGET = {
    "efterladte": ("mistet-partner",),
    "arbejdsloese": ("mistet-arbejde",),
    "unge": ("skiftet-skole", "flyttet"),
    "nyindflyttede": ("flyttet",),
    "fysisk-syge": ("alvorlig-sygdom",),
    "paaroerende": ("alvorlig-sygdom",),
    "psykisk-saarbare": ("alvorlig-sygdom", "skilsmisse"),
}
_TARGET_WEIGHTS = {
    "aeldre": 20, "alle": 18, "unge": 12, "over-85": 5, "handicap": 5, "psykisk-saarbare": 7,
    "fysisk-syge": 4, "paaroerende": 5, "efterladte": 6, "arbejdsloese": 3,
    "nyindflyttede": 5, "nydanskere": 4, "groenlaendere": 1, "hjemloese": 1,
}  # fmt: skip
_AGE_LIMITS = {"unge": (16, 29), "over-85": (85, None), "aeldre": (60, None)}


class DemoDataError(RuntimeError):
    """The demo data cannot be written as asked."""


@dataclass
class _Rows:
    """Rows waiting to be inserted, table by table, in foreign-key order."""

    organization: list[dict[str, Any]] = field(default_factory=list)
    location: list[dict[str, Any]] = field(default_factory=list)
    service: list[dict[str, Any]] = field(default_factory=list)
    service_at_location: list[dict[str, Any]] = field(default_factory=list)
    schedule: list[dict[str, Any]] = field(default_factory=list)
    service_attribute: list[dict[str, Any]] = field(default_factory=list)
    contact: list[dict[str, Any]] = field(default_factory=list)
    phone: list[dict[str, Any]] = field(default_factory=list)

    TABLES = (
        (Organization, "organization"),
        (Location, "location"),
        (Service, "service"),
        (ServiceAtLocation, "service_at_location"),
        (Schedule, "schedule"),
        (ServiceAttribute, "service_attribute"),
        (Contact, "contact"),
        (Phone, "phone"),
    )

    def size(self) -> int:
        return sum(len(getattr(self, name)) for _model, name in self.TABLES)

    def flush(self, connection: sa.Connection) -> None:
        for model, name in self.TABLES:
            rows = getattr(self, name)
            if rows:
                connection.execute(sa.insert(model.__table__), rows)
                rows.clear()


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def allocate(count: int, rng: random.Random) -> list[str]:
    """Return a municipality code per offer, weighted by population, all 98 covered if possible.

    Every municipality first gets a share of a floor (so small rural ones are
    present too), the rest follows population.
    """
    codes = [m.code for m in MUNICIPALITIES]
    weights = [m.population for m in MUNICIPALITIES]
    floor = min(3, count // (len(codes) * 4))
    chosen = [code for code in codes for _ in range(floor)]
    total = sum(weights)
    remaining = count - len(chosen)
    for code, weight in zip(codes, weights, strict=True):
        chosen.extend([code] * int(remaining * weight / total))
    chosen.extend(rng.choices(codes, weights=weights, k=count - len(chosen)))
    rng.shuffle(chosen)
    return chosen


class _Generator:
    """Builds the rows for one run; all randomness comes from one seeded Random."""

    def __init__(self, terms: dict[tuple[str, str], uuid.UUID], seed: int, now: dt.datetime):
        self.rng = random.Random(seed)
        self.terms = terms
        self.now = now
        self.towns = towns_by_municipality()
        self.organizations: dict[str, list[tuple[uuid.UUID, str]]] = {}
        self.national_organizations: list[tuple[uuid.UUID, str]] = []
        self.rows = _Rows()

    def term(self, taxonomy: str, code: str) -> uuid.UUID:
        return self.terms[(taxonomy, code)]

    def _timestamps(self) -> tuple[dt.datetime, dt.datetime]:
        created = self.now - dt.timedelta(days=self.rng.randint(30, 900))
        confirmed = self.now - dt.timedelta(days=self.rng.randint(0, 330))
        return created, max(created, confirmed)

    def _organization(self, town: Town | None) -> tuple[uuid.UUID, str]:
        rng = self.rng
        pool = (
            self.national_organizations
            if town is None
            else self.organizations.setdefault(town.municipality_code, [])
        )
        if pool and rng.random() > 1 / OFFERS_PER_ORGANIZATION:
            return rng.choice(pool)
        if town is None:
            name, description = rng.choice(texts.NATIONAL_ORGANIZATIONS)
        else:
            name = texts.make_org_name(rng, town.name)
            description = f"Lokal forening i {town.name}, drevet af frivillige."
        org_id = _uuid(rng)
        created, _confirmed = self._timestamps()
        slug = "".join(ch for ch in name.lower() if ch.isascii() and ch.isalnum())[:30]
        self.rows.organization.append(
            {
                "id": org_id,
                "name": name,
                "description": description,
                "email": f"kontakt@{slug or 'forening'}.{DEMO_EMAIL_DOMAIN}",
                "website": None,
                "city": town.name if town else None,
                "postal_code": town.postal_code if town else None,
                "municipality_code": town.municipality_code if town else None,
                "is_demo": True,
                "version": 1,
                "created_at": created,
                "updated_at": created,
            }
        )
        pool.append((org_id, name))
        return org_id, name

    def _schedule(self, service_id: uuid.UUID, sal_id: uuid.UUID | None, activity: str) -> str:
        rng = self.rng
        weekday = rng.randrange(7) if rng.random() < 0.15 else rng.randrange(5)
        code = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[weekday]
        slots = _MEAL_SLOTS if activity == "faellesspisning" else _TIME_SLOTS
        oh, om, ch, cm = rng.choice(slots)
        roll = rng.random()
        row: dict[str, Any] = {
            "id": _uuid(rng),
            "service_id": service_id,
            "service_at_location_id": sal_id,
            "freq": Frequency.WEEKLY,
            "interval": 1,
            "byday": code,
            "opens_at": dt.time(oh, om),
            "closes_at": dt.time(ch, cm),
            "dtstart": (self.now - dt.timedelta(days=rng.randint(30, 400))).date(),
            "description": None,
        }
        if roll < 0.12:
            row["interval"] = 2
        elif roll < 0.30:
            row["freq"] = Frequency.MONTHLY
            row["byday"] = f"{rng.choice(('1', '2', '3', '-1'))}{code}"
        elif roll < 0.34:
            row.update(freq=None, interval=None, byday=None, opens_at=None, closes_at=None)
            row["description"] = "Efter aftale – vi finder et tidspunkt, der passer dig."
        self.rows.schedule.append(row)
        return texts.WEEKDAYS_DA[weekday]

    def _attributes(self, service_id: uuid.UUID, pairs: list[tuple[str, str]]) -> None:
        seen: set[tuple[str, str]] = set()
        for pair in pairs:
            if pair in seen:
                continue
            seen.add(pair)
            self.rows.service_attribute.append(
                {
                    "id": _uuid(self.rng),
                    "service_id": service_id,
                    "taxonomy_term_id": self.term(*pair),
                }
            )

    def offer(self, municipality_code: str) -> None:
        rng = self.rng
        remote = rng.random() < REMOTE_SHARE
        town = None if remote else rng.choice(self.towns[municipality_code])
        activity = rng.choice(texts.ACTIVITY_CODES)
        target = rng.choices(list(_TARGET_WEIGHTS), weights=list(_TARGET_WEIGHTS.values()))[0]
        weekday = texts.WEEKDAYS_DA[rng.randrange(5)]
        org_id, org_name = self._organization(town)
        service_id = _uuid(rng)
        created, confirmed = self._timestamps()
        status = rng.choices(
            [s for s, _w in _STATUS_WEIGHTS], weights=[w for _s, w in _STATUS_WEIGHTS]
        )[0]
        is_free = rng.random() < 0.7
        welcomes = rng.random() < 0.75
        remote_kind = rng.choice(("online", "telefon", "landsdaekkende")) if remote else None
        if remote_kind:
            name = rng.choice(texts.NATIONAL_OFFER_TITLES[remote_kind])
        else:
            name = texts.make_title(rng, activity, town.name, weekday, target)
        ages = _AGE_LIMITS.get(target, (None, None)) if rng.random() < 0.6 else (None, None)
        self.rows.service.append(
            {
                "id": service_id,
                "organization_id": org_id,
                "name": name,
                "description": texts.make_description(
                    rng, activity, target, town.name if town else "hele landet", weekday, name
                ),
                "status": status,
                "how_to_join": rng.choice(texts.HOW_TO_JOIN),
                "is_free": is_free,
                "price_text": None if is_free else rng.choice(texts.PRICE_TEXTS),
                "is_newcomer_welcome": welcomes,
                "minimum_age": ages[0],
                "maximum_age": ages[1],
                "published_at": confirmed if status is ServiceStatus.PUBLISHED else None,
                "last_confirmed_at": confirmed,
                "is_demo": True,
                "version": 1,
                "created_at": created,
                "updated_at": confirmed,
            }
        )
        location_id = _uuid(rng)
        if town is None:
            location = {
                "location_type": LocationType.VIRTUAL,
                "name": {"online": "Online", "telefon": "Telefon"}.get(remote_kind, "Hele landet"),
                "url": None,
            }
        else:
            jitter_lat, jitter_lon = rng.uniform(-0.012, 0.012), rng.uniform(-0.02, 0.02)
            location = {
                "location_type": LocationType.PHYSICAL,
                "name": texts.make_venue(rng, town.name),
                "address_1": texts.make_street_address(rng),
                "postal_code": town.postal_code,
                "city": town.name,
                "municipality_code": town.municipality_code,
                "latitude": round(town.latitude + jitter_lat, 6),
                "longitude": round(town.longitude + jitter_lon, 6),
            }
        self.rows.location.append(
            {
                "id": location_id,
                "organization_id": org_id,
                "created_at": created,
                "updated_at": created,
                **{k: None for k in ("address_1", "postal_code", "city", "municipality_code")},
                **{k: None for k in ("latitude", "longitude", "url", "description")},
                **location,
            }
        )
        sal_id = _uuid(rng)
        self.rows.service_at_location.append(
            {"id": sal_id, "service_id": service_id, "location_id": location_id}
        )
        self._schedule(service_id, sal_id, activity)
        pairs = [("aktivitet", activity), ("maalgruppe", target)]
        if rng.random() < 0.2:
            pairs.append(("aktivitet", rng.choice(texts.ACTIVITY_CODES)))
        situations = _LIFE_SITUATIONS_FOR_TARGET.get(target, ())
        if situations and rng.random() < 0.7:
            pairs.append(("livssituation", rng.choice(situations)))
        features = {
            "gratis": is_free,
            "koerestolsadgang": not remote and rng.random() < 0.4,
            "hoereslynge": not remote and rng.random() < 0.1,
            "koersel": not remote and rng.random() < 0.1,
            "ledsager-velkommen": rng.random() < 0.25,
            "vaert": welcomes,
            "drop-in": rng.random() < 0.4,
        }
        pairs += [("praktisk", code) for code, present in features.items() if present]
        if remote_kind:
            pairs.append(("praktisk", remote_kind))
            if remote_kind != "landsdaekkende":
                pairs.append(("praktisk", "landsdaekkende"))
        self._attributes(service_id, pairs)
        contact_id = _uuid(rng)
        self.rows.contact.append(
            {
                "id": contact_id,
                "service_id": service_id,
                "name": texts.make_person(rng),
                "title": "Kontaktperson",
                "email": f"kontakt{rng.randint(1, 9999)}@{DEMO_EMAIL_DOMAIN}",
            }
        )
        self.rows.phone.append(
            {
                "id": _uuid(rng),
                "service_id": service_id,
                "number": demo_phone_number(rng.randint(0, 99)),
                "type": "voice",
            }
        )


def _load_terms(connection: sa.Connection) -> dict[tuple[str, str], uuid.UUID]:
    rows = connection.execute(
        sa.select(Taxonomy.code, TaxonomyTerm.code, TaxonomyTerm.id).join(
            TaxonomyTerm, TaxonomyTerm.taxonomy_id == Taxonomy.id
        )
    )
    terms = {(taxonomy, term): term_id for taxonomy, term, term_id in rows}
    if not terms:
        raise DemoDataError("the vocabularies are missing; run `portal db upgrade` first")
    return terms


def _batches(count: int) -> Iterator[int]:
    done = 0
    while done < count:
        size = min(BATCH_SIZE, count - done)
        yield size
        done += size


def generate_offers(
    connection: sa.Connection, count: int, seed: int, now: dt.datetime | None = None
) -> None:
    """Insert ``count`` demo offers; the same seed and ``now`` give the same rows.

    The caller commits, so a failed run leaves nothing behind.
    """
    now = now or utcnow()
    generator = _Generator(_load_terms(connection), seed, now)
    codes = allocate(count, generator.rng)
    first = 0
    for size in _batches(count):
        for code in codes[first : first + size]:
            generator.offer(code)
        if first == 0:
            _refuse_repeated_seed(connection, generator.rows.service[0]["id"], seed)
        first += size
        generator.rows.flush(connection)


def _refuse_repeated_seed(connection: sa.Connection, first_id: uuid.UUID, seed: int) -> None:
    # Identifiers come from the seed, so a second run with it would collide.
    if connection.scalar(sa.select(sa.func.count()).where(Service.id == first_id)):
        raise DemoDataError(
            f"demo offers from seed {seed} are already in the database; "
            "choose another --seed, or use seed-demo to replace them"
        )


def delete_demo_data(connection: sa.Connection) -> None:
    """Delete every demo organisation and offer with everything attached to them."""
    demo_services = sa.select(Service.id).where(Service.is_demo.is_(True))
    demo_orgs = sa.select(Organization.id).where(Organization.is_demo.is_(True))
    # Demo referrals (their timelines go with them) point at demo offers.
    connection.execute(
        sa.delete(Referral).where(
            sa.or_(Referral.service_id.in_(demo_services), Referral.organization_id.in_(demo_orgs))
        )
    )
    for model in (Schedule, ServiceAttribute, Contact, Phone, ServiceAtLocation):
        connection.execute(sa.delete(model).where(model.service_id.in_(demo_services)))
    connection.execute(sa.delete(Service).where(Service.is_demo.is_(True)))
    connection.execute(sa.delete(Phone).where(Phone.organization_id.in_(demo_orgs)))
    connection.execute(sa.delete(Contact).where(Contact.organization_id.in_(demo_orgs)))
    connection.execute(sa.delete(Location).where(Location.organization_id.in_(demo_orgs)))
    connection.execute(sa.delete(Organization).where(Organization.is_demo.is_(True)))
