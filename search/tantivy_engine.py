"""The embedded search engine: Tantivy in process, with the index on disk.

Analysis (the pure-Python half is ``search.analysis``)
    Text is folded in Python (æ→ae, ø→oe, å→aa, accents dropped), then indexed per
    field group (title; description + organisation + town) as ``*_word`` (unstemmed
    words), ``*_stem`` (Snowball Danish stems) and ``*_part`` (stems of the pieces of
    compound words, so "klub" finds "strikkeklubben"), plus ``all_word``/``all_stem``
    for prefix and typo matching. A query word matches exactly (scored highest), by
    stem, compound part or synonym (BM25, title about four times description), with
    typos (Meilisearch's budget: 1–4 letters none, 5–8 one, 9+ two; a transposition is
    one) or, for the last word, as a prefix (its 50 most frequent completions); typo and
    prefix matches score a constant below exact ones. A word found in 1,000 offers or
    more is taken as correctly spelled. Every word is required except stopwords.
    Queries are built from term objects only; user text never reaches a query parser.

Filters and facets
    Codes are raw terms (OR within a field, AND across). Facets come from one
    aggregation pass over a single-valued fast field per facet holding the document's
    sorted values joined by U+001F (Tantivy aggregates multi-valued columns ten times
    slower), split and summed here; the same pass counts located and remote matches.

Places
    A radius is exact. With a selective filter or text, the offers in the circle's
    bounding box (fast-field ranges) are checked one by one and the few beyond the
    radius excluded. Otherwise every located offer carries grid-cell terms at 15 levels
    (see ``search.analysis``): a pure place search matches the cells inside the circle
    plus the offers of a thin band of edge cells that are within the distance; a dense
    search with words excludes the box's corner cells instead. Only when more than
    ``EXACT_BAND_LIMIT`` offers lie on the edge under no other filter does a band cell
    count by its centre (error below 1/32 of the radius). Remote offers carry no place
    and are kept unless ``include_remote`` is False. Distance order searches boxes that
    grow (or shrink) until they hold the page; relevance near a point adds a bonus for
    lying within 1, 3, 10, 30 and 100 km, so nearer wins among similar scores.

Storage and concurrency
    ``index_dir/CURRENT`` names the live generation in ``index_dir/generations/``;
    ``rebuild`` writes a new generation, atomically replaces the pointer, then deletes
    the old generations (searches keep the old one until they see the new pointer).
    Only one process may write a Tantivy index, so a writer is opened only for a write,
    under ``fcntl.flock`` on ``index_dir/write.lock`` (others wait up to
    ``lock_timeout_s``, then get EngineUnavailable) and closed straight after the commit.
    Before each search a process stats the pointer and the generation's ``meta.json``
    and reopens or reloads (under a thread lock) when either changed, so every web
    process sees every commit. Synonyms live in ``index_dir/synonyms.json`` and are
    re-read when it changes. Every Tantivy or file-system failure becomes
    EngineUnavailable.
"""

from __future__ import annotations

import fcntl
import hashlib
import html
import json
import logging
import math
import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import tantivy

from search.analysis import (
    MAX_WORD_LENGTH,
    QueryWord,
    SynonymMap,
    box_cover,
    cell_terms,
    circle_bounds,
    circle_cover,
    clean,
    damerau_distance,
    fold,
    fold_text,
    highlight,
    query_words,
    split_compound,
)
from search.base import (
    DEFAULT_SYNONYMS,
    FACET_FIELDS,
    Document,
    EngineHealth,
    EngineUnavailable,
    GeoPoint,
    Hit,
    SearchEngine,
    SearchError,
    SearchQuery,
    SearchResult,
    Sort,
    haversine_km,
)

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 2  # bump when documents are indexed differently; old indexes need a rebuild
EXACT_BAND_LIMIT = 256
FACET_BUCKETS = 10_000
SEPARATOR = "\x1f"
LIST_FIELDS = ("activity", "target_group", "life_situation", "feature", "weekday", "time_of_day")
TEXT_FIELDS = ("title", "description", "organization", "city", "municipality", "municipality_name")
FEW_IN_BOX = 1000  # exact radius by checking each offer in the bounding box, up to this many
FETCH_ALL = 500  # sort this many located matches by distance directly, more in growing boxes
COUNTRY_RADIUS_KM = 120.0  # Denmark's area as a disc, for a first guess of the box size
NEAR_STEPS_KM = (1.0, 3.0, 10.0, 30.0, 100.0)
NEAR_BONUS = 0.3
REMOTE_AS_KM = 25.0  # how near a remote offer counts for relevance
KM_PER_DEGREE = math.pi * 6371.0088 / 180
COMMON_WORD_DOCS = 1000  # a word in this many offers is taken as spelled right: no typos
PREFIX_TERMS = 50  # completions of the last word, the most frequent first
_Q, _MUST, _SHOULD, _NOT = (
    tantivy.Query,
    tantivy.Occur.Must,
    tantivy.Occur.Should,
    tantivy.Occur.MustNot,
)


class InvalidDocument(ValueError):
    """A document the engine cannot index (no id)."""


# --- Schema and documents -----------------------------------------------------------------


def _analyzer(stem: bool) -> tantivy.TextAnalyzer:
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    builder = builder.filter(tantivy.Filter.lowercase())
    builder = builder.filter(tantivy.Filter.remove_long(MAX_WORD_LENGTH + 1))
    if stem:
        builder = builder.filter(tantivy.Filter.stemmer("danish"))
    return builder.build()


