"""A citizen's own "Jeg vil gerne kontaktes" request from an offer page (no account needed)."""

from __future__ import annotations

import secrets

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from portal.accounts.access import get_published_service_or_404
from portal.db import db, utcnow
from portal.extensions import limiter
from portal.referrals import services
from portal.referrals.forms import CONSENT_TEXT_VERSION, ContactRequestForm
from portal.referrals.models import ConsentMethod, ReferralKind

bp = Blueprint("contact", __name__)


def _limit() -> str:
    return current_app.config["RATELIMIT_CONTACT"]


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/tilbud/<service_id>/kontakt", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def request_contact(service_id: str) -> str | tuple[str, int]:
    """Let a citizen ask the association to get in touch."""
    service = get_published_service_or_404(service_id)
    form = ContactRequestForm()
    if request.method == "GET":
        form.form_token.data = secrets.token_urlsafe(24)
    if form.validate_on_submit():
        if form.website.data:
            # A bot filled in the hidden field: answer as if all went well.
            return render_template("referrals/contact_done.html", service=service)
        citizen = services.Citizen(
            name=form.name.data,
            phone=form.phone.data,
            email=form.email.data,
            note=form.message.data,
        )
        consent = services.Consent(
            given_by="citizen",
            method=ConsentMethod.ONLINE,
            at=utcnow(),
            text_version=CONSENT_TEXT_VERSION,
        )
        try:
            services.create_referral(
                service=service,
                referrer=None,
                form_token=form.form_token.data or secrets.token_urlsafe(24),
                citizen=citizen,
                consent=consent,
                kind=ReferralKind.CONTACT_REQUEST,
            )
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # sent twice; the first one counts
        except services.ReferralError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
            return render_template("referrals/contact.html", service=service, form=form), 400
        return render_template("referrals/contact_done.html", service=service)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and not form.errors:
        form.form_errors.append(_("Siden var udløbet. Send formularen igen."))
    return render_template("referrals/contact.html", service=service, form=form), status
