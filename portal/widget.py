"""An embeddable list of nearby offers that other sites can put on their pages.

A municipality's or an association's site adds one line::

    <script src="https://faellesskabsportalen.dk/static/js/widget.js"
            data-where="Vejle" data-target-group="aeldre" data-antal="5" async></script>

``static/js/widget.js`` inserts an iframe right after that tag, showing
``/widget?where=Vejle&target_group=aeldre&antal=5``. Attributes it passes on:
``data-where`` (a town or postcode) or ``data-lat`` + ``data-lon``,
``data-radius`` (km), ``data-target-group``, ``data-activity``, ``data-q``
(words), ``data-antal`` (1-10 offers, default 5) and ``data-lang="en"``;
``data-height`` sets the frame's height in pixels.

The page searches like /search (same parsing, engine and database fallback),
shows only physical offers when a place is given, is Danish unless
``lang=en``, may be framed by any site, may be cached for five minutes, and
never sets a cookie: it does not read or write the visitor's session.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urljoin

from flask import (
    Blueprint,
    Response,
    current_app,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from portal.extensions import db, limiter
from portal.find.engine import search_engine
from portal.find.params import SearchRequest, parse_search_args
from portal.find.presenters import present_hit
from portal.find.services import run_search
from portal.taxonomy.services import vocabulary_terms

DEFAULT_COUNT = 5
MAX_COUNT = 10
# The parameters the widget passes on to the search; everything else is ignored.
SEARCH_PARAMS = ("q", "where", "lat", "lon", "radius", "target_group", "activity")
VOCABULARIES = {"activity": "aktivitet", "target_group": "maalgruppe", "feature": "praktisk"}
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors *",
    ]
)

bp = Blueprint("widget", __name__)


def _search_limit() -> str:
    return current_app.config["RATELIMIT_SEARCH"]


def _count(value: str | None) -> int:
    try:
        number = int(value) if value else DEFAULT_COUNT
    except ValueError:
        return DEFAULT_COUNT
    return min(max(number, 1), MAX_COUNT)


def _search_params(search: SearchRequest, args: MultiDict[str, str]) -> dict[str, Any]:
    """Return the cleaned parameters that show the same search on /search."""
    params: dict[str, Any] = {"q": search.text, "where": search.where}
    if args.get("lat") or args.get("lon"):
        params.update(lat=args.get("lat", "")[:32], lon=args.get("lon", "")[:32], where="")
    if search.place is not None:
        params["radius"] = search.radius
    params.update(target_group=search.selected.get("target_group", []))
    params.update(activity=search.selected.get("activity", []))
    return {name: value for name, value in params.items() if value}


def _render(language: str) -> str:
    args = MultiDict([(k, v) for k in SEARCH_PARAMS for v in request.args.getlist(k)])
    vocabularies = {f: vocabulary_terms(db.session, code) for f, code in VOCABULARIES.items()}
    allowed = {field: {t.code for t in terms} for field, terms in vocabularies.items()}
    labels = {t.code: t.label(language) for terms in vocabularies.values() for t in terms}
    search = parse_search_args(args, db.session, current_app.config, allowed)
    hits: list[dict[str, Any]] = []
    if not search.errors:
        query = dataclasses.replace(
            search.query,
            page=1,
            per_page=_count(request.args.get("antal")),
            facets=(),
            include_remote=search.place is None,
        )
        outcome = run_search(
            db.session, search_engine(), query, current_app.config["SEARCH_TIMEOUT"]
        )
        db.session.commit()  # keeps geocoding answers in the cache
        hits = [present_hit(hit, labels) for hit in outcome.result.hits]
        for hit in hits:
            hit["url"] = url_for("offers.show_offer", offer_id=hit["id"], _external=True)
    search_path = url_for("find.search_page", **_search_params(search, args))
    search_url = urljoin(request.host_url, search_path)
    if language != "da":
        # The portal keeps the language in its session; this link sets it there.
        search_url = url_for("main.set_language", code=language, _external=True, next=search_path)
    by_coordinates = bool(request.args.get("lat") or request.args.get("lon"))
    if search.place is not None and not by_coordinates:
        heading = _("Fællesskaber nær %(place)s", place=search.place.label)
    elif search.place is not None:
        heading = _("Fællesskaber i nærheden")
    else:
        heading = _("Fællesskaber på Fællesskabsportalen")
    return render_template(
        "widget/widget.html",
        lang=language,
        heading=heading,
        search=search,
        hits=hits,
        search_url=search_url,
    )


@bp.get("/widget")
@limiter.limit(_search_limit)
def widget() -> Response:
    """Show a few offers near a fixed place, in a page any site may frame."""
    language = "en" if request.args.get("lang") == "en" else "da"
    with force_locale(language):
        response = make_response(_render(language))
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
