"""Admin pages for associations: find and verify organisations, decide claims."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import admin_required, uuid_or_404
from portal.accounts.models import Membership
from portal.db import db
from portal.organizations import services
from portal.organizations.forms import ClaimDecisionForm, VerifyForm
from portal.organizations.models import ClaimRequest, ClaimStatus, Organization
from portal.organizations.views import bp

logger = logging.getLogger(__name__)

PER_PAGE = 25


@dataclass(frozen=True)
class OrganizationRow:
    """An organisation in the admin list with its number of members."""

    organization: Organization
    members: int


def search_organizations(query: str, page: int, per_page: int) -> tuple[list[OrganizationRow], int]:
    """Return one page of organisations whose name or CVR matches, and how many match."""
    condition: sa.ColumnElement[bool] = sa.true()
    query = query.strip()
    digits = query.replace(" ", "")
    if digits.isdigit():
        condition = sa.or_(
            Organization.cvr.startswith(digits, autoescape=True),
            Organization.name.icontains(query, autoescape=True),
        )
    elif query:
        condition = Organization.name.icontains(query, autoescape=True)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Organization).where(condition))
    members = (
        sa.select(Membership.organization_id, sa.func.count().label("members"))
        .group_by(Membership.organization_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Organization, sa.func.coalesce(members.c.members, 0))
        .outerjoin(members, members.c.organization_id == Organization.id)
        .where(condition)
        .order_by(Organization.name, Organization.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return [OrganizationRow(org, count) for org, count in rows], total or 0


def pending_claims() -> list[ClaimRequest]:
    """Return the claims awaiting a decision, oldest first, with claimant and organisation."""
    return list(
        db.session.scalars(
            sa.select(ClaimRequest)
            .where(ClaimRequest.status == ClaimStatus.PENDING)
            .options(so.joinedload(ClaimRequest.user), so.joinedload(ClaimRequest.organization))
            .order_by(ClaimRequest.created_at)
        )
    )


def _page_number(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


def _render_list(failed: ClaimRequest | None = None, failed_form: Any = None) -> Any:
    query = request.values.get("q", "")[:200]
    page = _page_number(request.values.get("page"))
    rows, total = search_organizations(query, page, PER_PAGE)
    claims = pending_claims()
    forms = {
        claim.id: failed_form
        if failed is not None and claim.id == failed.id
        else ClaimDecisionForm(prefix=f"claim-{claim.id}", formdata=None)
        for claim in claims
    }
    return render_template(
        "organizations/admin_list.html",
        query=query,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        total=total,
        rows=rows,
        claims=claims,
        claim_forms=forms,
        verify_form=VerifyForm(formdata=None),
    ), (422 if failed_form is not None else 200)


@bp.get("/admin/foreninger")
@admin_required
def admin_list() -> Any:
    """Search organisations by name or CVR; list claims waiting for a decision."""
    return _render_list()


def _back_to_list() -> Any:
    query = request.form.get("q", "")[:200]
    page = _page_number(request.form.get("page"))
    return redirect(url_for(".admin_list", q=query or None, page=page if page > 1 else None))


def _organization_or_404(organization_id: str) -> Organization:
    organization = db.session.get(Organization, uuid_or_404(organization_id))
    if organization is None:
        abort(404)
    return organization


@bp.post("/admin/foreninger/<organization_id>/verificering")
@admin_required
def set_verified(organization_id: str) -> Any:
    """Mark an organisation verified, so its offers publish without review, or undo it."""
    organization = _organization_or_404(organization_id)
    form = VerifyForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_verified(organization, form.verified.data == "1")
    db.session.commit()
    logger.info("organisation %s verified=%s", organization.id, organization.is_verified)
    if organization.is_verified:
        flash(_("%(name)s er nu verificeret.", name=organization.name), "success")
    else:
        flash(_("%(name)s er ikke længere verificeret.", name=organization.name), "success")
    return _back_to_list()


@bp.post("/admin/overtagelser/<claim_id>")
@admin_required
def decide_claim(claim_id: str) -> Any:
    """Approve a claim (the claimant becomes owner) or reject it with a reason."""
    claim = db.session.get(ClaimRequest, uuid_or_404(claim_id))
    if claim is None:
        abort(404)
    form = ClaimDecisionForm(prefix=f"claim-{claim.id}")
    if not form.validate_on_submit() or not (form.approve.data or form.reject.data):
        return _render_list(failed=claim, failed_form=form)
    try:
        services.decide_claim(claim, current_user, bool(form.approve.data), form.reason.data)
    except services.OrganizationError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _back_to_list()
    db.session.commit()
    logger.info("claim %s decided: %s", claim.id, claim.status.value)
    if claim.status is ClaimStatus.APPROVED:
        flash(_("Anmodningen er godkendt, og ansøgeren er nu ejer."), "success")
    else:
        flash(_("Anmodningen er afvist, og ansøgeren har fået besked."), "success")
    return _back_to_list()