_STEMMER = _analyzer(stem=True)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Return the Danish stem of a folded word, exactly as the index holds it."""
    tokens = _STEMMER.analyze(word)
    return tokens[0] if len(tokens) == 1 else word


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_unsigned_field("key", indexed=True, fast=True)
    builder.add_bytes_field("doc", stored=True)
    for group in ("title", "body"):
        builder.add_text_field(f"{group}_word", tokenizer_name="da_word", index_option="freq")
        builder.add_text_field(f"{group}_stem", tokenizer_name="da_stem", index_option="freq")
        builder.add_text_field(f"{group}_part", tokenizer_name="da_word", index_option="freq")
    builder.add_text_field("all_word", tokenizer_name="da_word", index_option="basic")
    builder.add_text_field("all_stem", tokenizer_name="da_stem", index_option="basic")
    builder.add_text_field("kind", fast=True, tokenizer_name="raw", index_option="basic")
    for name in (*LIST_FIELDS, "municipality", "flag", "cell"):
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    for name in FACET_FIELDS:
        builder.add_text_field(f"fc_{name}", fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_float_field("lat", fast=True)
    builder.add_float_field("lon", fast=True)
    builder.add_integer_field("next_meeting", fast=True)
    builder.add_integer_field("updated_at", fast=True)
    return builder.build()


SCHEMA = _schema()


def _prepare(index: tantivy.Index) -> tantivy.Index:
    index.register_tokenizer("da_word", _analyzer(stem=False))
    index.register_tokenizer("da_stem", _analyzer(stem=True))
    index.config_reader(reload_policy="manual")
    return index


def _key(doc_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(doc_id.encode(), digest_size=8).digest(), "big")


def _number(value: Any, low: float, high: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and low <= value <= high else None


def normalise(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return the document with every Document key, clean strings and checked numbers."""
    doc_id = document.get("id")
    if not isinstance(doc_id, str) or not clean(doc_id):
        raise InvalidDocument("a document needs a non-empty string id")
    doc: dict[str, Any] = {name: clean(str(document.get(name) or "")) for name in TEXT_FIELDS}
    doc["id"] = clean(doc_id)
    for name in LIST_FIELDS:
        doc[name] = sorted({clean(str(value)) for value in document.get(name) or ()})
    doc["is_free"] = bool(document.get("is_free"))
    doc["is_remote"] = bool(document.get("is_remote"))
    doc["lat"] = _number(document.get("lat"), -90, 90)
    doc["lon"] = _number(document.get("lon"), -180, 180)
    next_meeting = _number(document.get("next_meeting"), -2e18, 2e18)
    doc["next_meeting"] = None if next_meeting is None else int(next_meeting)
    doc["updated_at"] = int(_number(document.get("updated_at"), -2e18, 2e18) or 0)
    return doc


def _located(doc: Mapping[str, Any]) -> bool:
    return not doc["is_remote"] and doc["lat"] is not None and doc["lon"] is not None


def _parts(folded: str) -> str:
    return " ".join(stem(piece) for word in folded.split() for piece in split_compound(word))


def _tantivy_document(doc: dict[str, Any]) -> tantivy.Document:
    result = tantivy.Document()
    result.add_text("id", doc["id"])
    result.add_unsigned("key", _key(doc["id"]))
    result.add_bytes("doc", json.dumps(doc, ensure_ascii=False).encode())
    body = " ".join(doc[name] for name in TEXT_FIELDS[1:] if name != "municipality")
    for group, text in (("title", fold_text(doc["title"])), ("body", fold_text(body))):
        result.add_text(f"{group}_word", text)
        result.add_text(f"{group}_stem", text)
        result.add_text(f"{group}_part", _parts(text))
        result.add_text("all_word", text)
        result.add_text("all_stem", text)
    for name in LIST_FIELDS:
        for value in doc[name]:
            result.add_text(name, value)
        result.add_text(f"fc_{name}", SEPARATOR.join(doc[name]))
    result.add_text("municipality", doc["municipality"])
    result.add_text("fc_municipality", doc["municipality"])
    result.add_text("fc_is_free", "true" if doc["is_free"] else "false")
    if doc["is_free"]:
        result.add_text("flag", "free")
    if doc["is_remote"]:
        result.add_text("flag", "remote")
        result.add_text("cell", "remote")  # lets a circle and remote offers be one term set
    kind = "located" if _located(doc) else "remote" if doc["is_remote"] else "elsewhere"
    result.add_text("kind", kind)
    if _located(doc):
        result.add_float("lat", doc["lat"])
        result.add_float("lon", doc["lon"])
        for term in cell_terms(doc["lat"], doc["lon"]):
            result.add_text("cell", term)
    if doc["next_meeting"] is not None:
        result.add_integer("next_meeting", doc["next_meeting"])
    result.add_integer("updated_at", doc["updated_at"])
    return result


# --- Query building -----------------------------------------------------------------------


def _term(field: str, value: Any) -> tantivy.Query:
    return _Q.term_query(SCHEMA, field, value)


def _one_of(field: str, values: Iterable[str]) -> tantivy.Query:
    """Match any of a few values; a union of term queries, which skips well in conjunctions."""
    terms = [_term(field, clean(value)) for value in dict.fromkeys(values)]
    return terms[0] if len(terms) == 1 else _Q.boolean_query([(_SHOULD, t) for t in terms])


def _cells(terms: list[str]) -> tantivy.Query:
    """Match any of many cells; a term set, which Tantivy collects into a bitset at once."""
    return _Q.term_set_query(SCHEMA, "cell", terms)


def _all(*clauses: tantivy.Query | None, exclude: Sequence[tantivy.Query] = ()) -> tantivy.Query:
    """Return a query matching every clause (all documents when there is none)."""
    musts = [(_MUST, clause) for clause in clauses if clause is not None]
    if not exclude and len(musts) == 1:
        return musts[0][1]
    if not musts:
        musts = [(_MUST, _Q.all_query())]
    return _Q.boolean_query([*musts, *((_NOT, clause) for clause in exclude)])


