"""Read one offer, download its meetings, and forward the old list address."""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from portal.db import utcnow
from portal.extensions import db
from portal.offers.calendar import offer_calendar
from portal.offers.models import Service
from portal.offers.schedules import describe, next_meetings
from portal.offers.services import get_published_service

bp = Blueprint("offers", __name__)

# The first version of the list lived at /tilbud with Danish parameter names;
# shared links keep working.
_LEGACY_PARAMETERS = {
    "q": "q",
    "kommune": "municipality",
    "aktivitet": "activity",
    "maalgruppe": "target_group",
    "gratis": "free",
    "side": "page",
}


@bp.get("/tilbud")
def list_offers() -> Response:
    """Send the old list address on to the search page with the same filters."""
    args = {
        new: request.args.getlist(old)
        for old, new in _LEGACY_PARAMETERS.items()
        if request.args.get(old)
    }
    return redirect(url_for("find.search_page", **args), code=301)


def _published_or_404(offer_id: str) -> Service:
    try:
        service_id = uuid.UUID(offer_id)
    except ValueError:
        abort(404)
    service = get_published_service(db.session, service_id)
    if service is None:
        abort(404)
    return service


@bp.get("/tilbud/<offer_id>")
def show_offer(offer_id: str) -> str:
    """Show one published offer: what, who for, when, where, how to join, contact."""
    service = _published_or_404(offer_id)
    return render_template(
        "offers/detail.html",
        service=service,
        describe=describe,
        meetings=next_meetings(service.schedules, utcnow(), count=5),
    )


@bp.get("/tilbud/<offer_id>.ics")
def offer_calendar_file(offer_id: str) -> Response:
    """Download the offer's meetings as a calendar file."""
    service = _published_or_404(offer_id)
    url = url_for("offers.show_offer", offer_id=service.id, _external=True)
    response = Response(offer_calendar(service, url, utcnow()), mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'attachment; filename="faellesskab.ics"'
    return response
