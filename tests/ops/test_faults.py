"""Faults of the database: an outage answers 503 with Retry-After, recovery needs no restart,
and concurrent writers on SQLite never see an error."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from portal import create_app
from portal.db import create_engine
from portal.extensions import db
from portal.offers.models import ServiceViewDay
from tests.conftest import POSTGRES_URL, TEST_SECRET_KEY, is_postgres


def _app(url: str, tmp_path: Path) -> Flask:
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": TEST_SECRET_KEY,
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
            "RATELIMIT_ENABLED": False,
        }
    )


def test_a_database_that_cannot_be_reached_gives_503_with_retry_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    if is_postgres():
        url = "postgresql+psycopg://root@127.0.0.1:1/nothing?connect_timeout=2"
    else:
        url = f"sqlite:///{tmp_path / 'missing-folder' / 'portal.sqlite3'}"
    app = _app(url, tmp_path)
    client = app.test_client()

    page = client.get("/")
    api = client.get("/api/v1/services")

    assert page.status_code == 503
    assert page.headers["Retry-After"] == "30"
    assert "Prøv igen" in page.get_data(as_text=True) or "prøv igen" in page.get_data(as_text=True)
    assert api.status_code == 503 and api.is_json
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503
    with app.app_context():
        db.engine.dispose()


@pytest.mark.skipif(not is_postgres(), reason="kills PostgreSQL server connections")
def test_postgresql_connections_dropped_mid_run_recover_without_a_restart(
    database_template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    app = _app(POSTGRES_URL, tmp_path)
    client = app.test_client()
    assert client.get("/").status_code == 200

    with app.app_context():
        backends = [
            pid for (pid,) in db.engine.connect().execute(sa.text("SELECT pg_backend_pid()")).all()
        ]
    # The server drops the app's pooled connections, as a restart would.
    admin = create_engine(POSTGRES_URL)
    with admin.connect() as connection:
        terminated = connection.execute(
            sa.text("SELECT pg_terminate_backend(pid) FROM unnest(:pids) AS pid"),
            {"pids": backends},
        ).all()
    admin.dispose()
    assert terminated and all(row[0] for row in terminated)

    assert client.get("/").status_code == 200
    assert client.get("/readyz").status_code == 200
    with app.app_context():
        db.engine.dispose()


@pytest.mark.skipif(is_postgres(), reason="SQLite's single writer is what is tested")
def test_concurrent_writes_on_sqlite_never_fail(app: Flask, make_offer) -> None:
    offer = make_offer()
    app.config["RATELIMIT_ENABLED"] = False
    errors: list[str] = []

    def visit() -> None:
        client = app.test_client()
        for _ in range(15):
            response = client.get(f"/tilbud/{offer.id}", headers={"User-Agent": "Mozilla/5.0"})
            if response.status_code != 200:
                errors.append(str(response.status_code))

    threads = [threading.Thread(target=visit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    views = db.session.scalar(sa.select(sa.func.sum(ServiceViewDay.views)))
    assert views == 90
