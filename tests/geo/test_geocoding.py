"""Geocoding: coordinates from the browser, and places through cache, gazetteer and online."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import sqlalchemy as sa
from geopy.exc import (
    GeocoderRateLimited,
    GeocoderServiceError,
    GeocoderTimedOut,
    GeocoderUnavailable,
)
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from geopy.location import Location

from portal.extensions import db
from portal.geo import geocoding
from portal.geo.geocoding import CoordinateError, Place, geocode, parse_coordinates
from portal.geo.models import GeocodeCache, Postcode

OFFLINE = {"GEOCODER": "offline", "GEOCODER_USER_AGENT": "test", "GEOCODER_TIMEOUT": 1}
ONLINE = {**OFFLINE, "GEOCODER": "nominatim"}
ADDRESS = "Skolevej 12, 7700 Thisted"


class FakeGeocoder:
    """Answers like geopy's Nominatim.geocode, and counts the calls."""

    def __init__(self, answer: Location | None = None, error: Exception | None = None) -> None:
        self.answer = answer
        self.error = error
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def geocode(self, query: str, **options: Any) -> Location | None:
        self.calls.append((query, options))
        if self.error is not None:
            raise self.error
        return self.answer


def _location(lat: float, lon: float, address: str = "Skolevej 12, 7700 Thisted") -> Location:
    return Location(address, (lat, lon), {})


def _cached_keys() -> list[str]:
    db.session.commit()
    return list(db.session.scalars(sa.select(GeocodeCache.query_key)))


# parse_coordinates


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        ("56.9552", "8.6945", (56.9552, 8.6945)),
        (" 55.6761 ", "12.5683", (55.6761, 12.5683)),
        ("55,6761", "12,5683", (55.6761, 12.5683)),
        ("55.1009", "14.7062", (55.1009, 14.7062)),  # Rønne on Bornholm
        ("57.7", "10.6", (57.7, 10.6)),  # Skagen
    ],
)
def test_coordinates_in_denmark_are_accepted(
    app, lat: str, lon: str, expected: tuple[float, float]
) -> None:
    assert parse_coordinates(lat, lon) == expected


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        ("abc", "8.6"),
        ("56.9", "abc"),
        ("", "8.6"),
        (None, None),
        ("nan", "8.6"),
        ("56.9", "inf"),
        ("-inf", "8.6"),
        ("1e999", "8.6"),
        ("5" * 500, "8.6"),
    ],
)
def test_coordinates_that_are_not_numbers_are_refused(app, lat: str, lon: str) -> None:
    with app.test_request_context(), pytest.raises(CoordinateError, match="skal være tal"):
        parse_coordinates(lat, lon)


@pytest.mark.parametrize(
    ("lat", "lon"),
    [("53.5511", "9.9937"), ("0", "0"), ("52.52", "13.405"), ("56.9", "-8.6"), ("59.9", "10.7")],
)
def test_coordinates_outside_denmark_are_refused(app, lat: str, lon: str) -> None:
    with (
        app.test_request_context(),
        pytest.raises(CoordinateError, match="Punktet ligger uden for Danmark"),
    ):
        parse_coordinates(lat, lon)


def test_a_coordinate_error_is_a_value_error() -> None:
    assert issubclass(CoordinateError, ValueError)


# geocode


def test_a_known_place_is_found_offline_and_cached(app) -> None:
    place = geocode(db.session, "Vejle Kommune", config=OFFLINE)

    assert place is not None
    assert (place.label, place.municipality_code) == ("Vejle", "630")
    assert _cached_keys() == ["vejle"]


def test_a_cached_answer_is_the_same_answer(app) -> None:
    first = geocode(db.session, "Aarhus", config=OFFLINE)
    db.session.commit()

    again = geocode(db.session, "  århus ", config=OFFLINE)

    assert again == first
    assert again is not None and again.municipality_code == "751"


def test_the_cache_answers_before_the_gazetteer(app) -> None:
    db.session.add(
        GeocodeCache(query_key="vejle", label="Vejle", latitude=55.7, longitude=9.5, source="town")
    )
    db.session.commit()

    place = geocode(db.session, "Vejle", config=OFFLINE)

    assert place is not None
    assert (place.lat, place.lon) == (55.7, 9.5)


@pytest.mark.parametrize("text", ["", "   ", "!!!"])
def test_empty_text_gives_none(app, text: str) -> None:
    assert geocode(db.session, text, config=ONLINE, online=FakeGeocoder().geocode) is None


def test_long_text_is_cut_to_100_characters(app) -> None:
    fake = FakeGeocoder(_location(56.95, 8.69))

    geocode(db.session, "Thisted " + "x" * 5000, config=ONLINE, online=fake.geocode)

    assert len(fake.calls[0][0]) == 100