def _any(*clauses: tantivy.Query | None) -> tantivy.Query | None:
    should = [(_SHOULD, clause) for clause in clauses if clause is not None]
    if len(should) <= 1:
        return should[0][1] if should else None
    return _Q.boolean_query(should)


def _boosted(pairs: Iterable[tuple[tantivy.Query, float]]) -> list[tantivy.Query]:
    return [_Q.boost_query(query, boost) for query, boost in pairs]


def _word_query(searcher: tantivy.Searcher, word: QueryWord, synonyms: SynonymMap) -> tantivy.Query:
    """Match one query word exactly, by stem, as a compound part, with typos or as a prefix."""
    clauses = _boosted(
        [
            (_term("title_word", word.folded), 4.0),
            (_term("body_word", word.folded), 1.0),
            (_term("title_stem", word.stem), 3.0),
            (_term("body_stem", word.stem), 0.8),
            (_term("title_part", word.stem), 2.0),
            (_term("body_part", word.stem), 0.5),
        ]
    )
    # Typo and prefix matches score a constant, below any exact match of the same word.
    if word.typos and searcher.doc_freq("all_stem", word.stem) < COMMON_WORD_DOCS:
        clauses.append(_Q.fuzzy_term_query(SCHEMA, "all_stem", word.stem, word.typos, True))
    if word.prefix:
        clauses.append(_prefix_query(searcher, word))
    for form in synonyms.expand(word):
        if len(form) == 1:
            clauses += _boosted(
                [(_term("title_stem", form[0]), 2.0), (_term("body_stem", form[0]), 0.6)]
            )
        else:  # a synonym of several words: all of them, anywhere
            stems = [_any(_term("title_stem", s), _term("body_stem", s)) for s in form]
            clauses += _boosted([(_all(*stems), 0.6)])
    return _Q.boolean_query([(_SHOULD, clause) for clause in clauses])


def _prefix_query(searcher: tantivy.Searcher, word: QueryWord) -> tantivy.Query:
    """Match words starting with the last query word: its most frequent completions.

    Tantivy's own prefix query collects every matching document up front, which is
    slow for short or common prefixes; a union of term queries skips through them.
    Only when nothing starts with the word is it completed with one typo.
    """
    completions = searcher.terms_with_prefix("all_word", word.folded, limit=PREFIX_TERMS)
    if not completions and word.typos:
        return _Q.fuzzy_term_query(SCHEMA, "all_word", word.folded, 1, True, True)
    terms = [_term("all_word", term) for term, _ in completions] or [_Q.empty_query()]
    return _Q.const_score_query(_Q.boolean_query([(_SHOULD, t) for t in terms]), 1.0)


def text_query(
    searcher: tantivy.Searcher, words: Sequence[QueryWord], synonyms: SynonymMap
) -> tantivy.Query | None:
    """Require every non-stopword; stopwords only add to the score."""
    if not words:
        return None
    return _Q.boolean_query(
        [
            (_SHOULD if word.optional else _MUST, _word_query(searcher, word, synonyms))
            for word in words
        ]
    )


def filter_query(query: SearchQuery) -> tantivy.Query | None:
    """Return the code filters (OR within a field, AND across, every feature required)."""
    clauses = [
        _one_of(name, values)
        for name, values in (
            ("activity", query.activity),
            ("target_group", query.target_group),
            ("life_situation", query.life_situation),
            ("weekday", query.weekday),
            ("time_of_day", query.time_of_day),
        )
        if values
    ]
    clauses += [_term("feature", clean(feature)) for feature in query.features]
    if query.free_only:
        clauses.append(_term("flag", "free"))
    if not clauses:
        return None
    return _Q.const_score_query(_all(*clauses), 0.0)


@lru_cache(maxsize=200_000)
def _token_forms(token: str) -> tuple[str, str, tuple[str, ...]]:
    """Return a stored word's folded form, stem and compound-part stems."""
    folded = fold(token)
    return folded, stem(folded), tuple(stem(piece) for piece in split_compound(folded))


class _Matcher:
    """Decide which words of a stored text the query matched, for highlighting."""

    def __init__(self, words: Sequence[QueryWord], synonyms: SynonymMap) -> None:
        self.exact = {word.folded for word in words}
        self.stems = {word.stem for word in words}
        for word in words:
            self.stems.update(s for form in synonyms.expand(word) for s in form)
        self.prefixes = tuple(word.folded for word in words if word.prefix)
        self.fuzzy = [(word.stem, word.typos) for word in words if word.typos]
        self.decided: dict[str, bool] = {}

    def __call__(self, token: str) -> bool:
        decision = self.decided.get(token)
        if decision is None:
            decision = self.decided[token] = self._matches(token)
        return decision

    def _matches(self, token: str) -> bool:
        folded, stemmed, parts = _token_forms(token)
        if folded in self.exact or stemmed in self.stems or folded.startswith(self.prefixes):
            return True
        if not self.stems.isdisjoint(parts):
            return True
        return any(damerau_distance(stemmed, s, typos) <= typos for s, typos in self.fuzzy)


# --- Running a search ---------------------------------------------------------------------

_Page = list[tuple[tantivy.DocAddress, float]]


@dataclass(frozen=True)
class _Plan:
    """A query translated for Tantivy."""

    query: SearchQuery
    words: list[QueryWord]
    final: tantivy.Query  # everything: text, filters, place
    unplaced: tantivy.Query  # located offers matching all but the radius


