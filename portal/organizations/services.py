"""Changing associations: profiles, members and invitations, claims and verification.

Every function takes explicit arguments, adds and flushes, and leaves the
commit to the caller; emails go to the outbox in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from portal.accounts.models import Invitation, MemberRole, Membership, User
from portal.db import db, utcnow
from portal.geo.models import Postcode
from portal.mail.services import queue_mail
from portal.moderation.freshness import Freshness, freshness, hidden_on
from portal.offers.models import Service
from portal.organizations.models import ClaimRequest, ClaimStatus, Organization, Phone
from portal.organizations.views_counter import VIEW_DAYS, views_per_service

logger = logging.getLogger(__name__)

INVITATION_SALT = "invitation"
INVITATION_VALID_FOR = dt.timedelta(days=14)


class OrganizationError(Exception):
    """A change that cannot be made; the message is shown to the user.

    ``field`` names the form field the message belongs next to, if any.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# ---------- Profile ----------


def _place_of(postal_code: str | None) -> Postcode | None:
    """Return the postcode area, or raise if the imported postcode list does not know it."""
    if not postal_code:
        return None
    place = db.session.get(Postcode, postal_code)
    # Without an imported postcode list there is nothing to check against.
    if place is None and db.session.scalar(sa.select(Postcode.code).limit(1)) is not None:
        raise OrganizationError(
            _("Postnummeret %(code)s findes ikke.", code=postal_code), field="postal_code"
        )
    return place


def _apply_profile(organization: Organization, data: dict[str, str | None]) -> None:
    """Copy the profile fields onto the organisation; the postcode decides city and kommune."""
    place = _place_of(data["postal_code"])
    for name in ("name", "cvr", "description", "website", "email", "address", "postal_code"):
        setattr(organization, name, data[name])
    organization.city = place.name if place is not None else data["city"]
    organization.municipality_code = place.municipality_code if place is not None else None
    phone = organization.phones[0] if organization.phones else None
    if data["phone"] and phone is None:
        organization.phones.append(Phone(number=data["phone"]))
    elif data["phone"] and phone is not None:
        phone.number = data["phone"]
    elif phone is not None:
        organization.phones.remove(phone)
        db.session.delete(phone)


def municipality_of(postal_code: str | None) -> str | None:
    """Return the kommune code of a postcode, or None when unknown."""
    place = db.session.get(Postcode, postal_code) if postal_code else None
    return place.municipality_code if place is not None else None


def create_organization(creator: User, data: dict[str, str | None]) -> Organization:
    """Create an organisation from the profile form; the creator becomes its owner."""
    organization = Organization(name=data["name"] or "")
    _apply_profile(organization, data)
    db.session.add(organization)
    db.session.add(Membership(user=creator, organization=organization, role=MemberRole.OWNER))
    db.session.flush()
    logger.info("organisation created id=%s", organization.id)
    return organization


def update_organization(organization: Organization, data: dict[str, str | None]) -> None:
    """Save an edited profile."""
    _apply_profile(organization, data)
    db.session.flush()


def _without_members() -> sa.ColumnElement[bool]:
    return ~sa.exists().where(Membership.organization_id == Organization.id)


def claimable_matches(
    cvr: str | None, name: str, municipality_code: str | None
) -> list[Organization]:
    """Return memberless organisations with the same CVR, or the same name and kommune."""
    conditions = []
    if cvr:
        conditions.append(Organization.cvr == cvr)
    if municipality_code:
        conditions.append(Organization.municipality_code == municipality_code)
    if not conditions:
        return []
    candidates = db.session.scalars(
        sa.select(Organization).where(sa.or_(*conditions), _without_members())
    )
    wanted = name.casefold().strip()
    # Names are compared in Python: SQLite's lower() leaves æ, ø and å alone.
    return [
        org
        for org in candidates
        if (cvr and org.cvr == cvr)
        or (org.municipality_code == municipality_code and org.name.casefold().strip() == wanted)
    ]


def has_members(organization_id: uuid.UUID) -> bool:
    """Return whether anyone manages the organisation."""
    statement = sa.select(Membership.id).where(Membership.organization_id == organization_id)
    return db.session.scalar(statement.limit(1)) is not None


# ---------- Members and invitations ----------


