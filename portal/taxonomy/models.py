"""Controlled vocabularies (HSDS taxonomy and taxonomy_term) and their links to offers."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.db import Base, UUIDPrimaryKey


class Taxonomy(UUIDPrimaryKey, Base):
    """A vocabulary such as activity types or target groups (HSDS taxonomy)."""

    __tablename__ = "taxonomy"

    code: so.Mapped[str] = so.mapped_column(sa.String(50), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    name_en: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    version: so.Mapped[str | None] = so.mapped_column(sa.String(20))

    terms: so.Mapped[list[TaxonomyTerm]] = so.relationship(
        back_populates="taxonomy", order_by="TaxonomyTerm.position"
    )


class TaxonomyTerm(UUIDPrimaryKey, Base):
    """One term of a vocabulary, labelled in Danish and English (HSDS taxonomy_term)."""

    __tablename__ = "taxonomy_term"
    __table_args__ = (sa.UniqueConstraint("taxonomy_id", "code"),)

    taxonomy_id: so.Mapped[uuid.UUID] = so.mapped_column(sa.ForeignKey("taxonomy.id"), index=True)
    parent_id: so.Mapped[uuid.UUID | None] = so.mapped_column(sa.ForeignKey("taxonomy_term.id"))
    code: so.Mapped[str] = so.mapped_column(sa.String(50))
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    name_en: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    position: so.Mapped[int] = so.mapped_column(default=0)
    is_active: so.Mapped[bool] = so.mapped_column(default=True)

    taxonomy: so.Mapped[Taxonomy] = so.relationship(back_populates="terms")

    def label(self, locale: str) -> str:
        """Return the term's label in ``locale`` ("da" or "en")."""
        return self.name_en if locale == "en" else self.name


class ServiceAttribute(UUIDPrimaryKey, Base):
    """A taxonomy term attached to an offer (HSDS attribute with link_entity "service")."""

    __tablename__ = "service_attribute"
    __table_args__ = (sa.UniqueConstraint("service_id", "taxonomy_term_id"),)

    service_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    taxonomy_term_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.ForeignKey("taxonomy_term.id"), index=True
    )
    value: so.Mapped[str | None] = so.mapped_column(sa.String(200))

    taxonomy_term: so.Mapped[TaxonomyTerm] = so.relationship(lazy="joined")
