"""Queries of the embedded engine: words, filters, facets, scores and highlights.

A query word matches exactly (scored highest), by stem, compound part or synonym (BM25,
title about four times description), with typos (Meilisearch's budget: 1–4 letters none,
5–8 one, 9+ two; a transposition is one) or, for the last word, as a prefix (its 50 most
frequent completions); typo and prefix matches score a constant below exact ones. A word
found in 1,000 offers or more is taken as correctly spelled. Every word is required except
stopwords. Queries are built from term objects only; user text never reaches a query parser.

Codes are raw terms (OR within a field, AND across). Facets come from one aggregation pass
over the single-valued ``fc_*`` fields, split and summed here; the same pass counts located
and remote matches. A result fetched whole is counted from the hashed ``fh_*`` fields.
"""

from __future__ import annotations

import html
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import tantivy

from search.analysis import (
    QueryWord,
    SynonymMap,
    clean,
    damerau_distance,
    fold,
    highlight,
    split_compound,
)
from search.base import GeoPoint, Hit, SearchQuery, haversine_km
from search.tantivy_schema import SCHEMA, SEPARATOR, hash_key, is_located, stem

FACET_BUCKETS = 10_000
COMMON_WORD_DOCS = 1000  # a word in this many offers is taken as spelled right: no typos
PREFIX_TERMS = 50  # completions of the last word, the most frequent first
_Q, _MUST, _SHOULD, _NOT = (
    tantivy.Query,
    tantivy.Occur.Must,
    tantivy.Occur.Should,
    tantivy.Occur.MustNot,
)

# --- Building blocks ----------------------------------------------------------------------


def term(field: str, value: Any) -> tantivy.Query:
    """Match one raw term."""
    return _Q.term_query(SCHEMA, field, value)


def one_of(field: str, values: Iterable[str]) -> tantivy.Query:
    """Match any of a few values; a union of term queries, which skips well in conjunctions."""
    terms = [term(field, clean(value)) for value in dict.fromkeys(values)]
    return terms[0] if len(terms) == 1 else _Q.boolean_query([(_SHOULD, t) for t in terms])


def cells(terms: list[str]) -> tantivy.Query:
    """Match any of many cells; a term set, which Tantivy collects into a bitset at once."""
    return _Q.term_set_query(SCHEMA, "cell", terms)


def all_of(*clauses: tantivy.Query | None, exclude: Sequence[tantivy.Query] = ()) -> tantivy.Query:
    """Return a query matching every clause (all documents when there is none)."""
    musts = [(_MUST, clause) for clause in clauses if clause is not None]
    if not exclude and len(musts) == 1:
        return musts[0][1]
    if not musts:
        musts = [(_MUST, _Q.all_query())]
    return _Q.boolean_query([*musts, *((_NOT, clause) for clause in exclude)])


def any_of(*clauses: tantivy.Query | None) -> tantivy.Query | None:
    """Return a query matching any clause (None when there is none)."""
    should = [(_SHOULD, clause) for clause in clauses if clause is not None]
    if len(should) <= 1:
        return should[0][1] if should else None
    return _Q.boolean_query(should)


def float_range(
    name: str, low: float | None, high: float | None, exclusive: bool = False
) -> tantivy.Query:
    """Match a fast float field between bounds (an open side is unbounded)."""
    include_low = low is None or not exclusive
    include_high = high is None or not exclusive
    return _Q.range_query(
        SCHEMA, name, tantivy.FieldType.Float, low, high, include_low, include_high
    )


def total(result: tantivy.SearchResult) -> int:
    """Return a search's match count (missing from Tantivy's type stub)."""
    return int(getattr(result, "count", None) or 0)


def _boosted(pairs: Iterable[tuple[tantivy.Query, float]]) -> list[tantivy.Query]:
    return [_Q.boost_query(query, boost) for query, boost in pairs]


# --- Words and filters --------------------------------------------------------------------


