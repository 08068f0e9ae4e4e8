"""Read and check the API's query parameters; a bad one raises ``ParamError`` naming it."""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

from portal.api.hsds import ServiceFilters
from portal.find.params import clean_text

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 100_000
MAX_PROXIMITY_M = 500_000  # the same 500 km ceiling as the search page
MAX_SEARCH_LENGTH = 200
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no", ""}
_POSTCODE = re.compile(r"^\d{4}$")


class ParamError(ValueError):
    """A query parameter has a value the API cannot use."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class Paging:
    """Which page of a listing, and how long pages are."""

    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def offset(self) -> int:
        """Return how many items come before this page."""
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class Point:
    """A point search: nearest first, optionally within ``proximity_m`` metres."""

    lat: float
    lon: float
    proximity_m: float | None = None


@dataclass(frozen=True)
class ListRequest:
    """A checked request for a listing of offers or of offers at places."""

    paging: Paging = field(default_factory=Paging)
    search: str = ""
    filters: ServiceFilters = field(default_factory=ServiceFilters)
    point: Point | None = None
    minimal: bool = False
    full: bool = False
    # Set when proximity is measured from a postcode's centre (no lat/long given).
    near_postcode: str | None = None


def _one(args: MultiDict[str, str], name: str) -> str | None:
    value = args.get(name)
    return value.strip() if value is not None else None


def parse_int(args: MultiDict[str, str], name: str, default: int, low: int, high: int) -> int:
    """Return an integer parameter between ``low`` and ``high``."""
    value = _one(args, name)
    if value in (None, ""):
        return default
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParamError(name, f"{name} must be a whole number") from None
    if not low <= number <= high:
        raise ParamError(name, f"{name} must be between {low} and {high}")
    return number


def parse_paging(args: MultiDict[str, str]) -> Paging:
    """Return the page (1 or more) and page size (1 to 100; larger sizes are capped)."""
    page = parse_int(args, "page", 1, 1, MAX_PAGE)
    per_page = parse_int(args, "per_page", DEFAULT_PER_PAGE, 1, 10**9)
    return Paging(page=page, per_page=min(per_page, MAX_PER_PAGE))


def parse_bool(args: MultiDict[str, str], name: str) -> bool:
    """Return a true/false parameter (true, false, 1, 0, yes, no)."""
    value = (_one(args, name) or "").lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ParamError(name, f"{name} must be true or false")


def parse_uuid(value: str, name: str) -> uuid.UUID:
    """Return ``value`` as a UUID, or raise naming the parameter ``name``."""
    try:
        return uuid.UUID(value.strip())
    except (ValueError, AttributeError):
        raise ParamError(name, f"{name} must be a UUID") from None


def parse_optional_uuid(args: MultiDict[str, str], name: str) -> uuid.UUID | None:
    """Return a UUID parameter, or None when it is absent or empty."""
    value = _one(args, name)
    return parse_uuid(value, name) if value else None


def parse_uuid_list(args: MultiDict[str, str], name: str) -> tuple[uuid.UUID, ...]:
    """Return the UUIDs of a repeatable parameter whose values may be comma lists."""
    found: list[uuid.UUID] = []
    for value in args.getlist(name):
        for part in value.split(","):
            if part.strip():
                parsed = parse_uuid(part, name)
                if parsed not in found:
                    found.append(parsed)
    return tuple(found)


def parse_datetime(args: MultiDict[str, str], name: str) -> dt.datetime | None:
    """Return an ISO 8601 date or date-time parameter as an aware UTC datetime."""
    value = _one(args, name)
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise ParamError(name, f"{name} must be an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        return moment.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise ParamError(name, f"{name} is out of range") from None


def parse_float(args: MultiDict[str, str], name: str, low: float, high: float) -> float | None:
    """Return a finite number parameter between ``low`` and ``high``, or None when absent."""
    value = _one(args, name)
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise ParamError(name, f"{name} must be a number") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise ParamError(name, f"{name} must be a number between {low:g} and {high:g}")
    return number


def parse_proximity(args: MultiDict[str, str]) -> float | None:
    """Return the search radius in metres (more than 0, at most 1,000 km)."""
    proximity = parse_float(args, "proximity", 0.0, MAX_PROXIMITY_M)
    if proximity is not None and proximity <= 0:
        raise ParamError("proximity", "proximity must be more than 0 metres")
    return proximity


def parse_point(args: MultiDict[str, str]) -> Point | None:
    """Return the lat/long/proximity point search, or None when no point is given."""
    lat = parse_float(args, "lat", -90.0, 90.0)
    lon = parse_float(args, "long", -180.0, 180.0)
    proximity = parse_proximity(args)
    if lat is None and lon is None:
        return None
    if lat is None:
        raise ParamError("lat", "lat is required together with long")
    if lon is None:
        raise ParamError("long", "long is required together with lat")
    return Point(lat, lon, proximity)


def parse_postcode(args: MultiDict[str, str]) -> str | None:
    """Return a Danish postcode (four digits), or None when absent."""
    value = _one(args, "postcode")
    if not value:
        return None
    if not _POSTCODE.match(value):
        raise ParamError("postcode", "postcode must be four digits")
    return value


def parse_search(args: MultiDict[str, str]) -> str:
    """Return the search text without control characters, trimmed and capped."""
    return clean_text(args.get("search", ""), MAX_SEARCH_LENGTH)


def parse_service_list(args: Mapping[str, str] | MultiDict[str, str]) -> ListRequest:
    """Return the checked parameters of GET /services."""
    args = args if isinstance(args, MultiDict) else MultiDict(args)
    point = parse_point(args)
    if point is None and _one(args, "proximity"):
        raise ParamError("proximity", "proximity needs lat and long")
    return ListRequest(
        paging=parse_paging(args),
        search=parse_search(args),
        filters=_filters(args, postcode=None),
        point=point,
        minimal=parse_bool(args, "minimal"),
        full=parse_bool(args, "full"),
    )


def parse_service_at_location_list(args: Mapping[str, str] | MultiDict[str, str]) -> ListRequest:
    """Return the checked parameters of GET /service_at_locations.

    ``proximity`` is measured from ``lat``/``long`` when given, otherwise from the
    centroid of ``postcode`` (as the HSDS API defines it).
    """
    args = args if isinstance(args, MultiDict) else MultiDict(args)
    postcode = parse_postcode(args)
    point = parse_point(args)
    proximity = parse_proximity(args)
    near_postcode = None
    if point is None and proximity is not None:
        if postcode is None:
            raise ParamError("proximity", "proximity needs a postcode or lat and long")
        near_postcode, postcode = postcode, None
        point = Point(0.0, 0.0, proximity)  # the view puts the postcode's centre here
    return ListRequest(
        paging=parse_paging(args),
        search=parse_search(args),
        filters=_filters(args, postcode=postcode),
        point=point,
        full=parse_bool(args, "full"),
        near_postcode=near_postcode,
    )


def _filters(args: MultiDict[str, str], postcode: str | None) -> ServiceFilters:
    return ServiceFilters(
        taxonomy_term_ids=parse_uuid_list(args, "taxonomy_term_id"),
        taxonomy_id=parse_optional_uuid(args, "taxonomy_id"),
        organization_id=parse_optional_uuid(args, "organization_id"),
        modified_after=parse_datetime(args, "modified_after"),
        postcode=postcode,
    )
