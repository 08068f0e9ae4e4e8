"""Meilisearch, the production engine, through the official client.

Requests are built by pure functions (``build_filter``, ``build_search_params``,
``to_meili_document``, ``settings``, ``escape_value``) that need no server.

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

Synonyms: a new index gets the engine's synonyms (``DEFAULT_SYNONYMS`` unless
``set_synonyms`` was called); re-applying settings to an existing index leaves
its synonyms alone and ``rebuild`` carries them over, so a process that starts
later never resets synonyms another process set.

The official client shares one header dictionary per client between requests,
so each thread gets its own client.
"""

from __future__ import annotations

import contextlib
import html
import itertools
import logging
import math
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

import meilisearch
import requests
from meilisearch.errors import (
    MeilisearchApiError,
    MeilisearchError,
    MeilisearchTimeoutError,
)

from search.analysis import STOPWORDS
from search.base import (
    DEFAULT_SYNONYMS,
    FACET_FIELDS,
    MAX_PAGE,
    MAX_PER_PAGE,
    Document,
    EngineHealth,
    EngineTimeout,
    EngineUnavailable,
    GeoPoint,
    Hit,
    InvalidQuery,
    SearchEngine,
    SearchError,
    SearchQuery,
    SearchResult,
    Sort,
    haversine_km,
)

logger = logging.getLogger(__name__)

PRIMARY_KEY: Final = "id"
TEXT_FIELDS: Final = ("title", "organization", "description", "city", "municipality_name")
FILTERABLE_ATTRIBUTES: Final = (
    "activity",
    "target_group",
    "life_situation",
    "feature",
    "weekday",
    "time_of_day",
    "municipality",
    "is_free",
    "is_remote",
    "_geo",
    "id",
)
SORTABLE_ATTRIBUTES: Final = ("_geo", "next_meeting", "title")
# "sort" right after "words": a chosen order (distance, next meeting) decides
# among the offers that match the words, instead of only breaking the ties
# left by typo, proximity and attribute ranking. Without a sort it does nothing.
RANKING_RULES: Final = ("words", "sort", "typo", "proximity", "attribute", "exactness")
LOCALES: Final = ("dan",)
HIGHLIGHT_FIELDS: Final = ("title", "description")
MARK_OPEN: Final = "\ue000"
MARK_CLOSE: Final = "\ue001"
BATCH_SIZE: Final = 10_000
IDS_PAGE_SIZE: Final = 1_000
DELETE_CHUNK_SIZE: Final = 1_000
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


class _MissingIndex(EngineUnavailable):
    """The index does not exist (yet)."""


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


def _empty_result(query: SearchQuery) -> SearchResult:
    facets: dict[str, dict[str, int]] = {field: {} for field in query.facets}
    return SearchResult(total=0, hits=[], facets=facets, page=query.page, per_page=query.per_page)


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


# --- Error translation -----------------------------------------------------------


def translate_api_error(exc: MeilisearchApiError, action: str) -> SearchError:
    """Return the engine-neutral error for an error answer from Meilisearch."""
    code = exc.code or ""
    if code == "index_not_found":
        return _MissingIndex(f"the Meilisearch index does not exist ({action})")
    if code.startswith("invalid_search_"):
        return InvalidQuery(f"Meilisearch rejected the query: {exc.message}")
    if exc.status_code in (401, 403):
        return EngineUnavailable(f"Meilisearch refused the API key ({action})")
    return EngineUnavailable(f"Meilisearch could not {action}: {exc.message}")


@contextlib.contextmanager
def _translated_errors(action: str) -> Iterator[None]:
    """Turn every client, network and response-shape error into a SearchError."""
    try:
        yield
    except SearchError:
        raise
    except MeilisearchApiError as exc:
        raise translate_api_error(exc, action) from exc
    except (MeilisearchTimeoutError, requests.exceptions.Timeout) as exc:
        raise EngineTimeout(f"Meilisearch did not answer in time ({action})") from exc
    except (MeilisearchError, requests.exceptions.RequestException) as exc:
        raise EngineUnavailable(f"Meilisearch is unreachable ({action}): {exc}") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise EngineUnavailable(f"unexpected answer from Meilisearch ({action})") from exc


# --- The engine ------------------------------------------------------------------


