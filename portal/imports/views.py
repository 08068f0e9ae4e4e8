"""Bulk import pages: upload a file, see a dry run's report, import it, get the template."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from portal.accounts.access import get_organization_or_404
from portal.extensions import csrf, db
from portal.imports.columns import COLUMNS, TERM_COLUMNS
from portal.imports.csv_format import MAX_ROWS, template_csv
from portal.imports.forms import ConfirmForm, ImportForm
from portal.imports.report import ImportReport, Outcome, status_label
from portal.imports.services import MAX_FILE_BYTES, import_offers
from portal.imports.uploads import discard_upload, load_upload, save_upload
from portal.organizations.models import Organization
from portal.taxonomy.services import vocabulary_terms

bp = Blueprint("imports", __name__)

# The multipart envelope around the file: boundaries, headers, the other fields.
_FORM_OVERHEAD = 64 * 1024


def upload_limit() -> int:
    """Return the largest file accepted, in bytes (IMPORT_MAX_BYTES, 5 MB by default)."""
    return int(current_app.config.get("IMPORT_MAX_BYTES", MAX_FILE_BYTES))


def _upload_folder() -> Path:
    """Return the folder where checked uploads wait for an hour."""
    return Path(current_app.instance_path) / "imports"


def _limits() -> dict[str, int]:
    """Return the limits the pages state: megabytes and rows."""
    return {"max_megabytes": upload_limit() // (1024 * 1024), "max_rows": MAX_ROWS}


def _result(organization: Organization, report: ImportReport, **context: object) -> str:
    """Render the result page of an import or a dry run."""
    return render_template(
        "imports/result.html",
        organization=organization,
        report=report,
        outcomes=Outcome,
        status_label=status_label,
        editor_available="editor.edit" in current_app.view_functions,
        **_limits(),
        **context,
    )


@bp.before_request
def _accept_upload() -> None:
    """Give signed-in users this page's larger size limit, then check the CSRF token."""
    if request.endpoint != "imports.start" or request.method != "POST":
        return
    # The site-wide limit is far below a spreadsheet's size; strangers keep it.
    if current_user.is_authenticated:
        request.max_content_length = upload_limit() + _FORM_OVERHEAD
    csrf.protect()


@bp.route("/forening/<organization_id>/import", methods=["GET", "POST"])
@csrf.exempt  # checked by _accept_upload, once this page's size limit applies
@login_required
def start(organization_id: str) -> str | tuple[str, int]:
    """Show the upload form, or check an uploaded file and, unless a dry run, import it."""
    organization = get_organization_or_404(organization_id, current_user)
    form = ImportForm()
    if not form.validate_on_submit():
        page = render_template(
            "imports/start.html", organization=organization, form=form, **_limits()
        )
        return (page, 400) if form.errors else page
    data = form.file.data.read(upload_limit() + 1)
    if len(data) > upload_limit():
        raise RequestEntityTooLarge()
    filename = Path(form.file.data.filename or "").name[:200]
    report = import_offers(
        db.session,
        organization,
        data,
        actor=current_user,
        dry_run=form.dry_run.data,
        as_drafts=form.as_drafts.data,
        source=filename,
    )
    confirm = _conclude(organization, report, data, filename)
    form = form if not report.ok else ImportForm(formdata=None)
    page = _result(organization, report, form=form, confirm=confirm, filename=filename)
    return page if report.ok else (page, 422)


def _conclude(
    organization: Organization, report: ImportReport, data: bytes, filename: str
) -> ConfirmForm | None:
    """Commit an import that worked, else roll back; keep a clean dry run's file for an hour."""
    if report.ok and not report.dry_run:
        db.session.commit()
        return None
    db.session.rollback()
    if not report.ok:
        return None
    token = save_upload(
        _upload_folder(),
        data,
        organization_id=organization.id,
        user_id=current_user.id,
        filename=filename,
        as_drafts=report.as_drafts,
    )
    return ConfirmForm(formdata=None, upload=token)


@bp.post("/forening/<organization_id>/import/gem")
@login_required
def confirm(organization_id: str) -> Response | str | tuple[str, int]:
    """Import for real the file a clean dry run checked, from the copy kept on the server."""
    organization = get_organization_or_404(organization_id, current_user)
    form = ConfirmForm()
    saved = None
    if form.validate_on_submit():
        saved = load_upload(
            _upload_folder(),
            form.upload.data,
            organization_id=organization.id,
            user_id=current_user.id,
        )
    if saved is None:
        message = _(
            "Prøvekørslen er mere end en time gammel, eller filen er allerede importeret. "
            "Upload filen igen."
        )
        flash(message, "error")
        return redirect(url_for("imports.start", organization_id=organization.id))
    report = import_offers(
        db.session,
        organization,
        saved.data,
        actor=current_user,
        dry_run=False,
        as_drafts=saved.as_drafts,
        source=saved.filename,
    )
    if report.ok:
        db.session.commit()
    else:
        db.session.rollback()
    discard_upload(_upload_folder(), saved.token)
    page = _result(organization, report, form=ImportForm(formdata=None), filename=saved.filename)
    return page if report.ok else (page, 422)


@bp.get("/forening/<organization_id>/import/skabelon.csv")
@login_required
def template(organization_id: str) -> Response:
    """Download the CSV template: Danish headings and one example row, for Excel."""
    get_organization_or_404(organization_id, current_user)
    return Response(
        template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="tilbud-skabelon.csv"'},
    )


@bp.get("/import/vejledning")
def guide() -> str:
    """Explain the template column by column, with the allowed values of each vocabulary."""
    vocabularies = [
        (column, vocabulary_terms(db.session, taxonomy))
        for column, (taxonomy, _noun) in TERM_COLUMNS.items()
    ]
    return render_template(
        "imports/guide.html",
        columns=COLUMNS,
        vocabularies=vocabularies,
        **_limits(),
    )


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    """Say plainly that the file is too big, and what the limits are."""
    organization_id = (request.view_args or {}).get("organization_id", "")
    page = render_template(
        "imports/too_large.html",
        organization_id=organization_id,
        **_limits(),
    )
    return page, 413
