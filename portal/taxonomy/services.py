"""Seed and look up the controlled vocabularies."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.taxonomy.models import Taxonomy, TaxonomyTerm
from portal.taxonomy.vocabulary import VOCABULARIES


def seed_vocabularies(session: so.Session) -> int:
    """Add missing vocabularies and terms; never overwrite an admin's edits. Return terms added."""
    existing = {t.code: t for t in session.scalars(sa.select(Taxonomy))}
    added = 0
    for seed in VOCABULARIES:
        taxonomy = existing.get(seed.code)
        if taxonomy is None:
            taxonomy = Taxonomy(
                code=seed.code,
                name=seed.name,
                name_en=seed.name_en,
                description=seed.description,
                version="1",
            )
            session.add(taxonomy)
            session.flush()
        known = set(
            session.scalars(
                sa.select(TaxonomyTerm.code).where(TaxonomyTerm.taxonomy_id == taxonomy.id)
            )
        )
        for position, term in enumerate(seed.terms):
            if term.code in known:
                continue
            session.add(
                TaxonomyTerm(
                    taxonomy_id=taxonomy.id,
                    code=term.code,
                    name=term.name,
                    name_en=term.name_en,
                    position=position,
                )
            )
            added += 1
    session.flush()
    return added


def terms_by_code(session: so.Session) -> dict[tuple[str, str], TaxonomyTerm]:
    """Return every term keyed by (taxonomy code, term code)."""
    rows = session.execute(sa.select(Taxonomy.code, TaxonomyTerm).join(TaxonomyTerm.taxonomy))
    return {(code, term.code): term for code, term in rows}


def vocabulary_terms(session: so.Session, taxonomy_code: str) -> list[TaxonomyTerm]:
    """Return the active terms of one vocabulary in their set order."""
    return list(
        session.scalars(
            sa.select(TaxonomyTerm)
            .join(TaxonomyTerm.taxonomy)
            .where(Taxonomy.code == taxonomy_code, TaxonomyTerm.is_active)
            .order_by(TaxonomyTerm.position)
        )
    )