def run_search(
    searcher: tantivy.Searcher, query: SearchQuery, synonyms: SynonymMap
) -> SearchResult:
    """Answer ``query`` from one searcher snapshot."""
    words = query_words(query.text, stem)
    text, filters = text_query(searcher, words, synonyms), filter_query(query)
    municipality = _one_of("municipality", query.municipality) if query.municipality else None
    place = _place_query(searcher, query, _all(text, filters), filters, municipality)
    if not query.include_remote:
        place.exclude.append(_term("flag", "remote"))
    must = _Q.const_score_query(place.must, 0.0) if place.must is not None else None
    final = _all(text, filters, must, exclude=place.exclude)
    located = _term("kind", "located")
    plan = _Plan(query, words, final, _all(text, filters, municipality, located))
    point = query.point
    by_distance = point is not None and (query.sort is Sort.DISTANCE or not words)
    kinds: dict[str, int] = {}
    facets: dict[str, dict[str, int]] = {}
    if query.facets or (by_distance and query.sort is not Sort.NEXT_MEETING):
        kinds, facets = _aggregate(searcher, final, query.facets)
    if query.sort is Sort.NEXT_MEETING or (not words and point is None):
        page, total = _by_next_meeting(searcher, final, query.offset, query.per_page)
    elif by_distance and point is not None:
        page, total = _by_distance(searcher, plan, point, kinds)
    elif point is not None:
        known = sum(kinds.values()) if query.facets else None
        page, total = _by_relevance_near(searcher, plan, point, known)
    else:
        result = searcher.search(final, limit=query.per_page, offset=query.offset)
        page, total = [(address, score) for score, address in result.hits], _total(result)
    matcher = _Matcher(words, synonyms) if words else None
    return SearchResult(
        total=int(total or 0),
        hits=[_hit(searcher, address, score, point, matcher) for address, score in page],
        facets=facets,
        page=query.page,
        per_page=query.per_page,
    )


def _total(result: tantivy.SearchResult) -> int:
    """Return a search's match count (missing from Tantivy's type stub)."""
    return int(getattr(result, "count", None) or 0)


def _aggregate(
    searcher: tantivy.Searcher, query: tantivy.Query, fields: Sequence[str]
) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Count documents by kind (located or not) and each facet's values, in one pass."""
    spec = {name: {"terms": {"field": f"fc_{name}", "size": FACET_BUCKETS}} for name in fields}
    spec["_kind"] = {"terms": {"field": "kind", "size": 10}}
    raw = searcher.aggregate(query, spec)
    counted: dict[str, dict[str, int]] = {}
    for name in spec:
        counts: dict[str, int] = {}
        for bucket in raw.get(name, {}).get("buckets", []):
            for value in str(bucket["key"]).split(SEPARATOR):
                if value:
                    counts[value] = counts.get(value, 0) + int(bucket["doc_count"])
        counted[name] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    return counted.pop("_kind"), counted


def _distances(
    searcher: tantivy.Searcher, addresses: list[tantivy.DocAddress], point: GeoPoint
) -> list[float | None]:
    """Return the distance of each located document (None for the others)."""
    lats = searcher.fast_field_values("lat", addresses)
    lons = searcher.fast_field_values("lon", addresses)
    return [
        None if lat is None or lon is None else haversine_km(point, float(lat), float(lon))
        for lat, lon in zip(lats, lons, strict=True)
    ]


@dataclass
class _Place:
    """What a result must and must not match to be in the place asked for."""

    must: tantivy.Query | None = None
    exclude: list[tantivy.Query] = field(default_factory=list)


def _place_query(
    searcher: tantivy.Searcher,
    query: SearchQuery,
    wanted: tantivy.Query,
    filters: tantivy.Query | None,
    municipality: tantivy.Query | None,
) -> _Place:
    """Translate the place; remote offers stay in unless include_remote is False."""
    remote = _term("flag", "remote") if query.include_remote else None
    if not query.has_place:
        return _Place()
    local = _any(municipality, remote) if municipality and remote else municipality
    if query.point is None or query.radius_km is None:
        return _Place(local)
    if query.text.strip() or filters is not None:
        # The filters alone are cheaper to evaluate than the text, when there are any.
        wanted = _all(filters if filters is not None else wanted, municipality)
        few = _outside_few(searcher, query.point, query.radius_km, wanted)
        if few is not None:
            return _Place(local, few)
        context = _all(filters, municipality)
        return _Place(local, _outside_many(searcher, query.point, query.radius_km, context))
    extra = ["remote"] if remote and not municipality else []
    circle = _circle(searcher, query.point, query.radius_km, _all(filters, municipality), extra)
    if municipality:
        return _Place(_any(_all(municipality, circle), remote))
    return _Place(circle)


def _outside_few(
    searcher: tantivy.Searcher, point: GeoPoint, radius_km: float, wanted: tantivy.Query
) -> list[tantivy.Query] | None:
    """Exclude everything beyond the radius, when few wanted offers lie near its edge.

    Offers beyond the bounding box are excluded by fast-field ranges (cheap next to a
    selective filter or text); offers between the inscribed square and the box are
    checked one by one and the few beyond the radius excluded by key; offers without a
    place (but not remote ones) are excluded as a kind. None when there are too many.
    """
    beyond = _beyond(point, radius_km)
    square = _inscribed_square(point, radius_km)
    edge = _all(wanted, _term("kind", "located"), exclude=[*beyond, square])
    result = searcher.search(edge, limit=FEW_IN_BOX + 1)
    if _total(result) > FEW_IN_BOX:
        return None
    addresses = [address for _, address in result.hits]
    lats = searcher.fast_field_values("lat", addresses)
    lons = searcher.fast_field_values("lon", addresses)
    far = [
        a
        for a, la, lo in zip(addresses, lats, lons, strict=True)
        if not _near(point, radius_km, la, lo)
    ]
    corners = [_term("key", key) for key in searcher.fast_field_values("key", far)]
    return [*beyond, *corners, _term("kind", "elsewhere")]


