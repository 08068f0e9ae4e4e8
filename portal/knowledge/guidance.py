"""Related guidance beside the offers: template helpers for the offer and search pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from portal.db import utcnow
from portal.extensions import db
from portal.knowledge.models import KnowledgeItem, KnowledgeKind
from portal.knowledge.queries import (
    guidance_for_professionals,
    related_guidance,
    term_ids_for_codes,
    visible_condition,
)


@dataclass
class OfferGuidance:
    """What the knowledge centre adds to an offer's page."""

    concept: KnowledgeItem | None = None
    related: list[KnowledgeItem] = field(default_factory=list)
    for_professionals: KnowledgeItem | None = None

    def __bool__(self) -> bool:
        """Return whether there is anything to show."""
        return bool(self.concept or self.related or self.for_professionals)


def offer_guidance(service: object) -> OfferGuidance:
    """Return the concept an offer builds on and guidance sharing its target groups or situations.

    At most three related items; professionals also get the article on how to
    talk about loneliness, beside where the referral button will be.
    """
    now = utcnow()
    guidance = OfferGuidance()
    concept_id = getattr(service, "concept_id", None)
    if concept_id is not None:
        guidance.concept = db.session.scalar(
            sa.select(KnowledgeItem).where(
                KnowledgeItem.id == concept_id,
                KnowledgeItem.kind == KnowledgeKind.CONCEPT,
                visible_condition(now),
            )
        )
    terms = [
        *service.terms_of("maalgruppe"),  # type: ignore[attr-defined]
        *service.terms_of("livssituation"),  # type: ignore[attr-defined]
    ]
    guidance.related = related_guidance(
        db.session, [t.id for t in terms], exclude=concept_id, now=now
    )
    professional = guidance_for_professionals(db.session, now)
    if professional is not None and professional not in guidance.related:
        guidance.for_professionals = professional
    return guidance


def search_guidance(
    target_groups: Iterable[str] = (), life_situations: Iterable[str] = ()
) -> list[KnowledgeItem]:
    """Return up to three visible items for the target groups and life situations chosen."""
    codes = {"maalgruppe": list(target_groups), "livssituation": list(life_situations)}
    if not any(codes.values()):
        return []
    return related_guidance(db.session, term_ids_for_codes(db.session, codes))
