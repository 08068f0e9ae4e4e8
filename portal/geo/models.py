"""Regions and municipalities: the places offers belong to and coverage is counted by."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.db import Base, utcnow


class Region(Base):
    """One of Denmark's five regions, keyed by its official code (1081-1085)."""

    __tablename__ = "region"

    code: so.Mapped[str] = so.mapped_column(sa.String(4), primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100), unique=True)
    name_en: so.Mapped[str] = so.mapped_column(sa.String(100))

    municipalities: so.Mapped[list[Municipality]] = so.relationship(
        back_populates="region", order_by="Municipality.name"
    )


class Municipality(Base):
    """One of the 98 municipalities (kommuner), keyed by its 3-digit code."""

    __tablename__ = "municipality"

    code: so.Mapped[str] = so.mapped_column(sa.String(3), primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100), unique=True)
    region_code: so.Mapped[str] = so.mapped_column(sa.ForeignKey("region.code"), index=True)
    population: so.Mapped[int] = so.mapped_column(default=0)
    latitude: so.Mapped[float]
    longitude: so.Mapped[float]

    region: so.Mapped[Region] = so.relationship(back_populates="municipalities")

    @property
    def display_name(self) -> str:
        """Return the name as people say it, e.g. "Københavns Kommune"."""
        return municipality_display_name(self.name)


def municipality_display_name(name: str) -> str:
    """Return the official long form of a short municipality name."""
    special = {"København": "Københavns Kommune", "Bornholm": "Bornholms Regionskommune"}
    return special.get(name, f"{name} Kommune")


class Postcode(Base):
    """A Danish postal code area (postnummer), imported from the official list."""

    __tablename__ = "postcode"

    code: so.Mapped[str] = so.mapped_column(sa.String(4), primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100), index=True)
    latitude: so.Mapped[float | None]
    longitude: so.Mapped[float | None]
    municipality_code: so.Mapped[str | None] = so.mapped_column(sa.ForeignKey("municipality.code"))


class GeocodeCache(Base):
    """A place name already looked up, so each is geocoded at most once."""

    __tablename__ = "geocode_cache"

    query_key: so.Mapped[str] = so.mapped_column(sa.String(200), primary_key=True)
    label: so.Mapped[str] = so.mapped_column(sa.String(200))
    latitude: so.Mapped[float]
    longitude: so.Mapped[float]
    source: so.Mapped[str] = so.mapped_column(sa.String(20))
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
