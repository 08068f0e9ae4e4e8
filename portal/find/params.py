"""Read the search page's GET parameters into a SearchQuery, with Danish messages.

Nothing a visitor types can cause an error page: bad values are dropped with
a message that says why, and everything else is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from portal.geo.geocoding import CoordinateError, Place, geocode, parse_coordinates, suggest
from search import FACET_FIELDS, GeoPoint, SearchQuery, Sort
from search.base import MAX_PAGE, MAX_TEXT_LENGTH, TIMES_OF_DAY, WEEKDAYS

RADIUS_CHOICES = (2, 5, 10, 25, 50, 100)
DEFAULT_RADIUS = 25
PER_PAGE = 20
MULTI_FIELDS = {
    "activity": "activity",
    "target_group": "target_group",
    "life_situation": "life_situation",
    "feature": "features",
    "weekday": "weekday",
    "time_of_day": "time_of_day",
    "municipality": "municipality",
}


@dataclass
class SearchRequest:
    """The parsed request: the engine query, the place found, and messages for the visitor."""

    query: SearchQuery
    text: str = ""
    where: str = ""
    place: Place | None = None
    radius: int = DEFAULT_RADIUS
    errors: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    selected: dict[str, list[str]] = field(default_factory=dict)

    @property
    def has_place(self) -> bool:
        """Return whether results are tied to a place."""
        return self.place is not None


def clean_text(value: str, limit: int) -> str:
    """Return typed text with control characters (NUL included) as spaces, trimmed and capped.

    PostgreSQL refuses NUL in text, and no one means to search for one.
    """
    printable = "".join(ch if ch.isprintable() else " " for ch in value[: limit * 4])
    return " ".join(printable.split())[:limit]


def _allowed_values(vocabularies: dict[str, set[str]]) -> dict[str, set[str]]:
    return {
        **vocabularies,
        "weekday": set(WEEKDAYS),
        "time_of_day": set(TIMES_OF_DAY),
    }


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        number = int(value) if value not in (None, "") else default
    except ValueError:
        return default
    return min(max(number, low), high)


def parse_search_args(
    args: MultiDict[str, str], session, config, vocabularies: dict[str, set[str]]
) -> SearchRequest:
    """Build a SearchRequest from the page's parameters; never raises on bad input."""
    errors: list[str] = []
    text = clean_text(args.get("q", ""), MAX_TEXT_LENGTH)
    where = clean_text(args.get("where", ""), 100)
    allowed = _allowed_values(vocabularies)
    selected: dict[str, list[str]] = {}
    for param in MULTI_FIELDS:
        values = [v for v in args.getlist(param) if v in allowed.get(param, set())]
        selected[param] = list(dict.fromkeys(values))
    place, suggestions = None, []
    if args.get("lat") or args.get("lon"):
        try:
            lat, lon = parse_coordinates(args.get("lat"), args.get("lon"))
            place = Place(_("Din position"), lat, lon, "browser", None)
        except CoordinateError as error:
            errors.append(str(error))
    elif where:
        place = geocode(session, where, config=config)
        if place is None:
            suggestions = suggest(where)
            errors.append(_("Vi kunne ikke finde stedet »%(where)s«.", where=where))
    radius = args.get("radius", type=int) or DEFAULT_RADIUS
    if radius not in RADIUS_CHOICES:
        radius = min(RADIUS_CHOICES, key=lambda choice: abs(choice - radius))
    sort_value = args.get("sort", "")
    try:
        sort = Sort(sort_value) if sort_value else None
    except ValueError:
        sort = None
    if sort is None:
        sort = Sort.DISTANCE if place is not None and not text else Sort.RELEVANCE
    if sort is Sort.DISTANCE and place is None:
        sort = Sort.RELEVANCE
    query = SearchQuery(
        text=text,
        point=GeoPoint(place.lat, place.lon) if place else None,
        radius_km=float(radius) if place else None,
        free_only=args.get("free") == "1",
        sort=sort,
        page=_int(args.get("page"), 1, 1, MAX_PAGE),
        per_page=PER_PAGE,
        facets=FACET_FIELDS,
        **{MULTI_FIELDS[param]: tuple(values) for param, values in selected.items()},
    )
    return SearchRequest(
        query=query,
        text=text,
        where=where,
        place=place,
        radius=radius,
        errors=errors,
        suggestions=suggestions,
        selected=selected,
    )
