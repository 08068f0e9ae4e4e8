"""The command line: database, demo data and guarded arguments."""

from __future__ import annotations

import sqlalchemy as sa

from portal.extensions import db
from portal.models import Service


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Service))


def test_generate_adds_offers(runner) -> None:
    result = runner.invoke(args=["generate", "--count", "25", "--seed", "9"])

    assert result.exit_code == 0, result.output
    assert "25 demo offers" in result.output
    assert _count() == 25


def test_generate_refreshes_the_planner_statistics(runner) -> None:
    # A planner that still believes the tables are empty picks full scans.
    runner.invoke(args=["generate", "--count", "25", "--seed", "3"])

    if db.engine.dialect.name == "postgresql":
        rows = db.session.scalar(
            sa.text("SELECT reltuples FROM pg_class WHERE relname = 'service_at_location'")
        )
        assert rows >= 25
    else:
        stat = db.session.scalar(
            sa.text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'service_at_location' LIMIT 1")
        )
        assert int(stat.split()[0]) >= 25


def test_seed_demo_replaces_only_demo_offers(runner, make_offer) -> None:
    own = make_offer(name="Vores egen strikkeklub")
    runner.invoke(args=["generate", "--count", "10", "--seed", "1"])

    result = runner.invoke(args=["seed-demo", "--count", "30"])

    assert result.exit_code == 0, result.output
    assert _count() == 31
    assert db.session.get(Service, own.id).name == "Vores egen strikkeklub"


def test_negative_count_is_refused(runner) -> None:
    result = runner.invoke(args=["generate", "--count", "-5"])

    assert result.exit_code == 2
    assert "must be at least 1" in result.output
    assert _count() == 0


def test_absurd_count_is_refused(runner) -> None:
    result = runner.invoke(args=["generate", "--count", "10000000000"])

    assert result.exit_code == 2
    assert "must be at most" in result.output


def test_repeated_seed_gives_a_clear_message(runner) -> None:
    runner.invoke(args=["generate", "--count", "5", "--seed", "4"])
    result = runner.invoke(args=["generate", "--count", "5", "--seed", "4"])

    assert result.exit_code == 1
    assert "already in the database" in result.output
    assert _count() == 5


def test_db_check_reports_a_matching_schema(runner) -> None:
    result = runner.invoke(args=["db", "check"])

    assert result.exit_code == 0, result.output
    assert "matches the models" in result.output
