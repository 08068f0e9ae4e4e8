"""Run a search on the engine, falling back to the database when it fails or is slow."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

import sqlalchemy.orm as so

from portal.find.fallback import database_search
from portal.observability import observe_search
from search import SearchEngine, SearchError, SearchQuery, SearchResult

logger = logging.getLogger(__name__)

# Engine calls run on these threads so a hung engine cannot hold a request
# past its time limit; the request answers from the database instead.
_executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="search")


@dataclass
class SearchOutcome:
    """A result and whether it came from the simpler database fallback."""

    result: SearchResult
    degraded: bool = False


def run_search(
    session: so.Session, engine: SearchEngine, query: SearchQuery, timeout_s: float
) -> SearchOutcome:
    """Ask the engine; on an engine error or after ``timeout_s`` ask the database."""
    started = time.perf_counter()
    outcome = _search_or_fall_back(session, engine, query, timeout_s)
    observe_search(engine.name, outcome.degraded, time.perf_counter() - started)
    return outcome


def ask_or_fall_back(
    executor: ThreadPoolExecutor,
    ask: Callable[[], SearchResult],
    fall_back: Callable[[], SearchResult],
    timeout_s: float,
    engine_name: str,
) -> SearchOutcome:
    """Run ``ask`` on ``executor``; on an engine error or after ``timeout_s`` run ``fall_back``."""
    try:
        return SearchOutcome(executor.submit(ask).result(timeout=timeout_s))
    except FutureTimeout:
        logger.warning("%s exceeded %.1f s; answering from the database", engine_name, timeout_s)
    except SearchError as error:
        logger.warning(
            "%s failed (%s); answering from the database", engine_name, type(error).__name__
        )
    return SearchOutcome(fall_back(), degraded=True)


def _search_or_fall_back(
    session: so.Session, engine: SearchEngine, query: SearchQuery, timeout_s: float
) -> SearchOutcome:
    return ask_or_fall_back(
        _executor,
        lambda: engine.search(query),
        lambda: database_search(session, query),
        timeout_s,
        f"Search engine {engine.name}",
    )
