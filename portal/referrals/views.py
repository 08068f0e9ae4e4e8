"""The referral flow: refer a citizen from an offer page, the inbox, one referral's timeline."""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from portal.accounts.access import get_published_service_or_404
from portal.db import db, utcnow
from portal.extensions import limiter
from portal.offers.models import Service
from portal.referrals import services
from portal.referrals.access import Relation, get_referral_or_404, visible_to
from portal.referrals.forms import (
    CONSENT_TEXT_VERSION,
    NOT_STARTED_REASONS,
    STATUS_LABELS,
    ReferralForm,
    ReplyForm,
    StatusForm,
    choices,
)
from portal.referrals.models import (
    ConsentMethod,
    NotStartedReason,
    ProfessionalProfile,
    Referral,
    ReferralStatus,
)
from portal.taxonomy.services import vocabulary_terms
from portal.twofactor.guard import second_factor_required

bp = Blueprint("referrals", __name__)


@bp.after_request
def _no_store(response: Response) -> Response:
    # Pages with personal data must never sit in a browser's or proxy's cache.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _verified_professional() -> ProfessionalProfile | None:
    profile = db.session.scalar(
        sa.select(ProfessionalProfile).where(ProfessionalProfile.user_id == current_user.id)
    )
    return profile if profile is not None and profile.is_verified else None


def _referral_form(formdata: object = None) -> ReferralForm:
    form = ReferralForm(formdata=formdata) if formdata is not None else ReferralForm()
    language = get_locale().language if get_locale() else "da"
    form.reason.choices = [
        *choices({"": _("Vælg")}),
        *choices(
            {t.code: t.label(language) for t in vocabulary_terms(db.session, "livssituation")}
        ),
        *choices({"andet": _("Andet")}),
    ]
    return form


@bp.get("/tilbud/<service_id>/henvis")
def safety(service_id: str) -> str:
    """Ask first whether the citizen is in acute danger; show where to turn if so."""
    service = get_published_service_or_404(service_id)
    return render_template("referrals/safety.html", service=service)


def _referral_limit() -> str:
    return current_app.config["RATELIMIT_REFERRALS"]


@bp.route("/tilbud/<service_id>/henvis/formular", methods=["GET", "POST"])
@limiter.limit(_referral_limit, methods=["POST"])
@second_factor_required
def new(service_id: str) -> str | Response:
    """Refer a citizen to the offer, with consent, in under two minutes."""
    service = get_published_service_or_404(service_id)
    if _verified_professional() is None:
        return render_template("referrals/not_verified.html", service=service), 403
    form = _referral_form()
    if request.method == "GET":
        form.form_token.data = secrets.token_urlsafe(24)
        form.consent_date.data = utcnow().date()
    duplicate = False
    if form.validate_on_submit():
        already = _already_sent(form.form_token.data)
        if already is not None:
            return redirect(url_for("referrals.detail", referral_id=already.id))
        citizen = services.Citizen(
            name=form.citizen_name.data,
            phone=form.phone.data,
            email=form.email.data,
            contact_time=form.contact_time.data,
            needs=form.needs.data or [],
            reason_code=form.reason.data or None,
            note=form.note.data,
        )
        duplicate = (
            services.recent_duplicate(service.id, citizen) and not form.confirm_duplicate.data
        )
        if not duplicate:
            return _create(service, form, citizen)
    return render_template(
        "referrals/new.html",
        service=service,
        form=form,
        duplicate=duplicate,
        consent_version=CONSENT_TEXT_VERSION,
    )


def _already_sent(form_token: str | None) -> Referral | None:
    """Return the referral this same form already created (a second click), if any."""
    if not form_token:
        return None
    return db.session.scalar(
        sa.select(Referral).where(
            Referral.form_token == form_token, Referral.referrer_id == current_user.id
        )
    )


