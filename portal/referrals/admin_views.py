"""Admin tools around personal data: verify professionals, end sessions, break glass,
and answer citizens' access and erasure requests."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.accounts.access import admin_required, uuid_or_404
from portal.accounts.models import User
from portal.accounts.sessions import end_all_sessions
from portal.db import db, utcnow
from portal.mail.services import queue_mail
from portal.referrals import access, retention
from portal.referrals.forms import KIND_LABELS, STATUS_LABELS, BreakGlassForm, CitizenLookupForm
from portal.referrals.models import ProfessionalProfile, Referral
from portal.twofactor import services as twofactor
from portal.twofactor.guard import second_factor_required

bp = Blueprint("referral_admin", __name__, url_prefix="/admin")


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/fagpersoner")
@admin_required
@second_factor_required
def professionals() -> str:
    """List professionals, those waiting for verification first."""
    profiles = db.session.scalars(
        sa.select(ProfessionalProfile)
        .options(so.joinedload(ProfessionalProfile.user))
        .order_by(ProfessionalProfile.verified_at.is_not(None), ProfessionalProfile.created_at)
    ).all()
    return render_template(
        "referrals/admin_professionals.html", profiles=profiles, kinds=KIND_LABELS
    )


@bp.post("/fagpersoner/<profile_id>/godkend")
@admin_required
@second_factor_required
def verify_professional(profile_id: str) -> Response:
    """Verify a professional (or withdraw the verification)."""
    profile = db.session.get(ProfessionalProfile, uuid_or_404(profile_id)) or abort(404)
    if profile.verified_at is None:
        profile.verified_at = utcnow()
        profile.verified_by_id = current_user.id
        queue_mail(
            profile.user.email,
            _("Du er godkendt som fagperson"),
            "professional_verified",
            name=profile.user.name,
        )
        flash(_("%(name)s er godkendt.", name=profile.user.name), "success")
    else:
        profile.verified_at = None
        profile.verified_by_id = None
        flash(_("Godkendelsen af %(name)s er trukket tilbage.", name=profile.user.name), "success")
    db.session.commit()
    return redirect(url_for("referral_admin.professionals"))


@bp.post("/brugere/<user_id>/log-ud")
@admin_required
@second_factor_required
def end_sessions(user_id: str) -> Response:
    """End every session of a user (e.g. a lost laptop)."""
    user = db.session.get(User, uuid_or_404(user_id)) or abort(404)
    end_all_sessions(user)
    db.session.commit()
    flash(_("%(name)s er logget ud på alle enheder.", name=user.name or user.email), "success")
    return redirect(url_for("referral_admin.professionals"))


@bp.post("/brugere/<user_id>/nulstil-totrin")
@admin_required
@second_factor_required
def reset_second_factor(user_id: str) -> Response:
    """Remove a user's authenticator so they can enrol a new phone; also ends their sessions."""
    user = db.session.get(User, uuid_or_404(user_id)) or abort(404)
    twofactor.reset(user)
    end_all_sessions(user)
    db.session.commit()
    flash(
        _("Totrinsbekræftelsen for %(name)s er nulstillet.", name=user.name or user.email),
        "success",
    )
    return redirect(url_for("referral_admin.professionals"))


@bp.route("/henvisninger/<referral_id>/adgang", methods=["GET", "POST"])
@admin_required
@second_factor_required
def break_glass(referral_id: str) -> str | Response:
    """Let an admin open one referral for 30 minutes after recording why."""
    key = uuid_or_404(referral_id)
    if db.session.get(Referral, key) is None:
        abort(404)
    form = BreakGlassForm()
    if form.validate_on_submit():
        access.grant_break_glass(current_user, key, form.reason.data)
        db.session.commit()
        return redirect(url_for("referrals.detail", referral_id=key))
    return render_template("referrals/break_glass.html", form=form, referral_id=key)


@bp.route("/borgerhenvendelser", methods=["GET", "POST"])
@admin_required
@second_factor_required
def citizen_requests() -> str:
    """Find a citizen's referrals for an access request; show them with who looked."""
    form = CitizenLookupForm()
    report = None
    if form.validate_on_submit():
        found = retention.find_citizen(form.name.data, form.phone.data, form.email.data)
        report = retention.access_report(found, current_user, form.case.data)
        db.session.commit()
    return render_template(
        "referrals/admin_citizen.html", form=form, report=report, labels=STATUS_LABELS
    )


@bp.post("/borgerhenvendelser/<referral_id>/slet")
@admin_required
@second_factor_required
def erase(referral_id: str) -> Response:
    """Delete one referral's personal data at the citizen's request."""
    referral = db.session.get(Referral, uuid_or_404(referral_id)) or abort(404)
    form = CitizenLookupForm()
    case = (form.case.data or "").strip()
    if len(case) < 3:
        flash(_("Skriv sagsnummeret for sletteanmodningen."), "error")
        return redirect(url_for("referral_admin.citizen_requests"))
    retention.erase(referral, current_user, case)
    db.session.commit()
    flash(_("Borgerens oplysninger i henvisningen er slettet."), "success")
    return redirect(url_for("referral_admin.citizen_requests"))
