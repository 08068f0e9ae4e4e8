"""Offers (HSDS service), where they happen (location) and when (schedule)."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.db import Base, Timestamps, UUIDPrimaryKey

if TYPE_CHECKING:
    from portal.organizations.models import Contact, Organization, Phone
    from portal.taxonomy.models import ServiceAttribute


class ServiceStatus(enum.StrEnum):
    """Where an offer is in its life: drafted, awaiting review, public, or retired."""

    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    PUBLISHED = "published"
    ARCHIVED = "archived"

    @property
    def hsds_status(self) -> str:
        """Return the HSDS service status this corresponds to."""
        return "active" if self is ServiceStatus.PUBLISHED else "inactive"


class LocationType(enum.StrEnum):
    """A place people go to, or a virtual one (online or by phone)."""

    PHYSICAL = "physical"
    VIRTUAL = "virtual"


class Frequency(enum.StrEnum):
    """How often a schedule repeats (the HSDS subset of iCal FREQ)."""

    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"


def _enum(cls: type[enum.StrEnum], name: str) -> sa.Enum:
    # Stored as text with a CHECK constraint rather than a native PostgreSQL
    # enum, so adding a value later is a plain migration on both databases.
    return sa.Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
    )


class Service(UUIDPrimaryKey, Timestamps, Base):
    """An offer: a community or activity people can join (HSDS service)."""

    __tablename__ = "service"
    __table_args__ = (
        sa.CheckConstraint(
            "minimum_age IS NULL OR (minimum_age >= 0 AND minimum_age <= 120)",
            name="minimum_age_range",
        ),
        sa.CheckConstraint(
            "maximum_age IS NULL OR (maximum_age >= 0 AND maximum_age <= 120)",
            name="maximum_age_range",
        ),
        sa.CheckConstraint(
            "minimum_age IS NULL OR maximum_age IS NULL OR minimum_age <= maximum_age",
            name="age_order",
        ),
        sa.Index("ix_service_status_confirmed", "status", "last_confirmed_at"),
        sa.UniqueConstraint("organization_id", "external_id", name="uq_service_external_id"),
    )

    organization_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.ForeignKey("organization.id"), index=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    alternate_name: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    url: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    status: so.Mapped[ServiceStatus] = so.mapped_column(
        _enum(ServiceStatus, "status"), default=ServiceStatus.DRAFT
    )
    how_to_join: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    is_free: so.Mapped[bool] = so.mapped_column(default=True)
    price_text: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    is_newcomer_welcome: so.Mapped[bool] = so.mapped_column(default=True)
    minimum_age: so.Mapped[int | None]
    maximum_age: so.Mapped[int | None]
    published_at: so.Mapped[dt.datetime | None]
    last_confirmed_at: so.Mapped[dt.datetime | None]
    has_waiting_list: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    waiting_list_text: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    closed_until: so.Mapped[dt.date | None]
    # Identifier in the association's own system, for idempotent bulk import.
    external_id: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    stale_reminder_sent_at: so.Mapped[dt.datetime | None]
    is_demo: so.Mapped[bool] = so.mapped_column(default=False)
    # The knowledge centre's concept the offer implements (e.g. besøgsven).
    concept_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.ForeignKey("knowledge_item.id", ondelete="SET NULL"), index=True
    )
    version: so.Mapped[int] = so.mapped_column(default=1)

    organization: so.Mapped[Organization] = so.relationship(back_populates="services")
    service_at_locations: so.Mapped[list[ServiceAtLocation]] = so.relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    schedules: so.Mapped[list[Schedule]] = so.relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    attributes: so.Mapped[list[ServiceAttribute]] = so.relationship(cascade="all, delete-orphan")
    contacts: so.Mapped[list[Contact]] = so.relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    phones: so.Mapped[list[Phone]] = so.relationship(
        back_populates="service", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_published(self) -> bool:
        """Return whether citizens can see the offer."""
        return self.status is ServiceStatus.PUBLISHED

    def terms_of(self, taxonomy_code: str) -> list:
        """Return the attached taxonomy terms of one vocabulary, in vocabulary order."""
        terms = [
            a.taxonomy_term
            for a in self.attributes
            if a.taxonomy_term.taxonomy is not None
            and a.taxonomy_term.taxonomy.code == taxonomy_code
        ]
        return sorted(terms, key=lambda t: t.position)


class Location(UUIDPrimaryKey, Timestamps, Base):
    """A place where offers happen, or a virtual one (HSDS location with its address)."""

    __tablename__ = "location"
    __table_args__ = (
        sa.CheckConstraint(
            "latitude IS NULL OR (latitude >= -90 AND latitude <= 90)", name="latitude_range"
        ),
        sa.CheckConstraint(
            "longitude IS NULL OR (longitude >= -180 AND longitude <= 180)",
            name="longitude_range",
        ),
        sa.CheckConstraint(
            "postal_code IS NULL OR length(postal_code) = 4", name="postal_code_length"
        ),
    )

    organization_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.ForeignKey("organization.id"), index=True
    )
    location_type: so.Mapped[LocationType] = so.mapped_column(
        _enum(LocationType, "location_type"), default=LocationType.PHYSICAL
    )
    name: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    description: so.Mapped[str | None] = so.mapped_column(sa.Text)
    transportation: so.Mapped[str | None] = so.mapped_column(sa.Text)
    url: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    address_1: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    address_2: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    postal_code: so.Mapped[str | None] = so.mapped_column(sa.String(4))
    city: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    municipality_code: so.Mapped[str | None] = so.mapped_column(
        sa.ForeignKey("municipality.code"), index=True
    )
    latitude: so.Mapped[float | None]
    longitude: so.Mapped[float | None]

    organization: so.Mapped[Organization | None] = so.relationship(back_populates="locations")
    municipality = so.relationship("Municipality")

    @property
    def is_virtual(self) -> bool:
        """Return whether the location is online or by phone rather than a place."""
        return self.location_type is LocationType.VIRTUAL


class ServiceAtLocation(UUIDPrimaryKey, Base):
    """An offer held at a location (HSDS service_at_location)."""

    __tablename__ = "service_at_location"
    __table_args__ = (sa.UniqueConstraint("service_id", "location_id"),)

    service_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: so.Mapped[uuid.UUID] = so.mapped_column(sa.ForeignKey("location.id"), index=True)
    description: so.Mapped[str | None] = so.mapped_column(sa.Text)

    service: so.Mapped[Service] = so.relationship(back_populates="service_at_locations")
    location: so.Mapped[Location] = so.relationship(lazy="joined")
    schedules: so.Mapped[list[Schedule]] = so.relationship(back_populates="service_at_location")


class Schedule(UUIDPrimaryKey, Base):
    """When an offer meets, in HSDS/iCal recurrence terms (e.g. weekly on TU 14:00-16:00)."""

    __tablename__ = "schedule"
    __table_args__ = (
        sa.CheckConstraint('"interval" IS NULL OR "interval" >= 1', name="interval_positive"),
        sa.CheckConstraint(
            "opens_at IS NULL OR closes_at IS NULL OR opens_at < closes_at", name="time_order"
        ),
    )

    service_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    service_at_location_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.ForeignKey("service_at_location.id", ondelete="CASCADE"), index=True
    )
    freq: so.Mapped[Frequency | None] = so.mapped_column(_enum(Frequency, "freq"))
    interval: so.Mapped[int | None] = so.mapped_column(default=1)
    byday: so.Mapped[str | None] = so.mapped_column(sa.String(50))
    bymonthday: so.Mapped[str | None] = so.mapped_column(sa.String(50))
    opens_at: so.Mapped[dt.time | None]
    closes_at: so.Mapped[dt.time | None]
    dtstart: so.Mapped[dt.date | None]
    until: so.Mapped[dt.date | None]
    valid_from: so.Mapped[dt.date | None]
    valid_to: so.Mapped[dt.date | None]
    description: so.Mapped[str | None] = so.mapped_column(sa.Text)

    service: so.Mapped[Service | None] = so.relationship(back_populates="schedules")
    service_at_location: so.Mapped[ServiceAtLocation | None] = so.relationship(
        back_populates="schedules"
    )


class ServiceViewDay(Base):
    """How many times an offer's page was opened on one day (no visitor data kept)."""

    __tablename__ = "service_view_day"

    service_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    day: so.Mapped[dt.date] = so.mapped_column(primary_key=True)
    views: so.Mapped[int] = so.mapped_column(default=0)
