"""Moderation pages: the admins' review queue and decisions, offer history, confirmation links."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import HiddenInput

from portal.accounts.access import admin_required, get_service_for_editing_or_404
from portal.db import db, utcnow
from portal.moderation import services
from portal.moderation.diff import diff_snapshots, load_names
from portal.moderation.freshness import confirm_offer, confirmed_at, freshness, hidden_on
from portal.moderation.restore import restore_version
from portal.moderation.tokens import TokenError, TokenProblem, check_claim, read_confirm_token
from portal.moderation.versions import (
    VersionConflict,
    get_version,
    last_published_version,
    snapshot,
    versions_of,
)
from portal.offers.models import Service
from portal.offers.schedules import describe
from portal.urls import safe_next

logger = logging.getLogger(__name__)

bp = Blueprint("moderation", __name__)


class LockedForm(FlaskForm):
    """A button form that carries the offer's version, so a stale page cannot overwrite."""

    version = IntegerField(widget=HiddenInput())


class ReasonForm(LockedForm):
    """A decision that must be explained to the organisation."""

    reason = TextAreaField(
        _l("Begrundelse til foreningen"),
        validators=[
            DataRequired(
                message=_l("Skriv en begrundelse, så foreningen ved, hvad der skal rettes.")
            ),
            Length(
                max=services.REASON_MAX_LENGTH,
                message=_l(
                    "Begrundelsen må højst være %(max)d tegn.", max=services.REASON_MAX_LENGTH
                ),
            ),
        ],
    )


class ConfirmForm(FlaskForm):
    """The "still running" button; ``next`` is where the dashboard wants people back."""

    next = HiddenField()


def _conflict_message() -> str:
    return _(
        "Tilbuddet er blevet ændret, efter du åbnede siden. Se de nyeste oplysninger, og prøv igen."
    )


def _admin_service_or_404(service_id: uuid.UUID) -> Service:
    service = db.session.get(Service, service_id)
    if service is None:
        abort(404)
    return service


def _version_or_404(service: Service, number: int) -> Any:
    version = get_version(service.id, number)
    if version is None:
        abort(404)
    return version


def _decide(action: Callable[[], Any], success: str) -> bool:
    """Run an admin decision and commit it; flash the outcome and return whether it worked."""
    try:
        action()
        db.session.commit()
    except (VersionConflict, StaleDataError):
        db.session.rollback()
        flash(_conflict_message(), "error")
        return False
    except services.ModerationError as error:
        db.session.rollback()
        flash(str(error), "error")
        return False
    flash(success, "success")
    return True


@bp.get("/admin")
@admin_required
def admin_home() -> str:
    """Show admins what waits for them, with links to each queue."""
    return render_template("moderation/admin_home.html", counts=services.admin_counts(db.session))


@bp.get("/admin/godkendelse")
@admin_required
def queue() -> str:
    """List offers waiting for review (oldest first) and offers changed after approval."""
    return render_template(
        "moderation/queue.html",
        pending=services.pending_offers(db.session),
        changed=services.changed_offers(db.session),
        now=utcnow(),
    )


