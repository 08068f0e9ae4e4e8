"""Browse the directory and read one offer."""

from __future__ import annotations

import uuid

from flask import abort, render_template, request

from portal.extensions import db
from portal.geo.services import all_municipalities
from portal.offers import bp
from portal.offers.schedules import describe
from portal.offers.services import MAX_QUERY_LENGTH, BrowseFilters, browse, get_published_service
from portal.taxonomy.services import vocabulary_terms


def _filters_from_request() -> BrowseFilters:
    args = request.args
    return BrowseFilters(
        text=args.get("q", "").strip()[:MAX_QUERY_LENGTH],
        municipality=args.get("kommune", "").strip()[:3],
        activity=args.get("aktivitet", "").strip()[:50],
        target_group=args.get("maalgruppe", "").strip()[:50],
        free_only=args.get("gratis") == "1",
    )


@bp.get("/tilbud")
def list_offers() -> str:
    """List published offers, narrowed by place, words, activity, target group and price."""
    filters = _filters_from_request()
    page = request.args.get("side", 1, type=int) or 1
    result = browse(db.session, filters, page)
    return render_template(
        "offers/list.html",
        filters=filters,
        result=result,
        municipalities=all_municipalities(db.session),
        activities=vocabulary_terms(db.session, "aktivitet"),
        target_groups=vocabulary_terms(db.session, "maalgruppe"),
        describe=describe,
    )


@bp.get("/tilbud/<offer_id>")
def show_offer(offer_id: str) -> str:
    """Show one published offer: what, who for, when, where, how to join, contact."""
    try:
        service_id = uuid.UUID(offer_id)
    except ValueError:
        abort(404)
    service = get_published_service(db.session, service_id)
    if service is None:
        abort(404)
    return render_template("offers/detail.html", service=service, describe=describe)
