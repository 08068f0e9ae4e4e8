"""Meilisearch requests and responses, built by pure functions that need no server.

``build_filter``, ``build_search_params``, ``to_meili_document``, ``settings`` and
``escape_value`` build requests; ``to_result``, ``to_hit`` and ``render_highlight`` read
answers.

Filters: user input never changes a filter's structure. Attribute names come
only from constants of this module; every string value is a double-quoted
literal with ``\\`` and ``"`` escaped (``escape_value``), which Meilisearch
(1.10 or newer, like everything else here) unescapes back to the exact value;
numbers are ``repr`` of floats checked to be finite; booleans are ``true``.

Text: the query text goes to ``q`` as is, because Meilisearch reads it as plain
words; only double quotes mean something (a phrase). An unpaired quote is
dropped so that ``"strik og snak`` searches the words instead of an open phrase,
while balanced phrases keep working. Control characters become spaces. As in the
embedded engine, every word but a stopword is required, and a search without
words lists the nearest (with a point) or the soonest offers first.

Highlights: Meilisearch does not HTML-escape ``_formatted``. It is asked to mark
matches with private-use sentinel characters; the text is escaped and only then
are balanced sentinel pairs turned into ``<mark>``/``</mark>``.
"""

from __future__ import annotations

import html
import logging
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from search.analysis import STOPWORDS
from search.base import (
    DEFAULT_SYNONYMS,
    FACET_FIELDS,
    MAX_PAGE,
    MAX_PER_PAGE,
    Document,
    GeoPoint,
    Hit,
    InvalidQuery,
    SearchQuery,
    SearchResult,
    Sort,
    haversine_km,
)

logger = logging.getLogger(__name__)

PRIMARY_KEY: Final = "id"
TEXT_FIELDS: Final = ("title", "organization", "description", "city", "municipality_name")
# Meilisearch counts facets only of filterable attributes, so every facet is one.
FILTERABLE_ATTRIBUTES: Final = (*FACET_FIELDS, "is_remote", "_geo", "id")
SORTABLE_ATTRIBUTES: Final = ("_geo", "next_meeting", "title")
# "sort" right after "words": a chosen order (distance, next meeting) decides
# among the offers that match the words, instead of only breaking the ties
# left by typo, proximity and attribute ranking. Without a sort it does nothing.
RANKING_RULES: Final = ("words", "sort", "typo", "proximity", "attribute", "exactness")
LOCALES: Final = ("dan",)
HIGHLIGHT_FIELDS: Final = ("title", "description")
MARK_OPEN: Final = "\ue000"
MARK_CLOSE: Final = "\ue001"
# Every reachable page must have an exact total; Meilisearch caps at 1000 by default.
MAX_TOTAL_HITS: Final = MAX_PAGE * MAX_PER_PAGE
# Every query word is required ("matchingStrategy": "all") except these, which
# are too common to demand; the embedded engine's list, plus unfolded spellings.
STOP_WORDS: Final = tuple(sorted(STOPWORDS | {"på"}))
# 98 municipalities are close to Meilisearch's default of 100 values per facet.
MAX_VALUES_PER_FACET: Final = 200

# Query fields whose values are alternatives; each is also the attribute name.
_ANY_OF_FIELDS: Final = ("activity", "target_group", "life_situation", "weekday", "time_of_day")
_REMOTE_CLAUSE: Final = "is_remote = true"
_NOT_REMOTE_CLAUSE: Final = "NOT is_remote = true"
_WORD = re.compile(r"[^\W_]")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
# A lone surrogate cannot travel in JSON: Meilisearch would reject the whole request.
_SURROGATES = re.compile("[\ud800-\udfff]")
_SENTINELS = re.compile(f"([{MARK_OPEN}{MARK_CLOSE}])")


# --- Pure request building -------------------------------------------------------


