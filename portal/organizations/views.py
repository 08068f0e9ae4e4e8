"""Association pages: create and edit the profile, the dashboard, members, invitations, claims."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from portal.accounts.access import (
    can_manage_organization,
    get_organization_or_404,
    uuid_or_404,
)
from portal.accounts.models import Invitation, MemberRole, Membership
from portal.db import db
from portal.organizations import services
from portal.organizations.forms import (
    ActionForm,
    ChangeRoleForm,
    ClaimForm,
    InviteForm,
    OrganizationEditForm,
    OrganizationForm,
    RemoveMemberForm,
    RevokeInvitationForm,
)
from portal.organizations.models import Organization
from portal.organizations.validators import display_phone
from portal.organizations.views_counter import VIEW_DAYS, local_today

logger = logging.getLogger(__name__)

bp = Blueprint("organizations", __name__)

PROFILE_FIELDS = ("name", "cvr", "description", "website", "email", "address", "postal_code")


@bp.app_template_global()
def organization_is_claimable(organization_id: uuid.UUID) -> bool:
    """Return whether nobody manages the organisation yet, so it can be claimed."""
    return not services.has_members(organization_id)


@bp.app_template_filter("phone")
def phone_filter(number: str | None) -> str:
    """Show a stored phone number as people write it."""
    return display_phone(number)


def verified_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let only signed-in users with a confirmed email address through."""

    @functools.wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_verified:
            return render_template("organizations/verify_first.html"), 403
        return view(*args, **kwargs)

    return wrapped


