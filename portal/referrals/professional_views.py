"""A professional's own profile: kind, workplace and municipality, verified by an admin."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portal.db import db
from portal.geo.models import Municipality
from portal.referrals.forms import ProfessionalForm, choices
from portal.referrals.models import ProfessionalKind, ProfessionalProfile

bp = Blueprint("professionals", __name__)


def _form(profile: ProfessionalProfile | None) -> ProfessionalForm:
    form = ProfessionalForm(obj=profile)
    municipalities = db.session.execute(
        sa.select(Municipality.code, Municipality.name).order_by(Municipality.name)
    ).all()
    form.municipality_code.choices = choices({"": _("Vælg kommune"), **dict(municipalities)})
    return form


@bp.route("/fagperson", methods=["GET", "POST"])
@login_required
def profile() -> str | Response:
    """Create or change the professional profile; a change needs a new verification."""
    profile = db.session.scalar(
        sa.select(ProfessionalProfile).where(ProfessionalProfile.user_id == current_user.id)
    )
    form = _form(profile)
    if form.validate_on_submit():
        if profile is None:
            profile = ProfessionalProfile(user_id=current_user.id)
            db.session.add(profile)
        changed = (
            profile.kind != form.kind.data
            or profile.workplace != form.workplace.data
            or (profile.municipality_code or "") != (form.municipality_code.data or "")
        )
        profile.kind = ProfessionalKind(form.kind.data)
        profile.workplace = form.workplace.data.strip()
        profile.department = (form.department.data or "").strip() or None
        profile.municipality_code = form.municipality_code.data or None
        if changed:
            profile.verified_at = None
            profile.verified_by_id = None
        db.session.commit()
        flash(
            _("Din profil er gemt. En administrator godkender den, før du kan henvise.")
            if profile.verified_at is None
            else _("Din profil er gemt."),
            "success",
        )
        return redirect(url_for("professionals.profile"))
    return render_template("referrals/professional.html", form=form, profile=profile)
