"""Knowledge search: documents for the knowledge index, keeping it in step, and the fallback.

Drafts are never indexed; scheduled and published items are, each with its
publish_at, and public searches pass the current time, so a scheduled item
appears by itself. The index is updated after each editor's commit; if that
fails, `portal knowledge sync` (or `reindex`) puts it right, and searches fall
back to a plain database query while the engine is down.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, current_app

from portal.find.engine import created_once
from portal.find.services import SearchOutcome, ask_or_fall_back
from portal.knowledge.markdown import plain_text
from portal.knowledge.models import (
    KnowledgeAudience,
    KnowledgeItem,
    KnowledgeKind,
    KnowledgeStatus,
    KnowledgeTag,
)
from portal.knowledge.queries import visible_condition
from portal.taxonomy.models import TaxonomyTerm
from search import Hit, SearchError, SearchResult
from search.knowledge import KnowledgeDocument, KnowledgeIndex, KnowledgeQuery, get_knowledge_index

logger = logging.getLogger(__name__)

# Engine calls run here so a hung engine cannot hold a request past its limit.
_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="knowledge-search")
_VOCABULARY_FIELDS = {
    "maalgruppe": "target_group",
    "livssituation": "life_situation",
    "aktivitet": "activity",
}
MAX_FALLBACK_WORDS = 8


def knowledge_index(app: Flask | None = None) -> KnowledgeIndex:
    """Return this app's knowledge index, creating it once."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    return created_once(app, "knowledge_search", lambda: get_knowledge_index(app.config))


def _epoch(moment: dt.datetime | None) -> int:
    """Return a time as Unix seconds (0 for none)."""
    return int(moment.timestamp()) if moment is not None else 0


def document_for(item: KnowledgeItem) -> KnowledgeDocument:
    """Return the index document of an item (its terms loaded)."""
    terms: dict[str, list[str]] = {name: [] for name in _VOCABULARY_FIELDS.values()}
    for term in item.terms:
        name = _VOCABULARY_FIELDS.get(term.taxonomy.code)
        if name is not None:
            terms[name].append(term.code)
    body = " ".join(filter(None, (item.body, item.how_to_start, item.sources)))
    return KnowledgeDocument(
        id=str(item.id),
        kind=item.kind.value,
        slug=item.slug,
        title=item.title,
        summary=item.summary,
        body=plain_text(body),
        audience=item.audiences,
        tag=item.tags,
        evidence_level=item.evidence_level.value if item.evidence_level else "",
        publish_at=_epoch(item.publish_at),
        updated_at=_epoch(item.updated_at),
        **terms,  # type: ignore[typeddict-item]
    )


def _load(session: so.Session, condition: sa.ColumnElement[bool]) -> Iterator[KnowledgeItem]:
    """Yield the items matching ``condition`` with what their documents need."""
    statement = (
        sa.select(KnowledgeItem)
        .where(condition)
        .options(
            so.selectinload(KnowledgeItem.terms).joinedload(TaxonomyTerm.taxonomy),
            so.selectinload(KnowledgeItem.audience_rows),
            so.selectinload(KnowledgeItem.tag_rows),
        )
        .order_by(KnowledgeItem.id)
    )
    yield from session.scalars(statement)


def _indexable() -> sa.ColumnElement[bool]:
    """Return the condition for items that belong in the index (not drafts)."""
    return sa.and_(
        KnowledgeItem.status != KnowledgeStatus.DRAFT, KnowledgeItem.publish_at.is_not(None)
    )


def sync_items(session: so.Session, index: KnowledgeIndex, ids: Iterable[uuid.UUID]) -> None:
    """Index the named items that belong in the index and remove the others."""
    wanted = sorted(set(ids))
    if not wanted:
        return
    documents = [
        document_for(item)
        for item in _load(session, sa.and_(KnowledgeItem.id.in_(wanted), _indexable()))
    ]
    kept = {document["id"] for document in documents}
    index.index(documents)
    index.remove([str(item_id) for item_id in wanted if str(item_id) not in kept])


def update_after_commit(ids: Iterable[uuid.UUID]) -> bool:
    """Bring the index up to date for committed changes; return False if the engine failed.

    Uses a session of its own, so it reads only what was committed. A failure is
    logged and left for `portal knowledge sync`.
    """
    state = current_app.extensions["db"]
    try:
        with so.Session(bind=state.bind, **state.session_options) as session:
            sync_items(session, knowledge_index(), ids)
    except SearchError as error:
        logger.warning("Knowledge index update failed (%s); run `portal knowledge sync`", error)
        return False
    return True


def rebuild(session: so.Session, index: KnowledgeIndex) -> int:
    """Replace the knowledge index with every scheduled and published item."""
    from portal.find.synonyms import all_groups

    index.set_synonyms([group.word_list for group in all_groups(session)])
    return index.rebuild(document_for(item) for item in _load(session, _indexable()))


@dataclass
class SyncReport:
    """What `portal knowledge sync` found and fixed."""

    missing: list[str] = field(default_factory=list)
    outdated: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)