def _outside_many(
    searcher: tantivy.Searcher, point: GeoPoint, radius_km: float, context: tantivy.Query
) -> list[tantivy.Query]:
    """Exclude everything beyond the radius by ranges and cells (for a dense area).

    Beyond the exact bounds, fast-field ranges; in the corners of the box, cells (fewer
    documents to collect than the whole circle); on the edge, the band's documents
    outside the radius, checked under the cheap filters (``context``) when there are
    few, else the band cells whose centre is outside.
    """
    cover = circle_cover(point.lat, point.lon, radius_km)
    band = _all(context, _cells(cover.band_terms())) if cover.band else _Q.empty_query()
    result = searcher.search(band, limit=EXACT_BAND_LIMIT + 1)
    cells = cover.outside
    keys: list[tantivy.Query] = []
    if _total(result) > EXACT_BAND_LIMIT:
        cells = cells + cover.band_terms_by_centre(inside=False)
    else:
        addresses = [address for _, address in result.hits]
        lats = searcher.fast_field_values("lat", addresses)
        lons = searcher.fast_field_values("lon", addresses)
        pairs = zip(addresses, lats, lons, strict=True)
        far = [a for a, la, lo in pairs if not _near(point, radius_km, la, lo)]
        keys = [_term("key", key) for key in searcher.fast_field_values("key", far)]
    excluded = [_cells(cells)] if cells else []
    return [*_beyond(point, radius_km), *excluded, *keys, _term("kind", "elsewhere")]


def _beyond(point: GeoPoint, radius_km: float) -> list[tantivy.Query]:
    """Match offers beyond the circle's exact bounds (four fast-field ranges)."""
    min_lat, max_lat, min_lon, max_lon = circle_bounds(point.lat, point.lon, radius_km)
    return [
        _range(name, low, high, exclusive=True)
        for name, low, high in (
            ("lat", None, min_lat),
            ("lat", max_lat, None),
            ("lon", None, min_lon),
            ("lon", max_lon, None),
        )
    ]


def _range(
    name: str, low: float | None, high: float | None, exclusive: bool = False
) -> tantivy.Query:
    """Match a fast float field between bounds (an open side is unbounded)."""
    include_low = low is None or not exclusive
    include_high = high is None or not exclusive
    return _Q.range_query(
        SCHEMA, name, tantivy.FieldType.Float, low, high, include_low, include_high
    )


def _inscribed_square(point: GeoPoint, radius_km: float) -> tantivy.Query:
    """Match a box safely inside the circle (a square with its corners on it, shrunk 1%)."""
    half_km = radius_km * 0.99 / math.sqrt(2)
    dlat = half_km / KM_PER_DEGREE
    widest_lat = min(89.9, abs(point.lat) + dlat)
    dlon = dlat / max(0.01, math.cos(math.radians(widest_lat)))
    return _all(
        _range("lat", point.lat - dlat, point.lat + dlat),
        _range("lon", point.lon - dlon, point.lon + dlon),
    )


def _near(point: GeoPoint, radius_km: float, lat: Any, lon: Any) -> bool:
    """Return whether (lat, lon) is within radius_km (flat-earth check, haversine at the edge)."""
    if lat is None or lon is None:
        return False
    dy = (lat - point.lat) * KM_PER_DEGREE
    dx = (lon - point.lon) * KM_PER_DEGREE * math.cos(math.radians((lat + point.lat) / 2))
    flat = dx * dx + dy * dy
    if radius_km <= 100 and flat < (radius_km * 0.99) ** 2:
        return True
    if radius_km <= 100 and flat > (radius_km * 1.01) ** 2:
        return False
    return haversine_km(point, float(lat), float(lon)) <= radius_km


def _circle(
    searcher: tantivy.Searcher,
    point: GeoPoint,
    radius_km: float,
    context: tantivy.Query,
    extra_cells: list[str],
) -> tantivy.Query:
    """Match located documents within ``radius_km`` by grid cells (see the module docstring).

    The band is checked under the cheap filters only (``context``), not the text query.
    ``extra_cells`` (the "remote" cell) join the same term set.
    """
    cover = circle_cover(point.lat, point.lon, radius_km)
    band = _all(context, _cells(cover.band_terms())) if cover.band else _Q.empty_query()
    result = searcher.search(band, limit=EXACT_BAND_LIMIT + 1)
    if _total(result) > EXACT_BAND_LIMIT:
        return _cells(cover.inside + cover.band_terms_by_centre(inside=True) + extra_cells)
    addresses = [address for _, address in result.hits]
    keys = searcher.fast_field_values("key", addresses)
    distances = _distances(searcher, addresses, point)
    near = [k for k, d in zip(keys, distances, strict=True) if d is not None and d <= radius_km]
    inside = cover.inside + extra_cells
    circle = _any(_cells(inside) if inside else None, *(_term("key", key) for key in near))
    return circle or _Q.empty_query()


def _by_next_meeting(
    searcher: tantivy.Searcher, query: tantivy.Query, offset: int, limit: int
) -> tuple[_Page, int]:
    result = searcher.search(
        query, limit=limit, offset=offset, order_by_field="next_meeting", order=tantivy.Order.Asc
    )
    return [(address, 0.0) for _, address in result.hits], _total(result)


