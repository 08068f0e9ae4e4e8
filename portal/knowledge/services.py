"""Write knowledge items: slugs, fields, publication and revisions.

Every function takes explicit arguments, adds and flushes, and never commits or
reads the request; the caller commits once.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.accounts.models import User
from portal.db import utcnow
from portal.knowledge.models import (
    Audience,
    EvidenceLevel,
    KnowledgeAudience,
    KnowledgeItem,
    KnowledgeKind,
    KnowledgeRevision,
    KnowledgeStatus,
    KnowledgeTag,
)
from portal.knowledge.revisions import record_revision
from portal.taxonomy.models import Taxonomy, TaxonomyTerm

SLUG_MAX = 80
TAG_MAX = 40
MAX_TAGS = 12
# Paths under /viden that are pages of their own, so no item may take them.
RESERVED_SLUGS = frozenset({"soeg", "filer", "redaktion"})
# The shared vocabularies an item may carry.
ITEM_VOCABULARIES = ("aktivitet", "maalgruppe", "livssituation")
_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def slugify(text: str) -> str:
    """Return a URL slug: lower case, æ→ae, ø→oe, å→aa, other accents dropped, words joined by -."""
    folded = unicodedata.normalize("NFC", text).lower().translate(_FOLD)
    ascii_only = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")
    return slug[:SLUG_MAX].rstrip("-")


def unique_slug(session: so.Session, wanted: str, item_id: uuid.UUID | None = None) -> str:
    """Return ``wanted`` as a slug, numbered (-2, -3, ...) if another item or a page has it."""
    base = slugify(wanted) or "viden"
    taken = set(
        session.scalars(
            sa.select(KnowledgeItem.slug).where(
                KnowledgeItem.slug.like(f"{base}%"),
                KnowledgeItem.id != item_id if item_id is not None else sa.true(),
            )
        )
    )
    taken |= RESERVED_SLUGS
    if base not in taken:
        return base
    number = 2
    while f"{base[: SLUG_MAX - 4]}-{number}" in taken:
        number += 1
    return f"{base[: SLUG_MAX - 4]}-{number}"


def clean_tags(raw: str | Iterable[str]) -> list[str]:
    """Return free tags from "a, b; c" text: lower case, single spaces, unique, at most MAX_TAGS."""
    parts = re.split(r"[,;\n]", raw) if isinstance(raw, str) else list(raw)
    tags: list[str] = []
    for part in parts:
        tag = " ".join(unicodedata.normalize("NFC", str(part)).lower().split())[:TAG_MAX].strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tags[:MAX_TAGS]


def terms_for_codes(session: so.Session, codes: Iterable[str]) -> list[TaxonomyTerm]:
    """Return the terms named "vocabulary:code" (unknown codes are skipped)."""
    wanted = {tuple(code.split(":", 1)) for code in codes if ":" in code}
    if not wanted:
        return []
    rows = session.execute(
        sa.select(Taxonomy.code, TaxonomyTerm)
        .join(TaxonomyTerm.taxonomy)
        .where(Taxonomy.code.in_({vocabulary for vocabulary, _ in wanted}))
    )
    return [term for vocabulary, term in rows if (vocabulary, term.code) in wanted]


def term_code(term: TaxonomyTerm) -> str:
    """Return a term's "vocabulary:code" key."""
    return f"{term.taxonomy.code}:{term.code}"


@dataclass
class ItemChanges:
    """The editable fields of an item, as an editor submits them."""

    title: str
    summary: str = ""
    body: str = ""
    slug: str = ""
    how_to_start: str = ""
    sources: str = ""
    evidence_level: EvidenceLevel | None = None
    audiences: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    term_codes: list[str] = field(default_factory=list)
    status: KnowledgeStatus = KnowledgeStatus.DRAFT
    publish_at: dt.datetime | None = None  # for SCHEDULED: when it becomes public
    is_featured: bool = False


def _publication(
    item: KnowledgeItem, status: KnowledgeStatus, wanted: dt.datetime | None, now: dt.datetime
) -> dt.datetime | None:
    """Return the publish_at that goes with a chosen status."""
    if status is KnowledgeStatus.DRAFT:
        return None
    if status is KnowledgeStatus.SCHEDULED:
        return wanted
    # Published now, unless it already was: it keeps its original date.
    return item.publish_at if item.is_public(now) else now


