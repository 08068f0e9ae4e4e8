"""Gather each HSDS service's parts from the flattened tables into one offer.

Values another system got wrong are left out with a warning, since the
volunteer cannot fix that system's export.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import Any

from flask_babel import gettext as _

from portal.geo.geocoding import in_denmark
from portal.imports.report import OfferData, ParsedFile, PlaceData, Problem
from portal.imports.values import ValueProblem, Vocabulary, email, website
from portal.offers.models import Frequency
from portal.offers.schedules import ScheduleError, parse_byday
from portal.taxonomy.vocabulary import VOCABULARIES

Row = dict[str, Any]
MAX_TEXT = 20_000
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?")
_POSTAL_CODE = re.compile(r"^\d{4}$")
_VOCABULARY_CODES = tuple(seed.code for seed in VOCABULARIES)


def _by(table: dict[str, Row], link: str) -> dict[str, list[Row]]:
    """Return the rows of a table grouped by the value of their ``link`` column."""
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in table.values():
        if row.get(link) is not None:
            grouped[str(row[link])].append(row)
    return grouped


class OfferReader:
    """Gather each service's parts from the flattened HSDS tables."""

    def __init__(
        self, tables: dict[str, dict[str, Row]], vocabulary: Vocabulary, parsed: ParsedFile
    ) -> None:
        """Index the tables by the service each row belongs to."""
        self.tables, self.vocabulary, self.parsed = tables, vocabulary, parsed
        self.sals = _by(tables["service_at_location"], "service_id")
        self.addresses = _by(tables["address"], "location_id")
        self.schedules = _by(tables["schedule"], "service_id")
        self.sal_schedules = _by(tables["schedule"], "service_at_location_id")
        self.phones = _by(tables["phone"], "service_id")
        self.contacts = _by(tables["contact"], "service_id")
        self.costs = _by(tables["cost_option"], "service_id")
        self.attributes = _by(tables["attribute"], "link_id")
        self.row = 0

    def warn(self, column: str, message: str) -> None:
        """Report a warning for the current service."""
        self.parsed.warnings.append(Problem(self.row, column, message))

    def text(self, row: Row, name: str, limit: int) -> str | None:
        """Return a field as text within ``limit``, or None (with a warning if unusable)."""
        value = row.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.warn(name, _("Feltet skal være tekst; det er sprunget over."))
            return None
        value = str(value).strip()
        if len(value) > limit:
            self.warn(
                name,
                _("Teksten er længere end %(limit)d tegn; den er sprunget over.", limit=limit),
            )
            return None
        return value

    def offer(self, position: int, raw: Row) -> OfferData | None:
        """Return the service at ``position`` as an offer, or None if it has no usable name."""
        self.row = position
        key = str(raw.get("id"))
        service = self.tables["service"].get(key)
        if service is None or not isinstance(raw.get("name"), str):
            return None
        name = str(raw["name"]).strip()
        offer = OfferData(position, key, name, place_column="service_at_locations")
        offer.fields = {
            "name": name,
            "alternate_name": self.text(service, "alternate_name", 200),
            "description": self.text(service, "description", MAX_TEXT) or "",
            "how_to_join": self.text(service, "application_process", MAX_TEXT) or "",
            "url": self.checked(service, "url", website),
            "email": self.checked(service, "email", email),
            **self.ages(service),
            **self.price(service, key),
        }
        offer.feature_toggles["gratis"] = offer.fields["is_free"]
        offer.terms = self.terms(key)
        offer.places = self.places(key)
        offer.schedules = self.times(key)
        offer.phones = [
            number
            for phone in self.phones.get(key, [])
            if phone.get("contact_id") is None
            and (number := self.text(phone, "number", 30)) is not None
        ]
        # Exports often leave contact persons out; that says nothing about them.
        if "contacts" in raw:
            offer.contacts = [
                {"name": self.text(c, "name", 200), "email": self.checked(c, "email", email)}
                for c in self.contacts.get(key, [])
            ]
        return offer

    def checked(self, row: Row, name: str, parse: Any) -> str | None:
        """Return a field read by ``parse``, or None with a warning when it is wrong."""
        value = self.text(row, name, 500)
        if value is None:
            return None
        try:
            return parse(value)
        except ValueProblem as problem:
            self.warn(name, _("%(problem)s Feltet er sprunget over.", problem=problem))
            return None

    def ages(self, service: Row) -> Row:
        """Return the minimum and maximum age, leaving out what is not a sensible age."""
        ages: Row = {}
        for name in ("minimum_age", "maximum_age"):
            value = service.get(name)
            valid = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 120
            if value is not None and not valid:
                self.warn(
                    name, _("Alderen skal være et helt tal fra 0 til 120; den er sprunget over.")
                )
            ages[name] = value if valid else None
        if None not in ages.values() and ages["minimum_age"] > ages["maximum_age"]:
            self.warn(
                "maximum_age",
                _("Den højeste alder er lavere end den laveste; aldrene er sprunget over."),
            )
            ages = dict.fromkeys(ages)
        return ages

    def price(self, service: Row, key: str) -> Row:
        """Return is_free and price_text: free means every cost option costs 0."""
        options = self.costs.get(key, [])
        amounts = [_number(option.get("amount")) for option in options]
        fees = self.text(service, "fees_description", 200)
        is_free = all(a == 0 for a in amounts) if options else fees is None
        if is_free:
            return {"is_free": True, "price_text": None}
        paid = next((o for o, a in zip(options, amounts, strict=True) if a != 0), {})
        described = self.text(paid, "amount_description", 200) or self.text(paid, "option", 200)
        if fees is None and described is None and paid.get("amount") is not None:
            described = f"{paid['amount']} {paid.get('currency') or 'DKK'}"[:200]
        return {"is_free": False, "price_text": fees or described}

    def terms(self, key: str) -> dict[str, list[str]]:
        """Return the offer's terms in the portal's vocabularies; others are left out."""
        found: dict[str, list[str]] = {code: [] for code in _VOCABULARY_CODES}
        for attribute in self.attributes.get(key, []):
            if attribute.get("link_entity") not in (None, "service"):
                continue
            term = self.tables["taxonomy_term"].get(str(attribute.get("taxonomy_term_id")))
            match = self.match_term(term) if term is not None else None
            if match is None:
                label = (term or {}).get("name") or attribute.get("taxonomy_term_id")
                self.warn(
                    "attributes",
                    _(
                        "Emneordet »%(term)s« findes ikke i portalens lister; det er sprunget "
                        "over.",
                        term=str(label)[:100],
                    ),
                )
                continue
            taxonomy, code = match
            if code not in found.setdefault(taxonomy, []):
                found[taxonomy].append(code)
        return found

    def match_term(self, term: Row) -> tuple[str, str] | None:
        """Return (vocabulary, term code) of a term by its vocabulary and code or name."""
        taxonomy_row = self.tables["taxonomy"].get(str(term.get("taxonomy_id"))) or {}
        names = [taxonomy_row.get("name"), term.get("taxonomy")]
        taxonomy = next(
            (code for n in names if isinstance(n, str) and (code := self.vocabulary.taxonomy(n))),
            None,
        )
        candidates = [taxonomy] if taxonomy else list(_VOCABULARY_CODES)
        for field in ("code", "name"):
            value = term.get(field)
            if not isinstance(value, str):
                continue
            hits = [(t, c) for t in candidates if (c := self.vocabulary.term(t, value))]
            if len(hits) == 1:
                return hits[0]
        return None

    def places(self, key: str) -> list[PlaceData]:
        """Return the service's distinct places."""
        places: list[PlaceData] = []
        for sal in self.sals.get(key, []):
            location = self.tables["location"].get(str(sal.get("location_id")))
            if location is None:
                continue
            place = self.place(location)
            if place is not None and place.key() not in {p.key() for p in places}:
                places.append(place)
        return places

    def place(self, location: Row) -> PlaceData | None:
        """Return one HSDS location as a place, or None when it says nowhere in Denmark."""
        if location.get("location_type") == "virtual":
            return PlaceData(is_virtual=True, name=self.text(location, "name", 200))
        found = sorted(
            self.addresses.get(str(location.get("id")), []),
            key=lambda a: (a.get("address_type") not in (None, "physical"), str(a.get("id"))),
        )
        address = found[0] if found else {}
        postal_code = self.text(address, "postal_code", 10)
        if postal_code is not None and not _POSTAL_CODE.match(postal_code):
            self.warn(
                "postal_code",
                _(
                    "»%(value)s« er ikke et dansk postnummer; det er sprunget over.",
                    value=postal_code,
                ),
            )
            postal_code = None
        place = PlaceData(
            name=self.text(location, "name", 200),
            address_1=self.text(address, "address_1", 200),
            postal_code=postal_code,
            city=self.text(address, "city", 100),
        )
        lat, lon = _number(location.get("latitude")), _number(location.get("longitude"))
        if lat is not None and lon is not None and in_denmark(lat, lon):
            place.latitude, place.longitude = lat, lon
        elif not (place.postal_code or place.city):
            self.warn(
                "service_at_locations",
                _("Et sted har hverken adresse eller koordinater i Danmark; det er sprunget over."),
            )
            return None
        return place

    def times(self, key: str) -> list[Row]:
        """Return the service's schedules, its own and those at its places, without repeats."""
        rows = {str(r.get("id")): r for r in self.schedules.get(key, [])}
        for sal in self.sals.get(key, []):
            rows |= {str(r.get("id")): r for r in self.sal_schedules.get(str(sal.get("id")), [])}
        schedules = []
        for schedule_id in sorted(rows):
            fields = self.schedule(rows[schedule_id])
            if fields is not None and fields not in schedules:
                schedules.append(fields)
        return schedules

    def schedule(self, row: Row) -> Row | None:
        """Return Schedule fields from an HSDS schedule, or None when it says nothing usable."""
        freq = str(row.get("freq") or "").upper() or None
        description = self.text(row, "description", 2000)
        byday = self.text(row, "byday", 50)
        try:
            parse_byday(byday)
        except ScheduleError:
            byday = None
        if freq not in (None, *(f.value for f in Frequency)) or (freq and not byday):
            freq = None
        if freq is None and description is None:
            self.warn(
                "schedules",
                _(
                    "Et tidspunkt kan ikke læses (kun ugentlige og månedlige gentagelser); det "
                    "er sprunget over."
                ),
            )
            return None
        opens, closes = _time(row.get("opens_at")), _time(row.get("closes_at"))
        if opens is not None and closes is not None and closes <= opens:
            closes = None
        interval = row.get("interval")
        return {
            "freq": Frequency(freq) if freq else None,
            "interval": interval if isinstance(interval, int) and interval >= 1 else 1,
            "byday": byday if freq else None,
            "bymonthday": self.text(row, "bymonthday", 50) if freq else None,
            "opens_at": opens,
            "closes_at": closes,
            "dtstart": _date(row.get("dtstart")),
            "until": _date(row.get("until")),
            "valid_from": _date(row.get("valid_from")),
            "valid_to": _date(row.get("valid_to")),
            "description": description,
        }


def _number(value: Any) -> float | None:
    """Return a number from JSON, or None when it is not one."""
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _time(value: Any) -> dt.time | None:
    """Return a time from HH:MM or HH:MM:SS, or None."""
    match = _TIME.match(value) if isinstance(value, str) else None
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        return None
    return dt.time(int(match[1]), int(match[2]))


def _date(value: Any) -> dt.date | None:
    """Return a date from an ISO 8601 text, or None."""
    try:
        return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else None
    except ValueError:
        return None