def _create(service: Service, form: ReferralForm, citizen: services.Citizen) -> str | Response:
    consent = services.Consent(
        given_by=form.consent_by.data,
        method=ConsentMethod(form.consent_method.data),
        at=dt.datetime.combine(form.consent_date.data, dt.time(12), tzinfo=dt.UTC),
        text_version=CONSENT_TEXT_VERSION,
    )
    try:
        referral = services.create_referral(
            service=service,
            referrer=current_user,
            form_token=form.form_token.data or secrets.token_urlsafe(24),
            citizen=citizen,
            consent=consent,
        )
        db.session.commit()
    except IntegrityError:
        # The same form sent twice at once: the first one made the referral.
        db.session.rollback()
        referral = _already_sent(form.form_token.data)
        if referral is None:
            abort(409)
    except services.ReferralError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return render_template(
            "referrals/new.html",
            service=service,
            form=form,
            duplicate=False,
            consent_version=CONSENT_TEXT_VERSION,
        )
    flash(_("Henvisningen er sendt. Du får besked, når foreningen har reageret."), "success")
    return redirect(url_for("referrals.detail", referral_id=referral.id))


@bp.get("/henvisninger")
@second_factor_required
def inbox() -> str:
    """List the referrals the user sent or whose organisation received them (no personal data)."""
    referrals = db.session.scalars(
        visible_to(current_user).order_by(Referral.created_at.desc()).limit(500)
    ).all()
    received = [r for r in referrals if r.referrer_id != current_user.id]
    sent = [r for r in referrals if r.referrer_id == current_user.id]
    return render_template(
        "referrals/inbox.html", received=received, sent=sent, labels=STATUS_LABELS
    )


@bp.get("/henvisninger/<referral_id>")
@second_factor_required
def detail(referral_id: str) -> str:
    """Show one referral with the citizen's details and its timeline."""
    referral, relation = get_referral_or_404(referral_id, current_user)
    if relation is Relation.RECEIVER:
        services.mark_opened(referral, current_user)
    db.session.commit()
    status_form = StatusForm(version=referral.version)
    status_form.status.choices = choices(
        {
            s: STATUS_LABELS[s]
            for s in services.TRANSITIONS.get(referral.status, ())
            if s is not ReferralStatus.OPENED
        }
    )
    return render_template(
        "referrals/detail.html",
        referral=referral,
        relation=relation,
        status_form=status_form,
        reply_form=ReplyForm(),
        labels=STATUS_LABELS,
        reasons=NOT_STARTED_REASONS,
    )


@bp.post("/henvisninger/<referral_id>/status")
@second_factor_required
def change_status(referral_id: str) -> Response | tuple[str, int]:
    """Move the referral on (receiving organisation only)."""
    referral, relation = get_referral_or_404(referral_id, current_user)
    if relation is not Relation.RECEIVER:
        abort(404)
    form = StatusForm()
    form.status.choices = choices(STATUS_LABELS)
    if not form.validate_on_submit():
        db.session.commit()
        flash(_("Vælg en status."), "error")
        return redirect(url_for("referrals.detail", referral_id=referral.id))
    try:
        services.change_status(
            referral,
            current_user,
            ReferralStatus(form.status.data),
            expected_version=int(form.version.data or 0),
            reason=NotStartedReason(form.reason.data) if form.reason.data else None,
            message=form.message.data,
        )
        db.session.commit()
        flash(_("Status er opdateret."), "success")
    except (services.ConflictError, StaleDataError):
        db.session.rollback()
        flash(
            _("En anden har lige ændret henvisningen. Se den nye status, før du ændrer den."),
            "error",
        )
    except services.ReferralError as error:
        db.session.rollback()
        flash(str(error), "error")
    return redirect(url_for("referrals.detail", referral_id=referral.id))


@bp.post("/henvisninger/<referral_id>/svar")
@second_factor_required
def reply(referral_id: str) -> Response:
    """Send the referrer a short message (receiving organisation only)."""
    referral, relation = get_referral_or_404(referral_id, current_user)
    if relation is not Relation.RECEIVER:
        abort(404)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            services.reply(referral, current_user, form.message.data)
            db.session.commit()
            flash(_("Beskeden er sendt."), "success")
            return redirect(url_for("referrals.detail", referral_id=referral.id))
        except services.ReferralError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("referrals.detail", referral_id=referral.id))
    db.session.commit()
    for message in form.message.errors:
        flash(str(message), "error")
    return redirect(url_for("referrals.detail", referral_id=referral.id))
