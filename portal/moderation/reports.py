"""Problem reports: a citizen says an offer's information is wrong; members and admins fix it.

Nothing about the reporter is kept (no address, no e-mail, no account): a
report is only the offer, what is wrong and the optional message.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.accounts.models import Membership, User
from portal.db import db, utcnow
from portal.mail.services import queue_mail
from portal.moderation.models import ProblemKind, ProblemReport
from portal.offers.models import Service, ServiceStatus

logger = logging.getLogger(__name__)

MESSAGE_MAX_LENGTH = 1000
NOTE_MAX_LENGTH = 1000
QUEUE_PAGE_SIZE = 100

KIND_LABELS = {
    ProblemKind.CLOSED: _l("Tilbuddet findes ikke længere"),
    ProblemKind.WRONG_TIME: _l("Tidspunktet er forkert"),
    ProblemKind.WRONG_PLACE: _l("Stedet eller adressen er forkert"),
    ProblemKind.WRONG_CONTACT: _l("Kontaktoplysningerne er forkerte"),
    ProblemKind.OTHER: _l("Noget andet er forkert"),
}


def kind_label(kind: ProblemKind | str) -> str:
    """Return the Danish (or English) words for a kind of problem."""
    return str(KIND_LABELS[ProblemKind(kind)])


def get_reportable_service(service_id: uuid.UUID) -> Service | None:
    """Return the offer if the public may report on it (it is published), else None."""
    return db.session.scalar(
        sa.select(Service)
        .where(Service.id == service_id, Service.status == ServiceStatus.PUBLISHED)
        .options(so.joinedload(Service.organization))
    )


def _member_addresses(organization_id: uuid.UUID) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.organization_id == organization_id,
                sa.not_(User.is_disabled),
                User.email_verified_at.is_not(None),
            )
            .order_by(User.email)
        )
    )


def _admin_addresses() -> list[str]:
    return list(
        db.session.scalars(
            sa.select(User.email)
            .where(User.is_admin, sa.not_(User.is_disabled), User.email_verified_at.is_not(None))
            .order_by(User.email)
        )
    )


def create_report(service: Service, kind: ProblemKind, message: str) -> ProblemReport:
    """Store a report on ``service`` and queue mail to its organisation's members and the admins.

    An admin who is also a member gets the members' message only.
    """
    report = ProblemReport(service_id=service.id, kind=kind, message=message.strip())
    db.session.add(report)
    db.session.flush()
    members = _member_addresses(service.organization_id)
    # The association and the editors read Danish, whatever language the
    # reporter browsed in.
    with force_locale("da"):
        subject = _("Et problem er rapporteret: %(name)s", name=service.name)[:300]
        context = {
            "service_id": service.id,
            "service_name": service.name,
            "organization_id": service.organization_id,
            "kind_label": kind_label(report.kind),
            "message": report.message,
        }
        for address in members:
            queue_mail(address, subject, "report_organization", **context)
        for address in _admin_addresses():
            if address not in members:
                queue_mail(address, subject, "report_admin", **context)
    logger.info("Problem report %s on offer %s", report.id, service.id)
    return report


def resolve_report(report: ProblemReport, actor: User, note: str) -> bool:
    """Mark the report resolved by ``actor``; return False if it already was."""
    if report.resolved_at is not None:
        return False
    report.resolved_at = utcnow()
    report.resolved_by_id = actor.id
    report.resolution_note = note.strip() or None
    return True


@dataclass(frozen=True)
class ReportRow:
    """A report as the queues list it: with its offer, organisation and who resolved it."""

    report: ProblemReport
    resolved_by_name: str | None


def _rows(query: sa.Select[Any]) -> list[ReportRow]:
    resolver = so.aliased(User)
    rows = db.session.execute(
        query.add_columns(resolver.name)
        .outerjoin(resolver, resolver.id == ProblemReport.resolved_by_id)
        .options(so.joinedload(ProblemReport.service).joinedload(Service.organization))
        .limit(QUEUE_PAGE_SIZE)
    )
    return [ReportRow(report, name) for report, name in rows]


def list_reports(
    resolved: bool = False, organization_id: uuid.UUID | None = None
) -> tuple[list[ReportRow], int]:
    """Return the open reports (oldest first) or the resolved ones (newest first), and the total.

    ``organization_id`` narrows the list to that organisation's offers.
    """
    conditions = [
        ProblemReport.resolved_at.is_not(None) if resolved else ProblemReport.resolved_at.is_(None)
    ]
    if organization_id is not None:
        conditions.append(
            ProblemReport.service_id.in_(
                sa.select(Service.id).where(Service.organization_id == organization_id)
            )
        )
    order = ProblemReport.resolved_at.desc() if resolved else ProblemReport.created_at
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(ProblemReport).where(*conditions)
    )
    query = sa.select(ProblemReport).where(*conditions).order_by(order, ProblemReport.id)
    return _rows(query), total or 0


def get_report(
    report_id: uuid.UUID, organization_id: uuid.UUID | None = None
) -> ProblemReport | None:
    """Return the report, or None if it is missing or about another organisation's offer."""
    report = db.session.get(ProblemReport, report_id)
    if report is None:
        return None
    if organization_id is not None and report.service.organization_id != organization_id:
        return None
    return report


def open_report_counts(organization_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """Return, for each of the organisation's offers with open reports, how many there are."""
    rows = db.session.execute(
        sa.select(ProblemReport.service_id, sa.func.count())
        .join(Service, Service.id == ProblemReport.service_id)
        .where(Service.organization_id == organization_id, ProblemReport.resolved_at.is_(None))
        .group_by(ProblemReport.service_id)
    )
    return {service_id: count for service_id, count in rows}
