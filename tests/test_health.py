"""Liveness and readiness report each dependency."""

from __future__ import annotations

from tests.find.fakes import DictEngine


def test_healthz_answers(client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_reports_every_check(app, client) -> None:
    app.extensions["search"] = DictEngine()

    body = client.get("/readyz").json

    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "search", "search_outbox", "mail", "geocoder"}
    assert body["checks"]["search"]["engine"] == "dict"


def test_readyz_shows_a_down_engine_as_degraded(app, client) -> None:
    engine = DictEngine()
    engine.down = True
    app.extensions["search"] = engine

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json["status"] == "degraded"
    assert response.json["checks"]["search"]["status"] == "error"
