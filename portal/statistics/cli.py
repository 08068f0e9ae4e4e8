"""Command line for the statistics: import population figures and boundaries, prune counters."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

MAX_FILE_BYTES = 50 * 1024 * 1024
DEFAULT_KEEP_DAYS = 3 * 366


def _read(path: Path) -> bytes:
    """Return a file's bytes, refusing huge, empty or binary files."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise click.ClickException(f"{path.name} is larger than {MAX_FILE_BYTES // 1_000_000} MB")
    data = path.read_bytes()
    if b"\x00" in data:
        raise click.ClickException(f"{path.name} is not a text file")
    if not data.strip():
        raise click.ClickException(f"{path.name} is empty")
    return data


@click.command("import-population")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_population_command(file: Path) -> None:
    """Import municipality populations from a CSV of code, population and year (Danmarks Statistik).

    One figure is kept per municipality and year; importing a year again
    replaces its figures. The coverage page uses each municipality's latest year.
    """
    from portal.extensions import db
    from portal.statistics.population import PopulationImportError, import_population

    data = _read(file)
    try:
        with db.transaction() as session:
            result = import_population(session, data)
    except PopulationImportError as error:
        raise click.ClickException(f"{file.name} was not imported:\n{error}") from None
    years = ", ".join(str(year) for year in result.years)
    click.echo(
        f"Imported {len(result.rows)} population figures for {years}: "
        f"{result.added} new, {result.updated} changed."
    )
    if result.skipped_totals:
        click.echo(f"Skipped {result.skipped_totals} rows of totals (country or regions).")


@click.command("import-boundaries")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--code-property",
    metavar="NAME",
    help="The feature property holding the municipality code (found by itself if left out).",
)
@with_appcontext
def import_boundaries_command(file: Path, code_property: str | None) -> None:
    """Import municipality boundaries from a GeoJSON FeatureCollection in WGS84 (EPSG:4326)."""
    from portal.extensions import db
    from portal.statistics.boundaries import BoundaryImportError, import_boundaries

    data = _read(file)
    try:
        with db.transaction() as session:
            result = import_boundaries(session, data, code_property)
    except BoundaryImportError as error:
        raise click.ClickException(f"{file.name} was not imported:\n{error}") from None
    click.echo(
        f"Imported the boundaries of {len(result.geometries)} municipalities "
        f"(codes from property {result.code_property!r}; {result.added} new, "
        f"{result.updated} replaced), simplified from {result.points_before:,} "
        f"to {result.points_after:,} points."
    )
    if result.unknown_codes:
        shown = ", ".join(sorted(set(result.unknown_codes))[:10])
        click.echo(f"Skipped features with unknown municipality codes: {shown}.", err=True)


@click.group("statistics")
def statistics_group() -> None:
    """Look after the anonymous search counters behind the statistics pages."""


@statistics_group.command("prune-demand")
@click.option(
    "--keep-days",
    default=DEFAULT_KEEP_DAYS,
    show_default=True,
    type=click.IntRange(min=1),
    help="Keep the counters of this many days back.",
)
@with_appcontext
def prune_demand_command(keep_days: int) -> None:
    """Delete counters of searches with few results that are older than --keep-days."""
    from portal.extensions import db
    from portal.statistics.demand import prune_demand

    with db.transaction() as session:
        deleted = prune_demand(session, keep_days)
    click.echo(f"Deleted {deleted} daily counters older than {keep_days} days.")


def register(app: Flask) -> None:
    """Register the statistics commands on ``app``."""
    app.cli.add_command(import_population_command)
    app.cli.add_command(import_boundaries_command)
    app.cli.add_command(statistics_group)
