"""Public statistics: coverage per municipality, unmet demand, referrals and the annual overview."""

from __future__ import annotations

import hashlib
import math

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import format_number, get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.extensions import db, limiter
from portal.geo.services import all_municipalities
from portal.referrals.stats import display_count
from portal.statistics.annual import AnnualOverview, annual_overview
from portal.statistics.boundaries import boundaries_geojson, has_boundaries
from portal.statistics.cache import cache_seconds, cached
from portal.statistics.coverage import Coverage, sort_rows
from portal.statistics.coverage import coverage as count_coverage
from portal.statistics.demand import PERIODS, danish_today
from portal.statistics.demand import demand as sum_demand
from portal.statistics.formatting import csv_response, danish_decimal, small_count
from portal.statistics.params import (
    ALL_YEARS,
    CoverageRequest,
    coverage_request,
    demand_filters,
    referral_year,
)
from portal.statistics.referral_numbers import ReferralNumbers, referral_numbers, referral_years
from portal.statistics.referrals import unmet_referrals
from portal.taxonomy.services import vocabulary_terms

bp = Blueprint("statistics", __name__, url_prefix="/statistik")

VOCABULARIES = {
    "target_group": "maalgruppe",
    "activity": "aktivitet",
    "life_situation": "livssituation",
}
BOUNDARIES_MAX_AGE = 24 * 3600


def _limit() -> str:
    """Return the rate limit of the statistics pages (the search pages' limit)."""
    return current_app.config["RATELIMIT_SEARCH"]


def _vocabularies() -> dict[str, list]:
    """Return the active terms of the vocabularies the pages filter and label by."""
    return {field: vocabulary_terms(db.session, code) for field, code in VOCABULARIES.items()}


def _language() -> str:
    """Return the visitor's language ("da" or "en")."""
    locale = get_locale()
    return locale.language if locale else "da"


def _labels(vocabularies: dict[str, list]) -> dict[str, dict[str, str]]:
    """Return the terms' labels in the visitor's language, by vocabulary and code."""
    language = _language()
    return {
        field: {term.code: term.label(language) for term in terms}
        for field, terms in vocabularies.items()
    }


def _cache_minutes() -> int:
    """Return how many minutes old the shown numbers may be."""
    return math.ceil(cache_seconds() / 60)


def _annual() -> AnnualOverview:
    """Return the annual overview, computed at most every few minutes."""
    return cached(("annual",), lambda: annual_overview(db.session))


def _coverage() -> tuple[CoverageRequest, Coverage, dict[str, list]]:
    """Return the coverage page's choices, numbers and vocabularies."""
    vocabularies = _vocabularies()
    choice = coverage_request(
        request.args,
        {t.code for t in vocabularies["target_group"]},
        {t.code for t in vocabularies["activity"]},
    )
    result = cached(
        ("coverage", choice.filters), lambda: count_coverage(db.session, choice.filters)
    )
    return choice, result, vocabularies


@bp.get("", endpoint="coverage")
@limiter.limit(_limit)
def coverage_page() -> str:
    """Show searchable offers per municipality, the white spots and the way to the nearest offer."""
    choice, result, vocabularies = _coverage()
    return render_template(
        "statistics/coverage.html",
        choice=choice,
        coverage=result,
        rows=sort_rows(result.rows, choice.sort, choice.descending),
        vocabularies=vocabularies,
        labels=_labels(vocabularies),
        has_boundaries=has_boundaries(db.session),
        cache_minutes=_cache_minutes(),
    )


@bp.get("/daekning.csv", endpoint="coverage_csv")
@limiter.limit(_limit)
def coverage_csv() -> Response:
    """Download the coverage table as CSV for a spreadsheet."""
    choice, result, _vocabularies_ = _coverage()
    header = [
        _("Kommunekode"),
        _("Kommune"),
        _("Region"),
        _("Tilbud"),
        _("Tilbud pr. 10.000 indbyggere"),
        _("Indbyggere"),
        _("Indbyggertal fra år"),
        _("Indbyggertal importeret"),
        _("Hvid plet"),
        _("Km fra hovedby til nærmeste tilbud"),
    ]
    rows = (
        [
            row.code,
            row.display_name,
            row.region,
            row.offers,
            danish_decimal(row.per_10000, 2),
            row.population.population if row.population else "",
            row.population.year if row.population else "",
            row.population.imported if row.population else "",
            row.is_white_spot,
            danish_decimal(row.nearest_km),
        ]
        for row in sort_rows(result.rows, choice.sort, choice.descending)
    )
    return csv_response("daekning.csv", header, rows)


@bp.get("/kommunegraenser.geojson", endpoint="boundaries")
@limiter.limit(_limit)
def boundaries() -> Response:
    """Return the imported municipality outlines for the coverage map."""
    document = boundaries_geojson(db.session)
    response = jsonify(document)
    response.mimetype = "application/geo+json"
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = BOUNDARIES_MAX_AGE
    return response.make_conditional(request)


