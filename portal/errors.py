"""Error pages in the portal's own style."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from portal.extensions import db
from portal.observability import count_error

logger = logging.getLogger(__name__)


def _render_http_error(error: HTTPException) -> tuple[str, int] | Response:
    code = error.code or 500
    if request.path.endswith(".json") or request.path.startswith("/api/"):
        response = jsonify(error=code, message=error.name, description=error.description)
        response.status_code = code
        return response
    template = "errors/404.html" if code == 404 else "errors/error.html"
    return render_template(template, error=error, code=code), code


def _render_internal_error(error: Exception) -> tuple[str, int]:
    db.session.rollback()
    count_error(getattr(error, "original_exception", None) or error)
    logger.exception("Unhandled error: %s", type(error).__name__)
    return render_template("errors/500.html", code=500), 500


def init_app(app: Flask) -> None:
    """Register handlers that render errors as pages in the site's layout."""
    app.register_error_handler(HTTPException, _render_http_error)
    app.register_error_handler(500, _render_internal_error)
