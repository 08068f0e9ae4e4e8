"""Command line: import an association's offers from a file, as the import page does."""

from __future__ import annotations

import uuid
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from portal.imports.report import ImportReport, Outcome, Problem, describe_row


@click.group("import")
def import_group() -> None:
    """Import offers from files into the directory."""


@import_group.command("offers")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--organization", "organization_id", required=True, help="The organisation's id.")
@click.option("--dry-run", is_flag=True, help="Check the file and report; save nothing.")
@click.option("--as-drafts", is_flag=True, help="Save new offers as drafts; publish nothing.")
@with_appcontext
def import_offers_command(path: Path, organization_id: str, dry_run: bool, as_drafts: bool) -> None:
    """Import offers (CSV template or HSDS JSON) into one organisation, all or nothing."""
    from portal.extensions import db
    from portal.imports.services import MAX_FILE_BYTES, import_offers
    from portal.organizations.models import Organization

    try:
        organization = db.session.get(Organization, uuid.UUID(organization_id))
    except ValueError:
        organization = None
    if organization is None:
        raise click.ClickException(f"no organisation with id {organization_id}")
    limit = int(current_app.config.get("IMPORT_MAX_BYTES", MAX_FILE_BYTES))
    if path.stat().st_size > limit:
        raise click.ClickException(f"{path} is larger than {limit // (1024 * 1024)} MB")
    report = import_offers(
        db.session,
        organization,
        path.read_bytes(),
        actor=None,
        dry_run=dry_run,
        as_drafts=as_drafts,
        source=path.name,
    )
    echo_report(report)
    if not report.ok:
        db.session.rollback()
        raise click.ClickException(
            _("Intet er importeret: %(count)d fejl.", count=len(report.errors))
        )
    if dry_run:
        db.session.rollback()
        click.echo(_("Prøvekørsel: intet er gemt."))
        return
    db.session.commit()
    click.echo(_("Importen er gemt."))
    _update_search_index()


def _problem_line(problem: Problem) -> str:
    """Return a problem as one line: where it is, then what to do."""
    if problem.row is None:
        return _("Hele filen: %(message)s", message=problem.message)
    return _(
        "Række %(row)d, %(column)s: %(message)s",
        row=problem.row,
        column=problem.column or "–",
        message=problem.message,
    )


def echo_report(report: ImportReport) -> None:
    """Print the report as the result page shows it: errors, warnings, then row by row."""
    for problem in report.sorted_errors:
        click.echo(_("Fejl: %(line)s", line=_problem_line(problem)), err=True)
    for problem in report.sorted_warnings:
        click.echo(_("Bemærk: %(line)s", line=_problem_line(problem)))
    for row in report.rows:
        click.echo(describe_row(row))
    if report.ok:
        click.echo(
            _(
                "%(created)d nye, %(updated)d ændrede, %(unchanged)d uændrede.",
                created=report.count(Outcome.CREATED),
                updated=report.count(Outcome.UPDATED),
                unchanged=report.count(Outcome.UNCHANGED),
            )
        )


def _update_search_index() -> None:
    """Apply the queued search updates now; what fails stays queued for `portal search sync`."""
    from portal.extensions import db
    from portal.find.engine import search_engine
    from portal.find.sync import drain_all
    from search import SearchError

    try:
        drained = drain_all(db.session, search_engine())
    except SearchError as error:
        click.echo(f"The search engine is unavailable ({type(error).__name__}); the updates")
        click.echo("stay queued for `portal search sync`.")
        return
    if drained.failed:
        click.echo(f"{drained.failed:,} search updates stay queued for `portal search sync`.")


def register(app: Flask) -> None:
    """Add the ``import`` commands to ``app``."""
    app.cli.add_command(import_group)