def members_of(organization_id: uuid.UUID) -> list[Membership]:
    """Return the organisation's members, owners first."""
    return list(
        db.session.scalars(
            sa.select(Membership)
            .join(Membership.user)
            .where(Membership.organization_id == organization_id)
            .options(so.contains_eager(Membership.user))
            .order_by(Membership.role.desc(), User.name, User.email)
        )
    )


def open_invitations(organization_id: uuid.UUID) -> list[Invitation]:
    """Return invitations neither accepted nor revoked, newest first."""
    return list(
        db.session.scalars(
            sa.select(Invitation)
            .where(
                Invitation.organization_id == organization_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .order_by(Invitation.created_at.desc())
        )
    )


def invitation_expired(invitation: Invitation) -> bool:
    """Return whether the invitation's link no longer works."""
    return invitation.created_at + INVITATION_VALID_FOR < utcnow()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=INVITATION_SALT)


def invitation_token(invitation: Invitation) -> str:
    """Return the signed token of an invitation's link."""
    return _serializer().dumps(str(invitation.id))


class InvitationProblem(Exception):
    """The invitation link cannot be used: ``reason`` is "invalid", "expired" or "used"."""

    def __init__(self, reason: str, invitation: Invitation | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


def invitation_from_token(token: str) -> Invitation:
    """Return the open invitation a link's token names, or raise InvitationProblem."""
    try:
        value = _serializer().loads(token, max_age=int(INVITATION_VALID_FOR.total_seconds()))
        invitation = db.session.get(Invitation, uuid.UUID(value))
    except SignatureExpired as error:
        raise InvitationProblem("expired") from error
    except (BadSignature, ValueError, TypeError) as error:
        raise InvitationProblem("invalid") from error
    if invitation is None:
        raise InvitationProblem("invalid")
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise InvitationProblem("used", invitation)
    return invitation


def invite(organization: Organization, email: str, role: MemberRole, inviter: User) -> Invitation:
    """Invite an address to the organisation and email the link; earlier open invitations lapse."""
    address = email.strip()
    member = db.session.scalar(
        sa.select(Membership)
        .join(Membership.user)
        .where(
            Membership.organization_id == organization.id,
            sa.func.lower(User.email) == address.lower(),
        )
    )
    if member is not None:
        raise OrganizationError(_("%(email)s er allerede medlem.", email=address), field="email")
    now = utcnow()
    for earlier in open_invitations(organization.id):
        if earlier.email.lower() == address.lower():
            earlier.revoked_at = now
    invitation = Invitation(
        organization=organization, email=address, role=role, invited_by=inviter, created_at=now
    )
    db.session.add(invitation)
    db.session.flush()
    queue_mail(
        address,
        _("Invitation til %(organization)s på Fællesskabsportalen", organization=organization.name),
        "org_invitation",
        organization=organization,
        role=role,
        inviter_name=inviter.name,
        token=invitation_token(invitation),
        valid_days=INVITATION_VALID_FOR.days,
    )
    return invitation


def accept_invitation(invitation: Invitation, user: User) -> Membership:
    """Make the user a member with the invited role (an owner stays an owner)."""
    invitation.accepted_at = utcnow()
    membership = db.session.scalar(
        sa.select(Membership).where(
            Membership.organization_id == invitation.organization_id,
            Membership.user_id == user.id,
        )
    )
    if membership is None:
        membership = Membership(
            user=user, organization_id=invitation.organization_id, role=invitation.role
        )
        db.session.add(membership)
    elif invitation.role is MemberRole.OWNER:
        membership.role = MemberRole.OWNER
    db.session.flush()
    return membership


def _owner_count(organization_id: uuid.UUID) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(
                Membership.organization_id == organization_id, Membership.role == MemberRole.OWNER
            )
        )
        or 0
    )


def _keep_an_owner(membership: Membership) -> None:
    if membership.role is MemberRole.OWNER and _owner_count(membership.organization_id) <= 1:
        raise OrganizationError(
            _(
                "Foreningen skal have mindst én ejer. Gør en anden til ejer først, "
                "før du ændrer eller fjerner den sidste ejer."
            )
        )


def change_role(membership: Membership, role: MemberRole) -> None:
    """Give a member another role; the last owner cannot be demoted."""
    if role is not MemberRole.OWNER:
        _keep_an_owner(membership)
    membership.role = role
    db.session.flush()


