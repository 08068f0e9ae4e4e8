"""The history of an offer (a version per save) and the public's problem reports."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.accounts.models import User
from portal.db import Base, UUIDPrimaryKey, utcnow
from portal.offers.models import Service, _enum


class VersionEvent(enum.StrEnum):
    """Why a version was recorded."""

    SAVED = "saved"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    REJECTED = "rejected"
    UNPUBLISHED = "unpublished"
    RESTORED = "restored"
    CONFIRMED = "confirmed"
    IMPORTED = "imported"


class ServiceVersion(UUIDPrimaryKey, Base):
    """A snapshot of every field of an offer, taken at each save or decision."""

    __tablename__ = "service_version"
    __table_args__ = (sa.UniqueConstraint("service_id", "number"),)

    service_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    number: so.Mapped[int]
    event: so.Mapped[VersionEvent] = so.mapped_column(_enum(VersionEvent, "version_event"))
    # Whether this snapshot is what citizens saw once it was recorded.
    is_published: so.Mapped[bool] = so.mapped_column(default=False)
    snapshot: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    actor_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    service: so.Mapped[Service] = so.relationship()
    actor: so.Mapped[User | None] = so.relationship()


class ProblemKind(enum.StrEnum):
    """What a citizen says is wrong with an offer."""

    CLOSED = "closed"
    WRONG_TIME = "wrong_time"
    WRONG_PLACE = "wrong_place"
    WRONG_CONTACT = "wrong_contact"
    OTHER = "other"


class ProblemReport(UUIDPrimaryKey, Base):
    """A public report that an offer's information is wrong (no reporter data is kept)."""

    __tablename__ = "problem_report"

    service_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    kind: so.Mapped[ProblemKind] = so.mapped_column(_enum(ProblemKind, "problem_kind"))
    message: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    resolved_at: so.Mapped[dt.datetime | None]
    resolved_by_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    resolution_note: so.Mapped[str | None] = so.mapped_column(sa.Text)

    service: so.Mapped[Service] = so.relationship()