@bp.get("/efterspoergsel", endpoint="demand")
@limiter.limit(_limit)
def demand_page() -> str:
    """Show searches that found nothing or almost nothing, and referrals that were not met."""
    municipalities = all_municipalities(db.session)
    filters = demand_filters(request.args, {m.code for m in municipalities})
    result = sum_demand(db.session, filters)
    vocabularies = _vocabularies()
    return render_template(
        "statistics/demand.html",
        demand=result,
        referrals=unmet_referrals(
            db.session, result.first_day, result.last_day, filters.municipality
        ),
        municipalities=municipalities,
        names={m.code: m.display_name for m in municipalities},
        labels=_labels(vocabularies),
        periods=PERIODS,
    )


def _referrals() -> tuple[list[int], ReferralNumbers]:
    """Return the years to choose from and the chosen year's referral numbers."""
    this_year = danish_today().year
    years = cached(("referral_years", this_year), lambda: referral_years(db.session, this_year))
    year = referral_year(request.args, years, default=this_year)
    language = _language()
    # Keyed by language too: the numbers carry their labels.
    numbers = cached(
        ("referrals", year, language), lambda: referral_numbers(db.session, year, language)
    )
    return years, numbers


@bp.get("/henvisninger", endpoint="referrals")
@limiter.limit(_limit)
def referrals_page() -> str:
    """Show a year's referrals by municipality, target group, activity and outcome."""
    years, numbers = _referrals()
    return render_template(
        "statistics/referrals.html",
        years=years,
        numbers=numbers,
        all_years=ALL_YEARS,
        cache_minutes=_cache_minutes(),
    )


@bp.get("/henvisninger.csv", endpoint="referrals_csv")
@limiter.limit(_limit)
def referrals_csv() -> Response:
    """Download the referral numbers as CSV, with counts from 1 to 4 shown as "<5"."""
    _years, numbers = _referrals()
    groupings = {
        "municipality": _("Kommune"),
        "target_group": _("Målgruppe"),
        "activity": _("Aktivitet"),
        "outcome": _("Udfald"),
    }
    period = numbers.year if numbers.year is not None else _("Alle år")
    header = [_("År"), _("Opdelt efter"), _("Kode"), _("Betegnelse"), _("Henvisninger")]
    rows = (
        [period, groupings[name], row.key, row.label, row.shown]
        for name, counts in numbers.groupings()
        for row in counts
    )
    return csv_response(f"henvisninger-{numbers.year or ALL_YEARS}.csv", header, rows)


@bp.get("/aarsoversigt", endpoint="annual")
@limiter.limit(_limit)
def annual_page() -> str:
    """Show what was published each year, and referral outcomes once there are referrals."""
    return render_template(
        "statistics/annual.html", overview=_annual(), cache_minutes=_cache_minutes()
    )


@bp.get("/aarsoversigt.csv", endpoint="annual_csv")
@limiter.limit(_limit)
def annual_csv() -> Response:
    """Download the annual overview as CSV, with counts under 5 shown as "<5"."""
    overview = _annual()
    statuses = overview.referral_statuses
    header = [
        _("År"),
        _("Tilbud offentliggjort første gang"),
        _("Foreninger"),
        _("Kommuner"),
        *(_("Henvisninger: %(status)s", status=referral_status_label(s)) for s in statuses),
    ]
    rows = [
        [
            row.year if row.year is not None else _("I alt"),
            small_count(row.offers),
            small_count(row.organizations),
            small_count(row.municipalities),
            *(small_count(overview.outcomes_of(row.year).get(s, 0)) for s in statuses),
        ]
        for row in [*overview.years, overview.total]
    ]
    return csv_response("aarsoversigt.csv", header, rows)


def referral_status_label(status: str) -> str:
    """Return a referral status in words."""
    labels = {
        "sent": _("Sendt"),
        "opened": _("Åbnet"),
        "contacted": _("Kontaktet"),
        "started": _("Startet"),
        "not_started": _("Ikke startet"),
        "declined": _("Afvist"),
        "waiting_list": _("Venteliste"),
    }
    return labels.get(status, status)


@bp.app_template_filter("small_count")
def small_count_filter(count: int) -> str:
    """Format a count the Danish way, or "<5" when it is under 5."""
    value = small_count(count)
    return value if isinstance(value, str) else format_number(value)


@bp.app_template_filter("shown_count")
def shown_count_filter(count: int) -> str:
    """Format a count the Danish way, "<5" for 1 to 4; 0 stays 0, as it points at no one."""
    shown = display_count(count)
    return shown if shown != str(count) else format_number(count)


bp.add_app_template_global(referral_status_label, "referral_status_label")
