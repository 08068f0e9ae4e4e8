"""Associations (HSDS organization) and the contacts and phone numbers of the directory."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.db import Base, Timestamps, UUIDPrimaryKey
from portal.offers.models import _enum

if TYPE_CHECKING:
    from portal.accounts.models import User
    from portal.offers.models import Location, Service


class Organization(UUIDPrimaryKey, Timestamps, Base):
    """An association or other body that runs offers (HSDS organization)."""

    __tablename__ = "organization"

    name: so.Mapped[str] = so.mapped_column(sa.String(200), index=True)
    alternate_name: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    website: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    cvr: so.Mapped[str | None] = so.mapped_column(sa.String(8), index=True)
    address: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    postal_code: so.Mapped[str | None] = so.mapped_column(sa.String(4))
    city: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    municipality_code: so.Mapped[str | None] = so.mapped_column(
        sa.ForeignKey("municipality.code"), index=True
    )
    parent_organization_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.ForeignKey("organization.id")
    )
    # Verified organisations publish directly; others go through review.
    is_verified: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    is_demo: so.Mapped[bool] = so.mapped_column(default=False)
    version: so.Mapped[int] = so.mapped_column(default=1)

    services: so.Mapped[list[Service]] = so.relationship(back_populates="organization")
    locations: so.Mapped[list[Location]] = so.relationship(back_populates="organization")
    contacts: so.Mapped[list[Contact]] = so.relationship(back_populates="organization")
    phones: so.Mapped[list[Phone]] = so.relationship(back_populates="organization")

    __mapper_args__ = {"version_id_col": version}


class Contact(UUIDPrimaryKey, Base):
    """A named person to contact about an organisation or offer (HSDS contact)."""

    __tablename__ = "contact"

    organization_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    service_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    name: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    title: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))

    organization: so.Mapped[Organization | None] = so.relationship(back_populates="contacts")
    service: so.Mapped[Service | None] = so.relationship(back_populates="contacts")
    phones: so.Mapped[list[Phone]] = so.relationship(back_populates="contact")


class Phone(UUIDPrimaryKey, Base):
    """A telephone number of an organisation, offer, location or contact (HSDS phone)."""

    __tablename__ = "phone"

    number: so.Mapped[str] = so.mapped_column(sa.String(30))
    type: so.Mapped[str] = so.mapped_column(sa.String(20), default="voice")
    description: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    organization_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    service_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    contact_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.ForeignKey("contact.id", ondelete="CASCADE"), index=True
    )

    organization: so.Mapped[Organization | None] = so.relationship(back_populates="phones")
    service: so.Mapped[Service | None] = so.relationship(back_populates="phones")
    contact: so.Mapped[Contact | None] = so.relationship(back_populates="phones")


class ClaimStatus(enum.StrEnum):
    """An association's request to take over a listing: waiting, approved or rejected."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ClaimRequest(UUIDPrimaryKey, Timestamps, Base):
    """A user's request to manage an organisation listed without members (admin decides)."""

    __tablename__ = "claim_request"

    organization_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    user_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    message: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    status: so.Mapped[ClaimStatus] = so.mapped_column(
        _enum(ClaimStatus, "claim_status"), default=ClaimStatus.PENDING
    )
    decided_by_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: so.Mapped[dt.datetime | None]
    reason: so.Mapped[str | None] = so.mapped_column(sa.Text)

    organization: so.Mapped[Organization] = so.relationship()
    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])
