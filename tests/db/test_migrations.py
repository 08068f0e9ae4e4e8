"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from portal import migrate
from portal.db import create_engine
from tests.conftest import POSTGRES_URL, is_postgres


@pytest.fixture
def empty_engine(tmp_path) -> Iterator[sa.Engine]:
    """Yield an engine on an empty database: a new SQLite file or a new PostgreSQL schema."""
    if not is_postgres():
        engine = create_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
        yield engine
        engine.dispose()
        return
    schema = f"drift_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = sa.engine.make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = create_engine(url.render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    with admin.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


def test_upgrade_from_empty_matches_models(empty_engine: sa.Engine) -> None:
    migrate.upgrade(empty_engine)

    assert migrate.drift(empty_engine) == []
    assert migrate.current_revision(empty_engine) is not None


def test_downgrade_to_base_removes_every_table_and_upgrade_works_again(
    empty_engine: sa.Engine,
) -> None:
    migrate.upgrade(empty_engine)
    migrate.downgrade(empty_engine, "base")

    tables = set(sa.inspect(empty_engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    migrate.upgrade(empty_engine)
    assert migrate.drift(empty_engine) == []


def test_drift_is_detected(empty_engine: sa.Engine) -> None:
    migrate.upgrade(empty_engine)
    with empty_engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE stray (id INTEGER PRIMARY KEY)")

    assert migrate.drift(empty_engine), "an extra table must count as drift"
