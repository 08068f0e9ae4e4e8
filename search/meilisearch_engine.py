"""Meilisearch, the production engine, through the official client.

Requests and responses are translated by the pure functions of
``search.meilisearch_query``; this module talks to the server, waits for its tasks and
turns its failures into the engine-neutral errors.

Synonyms: a new index gets the engine's synonyms (``DEFAULT_SYNONYMS`` unless
``set_synonyms`` was called); re-applying settings to an existing index leaves
its synonyms alone and ``rebuild`` carries them over, so a process that starts
later never resets synonyms another process set.

The official client shares one header dictionary per client between requests,
so each thread gets its own client.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final

import meilisearch
import requests
from meilisearch.errors import (
    MeilisearchApiError,
    MeilisearchError,
    MeilisearchTimeoutError,
)

from search.base import (
    DEFAULT_SYNONYMS,
    Document,
    EngineHealth,
    EngineTimeout,
    EngineUnavailable,
    InvalidQuery,
    SearchEngine,
    SearchError,
    SearchQuery,
    SearchResult,
)
from search.meilisearch_query import (
    PRIMARY_KEY,
    build_search_params,
    empty_result,
    escape_value,
    settings,
    synonym_mapping,
    to_meili_document,
    to_result,
)

logger = logging.getLogger(__name__)

BATCH_SIZE: Final = 10_000
IDS_PAGE_SIZE: Final = 1_000
DELETE_CHUNK_SIZE: Final = 1_000


class _MissingIndex(EngineUnavailable):
    """The index does not exist (yet)."""


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
            return empty_result(query)

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
