"""Admins' decisions on offers, and what the moderation pages list and count.

See ``publication`` for the policy: offers of unverified organisations wait
for review before they are first published; later changes go live at once
and are listed here as "changed after approval" until an admin has seen them.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from portal.accounts.models import Membership, User
from portal.find.documents import municipality_names
from portal.mail.services import queue_mail
from portal.moderation.models import ProblemReport, ServiceVersion, VersionEvent
from portal.moderation.publication import mail_language, publish
from portal.moderation.versions import (
    approved_number_subquery,
    check_version,
    last_approved_version,
    record_version,
    snapshot,
)
from portal.offers.models import LocationType, Service, ServiceStatus
from portal.organizations.models import ClaimRequest, ClaimStatus, Organization

logger = logging.getLogger(__name__)

REASON_MAX_LENGTH = 1000
# Saves that change what citizens see; confirmations and decisions do not.
CONTENT_EVENTS = (VersionEvent.SAVED, VersionEvent.RESTORED, VersionEvent.IMPORTED)


class ModerationError(Exception):
    """A decision that does not fit the offer's state; the message is for the admin."""


def member_addresses(session: so.Session, organization: Organization) -> list[str]:
    """Return the email addresses of the organisation's owners and editors (else its own)."""
    addresses = list(
        session.scalars(
            sa.select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organization_id == organization.id, ~User.is_disabled)
            .order_by(User.email)
        )
    )
    if not addresses and organization.email:
        addresses = [organization.email]
    return addresses


def _notify(
    session: so.Session,
    service: Service,
    subject: LazyString,
    template: str,
    **context: Any,
) -> None:
    with mail_language():
        for address in member_addresses(session, service.organization):
            queue_mail(address, str(subject), template, service=service, **context)


def approve(
    session: so.Session, service: Service, admin: User, expected: int | None
) -> ServiceVersion:
    """Publish an offer that waits for review and tell its organisation."""
    check_version(service, expected)
    if service.status is not ServiceStatus.PENDING_REVIEW:
        raise ModerationError(_("Tilbuddet venter ikke på godkendelse."))
    version = publish(service, admin, VersionEvent.PUBLISHED)
    _notify(session, service, _l("Jeres tilbud er godkendt"), "moderation_approved")
    logger.info("offer %s approved", service.id)
    return version


def reject(
    session: so.Session, service: Service, admin: User, reason: str, expected: int | None
) -> ServiceVersion:
    """Send an offer that waits for review back to draft, with the reason, to its organisation."""
    check_version(service, expected)
    if service.status is not ServiceStatus.PENDING_REVIEW:
        raise ModerationError(_("Tilbuddet venter ikke på godkendelse."))
    service.status = ServiceStatus.DRAFT
    version = record_version(service, admin, VersionEvent.REJECTED, note=reason, is_published=False)
    _notify(
        session, service, _l("Jeres tilbud er ikke godkendt"), "moderation_rejected", reason=reason
    )
    logger.info("offer %s rejected", service.id)
    return version


def unpublish(
    session: so.Session, service: Service, admin: User, reason: str, expected: int | None
) -> ServiceVersion:
    """Take a published offer down (it leaves search through the outbox) and say why."""
    check_version(service, expected)
    if not service.is_published:
        raise ModerationError(_("Tilbuddet er ikke offentliggjort."))
    service.status = ServiceStatus.DRAFT
    version = record_version(
        service, admin, VersionEvent.UNPUBLISHED, note=reason, is_published=False
    )
    _notify(
        session,
        service,
        _l("Jeres tilbud er taget af portalen"),
        "moderation_unpublished",
        reason=reason,
    )
    logger.info("offer %s unpublished", service.id)
    return version


def mark_checked(service: Service, admin: User, expected: int | None) -> ServiceVersion:
    """Record that an admin has seen a published offer's changes and lets them stand."""
    check_version(service, expected)
    if not service.is_published:
        raise ModerationError(_("Tilbuddet er ikke offentliggjort."))
    return record_version(service, admin, VersionEvent.PUBLISHED, is_published=True)


