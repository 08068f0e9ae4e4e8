"""Keep the busiest public pages rendered for visitors who are not signed in.

The search page, its JSON twin, an offer's page and the home page look the
same to every visitor who is not signed in, apart from the language. Each web
process keeps the answers it rendered within PAGE_CACHE_MEGABYTES, so a
popular search or offer costs one rendering per process instead of one per
visitor.

A page is kept until the directory changes or PAGE_CACHE_SECONDS (default 300;
0 turns the cache off) have passed. Every change to offers and their index
entries grows a counter in the database (``directory_version``, see
``portal.find.sync``); each process looks at it at most once a second and
forgets the pages made before it grew. What the counter does not follow (the
knowledge centre's boxes beside an offer, the clock moving the next meeting)
waits for the period to end.

Never cached: signed-in users (their pages carry their name and tools), a
visitor with a message waiting, and any answer that is not a plain 200, sets
a cookie or touches the session, or that the view marked with
:func:`do_not_store` (a degraded search, a search counted as unmet demand).
"""

from __future__ import annotations

import functools
import gzip
import logging
import math
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from prometheus_client import Counter
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.find.models import directory_version

logger = logging.getLogger(__name__)

PAGE_CACHE = Counter(
    "portal_page_cache_total", "Answers served from or stored in the page cache.", ["result"]
)
# Pages are kept and sent compressed: a search page of 50 kB is 9 kB, which
# matters both for the cache's memory and for old phones on slow connections.
GZIP_LEVEL = 6
# A page lives between this share of PAGE_CACHE_SECONDS and all of it.
MIN_LIFETIME = 0.75
# How often a process asks the database whether the directory changed.
VERSION_CHECK_SECONDS = 1.0
# What a stored page costs beyond its body: key, headers, bookkeeping.
ENTRY_OVERHEAD = 512
# Headers that belong to one answer only; the security and session headers are
# added after the view, so they are never stored.
_SKIPPED_HEADERS = {"set-cookie", "date", "content-length"}


@dataclass(frozen=True)
class CachedPage:
    """A rendered answer: status, the view's own headers, gzipped body, and when it was made."""

    status: int
    headers: tuple[tuple[str, str], ...]
    gzipped: bytes
    made: float
    version: int | None = None
    # The share of PAGE_CACHE_SECONDS this page lives: pages made together
    # (after a restart or a change) then expire spread out, not all at once.
    lifetime: float = 1.0

    @classmethod
    def of(cls, response: Response, version: int | None) -> CachedPage:
        """Return the cacheable copy of a view's response."""
        return cls(
            status=response.status_code,
            headers=tuple(
                (name, value)
                for name, value in response.headers.items()
                if name.lower() not in _SKIPPED_HEADERS
            ),
            gzipped=gzip.compress(response.get_data(), GZIP_LEVEL),
            made=time.monotonic(),
            version=version,
            lifetime=random.uniform(MIN_LIFETIME, 1.0),  # noqa: S311 - spreads expiry only
        )

    @property
    def size(self) -> int:
        """Return roughly how many bytes the entry holds."""
        return len(self.gzipped) + ENTRY_OVERHEAD + sum(len(k) + len(v) for k, v in self.headers)

    def response(self, gzipped: bool) -> Response:
        """Return a fresh response with the stored answer, compressed if the client accepts it."""
        response = Response(
            self.gzipped if gzipped else gzip.decompress(self.gzipped),
            status=self.status,
            headers=list(self.headers),
        )
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
        return response


