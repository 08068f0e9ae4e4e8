"""Liveness and readiness endpoints for load balancers and monitoring."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.find.engine import search_engine
from portal.find.sync import pending
from portal.mail.sender import mail_health

bp = Blueprint("health", __name__)

OUTBOX_BACKLOG_WARNING = 1000


@bp.get("/healthz")
def healthz() -> Response:
    """Answer that the process is alive."""
    return jsonify(status="ok")


def _database() -> dict[str, Any]:
    try:
        # A real table, not SELECT 1: SQLite opens its file only when a
        # table is read, and this also shows the schema is migrated.
        revision = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        return {"status": "ok", "revision": revision}
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        return {"status": "error", "detail": type(error).__name__}


def _search() -> dict[str, Any]:
    try:
        health = search_engine().health()
    except Exception as error:  # noqa: BLE001 - readiness must report, never fail
        return {
            "status": "error",
            "engine": current_app.config["SEARCH_ENGINE"],
            "detail": type(error).__name__,
        }
    return {
        "status": "ok" if health.ok else "error",
        "engine": health.engine,
        "documents": health.documents,
        "detail": health.detail,
    }


def _outbox() -> dict[str, Any]:
    try:
        backlog = pending(db.session)
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return {"status": "error"}
    return {"status": "ok" if backlog < OUTBOX_BACKLOG_WARNING else "warning", "pending": backlog}


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Report each dependency; 503 only when the database is unusable.

    Search failures leave the portal usable (it answers from the database),
    so they make the status "degraded" rather than unready.
    """
    checks = {
        "database": _database(),
        "search": _search(),
        "search_outbox": _outbox(),
        "mail": mail_health(db.session),
        "geocoder": {"status": "ok", "mode": current_app.config["GEOCODER"]},
    }
    if checks["database"]["status"] != "ok":
        status, code = "unavailable", 503
    elif any(check["status"] != "ok" for check in checks.values()):
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return jsonify(status=status, checks=checks), code
