"""Turn what a visitor types or their browser sends into a point in Denmark.

``geocode(session, text, config=...)`` tries, in order:

1. the ``geocode_cache`` table, by the normalised text (``gazetteer.normalise``);
2. the offline gazetteer: postcodes in the database, municipalities and towns;
3. an online geocoder (Nominatim through geopy), only when ``GEOCODER`` is
   "nominatim". Any error or an answer outside Denmark gives None; the
   visitor's text is never logged, it may be an address.

Answers from 2 and 3 are added to the cache and flushed; the caller commits.
Nothing here needs the internet unless the online geocoder is configured.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from sqlalchemy.exc import IntegrityError

from portal.geo.gazetteer import MAX_QUERY_LENGTH, Place, lookup, normalise, suggest
from portal.geo.models import GeocodeCache

__all__ = [
    "CoordinateError",
    "OnlineGeocoder",
    "Place",
    "geocode",
    "in_denmark",
    "online_geocoder",
    "parse_coordinates",
    "suggest",
]

logger = logging.getLogger(__name__)

# A box around Denmark with Bornholm; it also takes in a strip of northern
# Germany and southern Sweden, which is fine for sorting by distance.
LAT_MIN, LAT_MAX = 54.4, 57.9
LON_MIN, LON_MAX = 7.8, 15.4
MAX_COORDINATE_LENGTH = 32
CACHE_KEY_LENGTH = 200
LABEL_LENGTH = 200
OFFLINE_SOURCES = frozenset({"municipality", "town", "postcode"})

# geopy's ``geocode(query, **options)``: a geocoder's bound method or a RateLimiter.
OnlineGeocoder = Callable[..., Any]


class CoordinateError(ValueError):
    """The coordinates are not numbers or not in Denmark.

    The message is translated into the visitor's language when it is shown.
    """


def in_denmark(lat: float, lon: float) -> bool:
    """Return whether the point lies in the box around Denmark, Bornholm included."""
    return LAT_MIN <= lat <= LAT_MAX and LON_MIN <= lon <= LON_MAX


def _number(value: str | None) -> float:
    text = (value or "").strip().replace(",", ".")
    if not text or len(text) > MAX_COORDINATE_LENGTH:
        raise CoordinateError(_l("Koordinaterne skal være tal."))
    try:
        number = float(text)
    except ValueError:
        raise CoordinateError(_l("Koordinaterne skal være tal.")) from None
    if not math.isfinite(number):
        raise CoordinateError(_l("Koordinaterne skal være tal."))
    return number


def parse_coordinates(lat: str | None, lon: str | None) -> tuple[float, float]:
    """Return (latitude, longitude) from form values, or raise CoordinateError."""
    latitude, longitude = _number(lat), _number(lon)
    if not in_denmark(latitude, longitude):
        raise CoordinateError(_l("Punktet ligger uden for Danmark."))
    return latitude, longitude


@lru_cache(maxsize=4)
def online_geocoder(user_agent: str, timeout: float) -> OnlineGeocoder:
    """Return Nominatim's geocode, at most one request a second per process.

    Cached, so every request shares one rate limiter. A call may wait up to a
    second for its turn, then up to ``timeout`` seconds for the answer.
    """
    nominatim = Nominatim(user_agent=user_agent, timeout=timeout)
    return RateLimiter(
        nominatim.geocode, min_delay_seconds=1, max_retries=0, swallow_exceptions=False
    )


def _ask_online(text: str, geocoder: OnlineGeocoder) -> Place | None:
    try:
        location = geocoder(text, country_codes="dk", exactly_one=True)
    except GeopyError as error:
        # The message can hold the request URL, and with it the visitor's text.
        logger.warning("Online geocoder failed: %s", type(error).__name__)
        return None
    except Exception as error:  # a search must not fail because the service misbehaves
        logger.error("Online geocoder raised an unexpected %s", type(error).__name__)
        return None
    if location is None:
        return None
    try:
        lat, lon = float(location.latitude), float(location.longitude)
    except (AttributeError, TypeError, ValueError):
        logger.warning("Online geocoder answered without usable coordinates")
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and in_denmark(lat, lon)):
        logger.warning("Online geocoder answered with a point outside Denmark")
        return None
    label = str(getattr(location, "address", "") or text)
    return Place(label[:LABEL_LENGTH], lat, lon, "nominatim", None)


def _cached_place(session: so.Session, entry: GeocodeCache) -> Place:
    """Return a cached answer; an offline one gets its municipality back.

    The cache has no municipality column, so an offline answer's label is
    looked up again (in memory, or one postcode query); its municipality is
    kept only when that finds the very same point.
    """
    code: str | None = None
    if entry.source in OFFLINE_SOURCES:
        known = lookup(session, entry.label)
        if known is not None and (known.lat, known.lon) == (entry.latitude, entry.longitude):
            code = known.municipality_code
    return Place(entry.label, entry.latitude, entry.longitude, entry.source, code)


def _remember(session: so.Session, key: str, place: Place) -> None:
    """Add the answer to the cache; a concurrent request storing it first is fine."""
    entry = GeocodeCache(
        query_key=key,
        label=place.label[:LABEL_LENGTH],
        latitude=place.lat,
        longitude=place.lon,
        source=place.source,
    )
    try:
        with session.begin_nested():
            session.add(entry)
    except IntegrityError:
        logger.info("Geocode cache entry was stored by another request")


def geocode(
    session: so.Session,
    text: str,
    *,
    config: Mapping[str, Any],
    online: OnlineGeocoder | None = None,
) -> Place | None:
    """Return the point ``text`` names in Denmark, or None; never raises on bad input.

    ``online`` replaces the Nominatim geocoder (tests pass a fake); it is only
    used when ``config["GEOCODER"]`` is "nominatim".
    """
    text = " ".join((text or "")[:MAX_QUERY_LENGTH].split())
    key = normalise(text)[:CACHE_KEY_LENGTH]
    if not key:
        return None
    entry = session.get(GeocodeCache, key)
    if entry is not None:
        return _cached_place(session, entry)
    place = lookup(session, text)
    if place is None and config.get("GEOCODER") == "nominatim":
        geocoder = online or online_geocoder(
            config.get("GEOCODER_USER_AGENT", "faellesskabsportalen"),
            config.get("GEOCODER_TIMEOUT", 3),
        )
        place = _ask_online(text, geocoder)
    if place is not None:
        _remember(session, key, place)
    return place
