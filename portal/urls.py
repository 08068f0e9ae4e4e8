"""Absolute links for emails and printed cards, built from PUBLIC_URL.

Commands run by cron have no request to take the host from, and behind a
proxy the request's host may be an internal name, so links that leave the
site are always built from the configured public address.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app


def public_url_for(endpoint: str, **values: Any) -> str:
    """Return the absolute public URL of an endpoint."""
    parts = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def safe_next(target: str | None) -> str | None:
    """Return ``target`` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers read a backslash as a slash and drop tabs and line breaks, so
    # "/\\evil.example" or "/\t/evil.example" would leave the site.
    if "\\" in target or any(char.isspace() or ord(char) < 32 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def init_app(app: Flask) -> None:
    """Make public_url_for available in templates (emails above all)."""
    app.jinja_env.globals["public_url_for"] = public_url_for