def _render_review(
    service: Service,
    reject_form: ReasonForm | None = None,
    unpublish_form: ReasonForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    changed, approved = services.needs_check(service)
    base = approved if changed else last_published_version(service.id)
    diff = diff_snapshots(
        base.snapshot if base else None, snapshot(service), load_names(db.session)
    )
    lock = {"version": service.version}
    return render_template(
        "moderation/review.html",
        service=service,
        diff=diff,
        base=base,
        changed=changed,
        describe=describe,
        approve_form=LockedForm(formdata=None, prefix="approve", data=lock),
        check_form=LockedForm(formdata=None, prefix="check", data=lock),
        reject_form=reject_form or ReasonForm(formdata=None, prefix="reject", data=lock),
        unpublish_form=unpublish_form or ReasonForm(formdata=None, prefix="unpublish", data=lock),
    ), status


@bp.get("/admin/tilbud/<uuid:service_id>")
@admin_required
def review(service_id: uuid.UUID) -> tuple[str, int]:
    """Show an offer as citizens will see it, and what changed since it was last approved."""
    return _render_review(_admin_service_or_404(service_id))


@bp.post("/admin/tilbud/<uuid:service_id>/godkend")
@admin_required
def approve(service_id: uuid.UUID) -> Response:
    """Publish an offer from the review queue and tell its organisation."""
    service = _admin_service_or_404(service_id)
    form = LockedForm(prefix="approve")
    if not form.validate_on_submit():
        abort(400)
    message = _("%(name)s er godkendt og offentliggjort.", name=service.name)
    version = form.version.data
    if _decide(lambda: services.approve(db.session, service, current_user, version), message):
        return redirect(url_for(".queue"))
    return redirect(url_for(".review", service_id=service.id))


@bp.post("/admin/tilbud/<uuid:service_id>/afvis")
@admin_required
def reject(service_id: uuid.UUID) -> Response | tuple[str, int]:
    """Send an offer back to its organisation as a draft, with the reason."""
    service = _admin_service_or_404(service_id)
    form = ReasonForm(prefix="reject")
    if not form.validate_on_submit():
        return _render_review(service, reject_form=form, status=400)
    message = _("%(name)s er sendt tilbage til foreningen.", name=service.name)
    reason, version = form.reason.data.strip(), form.version.data
    if _decide(
        lambda: services.reject(db.session, service, current_user, reason, version), message
    ):
        return redirect(url_for(".queue"))
    return redirect(url_for(".review", service_id=service.id))


@bp.post("/admin/tilbud/<uuid:service_id>/afpubliser")
@admin_required
def unpublish(service_id: uuid.UUID) -> Response | tuple[str, int]:
    """Take a published offer down (back to draft) and tell its organisation why."""
    service = _admin_service_or_404(service_id)
    form = ReasonForm(prefix="unpublish")
    if not form.validate_on_submit():
        return _render_review(service, unpublish_form=form, status=400)
    message = _("%(name)s vises ikke længere for borgerne.", name=service.name)
    reason, version = form.reason.data.strip(), form.version.data
    _decide(lambda: services.unpublish(db.session, service, current_user, reason, version), message)
    return redirect(url_for(".review", service_id=service.id))


@bp.post("/admin/tilbud/<uuid:service_id>/set")
@admin_required
def mark_checked(service_id: uuid.UUID) -> Response:
    """Record that an admin has looked at an offer's changes after approval."""
    service = _admin_service_or_404(service_id)
    form = LockedForm(prefix="check")
    if not form.validate_on_submit():
        abort(400)
    message = _("Ændringerne i %(name)s er markeret som set.", name=service.name)
    version = form.version.data
    if _decide(lambda: services.mark_checked(service, current_user, version), message):
        return redirect(url_for(".queue"))
    return redirect(url_for(".review", service_id=service.id))


@bp.get("/tilbud/<uuid:service_id>/historik")
@login_required
def history(service_id: uuid.UUID) -> str:
    """List every version of an offer: what happened, who, when, and whether it was public."""
    service = get_service_for_editing_or_404(service_id, current_user)
    return render_template(
        "moderation/history.html",
        service=service,
        versions=versions_of(service.id),
        freshness=freshness(service),
        confirmed_at=confirmed_at(service),
        hidden_on=hidden_on(service),
        confirm_form=ConfirmForm(formdata=None),
    )


@bp.get("/tilbud/<uuid:service_id>/historik/<int:number>")
@login_required
def version(service_id: uuid.UUID, number: int) -> str:
    """Show what one version changed, against the published version and the one before."""
    service = get_service_for_editing_or_404(service_id, current_user)
    shown = _version_or_404(service, number)
    published = last_published_version(service.id)
    previous = get_version(service.id, number - 1) if number > 1 else None
    names = load_names(db.session)
    return render_template(
        "moderation/version.html",
        service=service,
        shown=shown,
        published=published,
        previous=previous,
        against_published=diff_snapshots(
            published.snapshot if published else None, shown.snapshot, names
        ),
        against_previous=diff_snapshots(
            previous.snapshot if previous else None, shown.snapshot, names
        ),
        against_current=diff_snapshots(snapshot(service), shown.snapshot, names),
        restore_form=LockedForm(formdata=None, data={"version": service.version}),
    )


@bp.post("/tilbud/<uuid:service_id>/historik/<int:number>/gendan")
@login_required
def restore(service_id: uuid.UUID, number: int) -> Response:
    """Make an earlier version the offer's current content, as a new version."""
    service = get_service_for_editing_or_404(service_id, current_user)
    shown = _version_or_404(service, number)
    form = LockedForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        restore_version(db.session, service, shown, current_user, form.version.data)
        db.session.commit()
    except (VersionConflict, StaleDataError):
        db.session.rollback()
        flash(_conflict_message(), "error")
        return redirect(url_for(".version", service_id=service_id, number=number))
    flash(_("Version %(number)s er gendannet.", number=number), "success")
    return redirect(url_for(".history", service_id=service.id))


def _commit_confirmation(service: Service, actor: Any) -> bool:
    """Confirm the offer and commit; on a simultaneous edit, flash why and return False."""
    try:
        confirm_offer(service, actor)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(_conflict_message(), "error")
        return False
    return True


@bp.route("/bekraeft/<token>", methods=["GET", "POST"])
def confirm(token: str) -> Response | str | tuple[str, int]:
    """Confirm from the reminder email that an offer still runs; GET only asks."""
    service: Service | None = None
    try:
        claim = read_confirm_token(token)
        service = db.session.get(Service, claim.service_id)
        service = check_claim(claim, service)
    except TokenError as error:
        status = 400 if error.problem is TokenProblem.INVALID else 410
        shown = service if error.problem is TokenProblem.USED else None
        return render_template(
            "moderation/confirm_problem.html", problem=error.problem.value, service=shown
        ), status
    form = ConfirmForm()
    if form.validate_on_submit():
        if not _commit_confirmation(service, None):
            return redirect(url_for(".confirm", token=token))
        return render_template("moderation/confirm_done.html", service=service)
    page = render_template("moderation/confirm.html", service=service, form=form, describe=describe)
    return page, 400 if form.is_submitted() else 200


@bp.post("/tilbud/<uuid:service_id>/bekraeft")
@login_required
def confirm_now(service_id: uuid.UUID) -> Response:
    """Confirm from the association's own pages that an offer still runs."""
    service = get_service_for_editing_or_404(service_id, current_user)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not service.is_published:
        flash(_("Kun offentliggjorte tilbud skal bekræftes."), "error")
    elif _commit_confirmation(service, current_user):
        flash(_("Tak! %(name)s er bekræftet for et år mere.", name=service.name), "success")
    return redirect(safe_next(form.next.data) or url_for(".history", service_id=service.id))
