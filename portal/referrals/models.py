"""Referrals, their timelines, professionals' profiles and the append-only audit log."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.accounts.models import User
from portal.db import Base, Timestamps, UUIDPrimaryKey, utcnow
from portal.offers.models import Service, _enum
from portal.organizations.models import Organization
from portal.referrals.crypto import EncryptedText


class ProfessionalKind(enum.StrEnum):
    """What kind of professional refers citizens."""

    GP = "gp"
    MUNICIPAL = "municipal"
    HOSPITAL = "hospital"
    OTHER = "other"


class ProfessionalProfile(UUIDPrimaryKey, Timestamps, Base):
    """A user's professional identity and workplace; an admin verifies it before referrals."""

    __tablename__ = "professional_profile"

    user_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    kind: so.Mapped[ProfessionalKind] = so.mapped_column(
        _enum(ProfessionalKind, "professional_kind")
    )
    workplace: so.Mapped[str] = so.mapped_column(sa.String(200))
    department: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    municipality_code: so.Mapped[str | None] = so.mapped_column(sa.ForeignKey("municipality.code"))
    verified_at: so.Mapped[dt.datetime | None]
    verified_by_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])

    @property
    def is_verified(self) -> bool:
        """Return whether an admin has verified the professional."""
        return self.verified_at is not None


class ReferralKind(enum.StrEnum):
    """A professional's referral, or a citizen's own request to be contacted."""

    REFERRAL = "referral"
    CONTACT_REQUEST = "contact_request"


class ReferralStatus(enum.StrEnum):
    """Where a referral stands; the last three are final."""

    SENT = "sent"
    OPENED = "opened"
    CONTACTED = "contacted"
    STARTED = "started"
    NOT_STARTED = "not_started"
    DECLINED = "declined"

    @property
    def is_closed(self) -> bool:
        """Return whether the referral has reached an outcome."""
        return self in CLOSED_STATUSES


CLOSED_STATUSES = frozenset(
    {ReferralStatus.STARTED, ReferralStatus.NOT_STARTED, ReferralStatus.DECLINED}
)


class NotStartedReason(enum.StrEnum):
    """Why a referred citizen did not start."""

    UNREACHABLE = "unreachable"
    NOT_INTERESTED = "not_interested"
    WAITING_LIST = "waiting_list"
    NOT_SUITABLE = "not_suitable"
    OTHER = "other"


class ConsentMethod(enum.StrEnum):
    """How the citizen gave consent."""

    VERBAL = "verbal"
    WRITTEN = "written"
    ONLINE = "online"


