"""The public knowledge centre: front page, search, one item, and attachment downloads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request, send_file, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from portal.accounts.access import uuid_or_404
from portal.db import utcnow
from portal.extensions import db, limiter
from portal.find.params import clean_text
from portal.find.services import SearchOutcome
from portal.knowledge.attachments import content_disposition, file_path, type_label
from portal.knowledge.labels import AUDIENCE_LABELS, EVIDENCE_LABELS, KIND_LABELS, KIND_PLURALS
from portal.knowledge.models import Audience, KnowledgeAttachment, KnowledgeItem, KnowledgeKind
from portal.knowledge.queries import (
    concept_coverage,
    featured_items,
    get_item_by_slug,
    related_guidance,
)
from portal.knowledge.search import knowledge_index, run_knowledge_search
from search.base import MAX_PAGE, MAX_TEXT_LENGTH
from search.knowledge import KNOWLEDGE_FACETS, KnowledgeQuery

bp = Blueprint("knowledge", __name__, url_prefix="/viden")

PER_PAGE = 12
MAX_TAGS_IN_QUERY = 5


def is_editor() -> bool:
    """Return whether the visitor is a signed-in knowledge-centre editor (or admin)."""
    return bool(current_user.is_authenticated and (current_user.is_editor or current_user.is_admin))


@dataclass
class KnowledgeSearchRequest:
    """The parsed search parameters and the query built from them."""

    query: KnowledgeQuery
    text: str = ""
    selected: dict[str, list[str]] = field(default_factory=dict)

    def params(self, **changes: object) -> dict[str, object]:
        """Return the URL parameters of this search, with ``changes`` applied."""
        values: dict[str, object] = {"q": self.text} if self.text else {}
        values.update({name: chosen for name, chosen in self.selected.items() if chosen})
        values.update(changes)
        return {name: value for name, value in values.items() if value not in ("", [], None)}


def parse_knowledge_args(args: MultiDict[str, str]) -> KnowledgeSearchRequest:
    """Read the search page's parameters; unknown values are dropped, never an error."""
    text = clean_text(args.get("q", ""), MAX_TEXT_LENGTH)
    allowed = {"kind": {k.value for k in KnowledgeKind}, "audience": {a.value for a in Audience}}
    selected = {
        name: list(dict.fromkeys(v for v in args.getlist(name) if v in values))
        for name, values in allowed.items()
    }
    tags = [clean_text(v, 40).lower() for v in args.getlist("tag")]
    selected["tag"] = list(dict.fromkeys(t for t in tags if t))[:MAX_TAGS_IN_QUERY]
    try:
        page = min(max(int(args.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        page = 1
    query = KnowledgeQuery(
        text=text,
        kind=tuple(selected["kind"]),
        audience=tuple(selected["audience"]),
        tag=tuple(selected["tag"]),
        visible_at=int(utcnow().timestamp()),
        page=page,
        per_page=PER_PAGE,
        facets=KNOWLEDGE_FACETS,
    )
    return KnowledgeSearchRequest(query=query, text=text, selected=selected)


def present_hit(hit_document: dict, highlights: dict[str, str]) -> dict[str, object]:
    """Return what a result card shows; highlights are escaped HTML from the engine."""
    kind = KnowledgeKind(hit_document["kind"])
    title = highlights.get("title") or escape(hit_document["title"])
    summary = highlights.get("summary") or escape(hit_document.get("summary", ""))
    level = hit_document.get("evidence_level")
    return {
        "title": Markup(title),  # noqa: S704 - escaped by the engine or just above
        "summary": Markup(summary),  # noqa: S704 - escaped by the engine or just above
        "url": url_for("knowledge.detail", slug=hit_document["slug"]),
        "kind": kind.value,
        "kind_label": KIND_LABELS[kind],
        "audiences": [AUDIENCE_LABELS[Audience(a)] for a in hit_document.get("audience", [])],
        "evidence": EVIDENCE_LABELS.get(level) if level else None,  # type: ignore[call-overload]
    }


def _search(parsed: KnowledgeSearchRequest) -> SearchOutcome:
    """Run a parsed search on the engine, or on the database if it fails."""
    return run_knowledge_search(
        db.session, knowledge_index(), parsed.query, current_app.config["SEARCH_TIMEOUT"]
    )


def _facet_labels() -> dict[str, dict[str, object]]:
    """Return the names shown for the type and audience facet values."""
    return {
        "kind": {k.value: KIND_PLURALS[k] for k in KnowledgeKind},
        "audience": {a.value: AUDIENCE_LABELS[a] for a in Audience},
    }


@bp.get("/")
def index() -> str:
    """Show featured content, a search box, the facets and the newest items."""
    parsed = parse_knowledge_args(MultiDict())
    outcome = _search(parsed)
    return render_template(
        "knowledge/index.html",
        featured=featured_items(db.session),
        search=parsed,
        outcome=outcome,
        hits=[present_hit(h.document, h.highlights) for h in outcome.result.hits],
        facet_labels=_facet_labels(),
        kind_labels=KIND_LABELS,
    )


@bp.get("/soeg")
@limiter.limit(lambda: current_app.config["RATELIMIT_SEARCH"])
def search() -> str:
    """Search articles, tools and concepts, with typo tolerance and facets."""
    parsed = parse_knowledge_args(request.args)
    outcome = _search(parsed)
    return render_template(
        "knowledge/search.html",
        search=parsed,
        outcome=outcome,
        result=outcome.result,
        hits=[present_hit(h.document, h.highlights) for h in outcome.result.hits],
        facet_labels=_facet_labels(),
    )


def _find_near_you_params(item: KnowledgeItem) -> dict[str, list[str]]:
    """Return the offer-search filters that find offers like a concept."""
    activities = [t.code for t in item.terms_of("aktivitet")]
    if activities:
        return {"activity": activities}
    groups = [t.code for t in item.terms_of("maalgruppe")]
    return {"target_group": groups} if groups else {}


@bp.get("/<slug>")
def detail(slug: str) -> str:
    """Show one article, tool or concept; editors also see drafts and planned items."""
    editor = is_editor()
    item = get_item_by_slug(db.session, slug, include_unpublished=editor)
    if item is None:
        abort(404)
    coverage = None
    if item.kind is KnowledgeKind.CONCEPT:
        coverage = concept_coverage(db.session, item.id)
    related = related_guidance(db.session, [t.id for t in item.terms], exclude=item.id)
    return render_template(
        "knowledge/detail.html",
        item=item,
        is_public=item.is_public(),
        coverage=coverage,
        find_params=_find_near_you_params(item),
        related=related,
        kind_labels=KIND_LABELS,
        audience_labels=AUDIENCE_LABELS,
        evidence_labels=EVIDENCE_LABELS,
        type_label=type_label,
        editor=editor,
    )


def _attachment_or_404(attachment_id: str) -> KnowledgeAttachment:
    """Return an attachment the visitor may download, else 404."""
    attachment = db.session.get(KnowledgeAttachment, uuid_or_404(attachment_id))
    if attachment is None or not (attachment.item.is_public() or is_editor()):
        abort(404)
    return attachment


@bp.get("/filer/<attachment_id>")
def attachment(attachment_id: str) -> Response:
    """Download an attachment of a visible item, never to be shown in the browser."""
    found = _attachment_or_404(attachment_id)
    path: Path = file_path(current_app.config["KNOWLEDGE_UPLOAD_DIR"], found.id)
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=found.content_type,
        as_attachment=True,
        download_name=found.original_name,
        conditional=True,
        etag=found.sha256,
        max_age=0,
    )
    response.headers["Content-Disposition"] = content_disposition(found.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if not found.item.is_public():
        response.headers["Cache-Control"] = "private, no-store"
    return response