def reconcile(session: so.Session, index: KnowledgeIndex) -> SyncReport:
    """Compare the index with the database and fix every difference."""
    expected = {
        str(item_id): _epoch(updated)
        for item_id, updated in session.execute(
            sa.select(KnowledgeItem.id, KnowledgeItem.updated_at).where(_indexable())
        )
    }
    actual = index.ids()
    report = SyncReport(
        missing=sorted(set(expected) - set(actual)),
        outdated=sorted(i for i in set(expected) & set(actual) if actual[i] < expected[i]),
        extra=sorted(set(actual) - set(expected)),
    )
    if report.extra:
        index.remove(report.extra)
    stale = [uuid.UUID(i) for i in report.missing + report.outdated]
    if stale:
        sync_items(session, index, stale)
    return report


# --- Searching ----------------------------------------------------------------------------


def run_knowledge_search(
    session: so.Session, index: KnowledgeIndex, query: KnowledgeQuery, timeout_s: float
) -> SearchOutcome:
    """Ask the engine; on an engine error or after ``timeout_s`` ask the database."""
    return ask_or_fall_back(
        _executor,
        lambda: index.search(query),
        lambda: database_search(session, query),
        timeout_s,
        "Knowledge index",
    )


def _escape_like(text: str) -> str:
    """Escape LIKE wildcards in typed text."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(query: KnowledgeQuery) -> list[sa.ColumnElement[bool]]:
    """Return the SQL conditions of a knowledge query for the fallback."""
    conditions: list[sa.ColumnElement[bool]] = []
    if query.visible_at is None:
        conditions.append(_indexable())
    else:
        # The index keeps whole seconds: anything published within that second counts.
        moment = dt.datetime.fromtimestamp(query.visible_at + 1, dt.UTC)
        conditions.append(visible_condition(moment - dt.timedelta(microseconds=1)))
    haystack = sa.func.lower(
        KnowledgeItem.title + " " + KnowledgeItem.summary + " " + KnowledgeItem.body
    )
    for word in query.text.lower().split()[:MAX_FALLBACK_WORDS]:
        conditions.append(haystack.like(f"%{_escape_like(word)}%", escape="\\"))
    if query.kind:
        conditions.append(
            KnowledgeItem.kind.in_(
                [KnowledgeKind(k) for k in query.kind if k in set(KnowledgeKind)]
            )
        )
    if query.audience:
        conditions.append(
            KnowledgeItem.audience_rows.any(KnowledgeAudience.audience.in_(query.audience))
        )
    if query.tag:
        conditions.append(KnowledgeItem.tag_rows.any(KnowledgeTag.name.in_(query.tag)))
    for vocabulary, name in _VOCABULARY_FIELDS.items():
        codes = getattr(query, name)
        if codes:
            conditions.append(
                KnowledgeItem.terms.any(
                    sa.and_(
                        TaxonomyTerm.code.in_(codes),
                        TaxonomyTerm.taxonomy.has(code=vocabulary),
                    )
                )
            )
    return conditions


def _fallback_facets(
    session: so.Session, matching: sa.Select, fields: tuple[str, ...]
) -> dict[str, dict[str, int]]:
    """Count the facet values of the items ``matching`` selects."""
    ids = matching.with_only_columns(KnowledgeItem.id).order_by(None).scalar_subquery()
    columns = {
        "kind": (KnowledgeItem.kind, KnowledgeItem.id),
        "audience": (KnowledgeAudience.audience, KnowledgeAudience.item_id),
        "tag": (KnowledgeTag.name, KnowledgeTag.item_id),
    }
    facets: dict[str, dict[str, int]] = {}
    for name in fields:
        value, item_id = columns[name]
        rows = session.execute(
            sa.select(value, sa.func.count()).where(item_id.in_(ids)).group_by(value)
        )
        pairs = [(str(getattr(v, "value", v)), int(n)) for v, n in rows]
        facets[name] = dict(sorted(pairs, key=lambda pair: (-pair[1], pair[0])))
    return facets


def database_search(session: so.Session, query: KnowledgeQuery) -> SearchResult:
    """Answer a knowledge query from the database: every word as a substring, newest first."""
    statement = sa.select(KnowledgeItem).where(*_conditions(query))
    total = session.scalar(sa.select(sa.func.count()).select_from(statement.subquery())) or 0
    page = session.scalars(
        statement.options(
            so.selectinload(KnowledgeItem.terms).joinedload(TaxonomyTerm.taxonomy),
            so.selectinload(KnowledgeItem.audience_rows),
            so.selectinload(KnowledgeItem.tag_rows),
        )
        .order_by(KnowledgeItem.publish_at.desc(), KnowledgeItem.title)
        .offset(query.offset)
        .limit(query.per_page)
    ).all()
    hits = []
    for item in page:
        document = dict(document_for(item))
        hits.append(Hit(id=document["id"], document=document, highlights={}))
    facets = _fallback_facets(session, statement, query.facets)
    return SearchResult(
        total=total, hits=hits, facets=facets, page=query.page, per_page=query.per_page
    )
