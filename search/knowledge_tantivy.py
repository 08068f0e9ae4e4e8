"""The embedded knowledge index: Tantivy in process, one small index on disk.

The index is small, so a rebuild replaces every document in one commit instead
of switching generations; a commit is atomic for readers. Writes hold
``index_dir/write.lock`` (``fcntl.flock``) so several processes can share the
directory; before each search a process reloads when ``meta.json`` changed.
``index_dir/format.json`` names the schema version: an index of an older format
is refused until it is rebuilt. Schema and queries: ``search.knowledge_tantivy_query``.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import tantivy

from search.analysis import SynonymMap, clean
from search.base import (
    DEFAULT_SYNONYMS,
    EngineHealth,
    EngineUnavailable,
    SearchError,
    SearchResult,
)
from search.knowledge import KnowledgeDocument, KnowledgeIndex, KnowledgeQuery, normalise_document
from search.knowledge_tantivy_query import SCHEMA, run_search, to_tantivy_document
from search.tantivy_schema import prepare_index, stem

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1  # bump when documents are indexed differently
_Q = tantivy.Query


def _signature(path: Path) -> tuple[int, ...] | None:
    """Return what identifies a file's version (None if it is missing)."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


# --- The engine ---------------------------------------------------------------------------


class TantivyKnowledgeIndex(KnowledgeIndex):
    """The embedded knowledge index in ``index_dir``, shared by several processes."""

    name = "embedded"

    def __init__(
        self, index_dir: str | Path, *, writer_heap_mb: int = 16, lock_timeout_s: float = 30.0
    ) -> None:
        """Remember the folder; the index is opened on first use."""
        self.index_dir = Path(index_dir)
        self._heap_bytes = max(16, writer_heap_mb) * 1_000_000
        self._lock_timeout_s = lock_timeout_s
        self._lock = threading.RLock()
        self._index: tantivy.Index | None = None
        self._meta_signature: tuple[int, ...] | None = None
        self._synonyms: SynonymMap | None = None
        self._synonyms_signature: tuple[int, ...] | None = None

    @property
    def _data_dir(self) -> Path:
        """Return the folder of the Tantivy index."""
        return self.index_dir / "data"

    @property
    def _format_file(self) -> Path:
        """Return the file naming the index format."""
        return self.index_dir / "format.json"

    def _format_ok(self) -> bool:
        """Return whether the index on disk has the current format."""
        try:
            data = json.loads(self._format_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return False
        return data.get("version") == FORMAT_VERSION

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
    def _errors(self, action: str) -> Iterator[None]:
        """Turn Tantivy and file-system failures into EngineUnavailable."""
        try:
            yield
        except SearchError:
            raise
        except (KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException as exc:  # Tantivy panics derive from BaseException
            logger.exception("knowledge index %s failed", action)
            raise EngineUnavailable(f"knowledge index {action} failed: {exc}") from exc

    def _create(self) -> None:
        """Start an empty index of the current format (write lock held)."""
        shutil.rmtree(self._data_dir, ignore_errors=True)
        self._data_dir.mkdir(parents=True)
        tantivy.Index(SCHEMA, path=str(self._data_dir), reuse=False)
        temporary = self._format_file.with_name(f".format.{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"version": FORMAT_VERSION}), encoding="utf-8")
        os.replace(temporary, self._format_file)
        self._index = None

    def _current(self) -> tantivy.Index:
        """Return the opened index, reloaded if another process committed since."""
        with self._lock:
            if not self._format_ok():
                if self._format_file.exists():
                    raise EngineUnavailable("the knowledge index has an old format; reindex it")
                with self._file_lock():
                    if not self._format_ok():
                        self._create()
            meta = _signature(self._data_dir / "meta.json")
            if self._index is None:
                self._index = prepare_index(tantivy.Index.open(str(self._data_dir)))
            elif meta != self._meta_signature:
                self._index.reload()
            self._meta_signature = meta
            return self._index

    @contextmanager
    def _writer(self, fresh: bool = False) -> Iterator[tantivy.IndexWriter]:
        """Open a writer (on a new, empty index if ``fresh``); commit, then reload."""
        with self._lock, self._file_lock():
            if fresh or not self._format_ok():
                self._create()
            index = self._index or prepare_index(tantivy.Index.open(str(self._data_dir)))
            self._index = index
            writer = index.writer(self._heap_bytes)
            try:
                yield writer
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
            index.reload()
            self._meta_signature = _signature(self._data_dir / "meta.json")

    def index(self, documents: Iterable[KnowledgeDocument]) -> None:
        """Add or replace documents by id; searches see them when this returns."""
        prepared = [normalise_document(document) for document in documents]
        if not prepared:
            return
        with self._errors("write"), self._writer() as writer:
            for doc in prepared:
                writer.delete_documents_by_term("id", clean(doc["id"]))
                writer.add_document(to_tantivy_document(doc))

    def remove(self, ids: Iterable[str]) -> None:
        """Remove documents by id; unknown ids are ignored."""
        unique = sorted({clean(str(doc_id)) for doc_id in ids})
        if not unique:
            return
        with self._errors("write"), self._writer() as writer:
            for doc_id in unique:
                writer.delete_documents_by_term("id", doc_id)

    def rebuild(self, documents: Iterable[KnowledgeDocument]) -> int:
        """Replace every document in one commit, on a fresh index of the current format."""
        prepared = {doc["id"]: doc for doc in map(normalise_document, documents)}
        with self._errors("rebuild"), self._writer(fresh=True) as writer:
            for doc in prepared.values():
                writer.add_document(to_tantivy_document(doc))
        logger.info("knowledge index rebuilt with %s documents", len(prepared))
        return len(prepared)

    def search(self, query: KnowledgeQuery) -> SearchResult:
        """Answer a query from the latest commit."""
        with self._errors("search"):
            searcher = self._current().searcher()
            return run_search(searcher, query, self.synonyms())

    def ids(self) -> dict[str, int]:
        """Return every indexed id with its updated_at."""
        with self._errors("listing"):
            searcher = self._current().searcher()
            if not searcher.num_docs:
                return {}
            result = searcher.search(_Q.all_query(), limit=searcher.num_docs)
            found: dict[str, int] = {}
            for _score, address in result.hits:
                doc = json.loads(bytes(searcher.doc(address).get_first("doc") or b"{}"))
                found[doc["id"]] = int(doc.get("updated_at") or 0)
            return found

    def health(self) -> EngineHealth:
        """Report whether the index can be searched, and how many documents it holds."""
        try:
            documents = self._current().searcher().num_docs
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # Tantivy panics derive from BaseException
            return EngineHealth(ok=False, engine=self.name, detail=str(exc) or type(exc).__name__)
        return EngineHealth(ok=True, engine=self.name, documents=documents)

    @property
    def _synonyms_path(self) -> Path:
        """Return the file holding the synonym list."""
        return self.index_dir / "synonyms.json"

    def synonyms(self) -> SynonymMap:
        """Return the synonym list, re-read when another process replaced it."""
        signature = _signature(self._synonyms_path)
        if self._synonyms is None or signature != self._synonyms_signature:
            groups: Sequence[Sequence[str]] = DEFAULT_SYNONYMS
            if signature is not None:
                groups = json.loads(self._synonyms_path.read_text(encoding="utf-8"))["groups"]
            self._synonyms = SynonymMap(groups, stem)
            self._synonyms_signature = signature
        return self._synonyms

    def set_synonyms(self, groups: Sequence[Sequence[str]]) -> None:
        """Replace the synonym list for every process using this directory."""
        synonym_map = SynonymMap(groups, stem)
        with self._errors("synonym update"), self._lock:
            self.index_dir.mkdir(parents=True, exist_ok=True)
            temporary = self._synonyms_path.with_name(f".synonyms.{os.getpid()}.tmp")
            temporary.write_text(
                json.dumps({"groups": synonym_map.groups}, ensure_ascii=False), encoding="utf-8"
            )
            os.replace(temporary, self._synonyms_path)
            self._synonyms = synonym_map
            self._synonyms_signature = _signature(self._synonyms_path)

    def close(self) -> None:
        """Drop the opened index; the next call reopens it."""
        with self._lock:
            self._index = None
            self._meta_signature = None
