"""Serve third-party browser files from their Python packages (no CDN, no copies)."""

from __future__ import annotations

import xstatic.pkg.leaflet
from flask import Flask, send_from_directory
from werkzeug.wrappers import Response

ONE_WEEK = 7 * 24 * 3600


def leaflet(filename: str) -> Response:
    """Serve a file of Leaflet from the xstatic-leaflet package."""
    return send_from_directory(xstatic.pkg.leaflet.BASE_DIR, filename, max_age=ONE_WEEK)


def init_app(app: Flask) -> None:
    """Register the vendor file routes."""
    app.add_url_rule(
        "/static/vendor/leaflet/<path:filename>", endpoint="vendor_leaflet", view_func=leaflet
    )