def _show_error(form: Any, error: services.OrganizationError) -> None:
    """Put a service's message next to its field, or at the top of the page."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def _status(form: Any) -> int:
    return 422 if form.errors else 200


@bp.route("/forening/ny", methods=["GET", "POST"])
@verified_required
def new() -> Any:
    """Create an organisation; offer to claim a matching one that nobody manages."""
    form = OrganizationForm()
    matches: list[Organization] = []
    if form.validate_on_submit():
        data = form.profile_data()
        if not form.create_anyway.data:
            municipality = services.municipality_of(data["postal_code"])
            matches = services.claimable_matches(data["cvr"], data["name"] or "", municipality)
        if not matches:
            try:
                organization = services.create_organization(current_user, data)
            except services.OrganizationError as error:
                _show_error(form, error)
            else:
                db.session.commit()
                flash(_("Foreningen er oprettet. Du er dens ejer."), "success")
                return redirect(url_for(".dashboard", organization_id=organization.id))
    return render_template("organizations/new.html", form=form, matches=matches), _status(form)


@bp.get("/mine-foreninger")
@login_required
def mine() -> str:
    """List the organisations the user is a member of."""
    memberships = db.session.scalars(
        sa.select(Membership)
        .join(Membership.organization)
        .where(Membership.user_id == current_user.id)
        .order_by(Organization.name)
    ).all()
    return render_template("organizations/mine.html", memberships=memberships)


@bp.get("/forening/<organization_id>")
@login_required
def dashboard(organization_id: str) -> str:
    """Show every offer of the organisation: status, freshness, views and open reports."""
    organization = get_organization_or_404(organization_id, current_user)
    rows = services.dashboard_rows(organization.id, local_today())
    due = sorted(
        (row for row in rows if row.needs_confirmation),
        key=lambda row: (row.hidden_on is not None, row.hidden_on),
    )
    return render_template(
        "organizations/dashboard.html",
        organization=organization,
        rows=rows,
        due=due,
        view_days=VIEW_DAYS,
        is_owner=can_manage_organization(current_user, organization.id, owner=True),
        action_form=ActionForm(),
    )


def _saved_values(organization: Organization) -> dict[str, str]:
    values = {name: getattr(organization, name) or "" for name in PROFILE_FIELDS}
    values["city"] = organization.city or ""
    values["phone"] = display_phone(organization.phones[0].number) if organization.phones else ""
    return values


def _conflicts(form: OrganizationEditForm, organization: Organization) -> list[tuple[str, str]]:
    """Return (label, value saved now) for each field the other change made differ."""
    saved = _saved_values(organization)
    typed = form.profile_data()
    typed["phone"] = display_phone(typed["phone"])
    return [
        (str(getattr(form, name).label.text), value)
        for name, value in saved.items()
        if (typed.get(name) or "") != value
    ]


@bp.route("/forening/<organization_id>/profil", methods=["GET", "POST"])
@login_required
def edit(organization_id: str) -> Any:
    """Edit the profile; a change saved meanwhile by someone else is shown, not overwritten."""
    organization = get_organization_or_404(organization_id, current_user, owner=True)
    saved = _saved_values(organization)
    form = OrganizationEditForm(data={**saved, "version": organization.version})
    conflicts: list[tuple[str, str]] | None = None
    if form.validate_on_submit():
        try:
            if form.version.data != organization.version:
                raise StaleDataError
            services.update_organization(organization, form.profile_data())
            db.session.commit()
        except services.OrganizationError as error:
            db.session.rollback()
            _show_error(form, error)
        except StaleDataError:
            db.session.rollback()
            conflicts = _conflicts(form, organization)
            # Saving again now overwrites the other change on purpose.
            form.version.data = organization.version
            form.version.raw_data = [str(organization.version)]
            logger.info("profile edit conflict organisation=%s", organization.id)
        else:
            flash(_("Profilen er gemt."), "success")
            return redirect(url_for(".dashboard", organization_id=organization.id))
    status = 409 if conflicts is not None else _status(form)
    return render_template(
        "organizations/edit.html", form=form, organization=organization, conflicts=conflicts
    ), status


# ---------- Members ----------


def _membership_or_404(organization: Organization, member_id: str | None) -> Membership:
    membership = db.session.get(Membership, uuid_or_404(member_id))
    if membership is None or membership.organization_id != organization.id:
        abort(404)
    return membership


def _invitation_or_404(organization: Organization, invitation_id: str | None) -> Invitation:
    invitation = db.session.get(Invitation, uuid_or_404(invitation_id))
    if invitation is None or invitation.organization_id != organization.id:
        abort(404)
    return invitation


def _change_role(organization: Organization) -> Response | None:
    form = ChangeRoleForm()
    if not form.validate_on_submit():
        abort(400)
    membership = _membership_or_404(organization, form.member_id.data)
    services.change_role(membership, MemberRole(form.role.data))
    flash(_("Rollen er ændret."), "success")
    return None


def _remove_member(organization: Organization) -> Response | None:
    form = RemoveMemberForm()
    if not form.validate_on_submit():
        abort(400)
    membership = _membership_or_404(organization, form.member_id.data)
    leaving = membership.user_id == current_user.id
    services.remove_member(membership)
    flash(_("Medlemmet er fjernet."), "success")
    return redirect(url_for(".mine")) if leaving else None


def _revoke_invitation(organization: Organization) -> Response | None:
    form = RevokeInvitationForm()
    if not form.validate_on_submit():
        abort(400)
    services.revoke_invitation(_invitation_or_404(organization, form.invitation_id.data))
    flash(_("Invitationen er trukket tilbage."), "success")
    return None


_MEMBER_ACTIONS = {"role": _change_role, "remove": _remove_member, "revoke": _revoke_invitation}


@bp.route("/forening/<organization_id>/medlemmer", methods=["GET", "POST"])
@login_required
def members(organization_id: str) -> Any:
    """List members and invitations; owners invite, change roles and remove members."""
    organization = get_organization_or_404(organization_id, current_user)
    invite_form = InviteForm(prefix="invite")
    if request.method == "POST":
        # Editors may look but not change anything.
        get_organization_or_404(organization.id, current_user, owner=True)
        action = request.form.get("action")
        if action == "invite":
            if invite_form.validate_on_submit():
                try:
                    services.invite(
                        organization,
                        invite_form.email.data,
                        MemberRole(invite_form.role.data),
                        current_user,
                    )
                except services.OrganizationError as error:
                    _show_error(invite_form, error)
                else:
                    db.session.commit()
                    flash(_("Invitationen er sendt."), "success")
                    return redirect(url_for(".members", organization_id=organization.id))
        elif action in _MEMBER_ACTIONS:
            try:
                response = _MEMBER_ACTIONS[action](organization)
            except services.OrganizationError as error:
                db.session.rollback()
                flash(error.message, "error")
            else:
                db.session.commit()
                if response is not None:
                    return response
            return redirect(url_for(".members", organization_id=organization.id))
        else:
            abort(400)
    return render_template(
        "organizations/members.html",
        organization=organization,
        members=services.members_of(organization.id),
        invitations=services.open_invitations(organization.id),
        invitation_expired=services.invitation_expired,
        may_manage=can_manage_organization(current_user, organization.id, owner=True),
        invite_form=invite_form,
        action_form=ActionForm(),
        role_choices=ChangeRoleForm().role.choices,
    ), _status(invite_form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Any:
    """Show an invitation; the invited person joins with a button (GET changes nothing)."""
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationProblem as problem:
        status = 404 if problem.reason == "invalid" else 410
        return render_template(
            "organizations/invitation_problem.html", reason=problem.reason
        ), status
    signed_in = current_user.is_authenticated
    is_invited = signed_in and current_user.email.lower() == invitation.email.lower()
    form = ActionForm()
    if request.method == "POST":
        if not is_invited:
            abort(403)
        if form.validate_on_submit():
            services.accept_invitation(invitation, current_user)
            db.session.commit()
            flash(
                _("Velkommen i %(organization)s.", organization=invitation.organization.name),
                "success",
            )
            return redirect(url_for(".dashboard", organization_id=invitation.organization_id))
    return render_template(
        "organizations/invitation.html",
        invitation=invitation,
        signed_in=signed_in,
        is_invited=is_invited,
        form=form,
    )


@bp.route("/forening/<organization_id>/overtag", methods=["GET", "POST"])
@verified_required
def claim(organization_id: str) -> Any:
    """Ask to take over an organisation that nobody manages; an admin decides."""
    organization = db.session.get(Organization, uuid_or_404(organization_id))
    if organization is None:
        abort(404)
    taken = services.has_members(organization.id)
    pending = services.pending_claim(organization.id, current_user.id)
    form = ClaimForm()
    if not taken and pending is None and form.validate_on_submit():
        services.request_claim(organization, current_user, form.message.data)
        db.session.commit()
        flash(_("Tak. Vi har modtaget dit ønske og svarer dig på e-mail."), "success")
        return redirect(url_for(".claim", organization_id=organization.id))
    return render_template(
        "organizations/claim.html",
        organization=organization,
        taken=taken,
        pending=pending,
        form=form,
    ), _status(form)


# The admin pages share this blueprint; importing them registers their routes.
from portal.organizations import admin_views  # noqa: E402, F401
