"""The app's search engine, created on first use and shared by the process's threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app

from search import SearchEngine, get_engine

_lock = threading.Lock()
T = TypeVar("T")


def search_engine(app: Flask | None = None) -> SearchEngine:
    """Return this app's engine, creating it once."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    return created_once(app, "search", lambda: get_engine(app.config))


def created_once(app: Flask, key: str, create: Callable[[], T]) -> T:
    """Return ``app.extensions[key]``, made by ``create`` the first time any thread asks."""
    made = app.extensions.get(key)
    if made is None:
        with _lock:
            made = app.extensions.get(key)
            if made is None:
                made = create()
                app.extensions[key] = made
    return made


def close_engine(app: Flask) -> None:
    """Close the engine of ``app`` if it was created."""
    engine = app.extensions.pop("search", None)
    if engine is not None:
        engine.close()