def escape_value(value: str) -> str:
    """Return ``value`` as a double-quoted filter string literal that cannot end early."""
    if not isinstance(value, str):
        raise InvalidQuery("filter values must be strings")
    value = _SURROGATES.sub("\ufffd", value)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_number(value: float) -> str:
    """Return a finite number as filter text; reject NaN, infinities and non-numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidQuery("filter numbers must be numbers")
    if not math.isfinite(value):
        raise InvalidQuery("filter numbers must be finite")
    return repr(float(value))


def _equals(attribute: str, value: str) -> str:
    if attribute not in FILTERABLE_ATTRIBUTES:  # a programming error, never input
        raise ValueError(f"{attribute!r} is not a filterable attribute")
    return f"{attribute} = {escape_value(value)}"


def _any_of(clauses: Sequence[str]) -> str:
    return "(" + " OR ".join(clauses) + ")"


def _values(query: SearchQuery, field: str) -> tuple[str, ...]:
    values = getattr(query, field)
    if isinstance(values, str):  # a bare string would be read letter by letter
        raise InvalidQuery(f"{field} must be a sequence of codes")
    return tuple(values)


def _checked_point(point: GeoPoint) -> tuple[str, str]:
    lat, lon = format_number(point.lat), format_number(point.lon)
    if not (-90 <= point.lat <= 90 and -180 <= point.lon <= 180):
        raise InvalidQuery("coordinates out of range")
    return lat, lon


def geo_radius(point: GeoPoint, radius_km: float) -> str:
    """Return the ``_geoRadius`` clause for a circle of ``radius_km`` around ``point``."""
    lat, lon = _checked_point(point)
    return f"_geoRadius({lat}, {lon}, {format_number(radius_km * 1000)})"


def build_filter(query: SearchQuery) -> str | None:
    """Return the filter expression for ``query``, or None when nothing is filtered."""
    clauses = []
    for field in _ANY_OF_FIELDS:
        values = _values(query, field)
        if values:
            clauses.append(_any_of([_equals(field, value) for value in values]))
    clauses.extend(_equals("feature", feature) for feature in _values(query, "features"))
    if query.free_only:
        clauses.append("is_free = true")
    remote = [_REMOTE_CLAUSE] if query.include_remote else []
    if query.point is not None and query.radius_km is not None:
        clauses.append(_any_of([geo_radius(query.point, query.radius_km), *remote]))
    municipalities = _values(query, "municipality")
    if municipalities:
        clauses.append(_any_of([*(_equals("municipality", m) for m in municipalities), *remote]))
    if not query.include_remote:
        clauses.append(_NOT_REMOTE_CLAUSE)
    return " AND ".join(clauses) or None


def effective_sort(query: SearchQuery) -> Sort:
    """Return the order to use: without words, relevance means nearest or soonest first.

    Like the embedded engine: a search without words has no relevance to rank by.
    """
    if query.sort is not Sort.RELEVANCE or _WORD.search(query.text):
        return query.sort
    return Sort.DISTANCE if query.point is not None else Sort.NEXT_MEETING


def build_sort(query: SearchQuery) -> list[str] | None:
    """Return the ``sort`` parameter for ``query``, or None for relevance."""
    sort = effective_sort(query)
    if sort is Sort.DISTANCE:
        if query.point is None:
            raise InvalidQuery("sorting by distance needs a point")
        lat, lon = _checked_point(query.point)
        return [f"_geoPoint({lat}, {lon}):asc"]
    if sort is Sort.NEXT_MEETING:
        return ["next_meeting:asc"]
    return None


def search_text(text: str) -> str:
    """Return ``text`` as ``q``: control characters blanked, an unpaired quote dropped."""
    text = _SURROGATES.sub(" ", _CONTROL_CHARS.sub(" ", text))
    if text.count('"') % 2:
        head, _, tail = text.rpartition('"')
        text = head + tail
    return text.strip()


def build_search_params(query: SearchQuery) -> dict[str, Any]:
    """Return the search request body for ``query`` (``q`` included)."""
    params: dict[str, Any] = {
        "q": search_text(query.text),
        "page": query.page,
        "hitsPerPage": query.per_page,
        "attributesToHighlight": list(HIGHLIGHT_FIELDS),
        "highlightPreTag": MARK_OPEN,
        "highlightPostTag": MARK_CLOSE,
        "showRankingScore": True,
        "matchingStrategy": "all",
        "locales": list(LOCALES),
    }
    expression = build_filter(query)
    if expression is not None:
        params["filter"] = expression
    sort = build_sort(query)
    if sort is not None:
        params["sort"] = sort
    if query.facets:
        params["facets"] = [f for f in FACET_FIELDS if f in query.facets]
    return params


def synonym_mapping(groups: Iterable[Iterable[str]]) -> dict[str, list[str]]:
    """Expand groups of equivalent words into Meilisearch's word -> other words mapping."""
    mapping: dict[str, list[str]] = {}
    for group in groups:
        words = list(dict.fromkeys(w.strip().lower() for w in group if w.strip()))
        for word in words:
            others = mapping.setdefault(word, [])
            others.extend(o for o in words if o != word and o not in others)
    return {word: others for word, others in mapping.items() if others}


