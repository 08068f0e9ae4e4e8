"""The editors' pages: list, write, history with diffs and restore, and files.

Every page is for knowledge-centre editors and admins only; anyone else gets
404, as if the pages did not exist.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from portal.accounts.access import editor_required, uuid_or_404
from portal.extensions import csrf, db
from portal.knowledge.attachments import (
    UPLOAD_REQUEST_LIMIT,
    AttachmentRefused,
    AttachmentTooLarge,
    delete_attachment,
    file_path,
    read_upload,
    remove_file,
    store_attachment,
    type_label,
)
from portal.knowledge.forms import (
    TERM_FIELDS,
    ConfirmForm,
    ItemForm,
    UploadForm,
    to_local,
)
from portal.knowledge.labels import KIND_LABELS, STATUS_LABELS
from portal.knowledge.models import (
    KnowledgeAttachment,
    KnowledgeItem,
    KnowledgeKind,
    KnowledgeStatus,
)
from portal.knowledge.revisions import diff_snapshots, get_revision, latest_number, revisions_of
from portal.knowledge.search import update_after_commit
from portal.knowledge.services import create_item, restore_revision, update_item
from portal.taxonomy.models import TaxonomyTerm
from portal.taxonomy.services import vocabulary_terms

bp = Blueprint("knowledge_editor", __name__, url_prefix="/viden/redaktion")
# Every form here checks its own CSRF token (FlaskForm), after the editor check, so
# a visitor who is not an editor gets 404 rather than a CSRF error that would show
# the page exists; the upload page also needs its larger size limit set first.
csrf.exempt(bp)


def get_item_for_editing_or_404(item_id: str) -> KnowledgeItem:
    """Return an item with its terms, audiences, tags and files, else 404."""
    item = db.session.scalar(
        sa.select(KnowledgeItem)
        .where(KnowledgeItem.id == uuid_or_404(item_id))
        .options(
            so.selectinload(KnowledgeItem.terms).joinedload(TaxonomyTerm.taxonomy),
            so.selectinload(KnowledgeItem.audience_rows),
            so.selectinload(KnowledgeItem.tag_rows),
            so.selectinload(KnowledgeItem.attachments),
        )
        .execution_options(populate_existing=True)
    )
    if item is None:
        abort(404)
    return item


def _term_choices() -> dict[str, list[SelectChoice]]:
    """Return the choices of the shared vocabularies for the item form."""
    language = "da"
    return {
        name: [
            SelectChoice(t.code, t.label(language))
            for t in vocabulary_terms(db.session, vocabulary)
        ]
        for name, vocabulary in TERM_FIELDS.items()
    }


def _form_for(kind: KnowledgeKind, item: KnowledgeItem | None = None) -> ItemForm:
    """Return the item form, filled from ``item`` on a GET and from the request on a POST."""
    data: dict[str, Any] = {}
    if item is not None and request.method == "GET":
        data = {
            "title": item.title,
            "slug": item.slug,
            "summary": item.summary,
            "body": item.body,
            "how_to_start": item.how_to_start,
            "sources": item.sources,
            "evidence_level": item.evidence_level.value if item.evidence_level else None,
            "audiences": item.audiences,
            "tags": ", ".join(item.tags),
            "status": item.status.value,
            "publish_at": to_local(item.publish_at)
            if item.status is KnowledgeStatus.SCHEDULED and item.publish_at
            else None,
            "is_featured": item.is_featured,
            "base_revision": str(latest_number(db.session, item.id)),
            **{
                name: [t.code for t in item.terms_of(vocabulary)]
                for name, vocabulary in TERM_FIELDS.items()
            },
        }
    elif item is None and request.method == "GET":
        data = {"base_revision": "0"}
    return ItemForm(kind=kind, term_choices=_term_choices(), data=data or None)


def _render_form(form: ItemForm, item: KnowledgeItem | None, status: int = 200) -> tuple[str, int]:
    """Render the item form with ``status`` (422 or 409 after a failed save)."""
    return render_template(
        "knowledge/editor/form.html",
        form=form,
        item=item,
        kind=form.kind,
        kind_labels=KIND_LABELS,
        type_label=type_label,
        delete_form=ConfirmForm(),
    ), status


@bp.get("/", endpoint="list")
@editor_required
def list_items() -> str:
    """List every item, newest change first, with its status."""
    kind = request.args.get("type", "")
    statement = sa.select(KnowledgeItem).order_by(KnowledgeItem.updated_at.desc())
    if kind in {k.value for k in KnowledgeKind}:
        statement = statement.where(KnowledgeItem.kind == KnowledgeKind(kind))
    return render_template(
        "knowledge/editor/list.html",
        items=db.session.scalars(statement).all(),
        chosen_kind=kind,
        kind_labels=KIND_LABELS,
        status_labels=STATUS_LABELS,
    )


@bp.route("/ny", methods=["GET", "POST"])
@editor_required
def new() -> Response | tuple[str, int]:
    """Write a new article, tool or concept."""
    try:
        kind = KnowledgeKind(request.args.get("type", KnowledgeKind.ARTICLE.value))
    except ValueError:
        abort(404)
    form = _form_for(kind)
    if not form.validate_on_submit():
        return _render_form(form, None, 422 if request.method == "POST" else 200)
    item = create_item(db.session, kind, form.changes(), current_user, note=form.note.data)
    db.session.commit()
    update_after_commit([item.id])
    flash(_("%(title)s er gemt.", title=item.title), "success")
    return redirect(url_for("knowledge_editor.edit", item_id=item.id))


@bp.route("/<item_id>", methods=["GET", "POST"])
@editor_required
def edit(item_id: str) -> Response | tuple[str, int]:
    """Change an item; every save keeps a revision."""
    item = get_item_for_editing_or_404(item_id)
    form = _form_for(item.kind, item)
    if not form.validate_on_submit():
        return _render_form(form, item, 422 if request.method == "POST" else 200)
    latest = latest_number(db.session, item.id)
    if form.base_revision.data != str(latest):
        form.form_errors.append(
            _(
                "Nogen har gemt en nyere version, mens du skrev. Din tekst er ikke gemt endnu: "
                "se historikken, og gem igen, hvis din version skal gælde."
            )
        )
        form.base_revision.data = str(latest)
        return _render_form(form, item, 409)
    update_item(db.session, item, form.changes(), current_user, note=form.note.data)
    db.session.commit()
    update_after_commit([item.id])
    flash(_("Ændringerne er gemt."), "success")
    return redirect(url_for("knowledge_editor.edit", item_id=item.id))


@bp.get("/<item_id>/versioner")
@editor_required
def revisions(item_id: str) -> str:
    """List an item's revisions, newest first."""
    item = get_item_for_editing_or_404(item_id)
    return render_template(
        "knowledge/editor/revisions.html",
        item=item,
        revisions=revisions_of(db.session, item.id),
        restore_form=ConfirmForm(),
    )


