"""Home page and language switch."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, session
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.main import bp
from portal.offers.services import directory_counts
from portal.pagecache import cached_page
from portal.statistics.cache import kept_for
from portal.taxonomy.services import vocabulary_terms
from portal.urls import safe_next


def _counts() -> object:
    # Three counts over the whole directory cost a few hundred milliseconds on
    # 100,000 offers; the home page shows them rounded-off in spirit, so each
    # process keeps them for HOME_COUNTS_CACHE_SECONDS.
    return kept_for(
        current_app.config["HOME_COUNTS_CACHE_SECONDS"],
        "home_counts_cache",
        "counts",
        lambda: directory_counts(db.session),
        max_entries=1,
    )


@bp.get("/")
@cached_page()
def index() -> str:
    """Show the home page with the search form and counts of the directory."""
    counts = _counts()
    activities = vocabulary_terms(db.session, "aktivitet")
    return render_template("main/index.html", counts=counts, activities=activities)


@bp.route("/sprog/<code>", methods=["GET", "POST"])
def set_language(code: str) -> Response:
    """Remember the chosen language and go back to the page the visitor came from."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.values.get("next")) or "/")
