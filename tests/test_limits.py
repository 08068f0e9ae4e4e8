"""Rate limits on search and limits on request size."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from portal import create_app
from portal.extensions import db
from tests.conftest import TEST_SECRET_KEY


@pytest.fixture
def limited_app(app: Flask, tmp_path, monkeypatch) -> Iterator[Flask]:
    """Return an app like `app` but with a tiny search limit and one trusted proxy."""
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "limited"))
    limited = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": TEST_SECRET_KEY,
            "SEARCH_INDEX_DIR": str(tmp_path / "limited-index"),
            "RATELIMIT_SEARCH": "3 per minute",
            "PROXY_COUNT": 1,
        }
    )
    yield limited
    with limited.app_context():
        db.engine.dispose()


def _get(client, url: str, forwarded: str):
    return client.get(url, headers={"X-Forwarded-For": forwarded})


def test_search_api_answers_429_with_retry_after_as_json(limited_app) -> None:
    client = limited_app.test_client()
    statuses = [_get(client, "/search.json?q=strik", "10.0.0.1").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = _get(client, "/search.json?q=strik", "10.0.0.1")
    assert int(response.headers["Retry-After"]) > 0
    assert response.json["error"] == 429


def test_search_page_answers_429_with_a_danish_page(limited_app) -> None:
    client = limited_app.test_client()
    for _ in range(3):
        _get(client, "/search?q=strik", "10.0.0.2")

    response = _get(client, "/search?q=strik", "10.0.0.2")

    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert "For mange forespørgsler" in response.get_data(as_text=True)


def test_a_forged_forwarded_for_does_not_reset_the_limit(limited_app) -> None:
    client = limited_app.test_client()
    # The trusted proxy appends the real address last; whatever the client put
    # before it must not count.
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        _get(client, "/search.json", f"{forged}, 10.0.0.3")

    assert _get(client, "/search.json", "4.4.4.4, 10.0.0.3").status_code == 429
    assert _get(client, "/search.json", "10.0.0.4").status_code == 200


def test_oversized_body_gets_413(client) -> None:
    response = client.post("/sprog/en", data={"next": "x" * (2 * 1024 * 1024)})

    assert response.status_code == 413
    assert "for stort" in response.get_data(as_text=True)


def test_a_form_with_thousands_of_fields_gets_413(client) -> None:
    fields = {f"f{number}": "x" for number in range(1500)}
    response = client.post("/sprog/en", data=fields, content_type="multipart/form-data")

    assert response.status_code == 413
