"""The knowledge index on Meilisearch, through the official client.

Requests are built by pure functions (``knowledge_settings``, ``build_filter``,
``build_search_params``, ``to_document``, ``to_result``) that need no server;
values go into filters only as escaped string literals or checked integers, as
in ``search.meilisearch_query``. The index is small, so a rebuild deletes every
document and adds them again (no staging index); Meilisearch applies the two
tasks in order.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

import meilisearch
import requests
from meilisearch.errors import MeilisearchApiError, MeilisearchError, MeilisearchTimeoutError

from search.base import (
    DEFAULT_SYNONYMS,
    EngineHealth,
    EngineTimeout,
    EngineUnavailable,
    Hit,
    InvalidQuery,
    SearchError,
    SearchResult,
)
from search.knowledge import (
    KNOWLEDGE_FACETS,
    KNOWLEDGE_FILTERS,
    KnowledgeDocument,
    KnowledgeIndex,
    KnowledgeQuery,
    normalise_document,
)
from search.meilisearch_engine import translate_api_error
from search.meilisearch_query import (
    LOCALES,
    MARK_CLOSE,
    MARK_OPEN,
    STOP_WORDS,
    escape_value,
    render_highlight,
    search_text,
    synonym_mapping,
)

logger = logging.getLogger(__name__)

PRIMARY_KEY: Final = "id"
SEARCHABLE: Final = ("title", "summary", "tag", "body")
FILTERABLE: Final = (*KNOWLEDGE_FILTERS, "publish_at", "id")
SORTABLE: Final = ("publish_at",)
HIGHLIGHT_FIELDS: Final = ("title", "summary")
BATCH_SIZE: Final = 1000


# --- Pure request building ------------------------------------------------------------


def knowledge_settings(synonyms: Iterable[Iterable[str]] = DEFAULT_SYNONYMS) -> dict[str, Any]:
    """Return the knowledge index settings."""
    return {
        "searchableAttributes": list(SEARCHABLE),
        "filterableAttributes": list(FILTERABLE),
        "sortableAttributes": list(SORTABLE),
        "rankingRules": ["words", "typo", "proximity", "attribute", "sort", "exactness"],
        "synonyms": synonym_mapping(synonyms),
        "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9}},
        "localizedAttributes": [{"attributePatterns": list(SEARCHABLE), "locales": list(LOCALES)}],
        "faceting": {"maxValuesPerFacet": 200},
        "stopWords": list(STOP_WORDS),
    }


def build_filter(query: KnowledgeQuery) -> str | None:
    """Return the filter expression: OR within a field, AND across, and the publication time."""
    clauses = []
    for field, values in query.filters().items():
        if isinstance(values, str):  # a bare string would be read letter by letter
            raise InvalidQuery(f"{field} must be a sequence of codes")
        alternatives = " OR ".join(f"{field} = {escape_value(value)}" for value in values)
        clauses.append(f"({alternatives})")
    if query.visible_at is not None:
        if isinstance(query.visible_at, bool) or not isinstance(query.visible_at, int):
            raise InvalidQuery("visible_at must be whole seconds")
        clauses.append(f"publish_at <= {int(query.visible_at)}")
    return " AND ".join(clauses) or None


def build_search_params(query: KnowledgeQuery) -> dict[str, Any]:
    """Return the search request body (``q`` included); without words the newest first."""
    text = search_text(query.text)
    params: dict[str, Any] = {
        "q": text,
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
    if not any(char.isalnum() for char in text):
        params["sort"] = ["publish_at:desc"]
    if query.facets:
        params["facets"] = [name for name in KNOWLEDGE_FACETS if name in query.facets]
    return params


def to_document(document: KnowledgeDocument | Mapping[str, Any]) -> dict[str, Any]:
    """Return the Meilisearch document of a knowledge document."""
    return normalise_document(document)


def to_result(query: KnowledgeQuery, response: Mapping[str, Any]) -> SearchResult:
    """Return the SearchResult for a raw Meilisearch search response."""
    hits = []
    for raw in response["hits"]:
        formatted = raw.get("_formatted") or {}
        highlights = {}
        for name in HIGHLIGHT_FIELDS:
            text = formatted.get(name, raw.get(name))
            highlights[name] = render_highlight(text if isinstance(text, str) else "")
        hits.append(
            Hit(
                id=str(raw[PRIMARY_KEY]),
                document={k: v for k, v in raw.items() if not k.startswith("_")},
                score=float(raw.get("_rankingScore") or 0.0),
                highlights=highlights,
            )
        )
    facets: dict[str, dict[str, int]] = {name: {} for name in query.facets}
    for name, counts in (response.get("facetDistribution") or {}).items():
        if name in facets:
            ordered = sorted(counts.items(), key=lambda item: (-int(item[1]), str(item[0])))
            facets[name] = {str(value): int(count) for value, count in ordered}
    return SearchResult(
        total=int(response.get("totalHits", len(hits))),
        hits=hits,
        facets=facets,
        page=query.page,
        per_page=query.per_page,
    )


# --- The engine -----------------------------------------------------------------------


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


class MeilisearchKnowledgeIndex(KnowledgeIndex):
    """Search the knowledge index on Meilisearch; settings are applied on first use."""

    name = "meilisearch"

    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        index_name: str = "portal_knowledge",
        timeout_s: float = 2.0,
        *,
        task_timeout_s: float = 60.0,
    ) -> None:
        """Remember where the server is; nothing is sent until the first call."""
        self.url = url
        self.index_name = index_name
        self.timeout_s = timeout_s
        self.task_timeout_s = task_timeout_s
        self._api_key = api_key
        self._local = threading.local()
        self._lock = threading.Lock()
        self._ready = False
        self._synonyms: tuple[tuple[str, ...], ...] = DEFAULT_SYNONYMS

    def _client(self) -> meilisearch.Client:
        """Return this thread's client."""
        client: meilisearch.Client | None = getattr(self._local, "client", None)
        if client is None:
            client = meilisearch.Client(self.url, self._api_key, timeout=self.timeout_s)  # type: ignore[arg-type]
            self._local.client = client
        return client

    def _wait(self, task_uid: int, what: str, tolerate: tuple[str, ...] = ()) -> None:
        """Wait for a task; raise EngineUnavailable unless it succeeded (or failed as tolerated)."""
        task = self._client().wait_for_task(
            task_uid, timeout_in_ms=int(self.task_timeout_s * 1000), interval_in_ms=50
        )
        if task.status == "succeeded" or (task.error or {}).get("code") in tolerate:
            return
        message = (task.error or {}).get("message") or task.status
        raise EngineUnavailable(f"Meilisearch could not {what}: {message}")

    def _prepare(self) -> None:
        """Create the index if needed and apply the settings, once per engine."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            client = self._client()
            task = client.create_index(self.index_name, {"primaryKey": PRIMARY_KEY})
            self._wait(task.task_uid, "create the index", tolerate=("index_already_exists",))
            task = client.index(self.index_name).update_settings(knowledge_settings(self._synonyms))
            self._wait(task.task_uid, "apply the index settings")
            self._ready = True

    def index(self, documents: Iterable[KnowledgeDocument]) -> None:
        """Add or replace documents and wait until searches see them."""
        prepared = [to_document(document) for document in documents]
        if not prepared:
            return
        with _translated_errors("index the documents"):
            self._prepare()
            index = self._client().index(self.index_name)
            for start in range(0, len(prepared), BATCH_SIZE):
                batch = prepared[start : start + BATCH_SIZE]
                task = index.add_documents(batch, primary_key=PRIMARY_KEY)
                self._wait(task.task_uid, "index the documents")

    def remove(self, ids: Iterable[str]) -> None:
        """Remove documents by id and wait; unknown ids are ignored."""
        wanted = sorted({str(i) for i in ids})
        if not wanted:
            return
        with _translated_errors("remove documents"):
            self._prepare()
            expression = f"{PRIMARY_KEY} IN [{', '.join(map(escape_value, wanted))}]"
            task = self._client().index(self.index_name).delete_documents(filter=expression)
            self._wait(task.task_uid, "remove documents")

    def search(self, query: KnowledgeQuery) -> SearchResult:
        """Answer ``query``; a missing index answers with no hits."""
        params = build_search_params(query)
        text = params.pop("q")
        with _translated_errors("search"):
            try:
                response = self._client().index(self.index_name).search(text, params)
            except MeilisearchApiError as exc:
                if exc.code == "index_not_found":
                    return SearchResult(
                        0, [], {n: {} for n in query.facets}, query.page, query.per_page
                    )
                raise
            return to_result(query, response)

    def rebuild(self, documents: Iterable[KnowledgeDocument]) -> int:
        """Delete every document, then add ``documents``; return how many."""
        prepared = {doc["id"]: doc for doc in map(to_document, documents)}
        with _translated_errors("rebuild the index"):
            self._prepare()
            index = self._client().index(self.index_name)
            self._wait(index.delete_all_documents().task_uid, "empty the index")
        self.index(prepared.values())
        return len(prepared)

    def ids(self) -> dict[str, int]:
        """Return every indexed id with its ``updated_at``."""
        found: dict[str, int] = {}
        with _translated_errors("list the documents"):
            index = self._client().index(self.index_name)
            offset = 0
            while True:
                try:
                    page = index.get_documents(
                        {"fields": [PRIMARY_KEY, "updated_at"], "limit": 1000, "offset": offset}
                    )
                except MeilisearchApiError as exc:
                    if exc.code == "index_not_found":
                        return {}
                    raise
                for document in map(dict, page.results):
                    found[str(document[PRIMARY_KEY])] = int(document.get("updated_at") or 0)
                offset += len(page.results)
                if not page.results or offset >= page.total:
                    return found

    def health(self) -> EngineHealth:
        """Report whether Meilisearch answers and how many documents the index holds."""
        try:
            with _translated_errors("read the index statistics"):
                stats = self._client().index(self.index_name).get_stats()
            return EngineHealth(ok=True, engine=self.name, documents=stats.number_of_documents)
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
