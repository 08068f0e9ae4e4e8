"""The engine-neutral search interface: documents, queries, results and errors.

The portal hands plain documents (dictionaries, see ``Document``) to an engine
and asks it ``SearchQuery`` questions; it never sees engine-specific syntax.
Engines implement ``SearchEngine``.
"""

from __future__ import annotations

import abc
import enum
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

MAX_TEXT_LENGTH = 200
MAX_PER_PAGE = 100
MAX_PAGE = 1000
MAX_RADIUS_KM = 500.0
EARTH_RADIUS_KM = 6371.0088

# Filterable and facetable fields of a document. Each holds a list of codes,
# except is_free (a bool) and municipality (one code).
FACET_FIELDS = (
    "activity",
    "target_group",
    "life_situation",
    "feature",
    "weekday",
    "time_of_day",
    "municipality",
    "is_free",
)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
TIMES_OF_DAY = ("morning", "afternoon", "evening")


class Document(TypedDict, total=False):
    """One offer as the engines see it; built by the portal from the database.

    Required: id, title. Lists may be empty. ``lat``/``lon`` are absent or None
    for offers without a place (online, phone, nationwide), which then have
    ``is_remote`` True.
    """

    id: str
    title: str
    description: str
    organization: str
    city: str
    municipality: str
    municipality_name: str
    activity: list[str]
    target_group: list[str]
    life_situation: list[str]
    feature: list[str]
    weekday: list[str]
    time_of_day: list[str]
    is_free: bool
    is_remote: bool
    lat: float | None
    lon: float | None
    next_meeting: int | None  # Unix seconds of the next meeting, if known
    updated_at: int  # Unix seconds; lets `search check` spot stale entries


class Sort(enum.StrEnum):
    """Result order."""

    RELEVANCE = "relevance"
    DISTANCE = "distance"
    NEXT_MEETING = "next_meeting"


class SearchError(Exception):
    """The engine could not answer."""


class EngineUnavailable(SearchError):
    """The engine is down or unreachable."""


class EngineTimeout(SearchError):
    """The engine did not answer in time."""


class InvalidQuery(SearchError, ValueError):
    """The question itself is malformed (the portal validates input before this)."""


