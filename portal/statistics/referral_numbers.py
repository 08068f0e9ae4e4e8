"""The public referral numbers: one year's referrals counted four ways, zeros included.

Only professionals' referrals are counted (``referral_counts`` leaves out
citizens' own contact requests), and only anonymous columns are read. Target
groups, activities and outcomes are listed in full, so a group that received
no referrals shows a 0 instead of disappearing; municipalities are listed
only where there were referrals, as 98 rows of mostly zeros would bury them.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.offers.schedules import COPENHAGEN
from portal.referrals.models import Referral, ReferralKind
from portal.referrals.stats import Count, outcomes, referral_counts
from portal.taxonomy.services import vocabulary_terms

VOCABULARIES = {"target_group": "maalgruppe", "activity": "aktivitet"}


@dataclass(frozen=True)
class ReferralNumbers:
    """Referrals sent in ``year`` (None: every year), by each grouping.

    Show every count through ``Count.shown``: counts from 1 to 4 are "<5".
    """

    year: int | None
    by_municipality: list[Count]
    by_target_group: list[Count]
    by_activity: list[Count]
    by_outcome: list[Count]

    @property
    def has_referrals(self) -> bool:
        """Return whether any referral was sent in the period."""
        return any(row.count for row in self.by_outcome)

    def groupings(self) -> list[tuple[str, list[Count]]]:
        """Return the groupings by name, in the order the page shows them."""
        return [
            ("municipality", self.by_municipality),
            ("target_group", self.by_target_group),
            ("activity", self.by_activity),
            ("outcome", self.by_outcome),
        ]


def referral_years(session: so.Session, current_year: int) -> list[int]:
    """Return the Danish years from the first referral to ``current_year``, newest first."""
    first = session.scalar(
        sa.select(sa.func.min(Referral.created_at)).where(Referral.kind == ReferralKind.REFERRAL)
    )
    first_year = first.astimezone(COPENHAGEN).year if first is not None else current_year
    return list(range(current_year, min(first_year, current_year) - 1, -1))


def _with_zeros(rows: list[Count], everyone: list[tuple[str, str]]) -> list[Count]:
    """Return ``rows``, then a 0 for every (key, label) missing from them; "not stated" last."""
    present = {row.key for row in rows}
    zeros = [Count(key, label, 0) for key, label in everyone if key not in present]
    stated = [row for row in rows if row.key]
    return stated + zeros + [row for row in rows if not row.key]


def _in_order(rows: list[Count], everyone: list[tuple[str, str]]) -> list[Count]:
    """Return a row for every (key, label) of ``everyone`` in order (0 if none); others last."""
    counted = {row.key: row for row in rows}
    ordered = [counted.pop(key, Count(key, label, 0)) for key, label in everyone]
    return ordered + [row for row in rows if row.key in counted]


def _terms(session: so.Session, field: str, language: str) -> list[tuple[str, str]]:
    """Return the active terms of a vocabulary as (code, label) in the visitor's language."""
    return [
        (term.code, term.label(language)) for term in vocabulary_terms(session, VOCABULARIES[field])
    ]


def referral_numbers(session: so.Session, year: int | None, language: str) -> ReferralNumbers:
    """Count the referrals sent in ``year`` (None: every year) in each of the four groupings."""
    return ReferralNumbers(
        year=year,
        by_municipality=referral_counts(year, "municipality"),
        by_target_group=_with_zeros(
            referral_counts(year, "target_group"), _terms(session, "target_group", language)
        ),
        by_activity=_with_zeros(
            referral_counts(year, "activity"), _terms(session, "activity", language)
        ),
        by_outcome=_in_order(referral_counts(year, "outcome"), outcomes()),
    )
