"""Nothing private is served, every response carries the security headers, and
configuration errors never print a secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient

from portal import security
from portal.config import DEFAULT_TILE_URL, ConfigError, from_environment, validate

PUBLIC_PAGES = [
    "/",
    "/search?q=kor",
    "/search.json?q=kor",
    "/api/v1/services",
    "/viden/",
    "/statistik",
]


@pytest.mark.parametrize(
    "path",
    [
        "/.git/config",
        "/.env",
        "/instance/secret_key",
        "/static/../instance/secret_key",
        "/static/%2e%2e/instance/encryption_key",
        "/migrations/env.py",
        "/dev/mail",
        "/console",
    ],
)
def test_private_files_and_debug_pages_are_not_served(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert b"secret" not in response.data.lower().replace(b"secret_key", b"")


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_page_carries_the_security_headers(client: FlaskClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"]
    assert "geolocation=(self)" in headers["Permissions-Policy"]
    assert headers["X-Frame-Options"] == "DENY"


def test_only_the_widget_may_be_framed(client: FlaskClient) -> None:
    response = client.get("/widget")
    assert "frame-ancestors 'none'" not in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers


def test_production_sends_hsts() -> None:
    production = Flask(__name__)
    production.config.update(ENV_NAME="production", MAP_TILE_URL=DEFAULT_TILE_URL)
    security.init_app(production)
    production.add_url_rule("/", "index", lambda: "ok")

    response = production.test_client().get("/")

    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_the_debugger_is_refused_in_production(tmp_path: Path) -> None:
    config = from_environment(
        {
            "PORTAL_ENV": "production",
            "SECRET_KEY": "x" * 48,
            "DATABASE_URL": "postgresql+psycopg://portal@db/portal",
            "MAIL_SERVER": "smtp.example.org",
            "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        },
        tmp_path,
    )
    config["DEBUG"] = True
    with pytest.raises(ConfigError, match="FLASK_DEBUG"):
        validate(config)


@pytest.mark.parametrize(
    ("environ", "secret"),
    [
        (
            {"MAIL_PASSWORD": "hunter2-very-secret", "MAIL_USERNAME": "", "MAIL_SERVER": "smtp"},
            "hunter2",
        ),
        ({"SECRET_KEY": "short-secret-value"}, "short-secret-value"),
        ({"ENCRYPTION_KEYS": "not-a-key-but-secret"}, "not-a-key-but-secret"),
    ],
)
def test_configuration_errors_never_print_a_secret(
    environ: dict[str, str], secret: str, tmp_path: Path
) -> None:
    production = {
        "PORTAL_ENV": "production",
        "SECRET_KEY": "x" * 48,
        "DATABASE_URL": "postgresql+psycopg://portal@db/portal",
        "MAIL_SERVER": "smtp.example.org",
        "ENCRYPTION_KEYS": "",
    }
    try:
        config = from_environment({**production, **environ}, tmp_path)
        validate(config)
        from portal.referrals.crypto import build_cipher

        build_cipher(config["ENCRYPTION_KEYS"])
    except ConfigError as error:
        assert secret not in str(error)
    else:
        pytest.fail("the unsafe configuration was accepted")
