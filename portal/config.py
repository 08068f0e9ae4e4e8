"""Read the portal's configuration from the environment and refuse unsafe settings."""

from __future__ import annotations

import base64
import ipaddress
import os
import secrets
from collections.abc import Callable
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from limits import parse_many
from sqlalchemy.exc import ArgumentError

SEARCH_ENGINES = ("embedded", "meilisearch")
RATE_LIMITS = (
    "RATELIMIT_SEARCH",
    "RATELIMIT_REPORTS",
    "RATELIMIT_CONTACT",
    "RATELIMIT_REFERRALS",
    "RATELIMIT_LOGIN",
    "RATELIMIT_ACCOUNT_MAIL",
)
ENVIRONMENTS = ("development", "production", "testing")
MIN_SECRET_KEY_LENGTH = 32
DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILE_ATTRIBUTION = "© OpenStreetMap"


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message names the variable."""


def _env_bool(value: str | None, name: str, default: bool) -> bool:
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def _env_int(value: str | None, name: str, default: int, minimum: int = 0) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {number}")
    return number


def _env_float(value: str | None, name: str, default: float) -> float:
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {value!r}") from None
    if not 0 < number <= 60:
        raise ConfigError(f"{name} must be between 0 and 60 seconds, not {value}")
    return number


def _env_choice(value: str | None, name: str, choices: tuple[str, ...], default: str) -> str:
    if value is None or value == "":
        return default
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _env_networks(value: str | None, name: str, default: str) -> tuple[Any, ...]:
    try:
        return tuple(
            ipaddress.ip_network(part.strip(), strict=False)
            for part in (value or default).split(",")
            if part.strip()
        )
    except ValueError:
        raise ConfigError(
            f"{name} must be a comma-separated list of networks, not {value!r}"
        ) from None


def load_secret_key(instance_path: Path) -> str:
    """Return the persisted secret key under instance/, creating it on first run."""
    return _load_or_create(instance_path / "secret_key", lambda: secrets.token_urlsafe(48))


def load_encryption_key(instance_path: Path) -> str:
    """Return the persisted development encryption key under instance/, creating it once."""
    return _load_or_create(
        instance_path / "encryption_key",
        lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii"),
    )


def _load_or_create(key_file: Path, make: Callable[[], str]) -> str:
    if key_file.exists():
        return key_file.read_text(encoding="ascii").strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = make()
    # Create the file readable by the owner only, and never overwrite a key a
    # concurrent process has just written.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def from_environment(environ: dict[str, str], instance_path: Path) -> dict[str, Any]:
    """Build the configuration mapping from environment variables with embedded defaults."""
    env = environ.get("PORTAL_ENV", "development").strip().lower()
    if env not in ENVIRONMENTS:
        raise ConfigError(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")

    default_db = f"sqlite:///{instance_path / 'portal.sqlite3'}"
    database_url = environ.get("DATABASE_URL") or default_db
    search_engine = (environ.get("SEARCH_ENGINE") or "embedded").strip().lower()
    search_index_dir = environ.get("SEARCH_INDEX_DIR") or str(instance_path / "search-index")
    config: dict[str, Any] = {
        "ENV_NAME": env,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ECHO": _env_bool(environ.get("SQLALCHEMY_ECHO"), "SQLALCHEMY_ECHO", False),
        "SEARCH_ENGINE": search_engine,
        "SEARCH_INDEX_DIR": search_index_dir,
        # The knowledge index follows SEARCH_INDEX_DIR, so one setting moves both;
        # uploads stay outside static/, so only the download view can serve them.
        "KNOWLEDGE_INDEX_DIR": environ.get("KNOWLEDGE_INDEX_DIR")
        or f"{Path(search_index_dir)}-knowledge",
        "KNOWLEDGE_UPLOAD_DIR": environ.get("KNOWLEDGE_UPLOAD_DIR")
        or str(instance_path / "knowledge-files"),
        "MEILI_URL": environ.get("MEILI_URL", ""),
        "MEILI_API_KEY": environ.get("MEILI_API_KEY", ""),
        "MEILI_INDEX_PREFIX": environ.get("MEILI_INDEX_PREFIX", "portal"),
        "SEARCH_TIMEOUT": _env_float(environ.get("SEARCH_TIMEOUT"), "SEARCH_TIMEOUT", 2.0),
        "MAP_TILE_URL": environ.get("MAP_TILE_URL") or DEFAULT_TILE_URL,
        "MAP_ATTRIBUTION": environ.get("MAP_ATTRIBUTION") or DEFAULT_TILE_ATTRIBUTION,
        "GEOCODER": (environ.get("GEOCODER") or "offline").strip().lower(),
        "GEOCODER_USER_AGENT": environ.get("GEOCODER_USER_AGENT", "faellesskabsportalen"),
        "GEOCODER_TIMEOUT": _env_int(environ.get("GEOCODER_TIMEOUT"), "GEOCODER_TIMEOUT", 3, 1),
        "PROXY_COUNT": _env_int(environ.get("PROXY_COUNT"), "PROXY_COUNT", 0),
        "RATELIMIT_ENABLED": _env_bool(environ.get("RATELIMIT_ENABLED"), "RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": environ.get("REDIS_URL") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_SEARCH": environ.get("RATELIMIT_SEARCH") or "120 per minute",
        "RATELIMIT_CONTACT": environ.get("RATELIMIT_CONTACT") or "5 per hour; 20 per day",
        # A clinic's staff share one address, so referrals get a roomier limit.
        "RATELIMIT_REFERRALS": environ.get("RATELIMIT_REFERRALS") or "60 per hour; 300 per day",
        "RATELIMIT_LOGIN": environ.get("RATELIMIT_LOGIN") or "10 per minute; 100 per hour",
        "RATELIMIT_ACCOUNT_MAIL": environ.get("RATELIMIT_ACCOUNT_MAIL")
        or "5 per minute; 30 per hour",
        "IMPORT_MAX_BYTES": _env_int(
            environ.get("IMPORT_MAX_BYTES"), "IMPORT_MAX_BYTES", 5 * 1024 * 1024, 1024
        ),
        "HOME_COUNTS_CACHE_SECONDS": _env_int(
            environ.get("HOME_COUNTS_CACHE_SECONDS"),
            "HOME_COUNTS_CACHE_SECONDS",
            0 if env == "testing" else 60,
            0,
        ),
        "PAGE_CACHE_SECONDS": _env_int(
            environ.get("PAGE_CACHE_SECONDS"),
            "PAGE_CACHE_SECONDS",
            0 if env == "testing" else 300,
            0,
        ),
        "PAGE_CACHE_MEGABYTES": _env_int(
            environ.get("PAGE_CACHE_MEGABYTES"), "PAGE_CACHE_MEGABYTES", 32, 1
        ),
        "STATISTICS_CACHE_SECONDS": _env_int(
            environ.get("STATISTICS_CACHE_SECONDS"), "STATISTICS_CACHE_SECONDS", 300, 0
        ),
        "RATELIMIT_REPORTS": environ.get("RATELIMIT_REPORTS") or "5 per hour; 20 per day",
        "MAIL_SERVER": environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _env_int(environ.get("MAIL_PORT"), "MAIL_PORT", 587, 1),
        "MAIL_USERNAME": environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _env_bool(environ.get("MAIL_USE_TLS"), "MAIL_USE_TLS", True),
        "MAIL_DEFAULT_SENDER": environ.get(
            "MAIL_DEFAULT_SENDER", "Fællesskabsportalen <noreply@localhost>"
        ),
        "MAIL_TIMEOUT": _env_int(environ.get("MAIL_TIMEOUT"), "MAIL_TIMEOUT", 10, 1),
        "MAIL_MAX_ATTEMPTS": _env_int(environ.get("MAIL_MAX_ATTEMPTS"), "MAIL_MAX_ATTEMPTS", 10, 1),
        # With SMTP a worker (`portal mail send --loop`) delivers, so a slow mail
        # server never slows a page; small installs may send after each request.
        "MAIL_SEND_AFTER_REQUEST": _env_bool(
            environ.get("MAIL_SEND_AFTER_REQUEST"), "MAIL_SEND_AFTER_REQUEST", False
        ),
        # The development mailbox page shows every message, reset links included.
        "MAIL_DEV_MAILBOX": _env_bool(
            environ.get("MAIL_DEV_MAILBOX"), "MAIL_DEV_MAILBOX", env == "development"
        ),
        "MAIL_MAILBOX_DIR": environ.get("MAIL_MAILBOX_DIR") or str(instance_path / "mailbox"),
        "PREFERRED_URL_SCHEME": "https" if env == "production" else "http",
        # Links in emails and on printed cards are built from this, since
        # commands run by cron have no request to take the host from.
        "PUBLIC_URL": (environ.get("PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "LOG_FORMAT": _env_choice(
            environ.get("LOG_FORMAT"),
            "LOG_FORMAT",
            ("json", "text"),
            "json" if env == "production" else "text",
        ),
        "LOG_LEVEL": _env_choice(
            (environ.get("LOG_LEVEL") or "").upper() or None,
            "LOG_LEVEL",
            ("DEBUG", "INFO", "WARNING", "ERROR"),
            "INFO",
        ),
        "METRICS_TOKEN": environ.get("METRICS_TOKEN", ""),
        # Referrals: flag the unanswered, and delete personal data this many
        # days after a referral closed, or after it was sent if it never did.
        # A signed-in session ends after this long without a request, and in
        # any case this long after signing in (checked on the server).
        "SESSION_IDLE_MINUTES": _env_int(
            environ.get("SESSION_IDLE_MINUTES"), "SESSION_IDLE_MINUTES", 30, 1
        ),
        "SESSION_MAX_HOURS": _env_int(environ.get("SESSION_MAX_HOURS"), "SESSION_MAX_HOURS", 10, 1),
        "REFERRAL_FLAG_AFTER_DAYS": _env_int(
            environ.get("REFERRAL_FLAG_AFTER_DAYS"), "REFERRAL_FLAG_AFTER_DAYS", 7, 1
        ),
        "REFERRAL_PURGE_CLOSED_DAYS": _env_int(
            environ.get("REFERRAL_PURGE_CLOSED_DAYS"), "REFERRAL_PURGE_CLOSED_DAYS", 90, 1
        ),
        "REFERRAL_PURGE_OPEN_DAYS": _env_int(
            environ.get("REFERRAL_PURGE_OPEN_DAYS"), "REFERRAL_PURGE_OPEN_DAYS", 180, 1
        ),
        "METRICS_ALLOW_NETWORKS": _env_networks(
            environ.get("METRICS_ALLOW_NETWORKS"), "METRICS_ALLOW_NETWORKS", "127.0.0.1/32,::1/128"
        ),
        # Freshness: the contact is asked to confirm an offer after about
        # eleven months, and it leaves search after about thirteen.
        "OFFER_REMIND_AFTER_DAYS": _env_int(
            environ.get("OFFER_REMIND_AFTER_DAYS"), "OFFER_REMIND_AFTER_DAYS", 335, 1
        ),
        "OFFER_HIDE_AFTER_DAYS": _env_int(
            environ.get("OFFER_HIDE_AFTER_DAYS"), "OFFER_HIDE_AFTER_DAYS", 395, 1
        ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        # Forms are small: 1 MB in all, 500 kB of form fields in memory, at most
        # 1,000 fields. Upload routes raise the first limit for themselves.
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 500 * 1024,
        "MAX_FORM_PARTS": 1000,
        "BABEL_DEFAULT_LOCALE": "da",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Copenhagen",
        "LANGUAGES": ("da", "en"),
    }
    secret = environ.get("SECRET_KEY")
    if secret:
        config["SECRET_KEY"] = secret
    elif env == "production":
        config["SECRET_KEY"] = ""
    else:
        config["SECRET_KEY"] = load_secret_key(instance_path)
    # Personal data is encrypted with the first key; the others still decrypt,
    # so keys can be rotated (`portal referrals rotate-keys`).
    keys = [k.strip() for k in environ.get("ENCRYPTION_KEYS", "").split(",") if k.strip()]
    if not keys and env != "production":
        keys = [load_encryption_key(instance_path)]
    config["ENCRYPTION_KEYS"] = tuple(keys)
    return config


def validate(config: dict[str, Any]) -> None:
    """Raise ConfigError naming the first variable that is wrong or unsafe."""
    url = config.get("SQLALCHEMY_DATABASE_URI", "")
    try:
        parsed = sa.engine.make_url(url)
    except ArgumentError:
        raise ConfigError(
            "DATABASE_URL is not a database URL; expected e.g. sqlite:///portal.sqlite3 "
            "or postgresql+psycopg://user@host/dbname"
        ) from None
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise ConfigError(
            f"DATABASE_URL must point to SQLite or PostgreSQL, not {parsed.get_backend_name()!r}"
        )
    engine = config.get("SEARCH_ENGINE")
    if engine not in SEARCH_ENGINES:
        raise ConfigError(
            f"SEARCH_ENGINE must be one of {', '.join(SEARCH_ENGINES)}, not {engine!r}"
        )
    if engine == "meilisearch" and not config.get("MEILI_URL"):
        raise ConfigError("MEILI_URL must be set when SEARCH_ENGINE=meilisearch")
    storage = config.get("RATELIMIT_STORAGE_URI", "memory://")
    if not storage.startswith(("memory://", "redis://", "rediss://", "redis+unix://")):
        raise ConfigError("REDIS_URL must start with redis:// or rediss://")
    tile_url = urlsplit(config.get("MAP_TILE_URL", ""))
    if (
        tile_url.scheme not in {"http", "https"}
        or not tile_url.netloc
        or "{z}" not in tile_url.path
    ):
        raise ConfigError("MAP_TILE_URL must be an http(s) URL with {z}, {x} and {y} in its path")
    if config.get("GEOCODER") not in {"offline", "nominatim"}:
        raise ConfigError(f"GEOCODER must be offline or nominatim, not {config.get('GEOCODER')!r}")
    _validate_mail(config)
    if config.get("ENV_NAME") == "production":
        _validate_production(config, parsed)


def _validate_mail(config: dict[str, Any]) -> None:
    """Raise ConfigError naming the first mail or rate-limit setting that is wrong."""
    for name in RATE_LIMITS:
        try:
            parse_many(config.get(name) or "1 per second")
        except ValueError:
            raise ConfigError(
                f"{name} must be limits like '5 per hour; 20 per day', not {config.get(name)!r}"
            ) from None
    if not 1 <= int(config.get("MAIL_PORT", 587)) <= 65535:
        raise ConfigError(f"MAIL_PORT must be between 1 and 65535, not {config.get('MAIL_PORT')}")
    _, sender_address = parseaddr(config.get("MAIL_DEFAULT_SENDER", ""))
    if "@" not in sender_address:
        raise ConfigError(
            "MAIL_DEFAULT_SENDER must be an e-mail address, e.g. "
            "Fællesskabsportalen <noreply@example.dk>"
        )
    if config.get("MAIL_PASSWORD") and not config.get("MAIL_USERNAME"):
        raise ConfigError("MAIL_USERNAME must be set when MAIL_PASSWORD is set")
    if config.get("ENV_NAME") != "production":
        return
    if config.get("MAIL_DEV_MAILBOX"):
        raise ConfigError("MAIL_DEV_MAILBOX must be off in production: it shows every e-mail")
    if config.get("MAIL_PASSWORD") and not config.get("MAIL_USE_TLS"):
        raise ConfigError("MAIL_USE_TLS must be on in production when MAIL_PASSWORD is set")


def _validate_production(config: dict[str, Any], parsed: sa.engine.URL) -> None:
    secret = config.get("SECRET_KEY") or ""
    if not secret:
        raise ConfigError("SECRET_KEY must be set in production (at least 32 random characters)")
    if len(secret) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"SECRET_KEY is too short for production: {len(secret)} characters, "
            f"at least {MIN_SECRET_KEY_LENGTH} needed"
        )
    if config.get("DEBUG"):
        raise ConfigError("FLASK_DEBUG must be off in production")
    if not config.get("ENCRYPTION_KEYS"):
        raise ConfigError(
            "ENCRYPTION_KEYS must be set in production (comma-separated Fernet keys, newest first)"
        )
    if parsed.get_backend_name() != "postgresql":
        raise ConfigError("DATABASE_URL must point to PostgreSQL in production, not SQLite")
    if config.get("SEARCH_ENGINE") == "meilisearch" and not config.get("MEILI_API_KEY"):
        raise ConfigError("MEILI_API_KEY must be set when Meilisearch is used in production")
    if not config.get("MAIL_SERVER"):
        raise ConfigError("MAIL_SERVER must be set in production so that mail can be delivered")
