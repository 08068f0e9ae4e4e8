"""The embedded search engine: Tantivy in process, with the index on disk.

The engine is split by concern: ``search.tantivy_schema`` (how offers are stored),
``search.tantivy_query`` (words, filters, facets, scores, highlights),
``search.tantivy_geo`` (radius, grid cells, distance order) and
``search.tantivy_search`` (answering one query from a searcher). This module holds the
storage and the ``TantivyEngine`` that the portal uses.

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
import json
import logging
import math
import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import tantivy

from search.analysis import SynonymMap, clean
from search.base import (
    DEFAULT_SYNONYMS,
    Document,
    EngineHealth,
    EngineUnavailable,
    SearchEngine,
    SearchError,
    SearchQuery,
    SearchResult,
)
from search.tantivy_query import FacetNames
from search.tantivy_schema import (
    SCHEMA,
    SCHEMA_VERSION,
    InvalidDocument,
    normalise,
    prepare_index,
    stem,
    to_tantivy_document,
)
from search.tantivy_search import run_search

__all__ = ["SCHEMA_VERSION", "InvalidDocument", "TantivyEngine"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Snapshot:
    """One opened generation; swapped as a whole so a search sees one consistent state."""

    generation: str
    index: tantivy.Index
    searcher: tantivy.Searcher
    meta_signature: tuple[int, ...] | None
    facet_names: FacetNames


def _signature(path: Path) -> tuple[int, ...] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino)


def _replace_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, so readers see the old or the new file."""
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


@contextmanager
def _committing(writer: tantivy.IndexWriter) -> Iterator[tantivy.IndexWriter]:
    """Commit what the block wrote, or roll it back if it failed; then release the writer."""
    try:
        yield writer
        writer.commit()
    except BaseException:
        writer.rollback()
        raise
    finally:
        writer.wait_merging_threads()  # also releases Tantivy's own lock


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
        _replace_file(self._pointer, json.dumps({"generation": name, "schema": SCHEMA_VERSION}))

    def _new_generation(self) -> tuple[str, tantivy.Index]:
        folder = self.index_dir / "generations"
        folder.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.name) for p in folder.iterdir() if p.name.isdigit()]
        name = f"{max(numbers, default=0) + 1:08d}"
        path = self._generation_dir(name)
        path.mkdir()
        return name, prepare_index(tantivy.Index(SCHEMA, path=str(path), reuse=False))

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
            index = prepare_index(tantivy.Index.open(str(self._generation_dir(name))))
        searcher = index.searcher()
        names = FacetNames(searcher)
        self._snapshot = _Snapshot(name, index, searcher, meta_signature, names)
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
            with _committing(writer):
                yield writer
            self._refresh()

    # Writing.

    def index(self, documents: Iterable[Document]) -> None:
        """Add or replace documents by id; searches see them when this returns."""
        prepared = [to_tantivy_document(normalise(document)) for document in documents]
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
        seen: set[str] = set()
        with _committing(index.writer(self._heap_bytes)) as writer:
            for document in documents:
                doc = normalise(document)
                if doc["id"] in seen:
                    writer.delete_documents_by_term("id", doc["id"])
                seen.add(doc["id"])
                writer.add_document(to_tantivy_document(doc))
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
            data = {"groups": synonym_map.groups}
            _replace_file(self._synonyms_path, json.dumps(data, ensure_ascii=False))
            self._synonyms = synonym_map
            self._synonyms_signature = _signature(self._synonyms_path)

    # Reading.

    def search(self, query: SearchQuery) -> SearchResult:
        """Answer a query from the live generation."""
        with _translating_errors("search"):
            snapshot = self._current()
            return run_search(snapshot.searcher, query, self.synonyms(), snapshot.facet_names)

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
                scope = tantivy.Query.range_query(
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