class Referral(UUIDPrimaryKey, Timestamps, Base):
    """A referral of a citizen to an offer, or a citizen's request to be contacted.

    Every field that says something about the citizen is encrypted; after the
    retention period they are emptied and only the anonymous facts remain.
    """

    __tablename__ = "referral"
    __table_args__ = (
        sa.Index("ix_referral_status_created", "status", "created_at"),
        sa.Index("ix_referral_phone_fingerprint", "phone_fingerprint"),
        sa.Index("ix_referral_email_fingerprint", "email_fingerprint"),
    )

    # A one-time token from the form: a second submit of the same form hits
    # the unique constraint instead of creating a second referral.
    form_token: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    kind: so.Mapped[ReferralKind] = so.mapped_column(_enum(ReferralKind, "referral_kind"))
    service_id: so.Mapped[uuid.UUID] = so.mapped_column(sa.ForeignKey("service.id"), index=True)
    organization_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.ForeignKey("organization.id"), index=True
    )
    referrer_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    status: so.Mapped[ReferralStatus] = so.mapped_column(
        _enum(ReferralStatus, "referral_status"), default=ReferralStatus.SENT
    )
    outcome_reason: so.Mapped[NotStartedReason | None] = so.mapped_column(
        _enum(NotStartedReason, "not_started_reason")
    )
    # Anonymous facts kept after the personal data is deleted, for statistics.
    municipality_code: so.Mapped[str | None] = so.mapped_column(sa.String(4))
    reason_code: so.Mapped[str | None] = so.mapped_column(sa.String(50))

    citizen_name: so.Mapped[str | None] = so.mapped_column(EncryptedText)
    citizen_phone: so.Mapped[str | None] = so.mapped_column(EncryptedText)
    citizen_email: so.Mapped[str | None] = so.mapped_column(EncryptedText)
    contact_time: so.Mapped[str | None] = so.mapped_column(EncryptedText)
    needs: so.Mapped[str | None] = so.mapped_column(EncryptedText)
    note: so.Mapped[str | None] = so.mapped_column(EncryptedText)
    decline_message: so.Mapped[str | None] = so.mapped_column(EncryptedText)
    # Keyed hashes of name + phone and name + email: they find the same
    # citizen (duplicate warnings, access requests) without decrypting.
    phone_fingerprint: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    email_fingerprint: so.Mapped[str | None] = so.mapped_column(sa.String(64))

    consent_by: so.Mapped[str | None] = so.mapped_column(sa.String(30))
    consent_method: so.Mapped[ConsentMethod | None] = so.mapped_column(
        _enum(ConsentMethod, "consent_method")
    )
    consent_at: so.Mapped[dt.datetime | None]
    consent_text_version: so.Mapped[str | None] = so.mapped_column(sa.String(20))

    opened_at: so.Mapped[dt.datetime | None]
    first_reaction_at: so.Mapped[dt.datetime | None]
    closed_at: so.Mapped[dt.datetime | None]
    flagged_at: so.Mapped[dt.datetime | None]
    purged_at: so.Mapped[dt.datetime | None]
    version: so.Mapped[int] = so.mapped_column(default=1)

    service: so.Mapped[Service] = so.relationship()
    organization: so.Mapped[Organization] = so.relationship()
    referrer: so.Mapped[User | None] = so.relationship()
    events: so.Mapped[list[ReferralEvent]] = so.relationship(
        back_populates="referral", cascade="all, delete-orphan", order_by="ReferralEvent.at"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_purged(self) -> bool:
        """Return whether the personal data has been deleted."""
        return self.purged_at is not None


class EventKind(enum.StrEnum):
    """What happened on a referral's timeline."""

    STATUS = "status"
    MESSAGE = "message"
    FLAGGED = "flagged"


class ReferralEvent(UUIDPrimaryKey, Base):
    """One step on a referral's timeline: a status change, a message or a flag."""

    __tablename__ = "referral_event"

    referral_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.ForeignKey("referral.id", ondelete="CASCADE"), index=True
    )
    at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    actor_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    kind: so.Mapped[EventKind] = so.mapped_column(_enum(EventKind, "event_kind"))
    from_status: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    to_status: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    reason: so.Mapped[str | None] = so.mapped_column(sa.String(30))
    message: so.Mapped[str | None] = so.mapped_column(EncryptedText)

    referral: so.Mapped[Referral] = so.relationship(back_populates="events")
    actor: so.Mapped[User | None] = so.relationship()


class AuditAction(enum.StrEnum):
    """What was done to personal data."""

    CREATE = "create"
    VIEW = "view"
    UPDATE = "update"
    EXPORT = "export"
    DELETE = "delete"
    PURGE = "purge"
    BREAK_GLASS = "break_glass"
    ACCESS_REQUEST = "access_request"
    ERASURE = "erasure"


class AuditEntry(Base):
    """One access to or change of personal data. Rows are never updated or deleted.

    No foreign keys: the trail must outlive the referral (an erased referral
    leaves its tombstone here) and the staff account.
    """

    __tablename__ = "audit_entry"

    id: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=True)
    at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow, index=True)
    actor_id: so.Mapped[uuid.UUID | None] = so.mapped_column(sa.Uuid)
    organization_id: so.Mapped[uuid.UUID | None] = so.mapped_column(sa.Uuid)
    action: so.Mapped[AuditAction] = so.mapped_column(_enum(AuditAction, "audit_action"))
    referral_id: so.Mapped[uuid.UUID | None] = so.mapped_column(sa.Uuid, index=True)
    reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    detail: so.Mapped[str | None] = so.mapped_column(sa.String(200))
