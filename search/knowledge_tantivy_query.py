"""The embedded knowledge index's schema, documents and queries (one searcher at a time).

Words are analysed as in the offer index (``search.analysis`` folding, Snowball
Danish stems, compound parts, Meilisearch's typo budget, the last word as a
prefix, synonyms); filters are raw terms, OR within a field and AND across; a
public query keeps documents whose publish_at is at most ``visible_at``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import tantivy

from search.analysis import (
    QueryWord,
    SynonymMap,
    clean,
    fold_text,
    highlight,
    query_words,
    split_compound,
)
from search.base import Hit, SearchResult
from search.knowledge import KNOWLEDGE_FACETS, KnowledgeQuery
from search.tantivy_query import Matcher
from search.tantivy_schema import stem

PREFIX_TERMS = 50
FACET_BUCKETS = 1000
_Q = tantivy.Query
_MUST, _SHOULD = tantivy.Occur.Must, tantivy.Occur.Should
_RAW_FIELDS = ("target_group", "life_situation", "activity")


def _schema() -> tantivy.Schema:
    """Return the Tantivy schema of knowledge documents."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field("doc", stored=True)
    for group in ("title", "body"):
        builder.add_text_field(f"{group}_word", tokenizer_name="da_word", index_option="freq")
        builder.add_text_field(f"{group}_stem", tokenizer_name="da_stem", index_option="freq")
        builder.add_text_field(f"{group}_part", tokenizer_name="da_word", index_option="freq")
    builder.add_text_field("all_word", tokenizer_name="da_word", index_option="basic")
    builder.add_text_field("all_stem", tokenizer_name="da_stem", index_option="basic")
    for name in KNOWLEDGE_FACETS:
        builder.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    for name in _RAW_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("publish_at", indexed=True, fast=True)
    builder.add_integer_field("updated_at", fast=True)
    return builder.build()


SCHEMA = _schema()


def _parts(folded: str) -> str:
    """Return the stems of the compound pieces of folded text."""
    return " ".join(stem(piece) for word in folded.split() for piece in split_compound(word))


def to_tantivy_document(doc: Mapping[str, Any]) -> tantivy.Document:
    """Return the Tantivy document for a normalised knowledge document."""
    result = tantivy.Document()
    result.add_text("id", clean(doc["id"]))
    result.add_bytes("doc", json.dumps(doc, ensure_ascii=False).encode())
    body = " ".join([doc["summary"], doc["body"], " ".join(doc["tag"])])
    for group, text in (
        ("title", fold_text(clean(doc["title"]))),
        ("body", fold_text(clean(body))),
    ):
        result.add_text(f"{group}_word", text)
        result.add_text(f"{group}_stem", text)
        result.add_text(f"{group}_part", _parts(text))
        result.add_text("all_word", text)
        result.add_text("all_stem", text)
    result.add_text("kind", clean(doc["kind"]))
    for name in ("audience", "tag", *_RAW_FIELDS):
        for value in doc[name]:
            result.add_text(name, clean(value))
    result.add_integer("publish_at", doc["publish_at"])
    result.add_integer("updated_at", doc["updated_at"])
    return result


# --- Queries ------------------------------------------------------------------------------


def _term(field: str, value: str) -> tantivy.Query:
    """Match one raw term."""
    return _Q.term_query(SCHEMA, field, value)


def _boosted(pairs: Iterable[tuple[tantivy.Query, float]]) -> list[tantivy.Query]:
    """Return the queries with their boosts applied."""
    return [_Q.boost_query(query, boost) for query, boost in pairs]


