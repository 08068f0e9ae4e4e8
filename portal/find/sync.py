"""Bring the search index up to date: drain the outbox, rebuild, compare.

Draining reads each named offer's current state, so it is safe to repeat:
an outbox row is deleted only after the engine accepted the update, and a
failure leaves the row for a later attempt with back-off.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Response, current_app, g

from portal.db import utcnow
from portal.find.documents import all_documents, documents_for, indexable_versions
from portal.find.models import SearchOutbox, bump_directory_version
from portal.find.synonyms import push_synonyms
from search import SearchEngine, SearchError

logger = logging.getLogger(__name__)

MAX_BACKOFF = dt.timedelta(minutes=30)


def backoff(attempts: int) -> dt.timedelta:
    """Return how long to wait before the next attempt: 5 s doubling up to 30 minutes."""
    return min(MAX_BACKOFF, dt.timedelta(seconds=5 * 2 ** min(attempts, 20)))


@dataclass
class DrainReport:
    """What one drain did."""

    indexed: int = 0
    removed: int = 0
    failed: int = 0
    error: str = ""


def drain(
    session: so.Session, engine: SearchEngine, limit: int = 500, now: dt.datetime | None = None
) -> DrainReport:
    """Apply up to ``limit`` due outbox rows to the engine and commit the bookkeeping."""
    now = now or utcnow()
    rows = session.scalars(
        sa.select(SearchOutbox)
        .where(SearchOutbox.available_at <= now)
        .order_by(SearchOutbox.id)
        .limit(limit)
    ).all()
    if not rows:
        return DrainReport()
    service_ids = sorted({row.service_id for row in rows})
    documents, removed = documents_for(session, service_ids, now)
    report = DrainReport()
    try:
        if documents:
            engine.index(documents)
        if removed:
            engine.remove(removed)
    except SearchError as error:
        report.failed = len(rows)
        report.error = type(error).__name__
        for row in rows:
            row.attempts += 1
            row.available_at = now + backoff(row.attempts)
            row.last_error = str(error)[:500]
        # The offers changed even if their index entries could not follow yet.
        bump_directory_version(session)
        session.commit()
        logger.warning("Search index update failed, will retry: %s", report.error)
        return report
    session.execute(sa.delete(SearchOutbox).where(SearchOutbox.id.in_([r.id for r in rows])))
    bump_directory_version(session)
    session.commit()
    report.indexed, report.removed = len(documents), len(removed)
    return report


def drain_all(
    session: so.Session, engine: SearchEngine, now: dt.datetime | None = None
) -> DrainReport:
    """Drain every due row, batch by batch, stopping at the first failure."""
    total = DrainReport()
    while True:
        report = drain(session, engine, now=now)
        total.indexed += report.indexed
        total.removed += report.removed
        total.failed += report.failed
        if report.failed or not (report.indexed or report.removed):
            total.error = report.error
            return total


def pending(session: so.Session) -> int:
    """Return how many outbox rows wait to be applied."""
    return session.scalar(sa.select(sa.func.count()).select_from(SearchOutbox)) or 0


def rebuild(session: so.Session, engine: SearchEngine) -> int:
    """Rebuild the index from the database; the old index serves until the swap."""
    started_below = session.scalar(sa.select(sa.func.max(SearchOutbox.id))) or 0
    push_synonyms(session, engine)
    # A session of its own: reading in batches expunges objects to bound memory,
    # which must not detach the caller's objects.
    with so.Session(bind=session.get_bind()) as reader:
        count = engine.rebuild(all_documents(reader))
    # Rows written before the rebuild began are reflected in it; later ones stay.
    session.execute(sa.delete(SearchOutbox).where(SearchOutbox.id <= started_below))
    bump_directory_version(session)
    session.commit()
    return count


@dataclass
class CheckReport:
    """Differences between the database and the index."""

    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    outdated: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return whether the index matches the database."""
        return not (self.missing or self.extra or self.outdated)


def check(session: so.Session, engine: SearchEngine) -> CheckReport:
    """Compare the offers that belong in the index with what the index holds."""
    expected = indexable_versions(session)
    actual = engine.ids()
    return CheckReport(
        missing=sorted(set(expected) - set(actual)),
        extra=sorted(set(actual) - set(expected)),
        outdated=sorted(i for i in set(expected) & set(actual) if actual[i] < expected[i]),
    )


def reconcile(session: so.Session, engine: SearchEngine) -> CheckReport:
    """Fix whatever ``check`` finds: index missing or outdated offers, remove extra ones.

    Offers turn stale with time alone, without any change that would write an
    outbox row; this is how they leave the index.
    """
    push_synonyms(session, engine)
    report = check(session, engine)
    if report.extra:
        engine.remove(report.extra)
    stale_or_missing = [*report.missing, *report.outdated]
    for start in range(0, len(stale_or_missing), 500):
        batch = [uuid.UUID(i) for i in stale_or_missing[start : start + 500]]
        documents, removed = documents_for(session, batch)
        if documents:
            engine.index(documents)
        if removed:
            engine.remove(removed)
    return report


def drain_after_request(response: Response) -> Response:
    """Apply the outbox rows a request wrote, once it has committed.

    Uses a session of its own so it sees only committed rows and can never
    commit the request's unfinished work. Failures stay in the outbox for
    `portal search sync`.
    """
    if not g.pop("search_outbox_pending", False):
        return response
    from portal.find.engine import search_engine

    state = current_app.extensions["db"]
    try:
        with so.Session(bind=state.bind, **state.session_options) as session:
            drain(session, search_engine(), limit=100)
    except Exception:  # noqa: BLE001 - the change is saved; the outbox keeps the update
        logger.exception("Draining the search outbox after the request failed")
    return response
