"""Command line: database, reference data, demo data and a one-step demo server."""

from __future__ import annotations

import sys
import time

import click
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from werkzeug.serving import run_simple

from portal.config import ConfigError

MAX_GENERATE = 2_000_000


@click.group("db")
def db_group() -> None:
    """Create, upgrade and inspect the database schema."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Create or upgrade the database schema and the reference data."""
    from portal import migrate
    from portal.extensions import db

    migrate.upgrade(db.engine, revision)
    if revision == "head":
        _seed_reference_data()
    click.echo(f"Database at revision {migrate.current_revision(db.engine)}.")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Downgrade the database schema to REVISION (use "base" to empty it)."""
    from portal import migrate
    from portal.extensions import db

    migrate.downgrade(db.engine, revision)
    click.echo(f"Database at revision {migrate.current_revision(db.engine) or 'base'}.")


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
@with_appcontext
def db_revision(message: str) -> None:
    """Autogenerate a migration from the models; review it before committing."""
    from alembic import command

    from portal import migrate
    from portal.extensions import db

    with db.engine.begin() as connection:
        command.revision(migrate.alembic_config(connection), message=message, autogenerate=True)


@db_group.command("check")
@with_appcontext
def db_check() -> None:
    """Fail if the database schema and the models differ."""
    from portal import migrate
    from portal.extensions import db

    differences = migrate.drift(db.engine)
    if differences:
        for difference in differences:
            click.echo(f"  {difference}", err=True)
        raise click.ClickException("the database schema differs from the models")
    click.echo("The database schema matches the models.")


@click.group("search")
def search_group() -> None:
    """Keep the search index in step with the database."""


@search_group.command("rebuild")
@with_appcontext
def search_rebuild() -> None:
    """Rebuild the index from the database; the old index serves until the swap."""
    from portal.find.sync import rebuild

    count = _with_engine(rebuild)
    click.echo(f"Indexed {count:,} offers.")


@search_group.command("sync")
@with_appcontext
def search_sync() -> None:
    """Apply pending index updates, then fix any difference from the database."""
    from portal.find.sync import drain_all, reconcile

    drained = _with_engine(drain_all)
    if drained.failed:
        raise click.ClickException(
            f"the search engine refused the updates ({drained.error}); they stay queued"
        )
    report = _with_engine(reconcile)
    click.echo(
        f"Applied {drained.indexed + drained.removed:,} queued updates; fixed "
        f"{len(report.missing)} missing, {len(report.outdated)} outdated and "
        f"{len(report.extra)} extra index entries."
    )


@search_group.command("check")
@with_appcontext
def search_check() -> None:
    """Report offers missing from, outdated in, or extra in the index."""
    from portal.find.sync import check

    report = _with_engine(check)
    for label, ids in (
        ("missing", report.missing),
        ("outdated", report.outdated),
        ("extra", report.extra),
    ):
        for offer_id in ids[:20]:
            click.echo(f"  {label}: {offer_id}")
        if len(ids) > 20:
            click.echo(f"  ... and {len(ids) - 20} more {label}")
    if not report.ok:
        raise click.ClickException(
            f"{len(report.missing)} missing, {len(report.outdated)} outdated, "
            f"{len(report.extra)} extra"
        )
    click.echo("The search index matches the database.")


@search_group.command("synonyms")
@click.option("--add", "add", metavar="WORDS", help='A new group, e.g. "gåtur, vandretur".')
@click.option("--remove", "remove", type=int, metavar="ID", help="Remove the group with this id.")
@with_appcontext
def search_synonyms(add: str | None, remove: int | None) -> None:
    """List the synonym groups, or add or remove one and update the engine."""
    from portal.extensions import db
    from portal.find.synonyms import SynonymError, add_group, all_groups, push_synonyms
    from portal.find.synonyms import remove_group as remove_synonym_group

    try:
        if add is not None:
            add_group(db.session, add)
        if remove is not None:
            remove_synonym_group(db.session, remove)
    except SynonymError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    for group in all_groups(db.session):
        click.echo(f"{group.id:4d}  {group.words}")
    if add is not None or remove is not None:
        _with_engine(push_synonyms)
        click.echo("The search engine has the new list.")


def _with_engine(action):  # type: ignore[no-untyped-def]
    from portal.extensions import db
    from portal.find.engine import search_engine
    from search import SearchError

    try:
        return action(db.session, search_engine())
    except SearchError as error:
        raise click.ClickException(
            f"the search engine is unavailable: {type(error).__name__}: {error}"
        ) from None


def _seed_reference_data() -> None:
    from portal.extensions import db
    from portal.find.synonyms import seed_synonyms
    from portal.geo.services import seed_places
    from portal.taxonomy.services import seed_vocabularies

    with db.transaction() as session:
        seed_places(session)
        seed_vocabularies(session)
        seed_synonyms(session)


def _validate_count(_ctx: click.Context, _param: click.Parameter, value: int) -> int:
    if value < 1:
        raise click.BadParameter("must be at least 1")
    if value > MAX_GENERATE:
        raise click.BadParameter(f"must be at most {MAX_GENERATE:,}")
    return value


@click.command("seed-demo")
@click.option("--count", default=1800, show_default=True, callback=_validate_count)
@click.option("--seed", default=2026, show_default=True, type=int)
@with_appcontext
def seed_demo(count: int, seed: int) -> None:
    """Replace the demo offers with a fresh, realistic nationwide set."""
    _generate(count, seed, replace=True)
    from portal.accounts.cli import seed_demo_accounts

    seed_demo_accounts()
    from portal.knowledge.cli import seed_knowledge_demo

    seed_knowledge_demo()


@click.command("generate")
@click.option("--count", required=True, callback=_validate_count, type=int)
@click.option("--seed", default=1, show_default=True, type=int)
@with_appcontext
def generate(count: int, seed: int) -> None:
    """Add COUNT generated demo offers (deterministic for a given --seed)."""
    _generate(count, seed, replace=False)


def _generate(count: int, seed: int, replace: bool) -> None:
    from portal.demo.generator import DemoDataError, delete_demo_data, generate_offers
    from portal.extensions import db

    _seed_reference_data()
    started = time.perf_counter()
    try:
        with db.transaction() as session:
            connection = session.connection()
            if replace:
                delete_demo_data(connection)
            generate_offers(connection, count=count, seed=seed)
    except DemoDataError as error:
        raise click.ClickException(str(error)) from None
    elapsed = time.perf_counter() - started
    click.echo(f"Wrote {count:,} demo offers in {elapsed:.1f} s.")
    _refresh_planner_statistics(db.session)
    from portal.find.sync import rebuild

    indexed = _with_engine(rebuild)
    click.echo(f"Indexed {indexed:,} offers for search.")


def _refresh_planner_statistics(session: so.Session) -> None:
    """Let the database re-count its tables after a bulk write.

    Until autovacuum gets round to it, PostgreSQL plans with the sizes it saw
    before; after 100,000 new offers that made an offer page's location lookup
    scan the whole table (20 ms instead of 0.5 ms).
    """
    session.execute(sa.text("ANALYZE"))
    session.commit()


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def demo(host: str, port: int) -> None:
    """Prepare the database with demo data if it is empty, then serve the portal."""
    from portal import migrate
    from portal.extensions import db
    from portal.offers.models import Service

    migrate.upgrade(db.engine)
    _seed_reference_data()
    if not db.session.scalar(sa.select(sa.func.count()).select_from(Service)):
        click.echo("Writing demo data ...")
        _generate(1800, 2026, replace=True)
    else:
        from portal.find.sync import drain_all, reconcile

        _with_engine(drain_all)
        _with_engine(reconcile)
    from portal.accounts.cli import seed_demo_accounts

    seed_demo_accounts()
    from portal.knowledge.cli import seed_knowledge_demo

    seed_knowledge_demo()
    db.session.close()
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo(f"Fællesskabsportalen is running at http://{host}:{port}/ (Ctrl+C stops it)")
    # app.run() refuses to block inside a CLI command; serve with Werkzeug directly.
    run_simple(host, port, app, threaded=True)


def init_app(app: Flask) -> None:
    """Register the portal's commands on ``app``."""
    app.cli.add_command(db_group)
    app.cli.add_command(search_group)
    app.cli.add_command(seed_demo)
    app.cli.add_command(generate)
    app.cli.add_command(demo)
    from portal.geo.cli import import_postcodes

    app.cli.add_command(import_postcodes)
    from portal.api.cli import register as register_open_data

    register_open_data(app)
    from portal.imports.cli import register as register_imports

    register_imports(app)
    from portal.mail.cli import mail_group

    app.cli.add_command(mail_group)
    from portal.moderation.cli import offers_group

    app.cli.add_command(offers_group)
    from portal.statistics.cli import register as register_statistics

    register_statistics(app)
    from portal.knowledge.cli import knowledge_group

    app.cli.add_command(knowledge_group)
    from portal.accounts.cli import admin_group

    app.cli.add_command(admin_group)
    from portal.referrals.cli import referrals_group

    app.cli.add_command(referrals_group)


def create_app_or_exit() -> Flask:
    from portal import create_app

    try:
        return create_app()
    except ConfigError as error:
        click.echo(f"Configuration error: {error}", err=True)
        sys.exit(2)


cli = FlaskGroup(create_app=create_app_or_exit, add_default_commands=True)


def main() -> None:
    """Run the ``portal`` console script."""
    cli.main(prog_name="portal")