def _word_query(searcher: tantivy.Searcher, word: QueryWord, synonyms: SynonymMap) -> tantivy.Query:
    """Match one word exactly, by stem, as a compound part, a synonym, with typos or as a prefix."""
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
    if word.typos:
        # Both forms: a typo can change the stem ("ensomhd" is no form of "ensom").
        clauses.append(_Q.fuzzy_term_query(SCHEMA, "all_stem", word.stem, word.typos, True))
        clauses.append(_Q.fuzzy_term_query(SCHEMA, "all_word", word.folded, word.typos, True))
    if word.prefix:
        completions = searcher.terms_with_prefix("all_word", word.folded, limit=PREFIX_TERMS)
        terms = [_term("all_word", text) for text, _ in completions] or [_Q.empty_query()]
        clauses.append(_Q.const_score_query(_Q.boolean_query([(_SHOULD, t) for t in terms]), 1.0))
    for form in synonyms.expand(word):
        stems = [
            _Q.boolean_query([(_SHOULD, _term("title_stem", s)), (_SHOULD, _term("body_stem", s))])
            for s in form
        ]
        together = stems[0] if len(stems) == 1 else _Q.boolean_query([(_MUST, s) for s in stems])
        clauses.append(_Q.boost_query(together, 0.8))
    return _Q.boolean_query([(_SHOULD, clause) for clause in clauses])


def build_query(
    searcher: tantivy.Searcher, query: KnowledgeQuery, synonyms: SynonymMap
) -> tuple[tantivy.Query, list[QueryWord]]:
    """Return the Tantivy query (words required except stopwords; filters) and the words."""
    words = query_words(query.text, stem)
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = [
        (_SHOULD if word.optional else _MUST, _word_query(searcher, word, synonyms))
        for word in words
    ]
    filters: list[tantivy.Query] = []
    for name, values in query.filters().items():
        terms = [_term(name, clean(value)) for value in dict.fromkeys(values)]
        filters.append(
            terms[0] if len(terms) == 1 else _Q.boolean_query([(_SHOULD, t) for t in terms])
        )
    if query.visible_at is not None:
        filters.append(
            _Q.range_query(
                SCHEMA, "publish_at", tantivy.FieldType.Integer, None, int(query.visible_at)
            )
        )
    if filters:
        combined = (
            filters[0] if len(filters) == 1 else _Q.boolean_query([(_MUST, f) for f in filters])
        )
        clauses.append((_MUST, _Q.const_score_query(combined, 0.0)))
    if not clauses:
        return _Q.all_query(), words
    if len(clauses) == 1 and clauses[0][0] is _MUST:
        return clauses[0][1], words
    return _Q.boolean_query(clauses), words


def facet_counts(
    searcher: tantivy.Searcher, query: tantivy.Query, fields: Sequence[str]
) -> dict[str, dict[str, int]]:
    """Count each facet's values over the matches, the most frequent first."""
    if not fields:
        return {}
    spec = {name: {"terms": {"field": name, "size": FACET_BUCKETS}} for name in fields}
    raw = searcher.aggregate(query, spec)
    counted: dict[str, dict[str, int]] = {}
    for name in fields:
        buckets = raw.get(name, {}).get("buckets", [])
        pairs = [(str(b["key"]), int(b["doc_count"])) for b in buckets if str(b["key"])]
        counted[name] = dict(sorted(pairs, key=lambda item: (-item[1], item[0])))
    return counted


def _hit(
    searcher: tantivy.Searcher, address: tantivy.DocAddress, score: float, matcher: Matcher | None
) -> Hit:
    """Return the Hit for a stored document, with highlighted title and summary."""
    doc = json.loads(bytes(searcher.doc(address).get_first("doc") or b"{}"))
    highlights = {
        name: highlight(doc[name], matcher) if matcher else html.escape(doc[name])
        for name in ("title", "summary")
    }
    return Hit(id=doc["id"], document=doc, score=score, highlights=highlights)


def run_search(
    searcher: tantivy.Searcher, query: KnowledgeQuery, synonyms: SynonymMap
) -> SearchResult:
    """Answer a knowledge query from one searcher: by relevance with words, else newest first."""
    final, words = build_query(searcher, query, synonyms)
    facets = facet_counts(searcher, final, query.facets)
    if words:
        result = searcher.search(final, limit=query.per_page, offset=query.offset)
    else:
        result = searcher.search(
            final,
            limit=query.per_page,
            offset=query.offset,
            order_by_field="publish_at",
            order=tantivy.Order.Desc,
        )
    matcher = Matcher(words, synonyms) if words else None
    hits = [
        _hit(searcher, address, float(score) if words else 0.0, matcher)
        for score, address in result.hits
    ]
    count = int(getattr(result, "count", None) or 0)
    return SearchResult(count, hits, facets, query.page, query.per_page)
