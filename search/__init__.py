"""Search engines behind one interface. This package never imports ``portal``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from search.base import (
    DEFAULT_SYNONYMS,
    FACET_FIELDS,
    Document,
    EngineHealth,
    EngineTimeout,
    EngineUnavailable,
    GeoPoint,
    Hit,
    InvalidQuery,
    SearchEngine,
    SearchError,
    SearchQuery,
    SearchResult,
    Sort,
)

__all__ = [
    "DEFAULT_SYNONYMS",
    "FACET_FIELDS",
    "Document",
    "EngineHealth",
    "EngineTimeout",
    "EngineUnavailable",
    "GeoPoint",
    "Hit",
    "InvalidQuery",
    "SearchEngine",
    "SearchError",
    "SearchQuery",
    "SearchResult",
    "Sort",
    "get_engine",
]


def get_engine(config: Mapping[str, Any]) -> SearchEngine:
    """Create the engine named by config["SEARCH_ENGINE"] ("embedded" or "meilisearch")."""
    name = config.get("SEARCH_ENGINE", "embedded")
    if name == "embedded":
        from search.tantivy_engine import TantivyEngine

        return TantivyEngine(config["SEARCH_INDEX_DIR"])
    if name == "meilisearch":
        from search.meilisearch_engine import MeilisearchEngine

        return MeilisearchEngine(
            url=config["MEILI_URL"],
            api_key=config.get("MEILI_API_KEY") or None,
            index_name=f"{config.get('MEILI_INDEX_PREFIX', 'portal')}_offers",
            timeout_s=float(config.get("SEARCH_TIMEOUT", 2.0)),
        )
    raise ValueError(f"unknown search engine {name!r}")