def _by_relevance_near(
    searcher: tantivy.Searcher, plan: _Plan, point: GeoPoint, total: int | None
) -> tuple[_Page, int]:
    """Order by score plus a bonus for being near, so nearer wins among similar scores.

    The bonus is a constant for lying within each of 1, 3, 10, 30 and 100 km (steps
    every result within the radius reaches are left out), together at most NEAR_BONUS
    of an estimated good text score; remote offers count as 25 km away. A result known
    to be small is fetched whole and measured exactly; otherwise Tantivy adds the bonus,
    from boxes of grid cells.
    """
    query = plan.query
    radius = query.radius_km or math.inf
    steps = [km for km in NEAR_STEPS_KM if km < radius]
    step = _score_scale(searcher, plan.words) * NEAR_BONUS / len(NEAR_STEPS_KM)
    if total is not None and total <= FETCH_ALL:
        result = searcher.search(plan.final, limit=max(1, total))
        addresses = [address for _, address in result.hits]
        distances = _distances(searcher, addresses, point)
        scored = sorted(
            (
                (score + _bonus(distance, steps, step), address)
                for (score, address), distance in zip(result.hits, distances, strict=True)
            ),
            key=lambda item: -item[0],
        )
        page = scored[query.offset : query.offset + query.per_page]
        return [(address, score) for score, address in page], total
    lat, lon = point.lat, point.lon
    bonuses = [_one_of("cell", box_cover(lat, lon, km, cells_per_radius=1)) for km in steps]
    weights = [step] * len(steps)
    bonuses.append(_one_of("kind", ["remote", "elsewhere"]))
    weights.append(_bonus(None, steps, step))
    scored_query = _Q.boolean_query(
        [(_MUST, plan.final)]
        + [(_SHOULD, _Q.const_score_query(b, w)) for b, w in zip(bonuses, weights, strict=True)]
    )
    result = searcher.search(scored_query, limit=query.per_page, offset=query.offset)
    return [(address, score) for score, address in result.hits], _total(result)


def _bonus(distance_km: float | None, steps: Sequence[float], step: float) -> float:
    """Return the nearness bonus: ``step`` for every step the distance is within."""
    distance = REMOTE_AS_KM if distance_km is None else distance_km
    return step * sum(distance <= km for km in steps)


def _score_scale(searcher: tantivy.Searcher, words: Sequence[QueryWord]) -> float:
    """Estimate the score of a good match: BM25 weights of each word in a short title."""
    documents = max(1, searcher.num_docs)

    def idf(field_name: str, term: str) -> float:
        frequency = searcher.doc_freq(field_name, term)
        if not frequency:
            return 0.0
        return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))

    total = 0.0
    for word in words:
        if not word.optional:
            title = 4 * idf("title_word", word.folded) + 3 * idf("title_stem", word.stem)
            total += title or 1.8 * idf("body_stem", word.stem) or 1.0
    return total or 1.0


def _by_distance(
    searcher: tantivy.Searcher, plan: _Plan, point: GeoPoint, kinds: Mapping[str, int]
) -> tuple[_Page, int]:
    """Nearest located offers first, then remote and unlocated ones."""
    query = plan.query
    located = _all(plan.final, _term("kind", "located"))
    located_total = kinds.get("located", 0)
    others_total = sum(kinds.values()) - located_total
    start, stop = query.offset, query.offset + query.per_page
    page: _Page = []
    if start < located_total:
        need = min(stop, located_total)
        if located_total <= FETCH_ALL:
            nearest = _by_distance_from(searcher, located, point, located_total)[:need]
        else:
            nearest = _nearest(searcher, plan, located, point, need, located_total)
        page += [(address, 0.0) for _, address in nearest[start:stop]]
    if stop > located_total and others_total:
        others = _all(plan.final, exclude=[_term("kind", "located")])
        skip, take = max(0, start - located_total), stop - max(start, located_total)
        if plan.words:
            result = searcher.search(others, limit=take, offset=skip)
            page += [(address, score) for score, address in result.hits]
        else:
            page += _by_next_meeting(searcher, others, skip, take)[0]
    return page, located_total + others_total


def _by_distance_from(
    searcher: tantivy.Searcher, query: tantivy.Query, point: GeoPoint, limit: int
) -> list[tuple[float, tantivy.DocAddress]]:
    """Return up to ``limit`` matches of ``query``, nearest first."""
    return _sorted_by_distance(searcher, searcher.search(query, limit=max(1, limit)), point)


def _sorted_by_distance(
    searcher: tantivy.Searcher, result: tantivy.SearchResult, point: GeoPoint
) -> list[tuple[float, tantivy.DocAddress]]:
    addresses = [address for _, address in result.hits]
    pairs = zip(_distances(searcher, addresses, point), addresses, strict=True)
    return sorted(((d, a) for d, a in pairs if d is not None), key=lambda item: item[0])


