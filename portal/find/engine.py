"""The app's search engine, created on first use and shared by the process's threads."""

from __future__ import annotations

import threading

from flask import Flask, current_app

from search import SearchEngine, get_engine

_lock = threading.Lock()


def search_engine(app: Flask | None = None) -> SearchEngine:
    """Return this app's engine, creating it once."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    engine = app.extensions.get("search")
    if engine is None:
        with _lock:
            engine = app.extensions.get("search")
            if engine is None:
                engine = get_engine(app.config)
                app.extensions["search"] = engine
    return engine


def close_engine(app: Flask) -> None:
    """Close the engine of ``app`` if it was created."""
    engine = app.extensions.pop("search", None)
    if engine is not None:
        engine.close()
