"""Home page and language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, redirect, render_template, request, session
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.main import bp
from portal.offers.services import directory_counts
from portal.taxonomy.services import vocabulary_terms


@bp.get("/")
def index() -> str:
    """Show the home page with the search form and live counts of the directory."""
    counts = directory_counts(db.session)
    activities = vocabulary_terms(db.session, "aktivitet")
    return render_template("main/index.html", counts=counts, activities=activities)


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an absolute URL here would be an open redirect.
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@bp.route("/sprog/<code>", methods=["GET", "POST"])
def set_language(code: str) -> Response:
    """Remember the chosen language and go back to the page the visitor came from."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(_safe_next(request.values.get("next")))