def _same(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def needs_check(service: Service) -> tuple[bool, ServiceVersion | None]:
    """Return whether a published offer was changed after approval, and the approved version."""
    approved = last_approved_version(service.id)
    if not service.is_published or service.organization.is_verified:
        return False, approved
    return approved is None or not _same(approved.snapshot, snapshot(service)), approved


@dataclass
class PendingOffer:
    """An offer in the review queue."""

    service: Service
    municipality: str
    submitted_at: dt.datetime


def pending_offers(session: so.Session) -> list[PendingOffer]:
    """Return the offers waiting for review, the longest waiting first."""
    submitted = (
        sa.select(sa.func.max(ServiceVersion.created_at))
        .where(
            ServiceVersion.service_id == Service.id,
            ServiceVersion.event == VersionEvent.SUBMITTED,
        )
        .correlate(Service)
        .scalar_subquery()
    )
    submitted_at = sa.func.coalesce(submitted, Service.updated_at)
    rows = session.execute(
        sa.select(Service, submitted_at)
        .where(Service.status == ServiceStatus.PENDING_REVIEW)
        .options(so.joinedload(Service.organization), so.selectinload(Service.service_at_locations))
        .order_by(submitted_at, Service.id)
    ).unique()
    names = municipality_names(session)
    return [PendingOffer(service, _municipality(service, names), when) for service, when in rows]


def _municipality(service: Service, names: dict[str, str]) -> str:
    for sal in service.service_at_locations:
        if sal.location.location_type is LocationType.PHYSICAL and sal.location.municipality_code:
            return names.get(sal.location.municipality_code, "")
    return ""


@dataclass
class ChangedOffer:
    """A published offer of an unverified organisation, changed after an admin approved it."""

    service: Service
    latest: ServiceVersion
    approved: ServiceVersion | None


def changed_offers(session: so.Session) -> list[ChangedOffer]:
    """Return offers changed after approval that no admin has looked at, latest change first."""
    approved_number = approved_number_subquery()
    later = so.aliased(ServiceVersion)
    latest_number = (
        sa.select(sa.func.max(later.number))
        .where(later.service_id == Service.id)
        .correlate(Service)
        .scalar_subquery()
    )
    changed = sa.exists().where(
        later.service_id == Service.id,
        later.is_published,
        later.event.in_(CONTENT_EVENTS),
        later.number > approved_number,
    )
    rows = session.execute(
        sa.select(Service, approved_number, latest_number)
        .join(Organization, Organization.id == Service.organization_id)
        .where(Service.status == ServiceStatus.PUBLISHED, ~Organization.is_verified, changed)
        .options(so.contains_eager(Service.organization))
    ).all()
    wanted = {(s.id, n) for s, a, latest in rows for n in (a, latest) if n}
    versions = (
        {
            (v.service_id, v.number): v
            for v in session.scalars(
                sa.select(ServiceVersion)
                .where(
                    sa.tuple_(ServiceVersion.service_id, ServiceVersion.number).in_(list(wanted))
                )
                .options(so.joinedload(ServiceVersion.actor))
            )
        }
        if wanted
        else {}
    )
    result = []
    for service, approved_no, latest_no in rows:
        latest, approved = (
            versions[(service.id, latest_no)],
            versions.get((service.id, approved_no)),
        )
        # An edit that was undone again leaves nothing to check.
        if approved is None or not _same(approved.snapshot, latest.snapshot):
            result.append(ChangedOffer(service, latest, approved))
    return sorted(result, key=lambda c: c.latest.created_at, reverse=True)


@dataclass(frozen=True)
class AdminCounts:
    """What waits for admins."""

    pending: int
    changed: int
    open_reports: int
    unverified_organizations: int
    pending_claims: int


def admin_counts(session: so.Session) -> AdminCounts:
    """Count what waits for admins across the portal."""

    def count(model: Any, *conditions: Any) -> int:
        return session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions)) or 0

    return AdminCounts(
        pending=count(Service, Service.status == ServiceStatus.PENDING_REVIEW),
        changed=len(changed_offers(session)),
        open_reports=count(ProblemReport, ProblemReport.resolved_at.is_(None)),
        unverified_organizations=count(Organization, ~Organization.is_verified),
        pending_claims=count(ClaimRequest, ClaimRequest.status == ClaimStatus.PENDING),
    )