def _nearest(
    searcher: tantivy.Searcher,
    plan: _Plan,
    located: tantivy.Query,
    point: GeoPoint,
    need: int,
    located_total: int,
) -> list[tuple[float, tantivy.DocAddress]]:
    """Return the ``need`` nearest matches, searching boxes that grow until they hold them.

    The first box is sized for the average density (within the radius, or the country);
    a box holding more than ``cap`` matches shrinks, one with fewer than ``need`` grows.
    A box smaller than the radius needs no circle clause: the distance check implies it.
    """
    radius_km = plan.query.radius_km
    cap, widest = max(FETCH_ALL, 4 * need), radius_km or 20_040.0
    inner = plan.unplaced if radius_km else located
    guess = (radius_km or COUNTRY_RADIUS_KM) * math.sqrt(2 * need / located_total)
    radius, low, high = min(widest, max(0.3, guess)), 0.0, math.inf
    for _ in range(12):
        box = located
        if radius < widest:
            box = _all(inner, _cells(box_cover(point.lat, point.lon, radius)))
        result = searcher.search(box, limit=cap)
        count = _total(result)
        if count > cap and radius > 0.05:
            high = radius
            radius = (low + radius) / 2 if low else radius * max(0.25, math.sqrt(cap / (2 * count)))
            continue
        if count > cap:
            result = searcher.search(box, limit=count)
        found = _sorted_by_distance(searcher, result, point)
        within = [item for item in found if item[0] <= radius]
        if len(within) >= need or radius >= widest:
            return (found if radius >= widest else within)[:need]
        low = radius
        grow = 4.0 if not within else min(4.0, max(1.5, math.sqrt(2 * need / len(within))))
        radius = min(widest, radius * grow)
        if radius >= high:
            radius = (low + high) / 2
    return _by_distance_from(searcher, located, point, located_total)[:need]


def _hit(
    searcher: tantivy.Searcher,
    address: tantivy.DocAddress,
    score: float,
    point: GeoPoint | None,
    matcher: _Matcher | None,
) -> Hit:
    doc = json.loads(bytes(searcher.doc(address).get_first("doc") or b"{}"))
    distance = haversine_km(point, doc["lat"], doc["lon"]) if point and _located(doc) else None
    highlights = {
        name: highlight(doc[name], matcher) if matcher else html.escape(doc[name])
        for name in ("title", "description")
    }
    return Hit(id=doc["id"], document=doc, score=score, distance_km=distance, highlights=highlights)


# --- The engine ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Snapshot:
    """One opened generation; swapped as a whole so a search sees one consistent state."""

    generation: str
    index: tantivy.Index
    searcher: tantivy.Searcher
    meta_signature: tuple[int, ...] | None


def _signature(path: Path) -> tuple[int, ...] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino)


@contextmanager
def _translating_errors(action: str) -> Iterator[None]:
    """Turn Tantivy and file-system failures into EngineUnavailable."""
    try:
        yield
    except (SearchError, InvalidDocument):
        raise
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # Tantivy panics derive from BaseException
        logger.exception("search index %s failed", action)
        raise EngineUnavailable(f"search index {action} failed: {exc}") from exc