def remove_member(membership: Membership) -> None:
    """Take a member out of the organisation; the last owner cannot be removed."""
    _keep_an_owner(membership)
    db.session.delete(membership)
    db.session.flush()


def revoke_invitation(invitation: Invitation) -> None:
    """Make an invitation's link stop working."""
    invitation.revoked_at = utcnow()
    db.session.flush()


# ---------- Claims and verification ----------


def _admin_addresses() -> list[str]:
    return list(
        db.session.scalars(sa.select(User.email).where(User.is_admin, sa.not_(User.is_disabled)))
    )


def pending_claim(organization_id: uuid.UUID, user_id: uuid.UUID) -> ClaimRequest | None:
    """Return the user's claim on the organisation that awaits a decision, if any."""
    return db.session.scalar(
        sa.select(ClaimRequest).where(
            ClaimRequest.organization_id == organization_id,
            ClaimRequest.user_id == user_id,
            ClaimRequest.status == ClaimStatus.PENDING,
        )
    )


def request_claim(organization: Organization, user: User, message: str) -> ClaimRequest:
    """Ask the admins to let the user take over an organisation that has no members."""
    if has_members(organization.id):
        raise OrganizationError(_("Foreningen har allerede medlemmer på portalen."))
    existing = pending_claim(organization.id, user.id)
    if existing is not None:
        return existing
    claim = ClaimRequest(organization=organization, user=user, message=message)
    db.session.add(claim)
    db.session.flush()
    for address in _admin_addresses():
        queue_mail(
            address,
            _("%(organization)s: ønske om at overtage foreningen", organization=organization.name),
            "org_claim_requested",
            organization=organization,
        )
    logger.info("claim requested organisation=%s claim=%s", organization.id, claim.id)
    return claim


def decide_claim(claim: ClaimRequest, admin: User, approve: bool, reason: str | None) -> None:
    """Approve a claim (the claimant becomes owner) or reject it with a reason; tell them."""
    if claim.status is not ClaimStatus.PENDING:
        raise OrganizationError(_("Anmodningen er allerede afgjort."))
    claim.status = ClaimStatus.APPROVED if approve else ClaimStatus.REJECTED
    claim.decided_by_id = admin.id
    claim.decided_at = utcnow()
    claim.reason = reason or None
    organization = claim.organization
    if approve:
        membership = db.session.scalar(
            sa.select(Membership).where(
                Membership.organization_id == organization.id, Membership.user_id == claim.user_id
            )
        )
        if membership is None:
            db.session.add(
                Membership(user=claim.user, organization=organization, role=MemberRole.OWNER)
            )
        else:
            membership.role = MemberRole.OWNER
    queue_mail(
        claim.user.email,
        _("Du kan nu redigere %(organization)s", organization=organization.name)
        if approve
        else _("Svar på dit ønske om at overtage %(organization)s", organization=organization.name),
        "org_claim_approved" if approve else "org_claim_rejected",
        organization=organization,
        reason=claim.reason,
    )
    db.session.flush()


def set_verified(organization: Organization, verified: bool) -> None:
    """Mark the organisation verified (its offers publish without review), or not."""
    organization.is_verified = verified
    db.session.flush()


# ---------- Dashboard ----------


@dataclass(frozen=True)
class OfferRow:
    """One offer on the association dashboard with its figures."""

    service: Service
    freshness: Freshness
    hidden_on: dt.date | None
    views: int
    open_reports: int

    @property
    def needs_confirmation(self) -> bool:
        """Return whether a published offer is due, hidden or never confirmed."""
        return self.service.is_published and self.freshness is not Freshness.FRESH


def dashboard_rows(organization_id: uuid.UUID, today: dt.date) -> list[OfferRow]:
    """Return every offer of the organisation with freshness, 30 days' views and open reports."""
    # Written alongside this page; imported here so the rest of the module does not wait on it.
    from portal.moderation.reports import open_report_counts

    services = db.session.scalars(
        sa.select(Service)
        .where(Service.organization_id == organization_id)
        .order_by(Service.name, Service.id)
    ).all()
    views = views_per_service(organization_id, since=today - dt.timedelta(days=VIEW_DAYS - 1))
    reports = open_report_counts(organization_id)
    return [
        OfferRow(
            service=service,
            freshness=freshness(service),
            hidden_on=hidden_on(service),
            views=views.get(service.id, 0),
            open_reports=reports.get(service.id, 0),
        )
        for service in services
    ]
