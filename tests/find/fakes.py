"""A dictionary-backed engine for testing what surrounds the engines (outbox, fallback)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from search import (
    Document,
    EngineHealth,
    EngineUnavailable,
    Hit,
    SearchEngine,
    SearchQuery,
    SearchResult,
)


class DictEngine(SearchEngine):
    """Keeps documents in a dict; can be switched off or slowed down like a real server."""

    name = "dict"

    def __init__(self) -> None:
        self.documents: dict[str, Document] = {}
        self.down = False
        self.delay_s = 0.0
        self.searches = 0

    def _check(self) -> None:
        if self.down:
            raise EngineUnavailable("the engine is switched off")

    def index(self, documents: Iterable[Document]) -> None:
        self._check()
        for document in documents:
            self.documents[document["id"]] = document

    def remove(self, ids: Iterable[str]) -> None:
        self._check()
        for document_id in ids:
            self.documents.pop(document_id, None)

    def search(self, query: SearchQuery) -> SearchResult:
        self.searches += 1
        if self.delay_s:
            time.sleep(self.delay_s)
        self._check()
        words = query.text.lower().split()
        hits = [
            Hit(id=doc_id, document=dict(doc))
            for doc_id, doc in sorted(self.documents.items())
            if all(word in doc["title"].lower() for word in words)
        ]
        page = hits[query.offset : query.offset + query.per_page]
        return SearchResult(len(hits), page, {}, query.page, query.per_page)

    def rebuild(self, documents: Iterable[Document]) -> int:
        self._check()
        fresh = {document["id"]: document for document in documents}
        self.documents = fresh
        return len(fresh)

    def ids(self) -> dict[str, int]:
        self._check()
        return {doc_id: doc.get("updated_at", 0) for doc_id, doc in self.documents.items()}

    def health(self) -> EngineHealth:
        if self.down:
            return EngineHealth(False, self.name, detail="switched off")
        return EngineHealth(True, self.name, documents=len(self.documents))

    def set_synonyms(self, groups: Sequence[Sequence[str]]) -> None:
        self._check()