def apply_changes(
    session: so.Session, item: KnowledgeItem, changes: ItemChanges, now: dt.datetime
) -> None:
    """Copy submitted fields onto ``item`` (its slug made unique) and flush."""
    item.title = changes.title.strip()
    item.summary = changes.summary.strip()
    item.body = changes.body.strip()
    item.how_to_start = changes.how_to_start.strip()
    item.sources = changes.sources.strip()
    item.evidence_level = changes.evidence_level if item.kind is KnowledgeKind.CONCEPT else None
    wanted_slug = changes.slug.strip() or item.slug or item.title
    if slugify(wanted_slug) != item.slug:
        item.slug = unique_slug(session, wanted_slug, item.id)
    item.publish_at = _publication(item, changes.status, changes.publish_at, now)
    item.status = changes.status
    item.is_featured = changes.is_featured
    chosen = {Audience(code) for code in changes.audiences}
    item.audience_rows = [row for row in item.audience_rows if row.audience in chosen]
    present = {row.audience for row in item.audience_rows}
    item.audience_rows += [KnowledgeAudience(audience=a) for a in Audience if a in chosen - present]
    tags = clean_tags(changes.tags)
    item.tag_rows = [row for row in item.tag_rows if row.name in tags]
    known = {row.name for row in item.tag_rows}
    item.tag_rows += [KnowledgeTag(name=tag) for tag in tags if tag not in known]
    item.terms = terms_for_codes(session, changes.term_codes)
    session.flush()


def create_item(
    session: so.Session,
    kind: KnowledgeKind,
    changes: ItemChanges,
    actor: User | None,
    now: dt.datetime | None = None,
    note: str | None = None,
) -> KnowledgeItem:
    """Add a new item with its first revision."""
    now = now or utcnow()
    item = KnowledgeItem(kind=kind, title=changes.title, slug="", status=KnowledgeStatus.DRAFT)
    item.id = uuid.uuid4()
    session.add(item)
    apply_changes(session, item, changes, now)
    record_revision(session, item, actor, note)
    return item


def update_item(
    session: so.Session,
    item: KnowledgeItem,
    changes: ItemChanges,
    actor: User | None,
    now: dt.datetime | None = None,
    note: str | None = None,
) -> KnowledgeRevision:
    """Save an editor's changes and keep a revision of the result."""
    apply_changes(session, item, changes, now or utcnow())
    return record_revision(session, item, actor, note)


def changes_from_snapshot(snapshot: dict) -> ItemChanges:
    """Return the fields of a revision as changes that can be applied again."""
    level = snapshot.get("evidence_level")
    publish_at = snapshot.get("publish_at")
    return ItemChanges(
        title=snapshot.get("title", ""),
        summary=snapshot.get("summary", ""),
        body=snapshot.get("body", ""),
        slug=snapshot.get("slug", ""),
        how_to_start=snapshot.get("how_to_start", ""),
        sources=snapshot.get("sources", ""),
        evidence_level=EvidenceLevel(level) if level else None,
        audiences=[a for a in snapshot.get("audiences", []) if a in set(Audience)],
        tags=list(snapshot.get("tags", [])),
        term_codes=list(snapshot.get("terms", [])),
        status=KnowledgeStatus(snapshot.get("status", "draft")),
        publish_at=dt.datetime.fromisoformat(publish_at) if publish_at else None,
        is_featured=bool(snapshot.get("is_featured")),
    )


def restore_revision(
    session: so.Session,
    item: KnowledgeItem,
    revision: KnowledgeRevision,
    actor: User | None,
    now: dt.datetime | None = None,
) -> KnowledgeRevision:
    """Bring back an old revision's content as a new revision.

    The publication (status and time) stays as it is now, so restoring an old
    text never publishes or hides the item by surprise.
    """
    changes = changes_from_snapshot(revision.snapshot)
    changes.status = item.status
    changes.publish_at = item.publish_at
    apply_changes(session, item, changes, now or utcnow())
    return record_revision(session, item, actor, f"restored:{revision.number}")
