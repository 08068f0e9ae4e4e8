"""The history of a knowledge item: a full snapshot per save, and diffs between them."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.knowledge.labels import AUDIENCE_LABELS, EVIDENCE_LABELS, STATUS_LABELS
from portal.knowledge.models import KnowledgeItem, KnowledgeRevision

CONTEXT_LINES = 2  # unchanged lines shown around each change
# Snapshot fields in the order a diff shows them, with their labels.
FIELD_LABELS = {
    "title": _l("Titel"),
    "slug": _l("Adresse (slug)"),
    "summary": _l("Resumé"),
    "body": _l("Brødtekst"),
    "how_to_start": _l("Sådan starter du lokalt"),
    "sources": _l("Kilder"),
    "evidence_level": _l("Evidensniveau"),
    "audiences": _l("Målgrupper for indholdet"),
    "tags": _l("Emneord"),
    "terms": _l("Emner fra tilbuddene"),
    "status": _l("Status"),
    "publish_at": _l("Udgives"),
    "is_featured": _l("Fremhævet"),
}


def snapshot(item: KnowledgeItem) -> dict[str, Any]:
    """Return every editable field of an item as plain JSON data."""
    return {
        "kind": item.kind.value,
        "title": item.title,
        "slug": item.slug,
        "summary": item.summary,
        "body": item.body,
        "how_to_start": item.how_to_start,
        "sources": item.sources,
        "evidence_level": item.evidence_level.value if item.evidence_level else None,
        "audiences": item.audiences,
        "tags": item.tags,
        "terms": sorted(f"{t.taxonomy.code}:{t.code}" for t in item.terms),
        "status": item.status.value,
        "publish_at": item.publish_at.isoformat() if item.publish_at else None,
        "is_featured": item.is_featured,
    }


def latest_number(session: so.Session, item_id: Any) -> int:
    """Return the number of an item's newest revision (0 when it has none)."""
    number = session.scalar(
        sa.select(sa.func.max(KnowledgeRevision.number)).where(KnowledgeRevision.item_id == item_id)
    )
    return int(number or 0)


def record_revision(
    session: so.Session, item: KnowledgeItem, actor: User | None, note: str | None = None
) -> KnowledgeRevision:
    """Add the next revision of ``item`` with a snapshot of its current fields."""
    revision = KnowledgeRevision(
        item_id=item.id,
        number=latest_number(session, item.id) + 1,
        snapshot=snapshot(item),
        note=(note or "").strip()[:500] or None,
        actor_id=actor.id if actor is not None else None,
    )
    session.add(revision)
    session.flush()
    return revision


def revisions_of(session: so.Session, item_id: Any) -> list[KnowledgeRevision]:
    """Return an item's revisions, newest first, with their authors."""
    return list(
        session.scalars(
            sa.select(KnowledgeRevision)
            .where(KnowledgeRevision.item_id == item_id)
            .options(so.joinedload(KnowledgeRevision.actor))
            .order_by(KnowledgeRevision.number.desc())
        )
    )


def get_revision(session: so.Session, item_id: Any, number: int) -> KnowledgeRevision | None:
    """Return one revision of an item by its number."""
    return session.scalar(
        sa.select(KnowledgeRevision).where(
            KnowledgeRevision.item_id == item_id, KnowledgeRevision.number == number
        )
    )


@dataclass
class DiffLine:
    """One line of a field's diff: "added", "removed" or "same"."""

    change: str
    text: str


@dataclass
class FieldDiff:
    """How one field changed between two revisions."""

    name: str
    label: str
    lines: list[DiffLine]


def _as_lines(name: str, value: Any) -> list[str]:
    """Return a snapshot value as the lines a person reads (labels, not codes)."""
    if value is None or value == []:
        return []
    if name == "evidence_level":
        return [str(EVIDENCE_LABELS.get(value, value))]  # type: ignore[call-overload]
    if name == "status":
        return [str(STATUS_LABELS.get(value, value))]  # type: ignore[call-overload]
    if name == "audiences":
        return [str(AUDIENCE_LABELS.get(v, v)) for v in value]  # type: ignore[call-overload]
    if name == "publish_at":
        moment = dt.datetime.fromisoformat(value)
        return [format_datetime(moment, "d. MMMM y 'kl.' HH.mm")]
    if isinstance(value, bool):
        return [str(_l("Ja") if value else _l("Nej"))]
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value).splitlines() or [""]


def diff_snapshots(old: dict[str, Any] | None, new: dict[str, Any]) -> list[FieldDiff]:
    """Return the changed fields, line by line; every field counts as new without ``old``."""
    old = old or {}
    result = []
    for name, label in FIELD_LABELS.items():
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        a, b = _as_lines(name, before), _as_lines(name, after)
        lines: list[DiffLine] = []
        matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
        for tag, a1, a2, b1, b2 in matcher.get_opcodes():
            if tag == "equal":
                lines += [DiffLine("same", line) for line in a[a1:a2]]
                continue
            lines += [DiffLine("removed", line) for line in a[a1:a2]]
            lines += [DiffLine("added", line) for line in b[b1:b2]]
        result.append(FieldDiff(name, str(label), _with_context(lines)))
    return result


def _with_context(lines: list[DiffLine], context: int = CONTEXT_LINES) -> list[DiffLine]:
    """Keep unchanged lines near a change; each longer run of them becomes one "gap"."""
    changed = [i for i, line in enumerate(lines) if line.change != "same"]
    keep = {j for i in changed for j in range(i - context, i + context + 1)}
    result: list[DiffLine] = []
    for index, line in enumerate(lines):
        if line.change != "same" or index in keep:
            result.append(line)
        elif not result or result[-1].change != "gap":
            result.append(DiffLine("gap", "…"))
    return result
