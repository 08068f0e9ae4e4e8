"""Keep computed statistics for a few minutes, so a popular page costs a few full scans an hour.

Each app keeps its own small cache (one per process); the answers are at most
STATISTICS_CACHE_SECONDS old (default 300, 0 turns caching off). Counts of a
national directory do not need to be fresher than that, and the pages say so.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import current_app

DEFAULT_SECONDS = 300
MAX_ENTRIES = 200

T = TypeVar("T")


class TimedCache:
    """A small thread-safe cache whose entries expire after a fixed time."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        """Create an empty cache holding at most ``max_entries`` answers."""
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._max_entries = max_entries

    def get_or_compute(self, key: Hashable, seconds: float, compute: Callable[[], T]) -> T:
        """Return the cached value of ``key`` if younger than ``seconds``, else compute it."""
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and now - entry[0] < seconds:
                self._entries.move_to_end(key)
                return entry[1]
        # Computed outside the lock: two requests may both compute, which is
        # cheaper than making every other page wait.
        value = compute()
        with self._lock:
            self._entries[key] = (now, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return value


def cache_seconds() -> int:
    """Return how long the app keeps statistics (STATISTICS_CACHE_SECONDS)."""
    return int(current_app.config.get("STATISTICS_CACHE_SECONDS", DEFAULT_SECONDS))


def kept_for(
    seconds: float,
    name: str,
    key: Hashable,
    compute: Callable[[], T],
    max_entries: int = MAX_ENTRIES,
) -> T:
    """Return the answer for ``key`` from the app's cache ``name`` if younger than ``seconds``.

    The cache is made on first use with room for ``max_entries``; 0 seconds
    (as in tests) computes every time.
    """
    if seconds <= 0:
        return compute()
    cache = current_app.extensions.get(name)
    if cache is None:
        cache = current_app.extensions.setdefault(name, TimedCache(max_entries))
    return cache.get_or_compute(key, seconds, compute)


def cached(key: Hashable, compute: Callable[[], T]) -> T:
    """Return the app's cached answer for ``key``, computing it when missing or too old."""
    return kept_for(cache_seconds(), "statistics_cache", key, compute)