def test_the_online_geocoder_is_not_used_unless_configured(app) -> None:
    fake = FakeGeocoder(_location(56.95, 8.69))

    assert geocode(db.session, ADDRESS, config=OFFLINE, online=fake.geocode) is None
    assert fake.calls == []


def test_the_online_geocoder_is_not_used_for_a_place_known_offline(app) -> None:
    fake = FakeGeocoder(_location(56.0, 10.0))

    place = geocode(db.session, "Vejle", config=ONLINE, online=fake.geocode)

    assert place is not None and place.label == "Vejle"
    assert fake.calls == []


def test_an_unknown_place_is_asked_online_once_then_cached(app) -> None:
    fake = FakeGeocoder(_location(56.9551, 8.6944, "Skolevej 12, 7700 Thisted, Danmark"))

    first = geocode(db.session, ADDRESS, config=ONLINE, online=fake.geocode)
    db.session.commit()
    again = geocode(db.session, ADDRESS, config=ONLINE, online=fake.geocode)

    assert (
        first
        == again
        == Place("Skolevej 12, 7700 Thisted, Danmark", 56.9551, 8.6944, "nominatim", None)
    )
    assert fake.calls == [(ADDRESS, {"country_codes": "dk", "exactly_one": True})]


@pytest.mark.parametrize(
    "error",
    [
        GeocoderTimedOut("Service timed out"),
        GeocoderServiceError("HTTP Error 500"),
        GeocoderRateLimited("HTTP Error 429: Too Many Requests", retry_after=10),
        GeocoderUnavailable(f"Max retries exceeded with url: /search?q={ADDRESS}"),
        OSError("connection reset"),
    ],
)
def test_an_online_failure_gives_none_and_logs_no_address(
    app, caplog: pytest.LogCaptureFixture, error: Exception
) -> None:
    fake = FakeGeocoder(error=error)

    with caplog.at_level(logging.WARNING, logger="portal.geo.geocoding"):
        place = geocode(db.session, ADDRESS, config=ONLINE, online=fake.geocode)

    assert place is None
    assert len(fake.calls) == 1
    assert caplog.records, "the failure is logged"
    assert "Skolevej" not in caplog.text
    assert _cached_keys() == []


@pytest.mark.parametrize("answer", [_location(53.5511, 9.9937), _location(0.0, 0.0), None], ids=str)
def test_an_online_answer_outside_denmark_or_missing_gives_none(
    app, answer: Location | None
) -> None:
    fake = FakeGeocoder(answer)

    assert geocode(db.session, ADDRESS, config=ONLINE, online=fake.geocode) is None
    assert _cached_keys() == []


def test_the_configured_online_geocoder_is_nominatim_at_one_request_a_second() -> None:
    limiter = geocoding.online_geocoder("faellesskabsportalen-test", 2)

    assert isinstance(limiter, RateLimiter)
    assert (limiter.min_delay_seconds, limiter.max_retries) == (1, 0)
    assert limiter.swallow_exceptions is False
    nominatim = limiter.func.__self__
    assert isinstance(nominatim, Nominatim)
    assert nominatim.headers["User-Agent"] == "faellesskabsportalen-test"
    assert nominatim.timeout == 2
    assert geocoding.online_geocoder("faellesskabsportalen-test", 2) is limiter


def test_geocode_builds_the_configured_geocoder(app, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeGeocoder(_location(56.95, 8.69))
    built: list[tuple[str, float]] = []

    def factory(user_agent: str, timeout: float) -> Any:
        built.append((user_agent, timeout))
        return fake.geocode

    monkeypatch.setattr(geocoding, "online_geocoder", factory)

    assert geocode(db.session, ADDRESS, config=ONLINE) is not None
    assert built == [("test", 1)]


def test_a_cache_entry_stored_meanwhile_is_not_an_error(app) -> None:
    # Another request stored the same answer between our lookup and our insert.
    db.session.execute(
        sa.insert(GeocodeCache).values(
            query_key="vejle", label="Vejle", latitude=55.7, longitude=9.5, source="town"
        )
    )
    place = Place("Vejle", 55.7093, 9.5357, "municipality", "630")

    geocoding._remember(db.session, "vejle", place)
    db.session.commit()

    assert db.session.scalar(sa.select(sa.func.count()).select_from(GeocodeCache)) == 1


def test_a_postcode_answer_from_the_cache_keeps_its_municipality(app) -> None:
    db.session.add(
        Postcode(code="7100", name="Vejle", latitude=55.71, longitude=9.52, municipality_code="630")
    )
    db.session.commit()
    geocode(db.session, "7100", config=OFFLINE)
    db.session.commit()

    again = geocode(db.session, "7100", config=OFFLINE)

    assert again == Place("7100 Vejle", 55.71, 9.52, "postcode", "630")