def settings(synonyms: Iterable[Iterable[str]] = DEFAULT_SYNONYMS) -> dict[str, Any]:
    """Return the index settings."""
    return {
        "searchableAttributes": list(TEXT_FIELDS),
        "filterableAttributes": list(FILTERABLE_ATTRIBUTES),
        "sortableAttributes": list(SORTABLE_ATTRIBUTES),
        "rankingRules": list(RANKING_RULES),
        "synonyms": synonym_mapping(synonyms),
        "typoTolerance": {
            "enabled": True,
            "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
        },
        "localizedAttributes": [{"attributePatterns": list(TEXT_FIELDS), "locales": list(LOCALES)}],
        "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
        "faceting": {"maxValuesPerFacet": MAX_VALUES_PER_FACET},
        "stopWords": list(STOP_WORDS),
    }


def _coordinate(value: Any, limit: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and -limit <= value <= limit else None


def _sendable(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATES.sub("\ufffd", value)
    if isinstance(value, list):
        return [_sendable(item) for item in value]
    return value


def to_meili_document(document: Document | Mapping[str, Any]) -> dict[str, Any]:
    """Return the Meilisearch document: all fields, plus ``_geo`` when it has a place.

    Remote offers get no ``_geo`` even with coordinates (an association's address),
    so a radius never cuts them and distance order puts them last, as in the
    embedded engine.
    """
    result = {key: _sendable(value) for key, value in document.items() if key != "_geo"}
    result[PRIMARY_KEY] = str(result[PRIMARY_KEY])
    lat, lon = _coordinate(result.get("lat"), 90), _coordinate(result.get("lon"), 180)
    has_place = not result.get("is_remote")
    if has_place and lat is not None and lon is not None:
        result["_geo"] = {"lat": lat, "lng": lon}
    elif has_place and (result.get("lat") is not None or result.get("lon") is not None):
        logger.warning("document %s has unusable coordinates; no place indexed", result["id"])
    return result


# --- Pure response mapping -------------------------------------------------------


def render_highlight(formatted: str) -> str:
    """Return sentinel-marked text HTML-escaped, with balanced pairs as <mark> tags."""
    out: list[str] = []
    is_open = False
    for piece in _SENTINELS.split(formatted):
        if piece == MARK_OPEN:
            if not is_open:
                out.append("<mark>")
            is_open = True
        elif piece == MARK_CLOSE:
            if is_open:
                out.append("</mark>")
            is_open = False
        else:
            out.append(html.escape(piece))
    if is_open:
        out.append("</mark>")
    return "".join(out)


def _distance_km(raw: Mapping[str, Any], point: GeoPoint | None) -> float | None:
    if point is None or raw.get("is_remote"):
        return None
    if isinstance(raw.get("_geoDistance"), int | float):
        return float(raw["_geoDistance"]) / 1000
    lat, lon = _coordinate(raw.get("lat"), 90), _coordinate(raw.get("lon"), 180)
    if lat is None or lon is None:
        return None
    return haversine_km(point, lat, lon)


def to_hit(raw: Mapping[str, Any], point: GeoPoint | None) -> Hit:
    """Return a Hit for one raw Meilisearch hit."""
    formatted = raw.get("_formatted") or {}
    highlights = {}
    for field in HIGHLIGHT_FIELDS:
        text = formatted.get(field, raw.get(field))
        highlights[field] = render_highlight(text if isinstance(text, str) else "")
    return Hit(
        id=str(raw[PRIMARY_KEY]),
        document={k: v for k, v in raw.items() if not k.startswith("_")},
        score=float(raw.get("_rankingScore") or 0.0),
        distance_km=_distance_km(raw, point),
        highlights=highlights,
    )


def to_result(query: SearchQuery, response: Mapping[str, Any]) -> SearchResult:
    """Return the SearchResult for a raw Meilisearch search response."""
    hits = [to_hit(raw, query.point) for raw in response["hits"]]
    facets: dict[str, dict[str, int]] = {field: {} for field in query.facets}
    for field, counts in (response.get("facetDistribution") or {}).items():
        if field in facets:
            ordered = sorted(counts.items(), key=lambda item: (-int(item[1]), str(item[0])))
            facets[field] = {str(value): int(count) for value, count in ordered}
    return SearchResult(
        total=int(response.get("totalHits", len(hits))),
        hits=hits,
        facets=facets,
        page=query.page,
        per_page=query.per_page,
    )


def empty_result(query: SearchQuery) -> SearchResult:
    """Return the answer of an index that does not exist yet: no hits."""
    facets: dict[str, dict[str, int]] = {field: {} for field in query.facets}
    return SearchResult(total=0, hits=[], facets=facets, page=query.page, per_page=query.per_page)
