"""The engine-neutral helpers of search.base: distances and the bounding box of a circle."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search.base import EARTH_RADIUS_KM, MAX_RADIUS_KM, GeoPoint, bounding_box, haversine_km

# Float rounding; measured as a distance, because near a pole a tiny step changes the
# longitude a lot.
TOLERANCE_KM = 1e-6
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180


def destination(start: GeoPoint, bearing_deg: float, distance_km: float) -> tuple[float, float]:
    """Return (lat, lon) ``distance_km`` from ``start`` along the initial ``bearing_deg``.

    Computed with unit vectors, which stay accurate next to the poles.
    """
    angle = distance_km / EARTH_RADIUS_KM
    phi, lam, theta = map(math.radians, (start.lat, start.lon, bearing_deg))
    here = (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))
    north = (-math.sin(phi) * math.cos(lam), -math.sin(phi) * math.sin(lam), math.cos(phi))
    east = (-math.sin(lam), math.cos(lam), 0.0)
    x, y, z = (
        math.cos(angle) * h + math.sin(angle) * (math.cos(theta) * n + math.sin(theta) * e)
        for h, n, e in zip(here, north, east, strict=True)
    )
    return math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))


def km_outside(box: tuple[float, float, float, float], lat: float, lon: float) -> float:
    """Return how far (lat, lon) lies outside the box, allowing for it crossing ±180°."""
    min_lat, max_lat, min_lon, max_lon = box
    north_south = max(0.0, min_lat - lat, lat - max_lat) * KM_PER_DEGREE
    east_west = min(
        max(0.0, min_lon - (lon + turn), (lon + turn) - max_lon)
        for turn in (-720.0, -360.0, 0.0, 360.0, 720.0)
    )
    return max(north_south, east_west * KM_PER_DEGREE * math.cos(math.radians(lat)))


@given(
    lat=st.floats(-90, 90),
    lon=st.floats(-180, 180),
    radius_km=st.floats(0.001, MAX_RADIUS_KM),
    first_bearing=st.floats(0, 0.5),
)
def test_bounding_box_holds_every_point_at_the_radius(
    lat: float, lon: float, radius_km: float, first_bearing: float
) -> None:
    """Points all round the circle, every half degree of bearing, lie in the box."""
    centre = GeoPoint(lat, lon)
    box = bounding_box(centre, radius_km)
    for step in range(720):
        point_lat, point_lon = destination(centre, first_bearing + step / 2, radius_km)
        assert haversine_km(centre, point_lat, point_lon) == pytest.approx(radius_km, rel=1e-6)
        assert km_outside(box, point_lat, point_lon) <= TOLERANCE_KM


@pytest.mark.parametrize("lat", [0.0, 56.0, 70.0, 80.0, -75.0])
@pytest.mark.parametrize("radius_km", [10.0, 150.0, 500.0])
def test_bounding_box_reaches_the_widest_point_of_the_circle(lat: float, radius_km: float) -> None:
    """The widest point lies poleward of the centre; a flat r / cos(lat) misses it."""
    centre = GeoPoint(lat, 10.0)
    widest = max(
        abs(destination(centre, bearing / 100, radius_km)[1] - centre.lon)
        for bearing in range(0, 18_001)
    )
    _, _, min_lon, max_lon = bounding_box(centre, radius_km)
    assert max_lon - centre.lon == pytest.approx(widest, abs=1e-6)
    assert centre.lon - min_lon == pytest.approx(widest, abs=1e-6)


def test_a_circle_over_a_pole_spans_every_longitude() -> None:
    _, max_lat, min_lon, max_lon = bounding_box(GeoPoint(89.0, 10.0), 200.0)
    assert max_lat > 90
    assert (min_lon, max_lon) == (10.0 - 180.0, 10.0 + 180.0)
