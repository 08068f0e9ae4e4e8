"""Problem reports: the public form on every offer, and the queues where they are handled."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portal.accounts.access import admin_required, get_organization_or_404
from portal.db import db
from portal.extensions import limiter
from portal.moderation.models import ProblemKind, ProblemReport
from portal.moderation.report_forms import ReportForm, ResolveForm
from portal.moderation.reports import (
    create_report,
    get_report,
    get_reportable_service,
    kind_label,
    list_reports,
    resolve_report,
)
from portal.offers.models import Service
from portal.organizations.models import Organization

bp = Blueprint("reports", __name__)


def _report_limit() -> str:
    """Return the per-address limit on sending reports."""
    return current_app.config["RATELIMIT_REPORTS"]


def _reportable_or_404(service_id: uuid.UUID) -> Service:
    """Return the published offer, else 404."""
    service = get_reportable_service(service_id)
    if service is None:
        abort(404)
    return service


@bp.route("/tilbud/<uuid:service_id>/rapporter", methods=["GET", "POST"])
@limiter.limit(_report_limit, methods=["POST"])
def new(service_id: uuid.UUID) -> str | Response | tuple[str, int]:
    """Let anyone say what is wrong with an offer, without an account."""
    service = _reportable_or_404(service_id)
    form = ReportForm()
    if form.validate_on_submit():
        if not form.is_from_a_bot:
            create_report(service, ProblemKind(form.kind.data), form.message.data or "")
            db.session.commit()
        return redirect(url_for("reports.thanks", service_id=service.id))
    status = 400 if form.errors else 200
    return render_template("reports/new.html", service=service, form=form), status


@bp.get("/tilbud/<uuid:service_id>/rapporter/tak")
def thanks(service_id: uuid.UUID) -> str:
    """Thank the reporter and lead back to the offer."""
    service = _reportable_or_404(service_id)
    return render_template("reports/thanks.html", service=service)


def _render_queue(
    template: str, status: int = 200, failed: tuple[uuid.UUID, ResolveForm] | None = None, **context
) -> tuple[str, int]:
    """Render a list of reports with one resolve form each (keeping a rejected note)."""
    resolved = request.args.get("vis") == "loeste"
    rows, total = list_reports(resolved=resolved, organization_id=context.get("organization_id"))
    forms = {row.report.id: ResolveForm(formdata=None) for row in rows}
    if failed is not None:
        forms[failed[0]] = failed[1]
    return render_template(
        template,
        rows=rows,
        total=total,
        forms=forms,
        resolved=resolved,
        kind_label=kind_label,
        **context,
    ), status


@bp.get("/admin/rapporter")
@admin_required
def queue() -> tuple[str, int]:
    """List the open reports, oldest first (or the resolved ones, newest first)."""
    return _render_queue("reports/queue.html")


def _resolve(report: ProblemReport) -> ResolveForm | None:
    """Resolve the report from the posted note; return the form if the note was refused."""
    form = ResolveForm()
    if not form.validate_on_submit():
        return form
    if resolve_report(report, current_user, form.note.data or ""):
        db.session.commit()
        flash(_("Rapporten er markeret som løst."), "success")
    else:
        flash(_("Rapporten var allerede markeret som løst."), "info")
    return None


@bp.post("/admin/rapporter/<uuid:report_id>/loest")
@admin_required
def resolve(report_id: uuid.UUID) -> Response | tuple[str, int]:
    """Mark a report resolved, with an optional note."""
    report = get_report(report_id)
    if report is None:
        abort(404)
    refused = _resolve(report)
    if refused is not None:
        return _render_queue("reports/queue.html", 400, (report.id, refused))
    return redirect(url_for("reports.queue"))


@bp.get("/forening/<uuid:organization_id>/rapporter")
@login_required
def for_organization(organization_id: uuid.UUID) -> tuple[str, int]:
    """List the open reports on the organisation's offers."""
    organization = get_organization_or_404(organization_id, current_user)
    return _render_queue(
        "reports/organization.html", organization=organization, organization_id=organization.id
    )


@bp.post("/forening/<uuid:organization_id>/rapporter/<uuid:report_id>/loest")
@login_required
def resolve_for_organization(
    organization_id: uuid.UUID, report_id: uuid.UUID
) -> Response | tuple[str, int]:
    """Mark a report on one of the organisation's offers resolved."""
    organization: Organization = get_organization_or_404(organization_id, current_user)
    report = get_report(report_id, organization_id=organization.id)
    if report is None:
        abort(404)
    refused = _resolve(report)
    if refused is not None:
        return _render_queue(
            "reports/organization.html",
            400,
            (report.id, refused),
            organization=organization,
            organization_id=organization.id,
        )
    return redirect(url_for("reports.for_organization", organization_id=organization.id))
