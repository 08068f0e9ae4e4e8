"""Imported population figures and boundaries, and anonymous counters of unmet searches."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.db import Base, utcnow


class MunicipalityPopulation(Base):
    """A municipality's population in one year, as Danmarks Statistik published it."""

    __tablename__ = "municipality_population"
    __table_args__ = (
        sa.CheckConstraint("population >= 0", name="population_not_negative"),
        sa.CheckConstraint("year >= 1900 AND year <= 2200", name="year_range"),
    )

    municipality_code: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("municipality.code", ondelete="CASCADE"), primary_key=True
    )
    year: so.Mapped[int] = so.mapped_column(primary_key=True)
    population: so.Mapped[int]
    imported_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)


class MunicipalityBoundary(Base):
    """A municipality's outline, simplified for a national map, as a GeoJSON geometry."""

    __tablename__ = "municipality_boundary"

    municipality_code: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("municipality.code", ondelete="CASCADE"), primary_key=True
    )
    geometry: so.Mapped[str] = so.mapped_column(sa.Text)
    imported_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)


class SearchDemandDay(Base):
    """How many searches on one day found at most a couple of offers, per place and filters.

    Only the counters are kept: no search words, no visitor, no address, no
    time of day. An empty string means "not chosen"; a filter with several
    values holds their codes sorted and joined with "+".
    """

    __tablename__ = "search_demand_day"
    __table_args__ = (
        sa.CheckConstraint("searches >= 1", name="searches_positive"),
        sa.CheckConstraint(
            "without_results >= 0 AND without_results <= searches", name="without_results_range"
        ),
    )

    day: so.Mapped[dt.date] = so.mapped_column(primary_key=True)
    municipality_code: so.Mapped[str] = so.mapped_column(sa.String(3), primary_key=True)
    target_group: so.Mapped[str] = so.mapped_column(sa.String(255), primary_key=True)
    activity: so.Mapped[str] = so.mapped_column(sa.String(255), primary_key=True)
    life_situation: so.Mapped[str] = so.mapped_column(sa.String(255), primary_key=True)
    searches: so.Mapped[int] = so.mapped_column(default=1)
    without_results: so.Mapped[int] = so.mapped_column(default=0)
