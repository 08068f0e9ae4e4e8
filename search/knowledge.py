"""The knowledge centre's own small index: articles, tools and concepts.

The offer index's documents and queries are shaped for places, schedules and
offer filters, so knowledge items get an interface of their own here, with the
same error types and result types (``Hit``, ``SearchResult``) as the offers.
Engines: ``search.knowledge_tantivy`` (embedded) and
``search.knowledge_meilisearch``. Like the rest of ``search``, this never imports
``portal``; the portal hands over plain ``KnowledgeDocument`` dictionaries.

Scheduled items are indexed before they are public: every document carries its
``publish_at`` and a public query passes ``visible_at`` (now), so an item shows
up by itself when its time comes, with no job to run.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from search.base import (
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_TEXT_LENGTH,
    EngineHealth,
    InvalidQuery,
    SearchResult,
)

# Facetable fields; each holds a list of codes except kind (one code).
KNOWLEDGE_FACETS = ("kind", "audience", "tag")
# Fields a query may filter on; values within a field are alternatives (OR).
KNOWLEDGE_FILTERS = ("kind", "audience", "tag", "target_group", "life_situation", "activity")
LIST_FIELDS = ("audience", "tag", "target_group", "life_situation", "activity")
TEXT_FIELDS = ("title", "summary", "body")


class KnowledgeDocument(TypedDict, total=False):
    """One knowledge item as the engines see it. Required: id, kind, title, publish_at."""

    id: str
    kind: str  # article, tool or concept
    slug: str
    title: str
    summary: str
    body: str  # plain text, without Markdown or HTML
    audience: list[str]
    tag: list[str]
    target_group: list[str]
    life_situation: list[str]
    activity: list[str]
    evidence_level: str
    publish_at: int  # Unix seconds; public from then on
    updated_at: int  # Unix seconds; lets a check spot stale entries


@dataclass(frozen=True)
class KnowledgeQuery:
    """A question to a knowledge index.

    ``visible_at`` (Unix seconds) keeps only documents published by then; None
    means every indexed document (an editor's view). Without words the newest
    come first.
    """

    text: str = ""
    kind: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()
    target_group: tuple[str, ...] = ()
    life_situation: tuple[str, ...] = ()
    activity: tuple[str, ...] = ()
    visible_at: int | None = None
    page: int = 1
    per_page: int = 20
    facets: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Cap the text and refuse impossible pages and unknown facets."""
        if len(self.text) > MAX_TEXT_LENGTH:
            object.__setattr__(self, "text", self.text[:MAX_TEXT_LENGTH])
        if not 1 <= self.page <= MAX_PAGE:
            raise InvalidQuery(f"page must be between 1 and {MAX_PAGE}")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise InvalidQuery(f"per_page must be between 1 and {MAX_PER_PAGE}")
        unknown = set(self.facets) - set(KNOWLEDGE_FACETS)
        if unknown:
            raise InvalidQuery(f"unknown facets: {', '.join(sorted(unknown))}")

    @property
    def offset(self) -> int:
        """Return how many hits come before this page."""
        return (self.page - 1) * self.per_page

    def filters(self) -> dict[str, tuple[str, ...]]:
        """Return the non-empty filter fields with their values."""
        return {name: getattr(self, name) for name in KNOWLEDGE_FILTERS if getattr(self, name)}


def normalise_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return a document with every field present, lists sorted and numbers as ints."""
    doc_id = document.get("id")
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise ValueError("a knowledge document needs a non-empty string id")
    result: dict[str, Any] = {"id": doc_id.strip()}
    for name in ("kind", "slug", "evidence_level", *TEXT_FIELDS):
        result[name] = str(document.get(name) or "")
    for name in LIST_FIELDS:
        result[name] = sorted({str(value) for value in document.get(name) or () if value})
    for name in ("publish_at", "updated_at"):
        value = document.get(name)
        result[name] = int(value) if isinstance(value, int | float) and value == value else 0
    return result


class KnowledgeIndex(abc.ABC):
    """What every knowledge engine offers; implementations are safe to share between threads."""

    name: str = "abstract"

    @abc.abstractmethod
    def index(self, documents: Iterable[KnowledgeDocument]) -> None:
        """Add or replace documents (by id); visible to searches when this returns."""

    @abc.abstractmethod
    def remove(self, ids: Iterable[str]) -> None:
        """Remove documents by id; unknown ids are ignored."""

    @abc.abstractmethod
    def search(self, query: KnowledgeQuery) -> SearchResult:
        """Answer a query; raise EngineUnavailable or EngineTimeout when it cannot.

        Each hit's ``highlights`` holds "title" and "summary", HTML-escaped with
        matched words in <mark>.
        """

    @abc.abstractmethod
    def rebuild(self, documents: Iterable[KnowledgeDocument]) -> int:
        """Replace the whole index with ``documents``; return how many were indexed."""

    @abc.abstractmethod
    def ids(self) -> dict[str, int]:
        """Return every indexed id with its document's ``updated_at``."""

    @abc.abstractmethod
    def health(self) -> EngineHealth:
        """Report whether the index answers; never raises."""

    @abc.abstractmethod
    def set_synonyms(self, groups: Sequence[Sequence[str]]) -> None:
        """Replace the synonym list; words in one group find each other."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files or connections."""


def get_knowledge_index(config: Mapping[str, Any]) -> KnowledgeIndex:
    """Create the knowledge index of the engine named by config["SEARCH_ENGINE"]."""
    name = config.get("SEARCH_ENGINE", "embedded")
    if name == "embedded":
        from search.knowledge_tantivy import TantivyKnowledgeIndex

        return TantivyKnowledgeIndex(config["KNOWLEDGE_INDEX_DIR"])
    if name == "meilisearch":
        from search.knowledge_meilisearch import MeilisearchKnowledgeIndex

        return MeilisearchKnowledgeIndex(
            url=config["MEILI_URL"],
            api_key=config.get("MEILI_API_KEY") or None,
            index_name=f"{config.get('MEILI_INDEX_PREFIX', 'portal')}_knowledge",
            timeout_s=float(config.get("SEARCH_TIMEOUT", 2.0)),
        )
    raise ValueError(f"unknown search engine {name!r}")


__all__ = [
    "KNOWLEDGE_FACETS",
    "KNOWLEDGE_FILTERS",
    "KnowledgeDocument",
    "KnowledgeIndex",
    "KnowledgeQuery",
    "get_knowledge_index",
    "normalise_document",
]