def _word_query(searcher: tantivy.Searcher, word: QueryWord, synonyms: SynonymMap) -> tantivy.Query:
    """Match one query word exactly, by stem, as a compound part, with typos or as a prefix."""
    clauses = _boosted(
        [
            (term("title_word", word.folded), 4.0),
            (term("body_word", word.folded), 1.0),
            (term("title_stem", word.stem), 3.0),
            (term("body_stem", word.stem), 0.8),
            (term("title_part", word.stem), 2.0),
            (term("body_part", word.stem), 0.5),
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
                [(term("title_stem", form[0]), 2.0), (term("body_stem", form[0]), 0.6)]
            )
        else:  # a synonym of several words: all of them, anywhere
            stems = [any_of(term("title_stem", s), term("body_stem", s)) for s in form]
            clauses += _boosted([(all_of(*stems), 0.6)])
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
    terms = [term("all_word", completion) for completion, _ in completions] or [_Q.empty_query()]
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
        one_of(name, values)
        for name, values in (
            ("activity", query.activity),
            ("target_group", query.target_group),
            ("life_situation", query.life_situation),
            ("weekday", query.weekday),
            ("time_of_day", query.time_of_day),
        )
        if values
    ]
    clauses += [term("feature", clean(feature)) for feature in query.features]
    if query.free_only:
        clauses.append(term("flag", "free"))
    if not clauses:
        return None
    return _Q.const_score_query(all_of(*clauses), 0.0)


def score_scale(searcher: tantivy.Searcher, words: Sequence[QueryWord]) -> float:
    """Estimate the score of a good match: BM25 weights of each word in a short title."""
    documents = max(1, searcher.num_docs)

    def idf(field_name: str, value: str) -> float:
        frequency = searcher.doc_freq(field_name, value)
        if not frequency:
            return 0.0
        return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))

    result = 0.0
    for word in words:
        if not word.optional:
            title = 4 * idf("title_word", word.folded) + 3 * idf("title_stem", word.stem)
            result += title or 1.8 * idf("body_stem", word.stem) or 1.0
    return result or 1.0


# --- Facets -------------------------------------------------------------------------------


def _ranked(counts: Mapping[str, int]) -> dict[str, int]:
    """Return facet counts, the most frequent value first (ties by value)."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def aggregate(
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
        counted[name] = _ranked(counts)
    return counted.pop("_kind"), counted


class FacetNames:
    """Count facets of fetched documents from their hashed values (fh_* fast fields).

    The hashes are mapped back to text through the terms of the fc_* fields, read once
    per searcher and facet.
    """

    def __init__(self, searcher: tantivy.Searcher) -> None:
        self._searcher = searcher
        self._names: dict[str, dict[int, str]] = {}

    def _names_of(self, name: str) -> dict[int, str]:
        if name not in self._names:
            terms = self._searcher.terms_with_prefix(f"fc_{name}", "")
            self._names[name] = {hash_key(text): text for text, _ in terms}
        return self._names[name]

    def count(
        self, addresses: list[tantivy.DocAddress], fields: Sequence[str]
    ) -> dict[str, dict[str, int]]:
        """Return each facet's value counts over the given documents."""
        facets: dict[str, dict[str, int]] = {}
        for name in dict.fromkeys(fields):
            names, counts = self._names_of(name), Counter[str]()
            hashes = self._searcher.fast_field_values(f"fh_{name}", addresses)
            for hashed, number in Counter(hashes).items():
                for value in names.get(int(hashed or 0), "").split(SEPARATOR):
                    if value:
                        counts[value] += number
            facets[name] = _ranked(counts)
        return facets


# --- Hits and highlights ------------------------------------------------------------------


@lru_cache(maxsize=200_000)
def _token_forms(token: str) -> tuple[str, str, tuple[str, ...]]:
    """Return a stored word's folded form, stem and compound-part stems."""
    folded = fold(token)
    return folded, stem(folded), tuple(stem(piece) for piece in split_compound(folded))


class Matcher:
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


def to_hit(
    searcher: tantivy.Searcher,
    address: tantivy.DocAddress,
    score: float,
    point: GeoPoint | None,
    matcher: Matcher | None,
) -> Hit:
    """Return the Hit for a stored document, with its distance and highlights."""
    doc = json.loads(bytes(searcher.doc(address).get_first("doc") or b"{}"))
    distance = haversine_km(point, doc["lat"], doc["lon"]) if point and is_located(doc) else None
    highlights = {
        name: highlight(doc[name], matcher) if matcher else html.escape(doc[name])
        for name in ("title", "description")
    }
    return Hit(id=doc["id"], document=doc, score=score, distance_km=distance, highlights=highlights)
