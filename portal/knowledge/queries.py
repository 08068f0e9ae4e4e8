"""Read knowledge items for the public: what is visible, related guidance, concept coverage."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.db import utcnow
from portal.find.documents import indexable_condition
from portal.geo.models import Municipality, Region
from portal.knowledge.models import (
    Audience,
    KnowledgeAudience,
    KnowledgeItem,
    KnowledgeKind,
    KnowledgeStatus,
    KnowledgeTag,
    knowledge_item_term,
)
from portal.offers.models import Location, Service, ServiceAtLocation
from portal.taxonomy.models import TaxonomyTerm

RELATED_LIMIT = 3
# The tag editors give the article professionals see beside an offer: how to
# talk with a citizen about loneliness.
PROFESSIONAL_TALK_TAG = "samtale"


def visible_condition(now: dt.datetime) -> sa.ColumnElement[bool]:
    """Return the SQL condition for items the public may see at ``now``.

    A scheduled item becomes visible by itself: the comparison is made at read time.
    """
    return sa.and_(
        KnowledgeItem.status.in_([KnowledgeStatus.SCHEDULED, KnowledgeStatus.PUBLISHED]),
        KnowledgeItem.publish_at.is_not(None),
        KnowledgeItem.publish_at <= now,
    )


def _with_details(statement: sa.Select) -> sa.Select:
    """Load terms (with their vocabulary), audiences and tags with the items."""
    return statement.options(
        so.selectinload(KnowledgeItem.terms).joinedload(TaxonomyTerm.taxonomy),
        so.selectinload(KnowledgeItem.audience_rows),
        so.selectinload(KnowledgeItem.tag_rows),
    )


def get_item_by_slug(
    session: so.Session,
    slug: str,
    include_unpublished: bool = False,
    now: dt.datetime | None = None,
) -> KnowledgeItem | None:
    """Return the item at ``slug`` if visible (or any item, for editors), with its details."""
    statement = sa.select(KnowledgeItem).where(KnowledgeItem.slug == slug)
    if not include_unpublished:
        statement = statement.where(visible_condition(now or utcnow()))
    statement = _with_details(statement).options(so.selectinload(KnowledgeItem.attachments))
    return session.scalar(statement.execution_options(populate_existing=True))


def featured_items(
    session: so.Session, limit: int = 6, now: dt.datetime | None = None
) -> list[KnowledgeItem]:
    """Return the featured visible items, newest first."""
    statement = (
        sa.select(KnowledgeItem)
        .where(visible_condition(now or utcnow()), KnowledgeItem.is_featured.is_(True))
        .order_by(KnowledgeItem.publish_at.desc(), KnowledgeItem.title)
        .limit(limit)
    )
    return list(session.scalars(_with_details(statement)))


def items_by_ids(session: so.Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, KnowledgeItem]:
    """Return items by id, with their details, in one round of queries."""
    wanted = list(ids)
    if not wanted:
        return {}
    statement = _with_details(sa.select(KnowledgeItem).where(KnowledgeItem.id.in_(wanted)))
    return {item.id: item for item in session.scalars(statement)}


def related_guidance(
    session: so.Session,
    term_ids: Iterable[uuid.UUID],
    limit: int = RELATED_LIMIT,
    exclude: uuid.UUID | None = None,
    now: dt.datetime | None = None,
) -> list[KnowledgeItem]:
    """Return visible items sharing a target group, life situation or activity with ``term_ids``.

    The items sharing the most terms come first, then the newest.
    """
    wanted = list(dict.fromkeys(term_ids))
    if not wanted:
        return []
    shared = sa.func.count(knowledge_item_term.c.taxonomy_term_id).label("shared")
    statement = (
        sa.select(KnowledgeItem, shared)
        .join(knowledge_item_term, knowledge_item_term.c.item_id == KnowledgeItem.id)
        .where(
            knowledge_item_term.c.taxonomy_term_id.in_(wanted), visible_condition(now or utcnow())
        )
        .group_by(KnowledgeItem.id)
        .order_by(shared.desc(), KnowledgeItem.publish_at.desc(), KnowledgeItem.title)
        .limit(limit)
    )
    if exclude is not None:
        statement = statement.where(KnowledgeItem.id != exclude)
    return [item for item, _count in session.execute(statement)]


def term_ids_for_codes(
    session: so.Session, codes_by_vocabulary: dict[str, Iterable[str]]
) -> list[uuid.UUID]:
    """Return the ids of terms given as {vocabulary code: [term codes]}."""
    from portal.taxonomy.models import Taxonomy

    clauses = [
        sa.and_(Taxonomy.code == vocabulary, TaxonomyTerm.code.in_(list(codes)))
        for vocabulary, codes in codes_by_vocabulary.items()
        if codes
    ]
    if not clauses:
        return []
    return list(
        session.scalars(
            sa.select(TaxonomyTerm.id).join(TaxonomyTerm.taxonomy).where(sa.or_(*clauses))
        )
    )


def guidance_for_professionals(
    session: so.Session, now: dt.datetime | None = None
) -> KnowledgeItem | None:
    """Return the newest visible article for professionals on talking about loneliness."""
    return session.scalar(
        sa.select(KnowledgeItem)
        .where(
            visible_condition(now or utcnow()),
            KnowledgeItem.kind == KnowledgeKind.ARTICLE,
            KnowledgeItem.audience_rows.any(KnowledgeAudience.audience == Audience.PROFESSIONALS),
            KnowledgeItem.tag_rows.any(KnowledgeTag.name == PROFESSIONAL_TALK_TAG),
        )
        .order_by(KnowledgeItem.publish_at.desc())
        .limit(1)
    )


def concept_choices(session: so.Session | None = None) -> list[tuple[str, str]]:
    """Return (id, title) of the visible concepts, by title, for an offer's concept field.

    The caller adds its own empty choice ("no concept").
    """
    if session is None:
        from portal.extensions import db

        session = db.session
    rows = session.execute(
        sa.select(KnowledgeItem.id, KnowledgeItem.title)
        .where(KnowledgeItem.kind == KnowledgeKind.CONCEPT, visible_condition(utcnow()))
        .order_by(KnowledgeItem.title)
    )
    return [(str(item_id), title) for item_id, title in rows]


@dataclass
class RegionCount:
    """How many published offers implement a concept in one region."""

    code: str
    name: str
    name_en: str
    count: int


@dataclass
class ConceptCoverage:
    """Published offers implementing a concept: in the whole country and per region."""

    total: int = 0
    regions: list[RegionCount] = field(default_factory=list)


def concept_coverage(
    session: so.Session, concept_id: uuid.UUID, now: dt.datetime | None = None
) -> ConceptCoverage:
    """Count the published offers implementing a concept, nationwide and per region.

    One statement: per-region counts (every region, also those with none) and
    the nationwide count, which also holds online and phone offers and counts an
    offer with places in two regions once.
    """
    now = now or utcnow()
    implementing = sa.and_(Service.concept_id == concept_id, indexable_condition(now))
    placed = (
        sa.select(
            Location.municipality_code.label("municipality_code"),
            Service.id.label("service_id"),
        )
        .join(ServiceAtLocation, ServiceAtLocation.location_id == Location.id)
        .join(Service, Service.id == ServiceAtLocation.service_id)
        .where(implementing)
        .subquery()
    )
    regional = (
        sa.select(
            Region.code,
            Region.name,
            Region.name_en,
            sa.func.count(sa.distinct(placed.c.service_id)),
        )
        .select_from(Region)
        .outerjoin(Municipality, Municipality.region_code == Region.code)
        .outerjoin(placed, placed.c.municipality_code == Municipality.code)
        .group_by(Region.code, Region.name, Region.name_en)
    )
    nationwide = sa.select(
        sa.literal(""), sa.literal(""), sa.literal(""), sa.func.count(Service.id)
    ).where(implementing)
    coverage = ConceptCoverage()
    for code, name, name_en, count in session.execute(sa.union_all(regional, nationwide)):
        if code:
            coverage.regions.append(RegionCount(code, name, name_en, int(count)))
        else:
            coverage.total = int(count)
    coverage.regions.sort(key=lambda region: region.code)
    return coverage