@bp.get("/<item_id>/versioner/<int:number>")
@editor_required
def revision(item_id: str, number: int) -> str:
    """Show what one revision changed compared with the one before it."""
    item = get_item_for_editing_or_404(item_id)
    current = get_revision(db.session, item.id, number)
    if current is None:
        abort(404)
    previous = get_revision(db.session, item.id, number - 1) if number > 1 else None
    return render_template(
        "knowledge/editor/revision.html",
        item=item,
        revision=current,
        previous=previous,
        changes=diff_snapshots(previous.snapshot if previous else None, current.snapshot),
        latest=latest_number(db.session, item.id),
        restore_form=ConfirmForm(),
    )


@bp.post("/<item_id>/versioner/<int:number>/gendan")
@editor_required
def restore(item_id: str, number: int) -> Response:
    """Bring back an old revision's content as a new revision."""
    item = get_item_for_editing_or_404(item_id)
    old = get_revision(db.session, item.id, number)
    if old is None or not ConfirmForm().validate_on_submit():
        abort(404 if old is None else 400)
    restore_revision(db.session, item, old, current_user)
    db.session.commit()
    update_after_commit([item.id])
    flash(_("Version %(number)s er gendannet som en ny version.", number=number), "success")
    return redirect(url_for("knowledge_editor.edit", item_id=item.id))


@bp.route("/<item_id>/filer", methods=["GET", "POST"])
@editor_required
def upload(item_id: str) -> Response | tuple[str, int]:
    """Attach a file (up to 20 MB) with a text summary of its content."""
    request.max_content_length = UPLOAD_REQUEST_LIMIT
    item = get_item_for_editing_or_404(item_id)
    form = UploadForm()
    status = 200
    if form.validate_on_submit():
        try:
            data = read_upload(form.file.data.stream)
            attachment = store_attachment(
                db.session,
                item,
                data,
                form.file.data.filename,
                form.summary.data,
                current_user,
                current_app.config["KNOWLEDGE_UPLOAD_DIR"],
            )
        except AttachmentRefused as refused:
            form.file.errors = [str(refused)]
            status = 413 if isinstance(refused, AttachmentTooLarge) else 422
        else:
            try:
                db.session.commit()
            except Exception:
                remove_file(file_path(current_app.config["KNOWLEDGE_UPLOAD_DIR"], attachment.id))
                raise
            flash(_("Filen %(name)s er tilføjet.", name=attachment.original_name), "success")
            return redirect(url_for("knowledge_editor.edit", item_id=item.id) + "#files")
    elif request.method == "POST":
        status = 422
    return render_template("knowledge/editor/upload.html", item=item, form=form), status


@bp.post("/<item_id>/filer/<attachment_id>/slet", endpoint="delete_attachment")
@editor_required
def delete_attachment_view(item_id: str, attachment_id: str) -> Response:
    """Remove a file from an item."""
    item = get_item_for_editing_or_404(item_id)
    attachment = db.session.get(KnowledgeAttachment, uuid_or_404(attachment_id))
    if attachment is None or attachment.item_id != item.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = attachment.original_name
    path = delete_attachment(db.session, attachment, current_app.config["KNOWLEDGE_UPLOAD_DIR"])
    db.session.commit()
    remove_file(path)
    flash(_("Filen %(name)s er fjernet.", name=name), "success")
    return redirect(url_for("knowledge_editor.edit", item_id=item.id) + "#files")
