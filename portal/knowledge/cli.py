"""Commands for the knowledge centre: `portal knowledge reindex | sync | seed-demo`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from search import SearchError


@click.group("knowledge")
def knowledge_group() -> None:
    """Keep the knowledge centre's search index in step; add demo content."""


@knowledge_group.command("reindex")
@with_appcontext
def reindex() -> None:
    """Rebuild the knowledge index from the database (scheduled and published items)."""
    from portal.extensions import db
    from portal.knowledge.search import knowledge_index, rebuild

    try:
        count = rebuild(db.session, knowledge_index())
    except SearchError as error:
        raise click.ClickException(f"the search engine is unavailable: {error}") from None
    click.echo(f"Indexed {count:,} knowledge items.")


@knowledge_group.command("sync")
@with_appcontext
def sync() -> None:
    """Fix any difference between the knowledge index and the database."""
    from portal.extensions import db
    from portal.knowledge.search import knowledge_index, reconcile

    try:
        report = reconcile(db.session, knowledge_index())
    except SearchError as error:
        raise click.ClickException(f"the search engine is unavailable: {error}") from None
    click.echo(
        f"Fixed {len(report.missing)} missing, {len(report.outdated)} outdated and "
        f"{len(report.extra)} extra knowledge index entries."
    )


@knowledge_group.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Add the demo articles, tool and concepts unless they exist; then reindex."""
    seed_knowledge_demo()


def seed_knowledge_demo() -> None:
    """Add the demo knowledge content (idempotent), link demo offers to it and reindex."""
    from portal.extensions import db
    from portal.knowledge.demo import seed_demo_content
    from portal.knowledge.search import knowledge_index, rebuild

    with db.transaction() as session:
        report = seed_demo_content(session, current_app.config["KNOWLEDGE_UPLOAD_DIR"])
    click.echo(
        f"Knowledge centre: {report.added} demo items added, {report.linked} demo offers "
        "linked to their concepts."
    )
    try:
        count = rebuild(db.session, knowledge_index())
    except SearchError as error:
        click.echo(
            f"The knowledge index could not be rebuilt ({error}); run `portal knowledge reindex`.",
            err=True,
        )
        return
    click.echo(f"Indexed {count:,} knowledge items.")
