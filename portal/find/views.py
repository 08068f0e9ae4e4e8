"""The search page, its JSON twin and search-as-you-type suggestions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import get_locale
from werkzeug.wrappers import Response

from portal.extensions import db, limiter
from portal.find.engine import search_engine
from portal.find.params import RADIUS_CHOICES, SearchRequest, clean_text, parse_search_args
from portal.find.presenters import present_hit
from portal.find.services import SearchOutcome, run_search
from portal.geo.services import all_municipalities
from portal.pagecache import cached_page, do_not_store
from portal.statistics.cache import kept_for
from portal.statistics.demand import record_unmet_demand
from portal.taxonomy.services import vocabulary_terms
from search import SearchError, SearchQuery

VOCABULARY_FIELDS = {
    "activity": "aktivitet",
    "target_group": "maalgruppe",
    "life_situation": "livssituation",
    "feature": "praktisk",
}
SUGGEST_LIMIT = 8

bp = Blueprint("find", __name__)


@dataclass(frozen=True)
class FilterTerm:
    """A vocabulary term as the filters show it, kept apart from any database session."""

    code: str
    name: str
    name_en: str | None

    def label(self, locale: str) -> str:
        """Return the term's label in ``locale`` ("da" or "en")."""
        return (self.name_en or self.name) if locale == "en" else self.name


@dataclass(frozen=True)
class FilterMunicipality:
    """A municipality as the filters show it."""

    code: str
    name: str


@dataclass(frozen=True)
class FilterChoices:
    """What the filters offer: the terms of each vocabulary and the municipalities."""

    vocabularies: dict[str, list[FilterTerm]]
    municipalities: list[FilterMunicipality]


def _load_choices() -> FilterChoices:
    return FilterChoices(
        vocabularies={
            field: [
                FilterTerm(t.code, t.name, t.name_en) for t in vocabulary_terms(db.session, code)
            ]
            for field, code in VOCABULARY_FIELDS.items()
        },
        municipalities=[FilterMunicipality(m.code, m.name) for m in all_municipalities(db.session)],
    )


def _choices() -> FilterChoices:
    # The vocabularies and municipalities change a few times a year, yet loading
    # them was a fifth of a search; each process keeps them as long as pages.
    return kept_for(
        current_app.config["PAGE_CACHE_SECONDS"],
        "filter_choices",
        "choices",
        _load_choices,
        max_entries=1,
    )


def _labels(vocabularies: dict[str, list]) -> dict[str, str]:
    language = get_locale().language if get_locale() else "da"
    return {t.code: t.label(language) for terms in vocabularies.values() for t in terms}


def _search_limit() -> str:
    return current_app.config["RATELIMIT_SEARCH"]


def _search() -> tuple[SearchRequest, SearchOutcome, FilterChoices]:
    choices = _choices()
    allowed = {field: {t.code for t in terms} for field, terms in choices.vocabularies.items()}
    allowed["municipality"] = {m.code for m in choices.municipalities}
    parsed = parse_search_args(request.args, db.session, current_app.config, allowed)
    outcome = run_search(
        db.session, search_engine(), parsed.query, current_app.config["SEARCH_TIMEOUT"]
    )
    counted = record_unmet_demand(db.session, parsed, outcome.result.total)  # never raises
    db.session.commit()  # keeps geocoding answers in the cache
    if counted or outcome.degraded:
        # A repeat must be counted again; a degraded answer must not outlive the outage.
        do_not_store()
    return parsed, outcome, choices


@bp.get("/search")
@limiter.limit(_search_limit)
@cached_page()
def search_page() -> str:
    """Show offers near a place and matching words, with filters, counts and a map."""
    parsed, outcome, choices = _search()
    labels = _labels(choices.vocabularies)
    return render_template(
        "find/search.html",
        search=parsed,
        outcome=outcome,
        result=outcome.result,
        hits=[present_hit(hit, labels) for hit in outcome.result.hits],
        vocabularies=choices.vocabularies,
        municipalities=choices.municipalities,
        labels=labels,
        radius_choices=RADIUS_CHOICES,
    )


@bp.get("/search.json")
@limiter.limit(_search_limit)
@cached_page()
def search_json() -> Response:
    """Answer the search page's question as JSON."""
    parsed, outcome, choices = _search()
    labels = _labels(choices.vocabularies)
    result = outcome.result
    place: dict[str, Any] | None = None
    if parsed.place is not None:
        place = {"label": parsed.place.label, "lat": parsed.place.lat, "lon": parsed.place.lon}
    return jsonify(
        total=result.total,
        page=result.page,
        pages=result.pages,
        per_page=result.per_page,
        degraded=outcome.degraded,
        place=place,
        radius_km=parsed.radius if parsed.place else None,
        hits=[present_hit(hit, labels) for hit in result.hits],
        facets=result.facets,
        errors=parsed.errors,
        suggestions=parsed.suggestions,
    )


@bp.get("/search/suggest.json")
@limiter.limit(_search_limit)
def suggest_json() -> Response:
    """Suggest offer titles while the visitor types (progressive enhancement)."""
    text = clean_text(request.args.get("q", ""), 100)
    if len(text) < 2:
        return jsonify(suggestions=[])
    try:
        result = search_engine().search(SearchQuery(text=text, per_page=SUGGEST_LIMIT))
    except SearchError:
        return jsonify(suggestions=[])
    labels: dict[str, str] = {}
    return jsonify(
        suggestions=[
            {"title": item["title"], "url": item["url"], "city": item["city"]}
            for item in (present_hit(hit, labels) for hit in result.hits)
        ]
    )
