"""How often offer pages are opened: one counter per offer and day, nothing about the visitor.

Associations see the last 30 days on their dashboard. The count is a single
upsert in a small transaction of its own, so it neither waits for nor commits
the page's own work, and a failure only costs one count.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import request
from sqlalchemy.dialects import postgresql, sqlite

from portal.db import db, utcnow
from portal.offers.models import Service, ServiceViewDay

logger = logging.getLogger(__name__)

VIEW_DAYS = 30
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
# Search engines and link checkers say who they are; their visits are not readers.
ROBOT_MARKERS = ("bot", "spider", "crawl")


def local_today() -> dt.date:
    """Return today's date in Denmark, the day views are counted on."""
    return utcnow().astimezone(COPENHAGEN).date()


def _upsert(dialect_name: str, service_id: uuid.UUID, day: dt.date) -> sa.Executable:
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    table = ServiceViewDay.__table__
    statement = insert(table).values(service_id=service_id, day=day, views=1)
    return statement.on_conflict_do_update(
        index_elements=[table.c.service_id, table.c.day],
        set_={"views": table.c.views + 1},
    )


def record_view(service_id: uuid.UUID, day: dt.date) -> None:
    """Add one view of the offer on ``day`` and commit it; log and carry on if that fails."""
    bind = db.session.get_bind()
    try:
        # Its own session: the page's session is neither committed nor kept waiting.
        with so.Session(bind=bind, join_transaction_mode="create_savepoint") as session:
            session.execute(_upsert(bind.dialect.name, service_id, day))
            session.commit()
    except sa.exc.SQLAlchemyError as error:
        logger.warning("view not counted service=%s error=%s", service_id, type(error).__name__)


def is_robot(user_agent: str) -> bool:
    """Return whether the user agent names a crawler."""
    agent = user_agent.lower()
    return any(marker in agent for marker in ROBOT_MARKERS)


def count_page_view(service: Service) -> None:
    """Count this request as a view of the offer's page, if a person opened a published offer."""
    if request.method == "GET" and service.is_published:
        _count_visit(service.id)


def count_cached_page_view(offer_id: str) -> None:
    """Count a view of an offer page served from the page cache (only published pages are)."""
    try:
        service_id = uuid.UUID(offer_id)
    except ValueError:
        return
    _count_visit(service_id)


def _count_visit(service_id: uuid.UUID) -> None:
    if not is_robot(request.headers.get("User-Agent", "")):
        record_view(service_id, local_today())


def views_per_service(organization_id: uuid.UUID, since: dt.date) -> dict[uuid.UUID, int]:
    """Return the views of each of the organisation's offers from ``since`` until today."""
    rows = db.session.execute(
        sa.select(ServiceViewDay.service_id, sa.func.sum(ServiceViewDay.views))
        .join(Service, Service.id == ServiceViewDay.service_id)
        .where(Service.organization_id == organization_id, ServiceViewDay.day >= since)
        .group_by(ServiceViewDay.service_id)
    )
    return {service_id: int(total or 0) for service_id, total in rows}
