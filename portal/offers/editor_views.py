"""The offer editor: write a new offer, keep it current, preview it and end it."""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from portal.accounts.access import get_organization_or_404, get_service_for_editing_or_404
from portal.db import utcnow
from portal.extensions import csrf, db
from portal.offers.editor_fields import add_error
from portal.offers.editor_places import locate_places
from portal.offers.editor_services import (
    OfferData,
    SaveOutcome,
    apply_offer,
    archive_offer,
    create_offer,
    publishes_directly,
    save_offer,
    term_choices,
)
from portal.offers.forms import OfferForm, initial_data
from portal.offers.models import Service, ServiceStatus
from portal.offers.schedules import next_meetings
from portal.offers.views import offer_page
from portal.organizations.models import Organization

logger = logging.getLogger(__name__)

bp = Blueprint("editor", __name__)

SEND = "submit"


def _form(**kwargs: Any) -> OfferForm:
    return OfferForm(choices=term_choices(db.session, get_locale().language), **kwargs)


def _page(
    form: OfferForm,
    organization: Organization,
    service: Service | None = None,
    status: int = 200,
    conflict: bool = False,
    token_refused: bool = False,
) -> tuple[str, int]:
    """Render the editor with the form as typed, its errors and, for a saved offer, its meetings."""
    meetings = next_meetings(service.schedules, utcnow(), count=5) if service else []
    html = render_template(
        "offers/editor/edit.html",
        form=form,
        organization=organization,
        service=service,
        meetings=meetings,
        errors=form.error_links() if status == 422 else [],
        conflict=conflict,
        token_refused=token_refused,
        publishes_directly=publishes_directly(organization, current_user),
    )
    return html, status


def _validated_data(form: OfferForm, send: bool, service: Service | None) -> OfferData | None:
    """Validate the form and find every place on the map; return the data, or None on errors."""
    form.require_complete = send or (service is not None and service.is_published)
    if not form.validate():
        return None
    blocks = list(form.blocks_of(form.places))
    places = [block.to_input() for block in blocks]
    not_found = locate_places(db.session, places, current_app.config)
    for block, place in zip(blocks, places, strict=True):
        block.show_point(place)
    for position in not_found:
        add_error(
            blocks[position].address,
            _("Vi kunne ikke finde adressen. Tjek postnummeret, eller sæt nålen på kortet."),
        )
    if not_found:
        return None
    data = form.to_data()
    data.places = places
    return data


def _say(outcome: SaveOutcome) -> None:
    messages = {
        SaveOutcome.DRAFT_SAVED: _("Kladden er gemt. Den er ikke offentlig endnu."),
        SaveOutcome.SAVED: _("Ændringerne er gemt."),
        SaveOutcome.LIVE_SAVED: _("Ændringerne er gemt og kan ses af alle nu."),
        SaveOutcome.SUBMITTED: _(
            "Tilbuddet er sendt til godkendelse. Det bliver offentligt, "
            "når en administrator har set det igennem."
        ),
        SaveOutcome.PUBLISHED: _("Tilbuddet er offentliggjort og kan findes i søgningen nu."),
    }
    flash(messages[outcome], "success")


@bp.route("/forening/<organization_id>/tilbud/nyt", methods=["GET", "POST"])
@csrf.exempt  # the form checks its token itself, so an expired one loses no typing
@login_required
def new(organization_id: str) -> Response | tuple[str, int]:
    """Write a new offer for the organisation in the address."""
    organization = get_organization_or_404(organization_id, current_user)
    form = _form()
    if not form.is_submitted():
        form.start_blank()
        return _page(form, organization)
    if not form.csrf_token.validate(form):
        return _page(form, organization, status=400, token_refused=True)
    if form.change_blocks(request.form):
        return _page(form, organization)
    send = request.form.get("action") == SEND
    data = _validated_data(form, send, None)
    if data is None:
        return _page(form, organization, status=422)
    service = create_offer(db.session, organization, data)
    outcome = save_offer(service, current_user, send=send)
    db.session.commit()
    _say(outcome)
    return redirect(url_for("editor.edit", service_id=service.id))


@bp.route("/tilbud/<service_id>/rediger", methods=["GET", "POST"])
@csrf.exempt  # the form checks its token itself, so an expired one loses no typing
@login_required
def edit(service_id: str) -> Response | tuple[str, int]:
    """Change an offer; a save that would overwrite someone else's changes is refused."""
    service = get_service_for_editing_or_404(service_id, current_user)
    organization = service.organization
    if request.method != "POST":
        form = _form(data=initial_data(service, utcnow().date()))
        return _page(form, organization, service)
    form = _form()
    if not form.csrf_token.validate(form):
        return _page(form, organization, service, status=400, token_refused=True)
    if form.change_blocks(request.form):
        return _page(form, organization, service)
    if form.version.data != str(service.version):
        return _conflict(form, service)
    send = request.form.get("action") == SEND
    data = _validated_data(form, send, service)
    if data is None:
        return _page(form, organization, service, status=422)
    try:
        apply_offer(db.session, service, data)
        outcome = save_offer(service, current_user, send=send)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return _conflict(form, db.session.get(Service, service.id) or service)
    _say(outcome)
    return redirect(url_for("editor.edit", service_id=service.id))


def _conflict(form: OfferForm, service: Service) -> tuple[str, int]:
    """Show the form as typed, unsaved, with the newest version number to save over."""
    logger.info("Edit conflict on offer %s", service.id)
    form.version.data = str(service.version)
    return _page(form, service.organization, service, status=409, conflict=True)


@bp.get("/tilbud/<service_id>/forhaandsvisning")
@login_required
def preview(service_id: str) -> Response:
    """Show the offer's page exactly as citizens will see it, marked as a preview."""
    service = get_service_for_editing_or_404(service_id, current_user)
    response = make_response(offer_page(service, preview=True))
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/tilbud/<service_id>/arkiver")
@login_required
def archive(service_id: str) -> Response:
    """End an offer: it leaves search and its public page."""
    service = get_service_for_editing_or_404(service_id, current_user)
    if archive_offer(service, current_user):
        db.session.commit()
        flash(_("Tilbuddet er afsluttet og vises ikke længere i søgningen."), "success")
    else:
        flash(_("Tilbuddet var allerede afsluttet."), "info")
    return redirect(url_for("editor.edit", service_id=service.id))


def status_label(status: ServiceStatus) -> str:
    """Return the offer's status in the editor's words."""
    return {
        ServiceStatus.DRAFT: _("Kladde – ikke offentlig"),
        ServiceStatus.PENDING_REVIEW: _("Venter på godkendelse"),
        ServiceStatus.PUBLISHED: _("Offentlig – kan findes i søgningen"),
        ServiceStatus.ARCHIVED: _("Afsluttet – vises ikke"),
    }[status]


@bp.app_context_processor
def _editor_helpers() -> dict[str, Any]:
    return {"offer_status_label": status_label}
