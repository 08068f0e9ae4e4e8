"""Home page and language switch."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, session
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.main import bp
from portal.offers.services import directory_counts
from portal.taxonomy.services import vocabulary_terms
from portal.urls import safe_next


@bp.get("/")
def index() -> str:
    """Show the home page with the search form and live counts of the directory."""
    counts = directory_counts(db.session)
    activities = vocabulary_terms(db.session, "aktivitet")
    return render_template("main/index.html", counts=counts, activities=activities)


@bp.route("/sprog/<code>", methods=["GET", "POST"])
def set_language(code: str) -> Response:
    """Remember the chosen language and go back to the page the visitor came from."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.values.get("next")) or "/")
