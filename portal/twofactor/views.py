"""Enrol an authenticator app and pass the second factor."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.db import db
from portal.extensions import limiter
from portal.twofactor import services
from portal.twofactor.forms import CodeForm
from portal.twofactor.guard import mark_passed
from portal.twofactor.models import TwoFactor
from portal.urls import safe_next

bp = Blueprint("twofactor", __name__, url_prefix="/konto/totrin")


@bp.route("/", methods=["GET", "POST"])
@login_required
def setup() -> object:
    """Show the QR code of a new secret and confirm it with a first code."""
    two_factor = services.enrolment(current_user)
    if two_factor.is_confirmed:
        return redirect(url_for("twofactor.verify", next=request.args.get("next")))
    form = CodeForm()
    codes = None
    if form.validate_on_submit():
        codes = services.confirm(two_factor, form.code.data)
        if codes is None:
            form.code.errors.append(_("Koden passer ikke. Tjek uret på din telefon og prøv igen."))
        else:
            mark_passed()
    db.session.commit()
    if codes is not None:
        return render_template(
            "twofactor/recovery_codes.html", codes=codes, next=safe_next(request.args.get("next"))
        )
    uri = services.provisioning_uri(current_user, two_factor)
    return render_template(
        "twofactor/setup.html",
        form=form,
        qr=services.qr_svg_data_uri(uri),
        secret=two_factor.secret,
    )


@bp.route("/kode", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def verify() -> object:
    """Ask for a code from the app (or a recovery code) before personal data is shown."""
    two_factor = db.session.get(TwoFactor, current_user.id)
    if two_factor is None or not two_factor.is_confirmed:
        return redirect(url_for("twofactor.setup", next=request.args.get("next")))
    form = CodeForm()
    if form.validate_on_submit():
        ok = services.verify_code(two_factor, form.code.data) or services.use_recovery_code(
            current_user.id, form.code.data
        )
        db.session.commit()
        if ok:
            mark_passed()
            left = services.remaining_recovery_codes(current_user.id)
            if left <= 2:
                flash(
                    _(
                        "Du har kun %(count)s gendannelseskoder tilbage. Lav nye under Konto.",
                        count=left,
                    ),
                    "warning",
                )
            return redirect(safe_next(request.args.get("next")) or url_for("referrals.inbox"))
        form.code.errors.append(_("Koden passer ikke, eller den er allerede brugt."))
    return render_template("twofactor/verify.html", form=form)
