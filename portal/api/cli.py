"""Command line for open data: export the directory as HSDS 3.0 and import HSDS data."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext


@click.group("open-data")
def open_data_group() -> None:
    """Export and import the directory as Open Referral HSDS 3.0 (JSON or CSV)."""


@open_data_group.command("export")
@click.option(
    "--format",
    "format_",
    type=click.Choice(["json", "tabular"]),
    default="json",
    show_default=True,
    help="One JSON dataset, or a folder of CSV files with a datapackage.json.",
)
@click.option("--output", required=True, type=click.Path(path_type=Path), help="File or folder.")
@with_appcontext
def export_command(format_: str, output: Path) -> None:
    """Write the public directory as an HSDS 3.0 JSON file or CSV folder."""
    from portal.api.dataset import dump_json, export_json, export_tabular
    from portal.extensions import db

    try:
        if format_ == "json":
            data = export_json(db.session)
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(dump_json(data), encoding="utf-8")
            click.echo(
                f"Wrote {len(data['services']):,} services, "
                f"{len(data['organizations']):,} organizations and "
                f"{len(data['taxonomy_terms']):,} taxonomy terms to {output}."
            )
        else:
            paths = export_tabular(db.session, output)
            click.echo(f"Wrote {len(paths)} files to {output}.")
    except OSError as error:
        raise click.ClickException(f"cannot write {output}: {error.strerror or error}") from None
    finally:
        db.session.rollback()


@open_data_group.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@with_appcontext
def import_command(path: Path, dry_run: bool) -> None:
    """Import an HSDS 3.0 JSON file or CSV folder, all or nothing."""
    from portal.api.dataset import import_dataset
    from portal.api.tabular import import_tabular
    from portal.extensions import db

    session = db.session
    if path.is_dir():
        report = import_tabular(session, path, dry_run=dry_run)
    else:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise click.ClickException(f"{path} is not a readable JSON file: {error}") from None
        report = import_dataset(session, data, dry_run=dry_run)
    for line in report.lines():
        click.echo(line)
    _echo_some("warning", [str(w) for w in report.warnings])
    if not report.ok:
        _echo_some("error", [str(e) for e in report.errors])
        raise click.ClickException(f"nothing imported: {len(report.errors)} error(s)")
    if dry_run:
        click.echo(f"Dry run: nothing written; {report.changes:,} rows would change.")
        return
    session.commit()
    click.echo(f"Imported: {report.changes:,} rows changed.")
    _update_search_index()


def _echo_some(label: str, messages: list[str], limit: int = 50) -> None:
    for message in messages[:limit]:
        click.echo(f"{label}: {message}", err=label == "error")
    if len(messages) > limit:
        click.echo(f"... and {len(messages) - limit:,} more {label}s", err=label == "error")


def _update_search_index() -> None:
    from portal.extensions import db
    from portal.find.engine import search_engine
    from portal.find.sync import drain_all
    from search import SearchError

    try:
        drained = drain_all(db.session, search_engine())
    except SearchError as error:
        click.echo(f"The search engine is unavailable ({type(error).__name__}); the updates stay")
        click.echo("queued for `portal search sync`.")
        return
    if drained.failed:
        click.echo(f"{drained.failed:,} search updates stay queued for `portal search sync`.")
    else:
        click.echo(
            f"Search index updated ({drained.indexed:,} indexed, {drained.removed:,} removed)."
        )


def register(app: Flask) -> None:
    """Add the ``open-data`` commands to ``app``."""
    app.cli.add_command(open_data_group)
