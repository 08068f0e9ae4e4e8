"""Read the statistics pages' GET parameters; unknown or hostile values fall back to defaults."""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from portal.find.params import clean_text
from portal.statistics.coverage import SORT_KEYS, CoverageFilters
from portal.statistics.demand import DEFAULT_PERIOD, PERIODS, DemandFilters

MAX_VALUE_LENGTH = 60


@dataclass(frozen=True)
class CoverageRequest:
    """The filters and the table's order chosen on the coverage page."""

    filters: CoverageFilters
    sort: str = "name"
    descending: bool = False

    def params(self, **changes: str) -> dict[str, str]:
        """Return the page's parameters (only those not at their default), with ``changes``."""
        values = {
            "target_group": self.filters.target_group,
            "activity": self.filters.activity,
            "sort": "" if self.sort == "name" else self.sort,
            "order": "desc" if self.descending else "",
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value}


def _choice(args: MultiDict[str, str], name: str, allowed: set[str] | tuple[str, ...]) -> str:
    """Return a parameter's value if it is one of ``allowed``, else an empty string."""
    value = clean_text(args.get(name, ""), MAX_VALUE_LENGTH)
    return value if value in allowed else ""


def coverage_request(
    args: MultiDict[str, str], target_groups: set[str], activities: set[str]
) -> CoverageRequest:
    """Return the coverage page's request; values that are not offered are ignored."""
    return CoverageRequest(
        filters=CoverageFilters(
            target_group=_choice(args, "target_group", target_groups),
            activity=_choice(args, "activity", activities),
        ),
        sort=_choice(args, "sort", SORT_KEYS) or "name",
        descending=_choice(args, "order", ("asc", "desc")) == "desc",
    )


def demand_filters(args: MultiDict[str, str], municipalities: set[str]) -> DemandFilters:
    """Return the demand page's period and municipality; values not offered are ignored."""
    days = _choice(args, "days", tuple(str(p) for p in PERIODS))
    return DemandFilters(
        days=int(days) if days else DEFAULT_PERIOD,
        municipality=_choice(args, "municipality", municipalities),
    )


ALL_YEARS = "alle"


def referral_year(args: MultiDict[str, str], years: list[int], default: int) -> int | None:
    """Return the referral page's year, None for "alle" (every year); others give ``default``."""
    value = clean_text(args.get("year", ""), MAX_VALUE_LENGTH)
    if value == ALL_YEARS:
        return None
    return int(value) if value in {str(year) for year in years} else default