class TantivyEngine(SearchEngine):
    """The embedded engine: a Tantivy index in ``index_dir``, shared by several processes."""

    name = "embedded"

    def __init__(
        self, index_dir: str | Path, *, writer_heap_mb: int = 64, lock_timeout_s: float = 30.0
    ) -> None:
        self.index_dir = Path(index_dir)
        self._heap_bytes = max(16, writer_heap_mb) * 1_000_000
        self._lock_timeout_s = lock_timeout_s
        self._lock = threading.RLock()
        self._snapshot: _Snapshot | None = None
        self._pointer_signature: tuple[int, ...] | None = None
        self._synonyms: SynonymMap | None = None
        self._synonyms_signature: tuple[int, ...] | None = None

    # Paths and the pointer file.

    @property
    def _pointer(self) -> Path:
        return self.index_dir / "CURRENT"

    def _generation_dir(self, name: str) -> Path:
        return self.index_dir / "generations" / name

    def _read_pointer(self) -> str | None:
        try:
            data = json.loads(self._pointer.read_text())
        except FileNotFoundError:
            return None
        if data.get("schema") != SCHEMA_VERSION:
            raise EngineUnavailable("the search index has an old format; run a rebuild")
        return str(data["generation"])

    def _write_pointer(self, name: str) -> None:
        temporary = self.index_dir / f".CURRENT.{os.getpid()}.tmp"
        temporary.write_text(json.dumps({"generation": name, "schema": SCHEMA_VERSION}))
        os.replace(temporary, self._pointer)

    def _new_generation(self) -> tuple[str, tantivy.Index]:
        folder = self.index_dir / "generations"
        folder.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.name) for p in folder.iterdir() if p.name.isdigit()]
        name = f"{max(numbers, default=0) + 1:08d}"
        path = self._generation_dir(name)
        path.mkdir()
        return name, _prepare(tantivy.Index(SCHEMA, path=str(path), reuse=False))

    # Opening, reloading and locking.

    def _current(self) -> _Snapshot:
        """Return the open generation, first reopening or reloading it if it changed."""
        snapshot = self._snapshot
        if snapshot is not None and _signature(self._pointer) == self._pointer_signature:
            meta = self._generation_dir(snapshot.generation) / "meta.json"
            if _signature(meta) == snapshot.meta_signature:
                return snapshot
        with self._lock:
            if self._read_pointer() is None:
                with self._file_lock():
                    self._ensure_generation()
            pointer = _signature(self._pointer)
            try:
                return self._refresh()
            except Exception:
                # A rebuild elsewhere may have switched generations and deleted the one
                # just read; try once more with the new pointer.
                if _signature(self._pointer) == pointer:
                    raise
                return self._refresh()

    def _ensure_generation(self) -> None:
        """Create an empty first generation unless one exists (file lock held)."""
        if self._read_pointer() is None:
            name, _ = self._new_generation()
            self._write_pointer(name)

    def _refresh(self) -> _Snapshot:
        """Open the pointed-to generation or reload the open one (thread lock held)."""
        pointer_signature = _signature(self._pointer)
        name = self._read_pointer()
        if name is None:
            raise EngineUnavailable("the search index has no generation")
        meta_signature = _signature(self._generation_dir(name) / "meta.json")
        snapshot = self._snapshot
        if snapshot is not None and snapshot.generation == name:
            index = snapshot.index
            index.reload()
        else:
            index = _prepare(tantivy.Index.open(str(self._generation_dir(name))))
        self._snapshot = _Snapshot(name, index, index.searcher(), meta_signature)
        self._pointer_signature = pointer_signature
        return self._snapshot

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        """Hold the cross-process write lock, waiting at most lock_timeout_s."""
        self.index_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.index_dir / "write.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + self._lock_timeout_s
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise EngineUnavailable("another process is writing the index") from None
                    time.sleep(0.02)
            yield
        finally:
            os.close(fd)

    @contextmanager
    def _writer(self) -> Iterator[tantivy.IndexWriter]:
        """Open a writer on the live generation; commit, then show the change to searches."""
        with self._lock, self._file_lock():
            self._ensure_generation()
            writer = self._refresh().index.writer(self._heap_bytes)
            try:
                yield writer
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()  # also releases Tantivy's own lock
            self._refresh()

    # Writing.

    def index(self, documents: Iterable[Document]) -> None:
        """Add or replace documents by id; searches see them when this returns."""
        prepared = [_tantivy_document(normalise(document)) for document in documents]
        if not prepared:
            return
        with _translating_errors("write"), self._writer() as writer:
            for document in prepared:
                writer.delete_documents_by_term("id", document.get_first("id"))
                writer.add_document(document)

    def remove(self, ids: Iterable[str]) -> None:
        """Remove documents by id; unknown ids are ignored."""
        unique = sorted({clean(str(doc_id)) for doc_id in ids})
        if not unique:
            return
        with _translating_errors("write"), self._writer() as writer:
            for doc_id in unique:
                writer.delete_documents_by_term("id", doc_id)

    def rebuild(self, documents: Iterable[Document]) -> int:
        """Index ``documents`` into a new generation, then switch to it atomically."""
        with _translating_errors("rebuild"), self._lock, self._file_lock():
            name, index = self._new_generation()
            count = 0
            try:
                count = self._fill(index, documents)
            except BaseException:
                shutil.rmtree(self._generation_dir(name), ignore_errors=True)
                raise
            self._write_pointer(name)
            self._refresh()
            for old in (self.index_dir / "generations").iterdir():
                if old.name != name:
                    shutil.rmtree(old, ignore_errors=True)
            logger.info("search index rebuilt with %s documents", count)
            return count

    def _fill(self, index: tantivy.Index, documents: Iterable[Document]) -> int:
        writer = index.writer(self._heap_bytes)
        seen: set[str] = set()
        try:
            for document in documents:
                doc = normalise(document)
                if doc["id"] in seen:
                    writer.delete_documents_by_term("id", doc["id"])
                seen.add(doc["id"])
                writer.add_document(_tantivy_document(doc))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        return len(seen)

    # Synonyms.

    @property
    def _synonyms_path(self) -> Path:
        return self.index_dir / "synonyms.json"

    def synonyms(self) -> SynonymMap:
        """Return the synonym list, re-read when another process replaced it."""
        signature = _signature(self._synonyms_path)
        if self._synonyms is None or signature != self._synonyms_signature:
            groups: Sequence[Sequence[str]] = DEFAULT_SYNONYMS
            if signature is not None:
                groups = json.loads(self._synonyms_path.read_text(encoding="utf-8"))["groups"]
            self._synonyms = SynonymMap(groups, lambda word: stem(word))
            self._synonyms_signature = signature
        return self._synonyms

    def set_synonyms(self, groups: Sequence[Sequence[str]]) -> None:
        """Replace the synonym list for every process using this index directory."""
        synonym_map = SynonymMap(groups, lambda word: stem(word))
        with _translating_errors("synonym update"), self._lock:
            self.index_dir.mkdir(parents=True, exist_ok=True)
            temporary = self.index_dir / f".synonyms.{os.getpid()}.tmp"
            data = {"groups": synonym_map.groups}
            temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            os.replace(temporary, self._synonyms_path)
            self._synonyms = synonym_map
            self._synonyms_signature = _signature(self._synonyms_path)

    # Reading.

    def search(self, query: SearchQuery) -> SearchResult:
        """Answer a query from the live generation."""
        with _translating_errors("search"):
            searcher = self._current().searcher
            return run_search(searcher, query, self.synonyms())

    def ids(self) -> dict[str, int]:
        """Return every indexed id with its updated_at."""
        with _translating_errors("listing"):
            searcher = self._current().searcher
            parts = max(1, math.ceil(searcher.num_docs / 20_000))
            step = 2**64 // parts
            result: dict[str, int] = {}
            aggregation = {
                "ids": {
                    "terms": {"field": "id", "size": 60_000},
                    "aggs": {"updated": {"max": {"field": "updated_at"}}},
                }
            }
            for part in range(parts):
                upper = 2**64 - 1 if part == parts - 1 else (part + 1) * step - 1
                scope = _Q.range_query(
                    SCHEMA, "key", tantivy.FieldType.Unsigned, part * step, upper
                )
                for bucket in searcher.aggregate(scope, aggregation)["ids"]["buckets"]:
                    result[bucket["key"]] = int(bucket["updated"]["value"] or 0)
            return result

    def health(self) -> EngineHealth:
        """Report whether the index can be searched, and how many documents it holds."""
        try:
            documents = self._current().searcher.num_docs
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # Tantivy panics derive from BaseException
            logger.warning("search index health check failed: %s", exc)
            return EngineHealth(ok=False, engine=self.name, detail=str(exc) or type(exc).__name__)
        return EngineHealth(ok=True, engine=self.name, documents=documents)

    def close(self) -> None:
        """Drop the open generation; the next call reopens it."""
        with self._lock:
            self._snapshot = None
            self._pointer_signature = None
