"""Anonymous numbers about referrals: an association's responsiveness and grouped counts.

Every number is computed by grouped SQL over the anonymous columns of the
referral table (status, outcome, dates, municipality, the offer); no column
about the citizen is ever selected, so nothing is decrypted and the numbers
survive the deletion of personal data. Small numbers could point at one
citizen, so counts from 1 to 4 are shown as "<5" (``display_count``) and
medians and shares are left out when they rest on fewer than five referrals.
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import has_request_context
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.db import db, utcnow
from portal.geo.models import Municipality
from portal.offers.schedules import COPENHAGEN
from portal.referrals.forms import NOT_STARTED_REASONS, STATUS_LABELS
from portal.referrals.models import (
    CLOSED_STATUSES,
    NotStartedReason,
    Referral,
    ReferralKind,
    ReferralStatus,
)
from portal.taxonomy.models import ServiceAttribute, Taxonomy, TaxonomyTerm

logger = logging.getLogger(__name__)

# Fewer referrals than this are shown as "<5"; no median or share rests on fewer.
MIN_GROUP = 5
RESPONSIVENESS_WINDOW = dt.timedelta(days=365)
DIMENSIONS = ("municipality", "target_group", "activity", "outcome")
_VOCABULARIES = {"target_group": "maalgruppe", "activity": "aktivitet"}
_STATUS_ORDER = list(ReferralStatus)


def display_count(n: int) -> str:
    """Return a count as it may be shown: "<5" for 1 to 4, else the number itself.

    Zero stays "0": it points at no one, and "<5" where there were none would
    hide the white spots the numbers are for.
    """
    if 0 < n < MIN_GROUP:
        return f"<{MIN_GROUP}"
    return str(n)


@dataclass(frozen=True)
class Responsiveness:
    """How an association has answered referrals in the last 12 months.

    ``received`` is the exact number and must be shown through ``received_shown``.
    ``median_days`` (whole days from sent to the first reaction: contacted,
    started, not started, declined or a message) and ``started_percent`` (the
    share of closed referrals that started, 0 to 100) are None when they would
    rest on fewer than five referrals.
    """

    received: int
    median_days: int | None
    started_percent: int | None

    @property
    def received_shown(self) -> str:
        """Return the number received as it may be shown ("<5" for 1 to 4)."""
        return display_count(self.received)


@dataclass(frozen=True)
class Count:
    """One group of an anonymous count.

    ``key`` is a municipality code, a taxonomy term code, or an outcome
    ("sent", "declined", "not_started:waiting_list" …); "" means not stated
    (an online offer has no municipality, an offer may have no target group).
    ``label`` is ready to show in the current language. ``count`` is exact and
    must be shown through ``shown``.
    """

    key: str
    label: str
    count: int

    @property
    def shown(self) -> str:
        """Return the count as it may be shown ("<5" for 1 to 4)."""
        return display_count(self.count)


def _days_between(start: Any, end: Any) -> sa.ColumnElement[float]:
    """Return the days from ``start`` to ``end`` as a number, in the database's own dialect."""
    if db.session.get_bind().dialect.name == "sqlite":
        return sa.func.julianday(end) - sa.func.julianday(start)
    return sa.extract("epoch", end - start) / 86400.0


def responsiveness(organization_id: object, now: dt.datetime | None = None) -> Responsiveness:
    """Return how the association answered the referrals it received in the last 12 months."""
    since = (now or utcnow()) - RESPONSIVENESS_WINDOW
    received_here = (
        Referral.organization_id == organization_id,
        Referral.kind == ReferralKind.REFERRAL,
        Referral.created_at >= since,
    )
    closed = Referral.status.in_(sorted(CLOSED_STATUSES))
    started = Referral.status == ReferralStatus.STARTED
    received, closed_count, started_count = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((closed, 1), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((started, 1), else_=0)), 0),
        )
        .select_from(Referral)
        .where(*received_here)
    ).one()
    if received < MIN_GROUP:
        return Responsiveness(received=received, median_days=None, started_percent=None)
    days = list(
        db.session.scalars(
            sa.select(_days_between(Referral.created_at, Referral.first_reaction_at)).where(
                *received_here, Referral.first_reaction_at.is_not(None)
            )
        )
    )
    median = round(statistics.median(days)) if len(days) >= MIN_GROUP else None
    share = round(100 * started_count / closed_count) if closed_count >= MIN_GROUP else None
    return Responsiveness(received=received, median_days=median, started_percent=share)


def _language() -> str:
    locale = get_locale() if has_request_context() else None
    return locale.language if locale is not None else "da"


def _not_stated() -> str:
    return _("Ikke angivet")


def _period(year: int | None) -> list[sa.ColumnElement[bool]]:
    """Return the condition for referrals sent in a Danish calendar year (or always)."""
    if year is None:
        return []
    start = dt.datetime(year, 1, 1, tzinfo=COPENHAGEN).astimezone(dt.UTC)
    end = dt.datetime(year + 1, 1, 1, tzinfo=COPENHAGEN).astimezone(dt.UTC)
    return [Referral.created_at >= start, Referral.created_at < end]


