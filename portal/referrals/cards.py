"""Signposting without personal data: a printable "fællesskabsrecept" and "send the link"."""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField
from wtforms.validators import DataRequired, Length

from portal.accounts.access import get_published_service_or_404
from portal.accounts.forms import valid_email
from portal.db import utcnow
from portal.extensions import limiter
from portal.mail.models import MailMessage
from portal.mail.sender import ServerUnavailable, build_email, transport_for
from portal.offers.models import Service
from portal.offers.schedules import describe, next_meetings
from portal.twofactor.services import qr_svg_data_uri
from portal.urls import public_url_for

bp = Blueprint("cards", __name__)


class SendLinkForm(FlaskForm):
    """An email address to send the offer's link to; it is not stored."""

    email = EmailField(
        _l("E-mailadresse"),
        validators=[
            DataRequired(_l("Skriv en e-mailadresse.")),
            valid_email,
            Length(max=254),
        ],
    )


def _card_page(service: Service, form: SendLinkForm, paper: str) -> str:
    """Render the printable card with its QR code and the send-the-link form."""
    link = public_url_for("offers.show_offer", offer_id=service.id)
    return render_template(
        "referrals/card.html",
        service=service,
        link=link,
        qr=qr_svg_data_uri(link),
        schedules=[describe(schedule) for schedule in service.schedules],
        meetings=next_meetings(service.schedules, utcnow(), count=3),
        paper=paper,
        form=form,
    )


@bp.get("/tilbud/<service_id>/recept")
def card(service_id: str) -> str:
    """Show a printable card (A5 by default, or A4) with a QR code to the offer page."""
    service = get_published_service_or_404(service_id)
    paper = "a4" if request.args.get("format") == "a4" else "a5"
    return _card_page(service, SendLinkForm(), paper)


@bp.post("/tilbud/<service_id>/send-link")
@limiter.limit("5 per hour; 20 per day")
def send_link(service_id: str) -> str | Response | tuple[str, int]:
    """Email the offer's link right away; the address is used once and never written down."""
    service = get_published_service_or_404(service_id)
    form = SendLinkForm()
    if not form.validate_on_submit():
        return _card_page(service, form, "a5"), 400
    subject = _("Et fællesskab: %(name)s", name=service.name)
    message = MailMessage(
        id=uuid.uuid4(),
        to_address=form.email.data.strip(),
        subject=subject,
        body_text=render_template(
            "email/offer_link.txt",
            subject=subject,
            service=service,
            public_url=current_app.config["PUBLIC_URL"],
        ),
        template="offer_link",
        created_at=utcnow(),
    )
    transport = transport_for(current_app.config)
    try:
        transport.send(build_email(message, current_app.config["MAIL_DEFAULT_SENDER"]), message.id)
    except (ServerUnavailable, OSError):
        flash(
            _("Vi kunne ikke sende e-mailen lige nu. Prøv igen senere, eller print recepten."),
            "error",
        )
        return redirect(url_for("cards.card", service_id=service.id))
    finally:
        transport.close()
    flash(_("Linket er sendt. Vi har ikke gemt e-mailadressen."), "success")
    return redirect(url_for("cards.card", service_id=service.id))
