"""The knowledge centre: articles, tools and proven concepts, their history and files."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.accounts.models import User
from portal.db import Base, Timestamps, UUIDPrimaryKey, utcnow
from portal.offers.models import _enum
from portal.taxonomy.models import TaxonomyTerm


class KnowledgeKind(enum.StrEnum):
    """What sort of content an item is."""

    ARTICLE = "article"  # knowledge, e.g. how to ask about loneliness
    TOOL = "tool"  # a guide, checklist or training material, usually with files
    CONCEPT = "concept"  # a proven way of organising a community, e.g. besøgsven


class KnowledgeStatus(enum.StrEnum):
    """Whether an item is being written, waiting for its publication time, or out."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"


class EvidenceLevel(enum.StrEnum):
    """How well a concept's effect is known."""

    DOCUMENTED = "documented"  # dokumenteret effekt
    PROMISING = "promising"  # lovende praksis
    EXPERIENCE = "experience"  # erfaringsbaseret


class Audience(enum.StrEnum):
    """Who an item is written for; an item may be for several."""

    CITIZENS = "borgere"
    PROFESSIONALS = "fagpersoner"
    VOLUNTEERS = "frivillige"
    LEADERS = "ledere"


knowledge_item_term = sa.Table(
    "knowledge_item_term",
    Base.metadata,
    sa.Column("item_id", sa.ForeignKey("knowledge_item.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "taxonomy_term_id",
        sa.ForeignKey("taxonomy_term.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class KnowledgeItem(UUIDPrimaryKey, Timestamps, Base):
    """An article, tool or concept, written in Markdown by the knowledge-centre editors."""

    __tablename__ = "knowledge_item"
    __table_args__ = (sa.Index("ix_knowledge_item_visible", "status", "publish_at"),)

    kind: so.Mapped[KnowledgeKind] = so.mapped_column(_enum(KnowledgeKind, "knowledge_kind"))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    slug: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    summary: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Concepts: how to start one locally, and where the evidence comes from.
    how_to_start: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    sources: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    evidence_level: so.Mapped[EvidenceLevel | None] = so.mapped_column(
        _enum(EvidenceLevel, "evidence_level")
    )
    status: so.Mapped[KnowledgeStatus] = so.mapped_column(
        _enum(KnowledgeStatus, "knowledge_status"), default=KnowledgeStatus.DRAFT
    )
    # Public from this moment on (status scheduled or published); compared with
    # the time of each request, so a scheduled item appears by itself.
    publish_at: so.Mapped[dt.datetime | None]
    is_featured: so.Mapped[bool] = so.mapped_column(default=False)

    terms: so.Mapped[list[TaxonomyTerm]] = so.relationship(
        secondary=knowledge_item_term, order_by=TaxonomyTerm.position
    )
    audience_rows: so.Mapped[list[KnowledgeAudience]] = so.relationship(
        cascade="all, delete-orphan", order_by="KnowledgeAudience.audience"
    )
    tag_rows: so.Mapped[list[KnowledgeTag]] = so.relationship(
        cascade="all, delete-orphan", order_by="KnowledgeTag.name"
    )
    attachments: so.Mapped[list[KnowledgeAttachment]] = so.relationship(
        back_populates="item",
        cascade="all, delete-orphan",
        order_by="KnowledgeAttachment.created_at",
    )

    @property
    def audiences(self) -> list[str]:
        """Return the audience codes in a fixed order."""
        order = list(Audience)
        chosen = {row.audience for row in self.audience_rows}
        return [a.value for a in order if a in chosen]

    @property
    def tags(self) -> list[str]:
        """Return the free tags, alphabetically."""
        return sorted(row.name for row in self.tag_rows)

    def terms_of(self, taxonomy_code: str) -> list[TaxonomyTerm]:
        """Return the attached terms of one vocabulary, in vocabulary order."""
        return [t for t in self.terms if t.taxonomy.code == taxonomy_code]

    def is_public(self, now: dt.datetime | None = None) -> bool:
        """Return whether citizens can see the item at ``now``."""
        return (
            self.status is not KnowledgeStatus.DRAFT
            and self.publish_at is not None
            and self.publish_at <= (now or utcnow())
        )


class KnowledgeAudience(Base):
    """One audience an item is written for."""

    __tablename__ = "knowledge_audience"

    item_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.ForeignKey("knowledge_item.id", ondelete="CASCADE"), primary_key=True
    )
    audience: so.Mapped[Audience] = so.mapped_column(
        _enum(Audience, "knowledge_audience"), primary_key=True
    )


class KnowledgeTag(Base):
    """One free tag of an item (lower case)."""

    __tablename__ = "knowledge_tag"

    item_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.ForeignKey("knowledge_item.id", ondelete="CASCADE"), primary_key=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True, index=True)


class KnowledgeRevision(UUIDPrimaryKey, Base):
    """A snapshot of every field of an item, taken at each save."""

    __tablename__ = "knowledge_revision"
    __table_args__ = (sa.UniqueConstraint("item_id", "number"),)

    item_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.ForeignKey("knowledge_item.id", ondelete="CASCADE"), index=True
    )
    number: so.Mapped[int]
    snapshot: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    actor_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    item: so.Mapped[KnowledgeItem] = so.relationship()
    actor: so.Mapped[User | None] = so.relationship()


class KnowledgeAttachment(UUIDPrimaryKey, Base):
    """A downloadable file of an item, stored under the instance folder by its id.

    ``original_name`` is only display text; the file on disk is named by ``id``.
    """

    __tablename__ = "knowledge_attachment"

    item_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.ForeignKey("knowledge_item.id", ondelete="CASCADE"), index=True
    )
    original_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    content_type: so.Mapped[str] = so.mapped_column(sa.String(100))
    size: so.Mapped[int]
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    # A text version of what the file says, shown beside the download for
    # readers who cannot open the file (screen readers, old phones).
    summary: so.Mapped[str] = so.mapped_column(sa.Text)
    uploaded_by_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    item: so.Mapped[KnowledgeItem] = so.relationship(back_populates="attachments")
