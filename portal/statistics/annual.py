"""The annual overview: what was published on the portal each year, in anonymous counts.

An offer counts in the year it was first published (``published_at``), even if
it has closed since; the associations and municipalities of a year are those
of the offers first published that year. Counts under 5 are shown as "<5"
wherever they leave the portal.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.offers.models import Location, LocationType, Service, ServiceAtLocation
from portal.statistics.referrals import referral_outcomes_by_year, sort_statuses


@dataclass(frozen=True)
class AnnualRow:
    """One year's counts (or the total of all years when ``year`` is None)."""

    year: int | None
    offers: int
    organizations: int
    municipalities: int


@dataclass
class AnnualOverview:
    """Every year with published offers, newest first, a total, and referral outcomes."""

    years: list[AnnualRow]
    total: AnnualRow
    referral_outcomes: dict[int, dict[str, int]] | None

    @property
    def referral_statuses(self) -> list[str]:
        """Return every referral status that occurs, in a stable order."""
        statuses = {s for outcome in (self.referral_outcomes or {}).values() for s in outcome}
        return sort_statuses(statuses)

    def outcomes_of(self, year: int | None) -> dict[str, int]:
        """Return the referral counts by status of one year, or of all years for None."""
        outcomes = self.referral_outcomes or {}
        if year is not None:
            return outcomes.get(year, {})
        total: dict[str, int] = {}
        for counts in outcomes.values():
            for status, count in counts.items():
                total[status] = total.get(status, 0) + count
        return total


def annual_overview(session: so.Session) -> AnnualOverview:
    """Count offers, associations and municipalities by the year offers were first published."""
    year = sa.extract("year", Service.published_at).label("year")
    published = Service.published_at.is_not(None)
    offers = {
        int(row.year): row
        for row in session.execute(
            sa.select(
                year,
                sa.func.count(Service.id).label("offers"),
                sa.func.count(sa.distinct(Service.organization_id)).label("organizations"),
            )
            .where(published)
            .group_by(year)
        )
    }
    # (year, municipality) pairs once; both the yearly and the total count read them.
    placed = (
        sa.select(year, Location.municipality_code)
        .join(ServiceAtLocation, ServiceAtLocation.service_id == Service.id)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .where(
            published,
            Location.location_type == LocationType.PHYSICAL,
            Location.municipality_code.is_not(None),
        )
        .distinct()
        .cte("placed")
    )
    municipalities: dict[int | None, int] = {}
    for row_year, count in session.execute(
        sa.union_all(
            sa.select(placed.c.year, sa.func.count()).group_by(placed.c.year),
            sa.select(
                sa.null().label("year"), sa.func.count(sa.distinct(placed.c.municipality_code))
            ),
        )
    ):
        municipalities[None if row_year is None else int(row_year)] = count
    rows = [
        AnnualRow(y, row.offers, row.organizations, municipalities.get(y, 0))
        for y, row in sorted(offers.items(), reverse=True)
    ]
    totals = session.execute(
        sa.select(
            sa.func.count(Service.id), sa.func.count(sa.distinct(Service.organization_id))
        ).where(published)
    ).one()
    return AnnualOverview(
        years=rows,
        total=AnnualRow(None, totals[0], totals[1], municipalities.get(None, 0)),
        referral_outcomes=referral_outcomes_by_year(session),
    )