@dataclass(frozen=True)
class GeoPoint:
    """A WGS84 point."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lat) and math.isfinite(self.lon)):
            raise InvalidQuery("coordinates must be finite numbers")
        if not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            raise InvalidQuery("coordinates out of range")


@dataclass(frozen=True)
class SearchQuery:
    """A question to an engine.

    Within one filter field the values are alternatives (OR); different fields
    combine with AND, except ``features``, where every feature is required.
    A place (``point`` with ``radius_km``, or ``municipality``) keeps remote
    offers (online, phone, nationwide) in the results unless
    ``include_remote`` is False; they are never cut by the radius.
    """

    text: str = ""
    point: GeoPoint | None = None
    radius_km: float | None = None
    activity: tuple[str, ...] = ()
    target_group: tuple[str, ...] = ()
    life_situation: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    weekday: tuple[str, ...] = ()
    time_of_day: tuple[str, ...] = ()
    municipality: tuple[str, ...] = ()
    free_only: bool = False
    include_remote: bool = True
    sort: Sort = Sort.RELEVANCE
    page: int = 1
    per_page: int = 20
    facets: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.text) > MAX_TEXT_LENGTH:
            object.__setattr__(self, "text", self.text[:MAX_TEXT_LENGTH])
        if self.radius_km is not None:
            if not math.isfinite(self.radius_km) or not 0 < self.radius_km <= MAX_RADIUS_KM:
                raise InvalidQuery(f"radius must be between 0 and {MAX_RADIUS_KM:g} km")
            if self.point is None:
                raise InvalidQuery("a radius needs a point")
        if self.sort is Sort.DISTANCE and self.point is None:
            raise InvalidQuery("sorting by distance needs a point")
        if not 1 <= self.page <= MAX_PAGE:
            raise InvalidQuery(f"page must be between 1 and {MAX_PAGE}")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise InvalidQuery(f"per_page must be between 1 and {MAX_PER_PAGE}")
        unknown = set(self.facets) - set(FACET_FIELDS)
        if unknown:
            raise InvalidQuery(f"unknown facets: {', '.join(sorted(unknown))}")

    @property
    def has_place(self) -> bool:
        """Return whether the question is tied to a place."""
        return self.radius_km is not None or bool(self.municipality)

    @property
    def offset(self) -> int:
        """Return how many hits come before this page."""
        return (self.page - 1) * self.per_page


@dataclass
class Hit:
    """One result: the stored document, its distance and highlighted snippets.

    ``highlights`` maps "title" and "description" to HTML-escaped text in which
    matched words are wrapped in <mark>...</mark>; it is safe to render as is.
    """

    id: str
    document: dict[str, Any]
    score: float = 0.0
    distance_km: float | None = None
    highlights: dict[str, str] = field(default_factory=dict)

    @property
    def is_remote(self) -> bool:
        """Return whether the offer is online, by phone or nationwide."""
        return bool(self.document.get("is_remote"))


@dataclass
class SearchResult:
    """The answer to a SearchQuery."""

    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    page: int = 1
    per_page: int = 20

    @property
    def pages(self) -> int:
        """Return the number of pages (at least 1)."""
        return max(1, math.ceil(self.total / self.per_page))


@dataclass(frozen=True)
class EngineHealth:
    """Whether an engine can answer, and what it holds."""

    ok: bool
    engine: str
    documents: int = 0
    detail: str = ""


class SearchEngine(abc.ABC):
    """What every engine offers. Implementations must be safe to share between threads."""

    name: str = "abstract"

    @abc.abstractmethod
    def index(self, documents: Iterable[Document]) -> None:
        """Add or replace documents (by id); visible to searches when this returns."""

    @abc.abstractmethod
    def remove(self, ids: Iterable[str]) -> None:
        """Remove documents by id; unknown ids are ignored."""

    @abc.abstractmethod
    def search(self, query: SearchQuery) -> SearchResult:
        """Answer a query; raise EngineUnavailable or EngineTimeout when it cannot."""

    @abc.abstractmethod
    def rebuild(self, documents: Iterable[Document]) -> int:
        """Replace the whole index with ``documents`` without a window of no results.

        Returns the number of documents indexed.
        """

    @abc.abstractmethod
    def ids(self) -> dict[str, int]:
        """Return every indexed id with its document's ``updated_at``."""

    @abc.abstractmethod
    def health(self) -> EngineHealth:
        """Report whether the engine answers; never raises."""

    @abc.abstractmethod
    def set_synonyms(self, groups: Sequence[Sequence[str]]) -> None:
        """Replace the synonym list; words in one group find each other."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files or connections."""


def haversine_km(a: GeoPoint, lat: float, lon: float) -> float:
    """Return the great-circle distance in kilometres from ``a`` to (lat, lon)."""
    phi1, phi2 = math.radians(a.lat), math.radians(lat)
    dphi = phi2 - phi1
    dlmb = math.radians(lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(point: GeoPoint, radius_km: float) -> tuple[float, float, float, float]:
    """Return (min_lat, max_lat, min_lon, max_lon) enclosing the circle around ``point``."""
    angle = radius_km / EARTH_RADIUS_KM
    dlat = math.degrees(angle)
    sin_angle, cos_lat = math.sin(angle), math.cos(math.radians(point.lat))
    # The circle is widest poleward of its centre, where a meridian touches it: that
    # reach is asin(sin r / cos lat), more than r / cos lat. A circle over a pole (or a
    # hemisphere or more) spans every longitude.
    if angle < math.pi / 2 and sin_angle < cos_lat:
        dlon = math.degrees(math.asin(sin_angle / cos_lat))
    else:
        dlon = 180.0
    return point.lat - dlat, point.lat + dlat, point.lon - dlon, point.lon + dlon


DEFAULT_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("ensom", "alene", "ensomhed"),
    ("ældre", "senior", "pensionist", "seniorer", "pensionister"),
    ("gåtur", "vandretur", "gåture", "vandring"),
    ("spisning", "madklub", "fællesspisning", "spise"),
    ("unge", "ung"),
    ("strik", "strikning", "strikke"),
    ("sorg", "efterladt", "efterladte"),
    ("café", "cafe", "værested"),
)
