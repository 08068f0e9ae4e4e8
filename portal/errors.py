"""Error pages in the portal's own style."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException, ServiceUnavailable

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


# How long a client should wait before trying again while the database is away.
DATABASE_RETRY_AFTER = 30


def _database_unavailable(error: sa.exc.DBAPIError) -> tuple[str, int] | Response:
    """Answer 503 with Retry-After while the database cannot be reached.

    The pool checks connections before use (pre-ping), so the first request
    after the database is back gets a fresh connection and succeeds.
    """
    db.session.rollback()
    if not error.connection_invalidated and not isinstance(
        error, sa.exc.OperationalError | sa.exc.InterfaceError
    ):
        return _render_internal_error(error)
    logger.warning("Database unavailable: %s", type(error.orig).__name__)
    count_error(error)
    response = _render_http_error(ServiceUnavailable())
    if isinstance(response, tuple):
        response = Response(response[0], status=response[1], mimetype="text/html")
    response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return response


def _bad_value(error: sa.exc.DataError) -> tuple[str, int] | Response:
    """Answer 400 when the database refuses a value (e.g. a NUL byte in PostgreSQL text)."""
    db.session.rollback()
    logger.info("Database refused a value: %s", type(error.orig).__name__)
    return _render_http_error(BadRequest())


class NulByteError(BadRequest):
    """A parameter holds a NUL byte, which no text field can store."""

    def __init__(self, parameter: str) -> None:
        super().__init__(f"{parameter} must not contain a NUL byte")
        self.parameter = parameter


def _refuse_nul_bytes() -> None:
    """Refuse NUL bytes in submitted forms before anything is written.

    Searches and listings clean their own parameters (a NUL is dropped, or the
    API names the parameter); any value that still reaches the database is
    answered 400 by the DataError handler.
    """
    if request.mimetype != "application/x-www-form-urlencoded":
        return
    for name, value in request.form.items(multi=True):
        if "\x00" in value or "\x00" in name:
            raise NulByteError(name.replace("\x00", ""))


def init_app(app: Flask) -> None:
    """Register handlers that render errors as pages in the site's layout."""
    app.register_error_handler(HTTPException, _render_http_error)
    app.register_error_handler(sa.exc.DataError, _bad_value)
    app.register_error_handler(sa.exc.DBAPIError, _database_unavailable)
    app.register_error_handler(500, _render_internal_error)
    app.before_request(_refuse_nul_bytes)