class PageCache:
    """A thread-safe store of rendered pages, bounded in bytes, oldest-used evicted first."""

    def __init__(self, max_bytes: int) -> None:
        """Create an empty cache holding at most ``max_bytes``."""
        self._pages: OrderedDict[tuple[str, ...], CachedPage] = OrderedDict()
        self._lock = threading.Lock()
        self._max_bytes = max_bytes
        self._bytes = 0

    def get(
        self, key: tuple[str, ...], seconds: float, version: int | None = None
    ) -> CachedPage | None:
        """Return the page stored under ``key`` if younger than ``seconds`` and of ``version``."""
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                return None
            expired = time.monotonic() - page.made >= seconds * page.lifetime
            if expired or page.version != version:
                self._drop(key)
                return None
            self._pages.move_to_end(key)
            return page

    def put(self, key: tuple[str, ...], page: CachedPage) -> None:
        """Store ``page`` under ``key``, evicting the least recently used pages to make room."""
        if _entry_size(key, page) > self._max_bytes:
            return
        with self._lock:
            if key in self._pages:
                self._drop(key)
            self._pages[key] = page
            self._bytes += _entry_size(key, page)
            while self._bytes > self._max_bytes:
                self._drop(next(iter(self._pages)))

    def clear(self) -> None:
        """Forget every page."""
        with self._lock:
            self._pages.clear()
            self._bytes = 0

    def __len__(self) -> int:
        """Return how many pages are stored."""
        return len(self._pages)

    def _drop(self, key: tuple[str, ...]) -> None:
        self._bytes -= _entry_size(key, self._pages.pop(key))


def _entry_size(key: tuple[str, ...], page: CachedPage) -> int:
    return page.size + sum(len(part) for part in key)


def page_cache() -> PageCache:
    """Return this app's page cache, creating it on first use."""
    cache = current_app.extensions.get("page_cache")
    if cache is None:
        megabytes = current_app.config["PAGE_CACHE_MEGABYTES"]
        cache = current_app.extensions.setdefault("page_cache", PageCache(megabytes * 1024**2))
    return cache


class _VersionWatch:
    """The directory version a process last saw, and when it looked."""

    def __init__(self) -> None:
        self.version: int | None = None
        self.checked = -math.inf
        self.lock = threading.Lock()


def current_version(cache: PageCache) -> int | None:
    """Return the directory version, asking the database at most once a second.

    When it has grown, the pages made before are forgotten. When the database
    cannot answer, the last known version stands, so cached pages still serve.
    """
    watch = current_app.extensions.get("page_cache_version")
    if watch is None:
        watch = current_app.extensions.setdefault("page_cache_version", _VersionWatch())
    now = time.monotonic()
    with watch.lock:
        if now - watch.checked < VERSION_CHECK_SECONDS:
            return watch.version
        watch.checked = now
    try:
        version = directory_version(db.session)
    except SQLAlchemyError as error:
        db.session.rollback()
        logger.warning("page cache could not read the directory version: %s", type(error).__name__)
        return watch.version
    with watch.lock:
        if version != watch.version:
            watch.version = version
            cache.clear()
    return version


def do_not_store() -> None:
    """Keep the answer being rendered out of the cache (it must not be shown again)."""
    g.page_cache_skip = True


def _may_use_cache() -> bool:
    """Return whether this request may be answered from, or stored in, the cache."""
    return (
        request.method == "GET" and not current_user.is_authenticated and "_flashes" not in session
    )


def _key() -> tuple[str, ...]:
    return (request.endpoint or "", request.full_path, str(get_locale()))


def _accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def _storable(response: Response) -> bool:
    return (
        response.status_code == 200
        and not response.is_streamed
        and "Content-Encoding" not in response.headers
        and "Set-Cookie" not in response.headers
        and not session.modified
        and not g.get("page_cache_skip", False)
    )


def cached_page(on_hit: Callable[..., None] | None = None) -> Callable:
    """Serve the view from the page cache for anonymous visitors; ``on_hit`` runs on each hit.

    ``on_hit`` receives the view's arguments; it is for the little a view does
    besides rendering that must happen for every visitor (counting a view).
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(**kwargs: Any) -> Any:
            seconds = current_app.config["PAGE_CACHE_SECONDS"]
            if seconds <= 0 or not _may_use_cache():
                return view(**kwargs)
            cache = page_cache()
            version = current_version(cache)
            key = _key()
            page = cache.get(key, seconds, version)
            if page is not None:
                PAGE_CACHE.labels("hit").inc()
                if on_hit is not None:
                    on_hit(**kwargs)
                return page.response(_accepts_gzip())
            response = current_app.make_response(view(**kwargs))
            if not _storable(response):
                PAGE_CACHE.labels("not_stored").inc()
                return response
            PAGE_CACHE.labels("stored").inc()
            page = CachedPage.of(response, version)
            cache.put(key, page)
            return page.response(_accepts_gzip())

        return wrapper

    return decorate
