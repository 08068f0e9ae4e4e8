"""Read one offer, download its meetings, and forward the old list address."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_login import current_user

from portal.accounts.access import get_published_service_or_404
from portal.db import utcnow
from portal.extensions import db
from portal.offers.calendar import offer_calendar
from portal.offers.models import Service
from portal.offers.schedules import COPENHAGEN, describe, next_meetings
from portal.organizations.views_counter import count_cached_page_view, count_page_view
from portal.pagecache import cached_page
from portal.referrals.models import ProfessionalProfile
from portal.referrals.stats import responsiveness

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


@bp.get("/tilbud/<offer_id>")
@cached_page(on_hit=count_cached_page_view)
def show_offer(offer_id: str) -> str:
    """Show one published offer: what, who for, when, where, how to join, contact."""
    service = get_published_service_or_404(offer_id)
    count_page_view(service)
    return offer_page(service)


def offer_page(service: Service, *, preview: bool = False) -> str:
    """Render an offer's public page; a preview is marked so and links nowhere public."""
    now = utcnow()
    today = now.astimezone(COPENHAGEN).date()
    after = now
    if service.closed_until and service.closed_until > today:
        # No meetings are shown while the offer is closed.
        after = dt.datetime.combine(service.closed_until, dt.time(0, 0), tzinfo=COPENHAGEN)
    professional = None
    if not preview and current_user.is_authenticated:
        # Professionals get "Henvis borger"; the verified ones also the association's pace.
        professional = db.session.scalar(
            sa.select(ProfessionalProfile).where(ProfessionalProfile.user_id == current_user.id)
        )
    return render_template(
        "offers/detail.html",
        service=service,
        describe=describe,
        meetings=next_meetings(service.schedules, after, count=5),
        today=today,
        preview=preview,
        professional=professional,
        responsiveness=(
            responsiveness(service.organization_id)
            if professional is not None and professional.is_verified
            else None
        ),
    )


@bp.get("/tilbud/<offer_id>.ics")
def offer_calendar_file(offer_id: str) -> Response:
    """Download the offer's meetings as a calendar file."""
    service = get_published_service_or_404(offer_id)
    url = url_for("offers.show_offer", offer_id=service.id, _external=True)
    response = Response(offer_calendar(service, url, utcnow()), mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'attachment; filename="faellesskab.ics"'
    return response
