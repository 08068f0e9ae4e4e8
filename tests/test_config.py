"""Configuration: safe embedded defaults, clear errors, no insecure production start."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from portal import create_app
from portal.config import ConfigError, from_environment, validate

GOOD_SECRET = "x" * 48
PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": GOOD_SECRET,
    "DATABASE_URL": "postgresql+psycopg://portal@db/portal",
    "MAIL_SERVER": "smtp.example.org",
    "ENCRYPTION_KEYS": "sJrasbJNLInr_56vSy9_GXZG2MAkk1VRXxbZWQLMliA=",
}


def _config(environ: dict[str, str], tmp_path: Path) -> dict:
    config = from_environment(environ, tmp_path)
    validate(config)
    return config


def test_defaults_are_embedded(tmp_path: Path) -> None:
    config = _config({}, tmp_path)

    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    assert config["SEARCH_ENGINE"] == "embedded"
    assert config["SEARCH_INDEX_DIR"].startswith(str(tmp_path))


def test_knowledge_folders_default_to_the_instance_and_beside_the_search_index(
    tmp_path: Path,
) -> None:
    default = _config({}, tmp_path)
    moved = _config({"SEARCH_INDEX_DIR": str(tmp_path / "srv" / "index")}, tmp_path)

    assert default["KNOWLEDGE_UPLOAD_DIR"] == str(tmp_path / "knowledge-files")
    assert default["KNOWLEDGE_INDEX_DIR"] == str(tmp_path / "search-index-knowledge")
    assert moved["KNOWLEDGE_INDEX_DIR"] == str(tmp_path / "srv" / "index-knowledge")


def test_knowledge_folders_come_from_the_environment(tmp_path: Path) -> None:
    environ = {
        "KNOWLEDGE_UPLOAD_DIR": str(tmp_path / "filer"),
        "KNOWLEDGE_INDEX_DIR": str(tmp_path / "videnindeks"),
    }

    config = _config(environ, tmp_path)

    assert config["KNOWLEDGE_UPLOAD_DIR"] == str(tmp_path / "filer")
    assert config["KNOWLEDGE_INDEX_DIR"] == str(tmp_path / "videnindeks")


def test_the_app_takes_knowledge_folders_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    for name in ("DATABASE_URL", "PORTAL_ENV", "SEARCH_ENGINE", "SEARCH_INDEX_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("KNOWLEDGE_UPLOAD_DIR", str(tmp_path / "filer"))
    monkeypatch.setenv("KNOWLEDGE_INDEX_DIR", str(tmp_path / "videnindeks"))

    app = create_app()

    assert app.config["KNOWLEDGE_UPLOAD_DIR"] == str(tmp_path / "filer")
    assert app.config["KNOWLEDGE_INDEX_DIR"] == str(tmp_path / "videnindeks")


def test_the_test_mapping_overrides_the_environment_for_knowledge_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    given = create_app(
        {
            "SECRET_KEY": GOOD_SECRET,
            "ENVIRON": {
                "KNOWLEDGE_UPLOAD_DIR": str(tmp_path / "filer"),
                "KNOWLEDGE_INDEX_DIR": str(tmp_path / "videnindeks"),
            },
            "KNOWLEDGE_UPLOAD_DIR": str(tmp_path / "testfiler"),
        }
    )

    assert given.config["KNOWLEDGE_UPLOAD_DIR"] == str(tmp_path / "testfiler")
    assert given.config["KNOWLEDGE_INDEX_DIR"] == str(tmp_path / "videnindeks")


def test_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = _config({}, tmp_path)["SECRET_KEY"]
    second = _config({}, tmp_path)["SECRET_KEY"]
    other = _config({}, tmp_path / "other")["SECRET_KEY"]

    assert first == second
    assert first != other
    assert len(first) >= 32
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"DATABASE_URL": "mysql://root@localhost/portal"}, "DATABASE_URL"),
        ({"SEARCH_ENGINE": "elastic"}, "SEARCH_ENGINE"),
        ({"SEARCH_ENGINE": "meilisearch"}, "MEILI_URL"),
        ({"PORTAL_ENV": "staging"}, "PORTAL_ENV"),
        ({"MAIL_PORT": "smtp"}, "MAIL_PORT"),
        ({"MAIL_USE_TLS": "maybe"}, "MAIL_USE_TLS"),
        ({"GEOCODER": "google"}, "GEOCODER"),
    ],
)
def test_bad_settings_name_the_variable(environ: dict, variable: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=variable):
        _config(environ, tmp_path)


def test_production_with_safe_settings_starts(tmp_path: Path) -> None:
    assert _config(PRODUCTION, tmp_path)["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    ("change", "variable"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"DATABASE_URL": ""}, "DATABASE_URL"),
        ({"MAIL_SERVER": ""}, "MAIL_SERVER"),
        ({"ENCRYPTION_KEYS": ""}, "ENCRYPTION_KEYS"),
        ({"SEARCH_ENGINE": "meilisearch", "MEILI_URL": "http://meili:7700"}, "MEILI_API_KEY"),
    ],
)
def test_production_refuses_insecure_settings(change: dict, variable: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=variable):
        _config({**PRODUCTION, **change}, tmp_path)
    assert not (tmp_path / "secret_key").exists(), "production must never invent a key"
    assert not (tmp_path / "encryption_key").exists(), "production must never invent a key"


def test_production_refuses_debug(tmp_path: Path) -> None:
    config = from_environment(PRODUCTION, tmp_path)
    config["DEBUG"] = True
    with pytest.raises(ConfigError, match="FLASK_DEBUG"):
        validate(config)


def test_create_app_raises_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SEARCH_ENGINE", "solr")
    with pytest.raises(ConfigError, match="SEARCH_ENGINE"):
        create_app()


def test_cli_stops_with_one_clear_line(tmp_path: Path) -> None:
    env = {**os.environ, "PORTAL_INSTANCE_PATH": str(tmp_path), "SEARCH_ENGINE": "solr"}
    result = subprocess.run(
        [sys.executable, "-c", "from portal.cli import main; main()", "db", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Configuration error: SEARCH_ENGINE must be one of embedded, meilisearch, not 'solr'"
    ]


def test_security_headers_on_every_response(client) -> None:
    response = client.get("/does-not-exist")

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "object-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