class MeilisearchEngine(SearchEngine):
    """Search a Meilisearch index; settings are applied on first write and on rebuild."""

    name = "meilisearch"

    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        index_name: str = "portal_offers",
        timeout_s: float = 2.0,
        *,
        task_timeout_s: float = 60.0,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.url = url
        self.index_name = index_name
        self.timeout_s = timeout_s
        self.task_timeout_s = task_timeout_s
        self.batch_size = batch_size
        self._api_key = api_key
        self._local = threading.local()
        self._lock = threading.Lock()
        self._ready = False
        self._synonyms: tuple[tuple[str, ...], ...] = DEFAULT_SYNONYMS

    def _client(self) -> meilisearch.Client:
        client: meilisearch.Client | None = getattr(self._local, "client", None)
        if client is None:
            # requests accepts float seconds although the client annotates int.
            client = meilisearch.Client(self.url, self._api_key, timeout=self.timeout_s)  # type: ignore[arg-type]
            self._local.client = client
        return client

    def _wait(self, task_uid: int, what: str, tolerate: tuple[str, ...] = ()) -> None:
        task = self._client().wait_for_task(
            task_uid, timeout_in_ms=int(self.task_timeout_s * 1000), interval_in_ms=50
        )
        if task.status == "succeeded":
            return
        error = task.error or {}
        if error.get("code") in tolerate:
            return
        raise EngineUnavailable(
            f"Meilisearch could not {what}: {error.get('message') or task.status}"
        )

    def _index_exists(self, uid: str) -> bool:
        try:
            with _translated_errors("look up the index"):
                self._client().get_raw_index(uid)
        except _MissingIndex:
            return False
        return True

    def _create_index(self, uid: str) -> None:
        task = self._client().create_index(uid, {"primaryKey": PRIMARY_KEY})
        self._wait(task.task_uid, f"create index {uid}", tolerate=("index_already_exists",))

    def _prepare(self) -> None:
        """Create the index if needed and apply the settings, once per engine."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            body = settings(self._synonyms)
            if self._index_exists(self.index_name):
                del body["synonyms"]  # keep synonyms another process may have set
            else:
                self._create_index(self.index_name)
            task = self._client().index(self.index_name).update_settings(body)
            self._wait(task.task_uid, "apply the index settings")
            self._ready = True

    def _add(self, uid: str, batches: Iterable[list[dict[str, Any]]]) -> int:
        index = self._client().index(uid)
        count, task_uids = 0, []
        for batch in batches:
            task_uids.append(index.add_documents(batch, primary_key=PRIMARY_KEY).task_uid)
            count += len(batch)
        for task_uid in task_uids:
            self._wait(task_uid, "index the documents")
        return count

    def index(self, documents: Iterable[Document]) -> None:
        """Add or replace documents and wait until searches see them."""
        batches = _batches(map(to_meili_document, documents), self.batch_size)
        first = next(batches, None)
        if first is None:
            return
        with _translated_errors("index the documents"):
            self._prepare()
            self._add(self.index_name, itertools.chain([first], batches))

    def remove(self, ids: Iterable[str]) -> None:
        """Remove documents by id and wait; unknown ids are ignored."""
        wanted = [str(i) for i in ids]
        if not wanted:
            return
        with _translated_errors("remove documents"):
            self._prepare()
            index = self._client().index(self.index_name)
            task_uids = []
            for chunk in _batches(wanted, DELETE_CHUNK_SIZE):
                # By filter: deleting by a list of ids is deprecated in the client.
                expression = f"{PRIMARY_KEY} IN [{', '.join(map(escape_value, chunk))}]"
                task_uids.append(index.delete_documents(filter=expression).task_uid)
            for task_uid in task_uids:
                self._wait(task_uid, "remove documents")

    def search(self, query: SearchQuery) -> SearchResult:
        """Answer ``query``; a missing index answers with no hits."""
        params = build_search_params(query)
        text = params.pop("q")
        try:
            with _translated_errors("search"):
                response = self._client().index(self.index_name).search(text, params)
                return to_result(query, response)
        except _MissingIndex:
            return _empty_result(query)

    def rebuild(self, documents: Iterable[Document]) -> int:
        """Fill a staging index, swap it with the live one and delete the old one."""
        live, staging = self.index_name, f"{self.index_name}_new"
        with _translated_errors("rebuild the index"):
            client = self._client()
            body = settings(self._synonyms)
            if self._index_exists(live):
                body["synonyms"] = client.index(live).get_synonyms()
            else:
                self._create_index(live)  # swapping needs both indexes
            if self._index_exists(staging):  # left over from an interrupted rebuild
                self._wait(client.delete_index(staging).task_uid, "delete the staging index")
            self._create_index(staging)
            task = client.index(staging).update_settings(body)
            self._wait(task.task_uid, "apply the index settings")
            batches = _batches(map(to_meili_document, documents), self.batch_size)
            count = self._add(staging, batches)
            task = client.swap_indexes([{"indexes": [live, staging]}])
            self._wait(task.task_uid, "swap the rebuilt index in")
            self._ready = True
        try:
            with _translated_errors("delete the old index"):
                self._wait(client.delete_index(staging).task_uid, "delete the old index")
        except SearchError as exc:  # the new index is live; the old one is only litter
            logger.warning("rebuild left index %s behind: %s", staging, exc)
        return count

    def ids(self) -> dict[str, int]:
        """Return every indexed id with its ``updated_at``."""
        found: dict[str, int] = {}
        fields = [PRIMARY_KEY, "updated_at"]
        try:
            with _translated_errors("list the documents"):
                index = self._client().index(self.index_name)
                offset = 0
                while True:
                    page = index.get_documents(
                        {"fields": fields, "limit": IDS_PAGE_SIZE, "offset": offset}
                    )
                    for document in map(dict, page.results):
                        found[str(document[PRIMARY_KEY])] = int(document.get("updated_at") or 0)
                    offset += len(page.results)
                    if not page.results or offset >= page.total:
                        return found
        except _MissingIndex:
            return {}

    def health(self) -> EngineHealth:
        """Report whether Meilisearch answers and how many documents the index holds."""
        try:
            with _translated_errors("check its health"):
                self._client().health()
            try:
                with _translated_errors("read the index statistics"):
                    stats = self._client().index(self.index_name).get_stats()
            except _MissingIndex:
                return EngineHealth(ok=True, engine=self.name, detail="no index yet")
            detail = "indexing" if stats.is_indexing else ""
            return EngineHealth(
                ok=True, engine=self.name, documents=stats.number_of_documents, detail=detail
            )
        except Exception as exc:  # health() must never raise
            return EngineHealth(ok=False, engine=self.name, detail=str(exc))

    def set_synonyms(self, groups: Sequence[Sequence[str]]) -> None:
        """Replace the synonyms and wait until searches use them."""
        self._synonyms = tuple(tuple(group) for group in groups)
        with _translated_errors("set the synonyms"):
            self._prepare()
            index = self._client().index(self.index_name)
            task = index.update_synonyms(synonym_mapping(self._synonyms))
            self._wait(task.task_uid, "set the synonyms")

    def close(self) -> None:
        """Forget this thread's client; the next call makes a new one."""
        self._local = threading.local()