def _by_municipality(conditions: list[sa.ColumnElement[bool]]) -> list[Count]:
    statement = (
        sa.select(Referral.municipality_code, Municipality.name, sa.func.count())
        .select_from(Referral)
        .outerjoin(Municipality, Municipality.code == Referral.municipality_code)
        .where(*conditions)
        .group_by(Referral.municipality_code, Municipality.name)
    )
    rows = [
        Count(key=code or "", label=name or code or _not_stated(), count=count)
        for code, name, count in db.session.execute(statement)
    ]
    # Ties in the order of the municipality codes; "not stated" last.
    return sorted(rows, key=lambda row: (-row.count, not row.key, row.key))


def _by_term(vocabulary: str, conditions: list[sa.ColumnElement[bool]]) -> list[Count]:
    """Count referrals per term of the offer's vocabulary; an offer with two terms counts twice."""
    terms = (
        sa.select(
            ServiceAttribute.service_id,
            TaxonomyTerm.code,
            TaxonomyTerm.name,
            TaxonomyTerm.name_en,
            TaxonomyTerm.position,
        )
        .join(TaxonomyTerm, TaxonomyTerm.id == ServiceAttribute.taxonomy_term_id)
        .join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
        .where(Taxonomy.code == vocabulary)
        .subquery()
    )
    statement = (
        sa.select(terms.c.code, terms.c.name, terms.c.name_en, terms.c.position, sa.func.count())
        .select_from(Referral)
        .outerjoin(terms, terms.c.service_id == Referral.service_id)
        .where(*conditions)
        .group_by(terms.c.code, terms.c.name, terms.c.name_en, terms.c.position)
    )
    english = _language() == "en"
    rows = sorted(
        db.session.execute(statement),
        # Ties in the vocabulary's own order; "not stated" last.
        key=lambda row: (-row[4], row[0] is None, row[3] or 0),
    )
    return [
        Count(
            key=code or "",
            label=(name_en if english else name) or _not_stated(),
            count=count,
        )
        for code, name, name_en, _position, count in rows
    ]


def _outcome_key(status: ReferralStatus, reason: NotStartedReason | None) -> str:
    return f"{status.value}:{reason.value}" if reason is not None else status.value


def _outcome_label(status: ReferralStatus, reason: NotStartedReason | None) -> str:
    label = str(STATUS_LABELS[status])
    return f"{label} – {NOT_STARTED_REASONS[reason]}" if reason is not None else label


def outcomes() -> list[tuple[str, str]]:
    """Return every outcome's key and label in the order of a referral's life.

    "Not started" appears once per reason, as ``referral_counts(..., "outcome")``
    counts it; a table can list them all and show zeros where nothing happened.
    """
    return [
        (_outcome_key(status, reason), _outcome_label(status, reason))
        for status in _STATUS_ORDER
        for reason in (list(NotStartedReason) if status is ReferralStatus.NOT_STARTED else [None])
    ]


def _by_outcome(conditions: list[sa.ColumnElement[bool]]) -> list[Count]:
    statement = (
        sa.select(Referral.status, Referral.outcome_reason, sa.func.count())
        .where(*conditions)
        .group_by(Referral.status, Referral.outcome_reason)
    )
    rows = sorted(
        db.session.execute(statement),
        key=lambda row: (
            _STATUS_ORDER.index(row[0]),
            list(NotStartedReason).index(row[1]) if row[1] else -1,
        ),
    )
    return [
        Count(key=_outcome_key(status, reason), label=_outcome_label(status, reason), count=count)
        for status, reason, count in rows
    ]


def _grouped(by: str, conditions: list[sa.ColumnElement[bool]]) -> list[Count]:
    if by == "municipality":
        return _by_municipality(conditions)
    if by == "outcome":
        return _by_outcome(conditions)
    return _by_term(_VOCABULARIES[by], conditions)


def referral_counts(
    year: int | None, by: str, *, kind: ReferralKind = ReferralKind.REFERRAL
) -> list[Count]:
    """Count referrals sent in a year (None: ever), grouped one way.

    ``by`` is "municipality" (the offer's municipality when the referral was
    sent; key "" for online and telephone offers), "target_group" or
    "activity" (the offer's current terms; a referral to an offer with two
    target groups counts under both, so the rows do not add up to the total;
    key "" for offers without any), or "outcome" (status, and for "not
    started" the reason, key e.g. "not_started:waiting_list"). Citizens' own
    contact requests are counted only with ``kind=ReferralKind.CONTACT_REQUEST``.

    Returns a list of Count(key, label, count), largest first (outcomes in the
    order of a referral's life); groups without referrals are left out. Show
    each ``count`` through ``Count.shown`` / ``display_count``.
    """
    if by not in DIMENSIONS:
        raise ValueError(f"cannot count referrals by {by!r}; choose one of {DIMENSIONS}")
    return _grouped(by, [Referral.kind == kind, *_period(year)])
