"""Shared fixtures: an isolated, migrated database per test and factories.

SQLite (the default): every test gets its own copy of a database file that was
migrated and seeded once per session. PostgreSQL (TEST_DATABASE_URL set): the
schema is migrated once per session and each test runs in a transaction that
is rolled back at the end.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import flask_babel
import pyotp
import pytest
import sqlalchemy as sa
from flask import Flask, g
from flask.testing import FlaskClient, FlaskCliRunner

from portal import create_app, migrate
from portal.accounts.models import MemberRole, Membership, User
from portal.accounts.passwords import hash_password
from portal.db import create_engine, utcnow
from portal.extensions import db
from portal.find.synonyms import seed_synonyms
from portal.geo.services import seed_places
from portal.models import (
    Base,
    Contact,
    Location,
    LocationType,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    ServiceStatus,
)
from portal.offers.models import Frequency
from portal.taxonomy.services import seed_vocabularies, terms_by_code
from portal.twofactor.guard import SESSION_KEY as SECOND_FACTOR
from portal.twofactor.models import TwoFactor

TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-for-production"
TEST_PASSWORD = "grøn kaffekande ved fjorden 1987"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


def is_postgres() -> bool:
    """Return whether the suite runs against PostgreSQL."""
    return POSTGRES_URL.startswith("postgresql")


def _seed(engine: sa.Engine) -> None:
    import sqlalchemy.orm as so

    with so.Session(engine) as session:
        seed_places(session)
        seed_vocabularies(session)
        seed_synonyms(session)
        session.commit()


def _reset_postgres(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        # Functions outlive drop_all (the audit trail's append-only trigger).
        connection.execute(sa.text("DROP FUNCTION IF EXISTS audit_entry_append_only() CASCADE"))


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate and seed one database for the whole session; yield its URL."""
    if is_postgres():
        engine = create_engine(POSTGRES_URL)
        _reset_postgres(engine)
        migrate.upgrade(engine)
        _seed(engine)
        yield POSTGRES_URL
        _reset_postgres(engine)
        engine.dispose()
        return
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    _seed(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    yield str(path)


@pytest.fixture
def app(database_template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """Return an app bound to a database of its own."""
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    if is_postgres():
        url = database_template
    else:
        copy = tmp_path / "portal.sqlite3"
        shutil.copyfile(database_template, copy)
        url = f"sqlite:///{copy}"
    application = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": TEST_SECRET_KEY,
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        }
    )
    with application.app_context():
        if is_postgres():
            connection = db.engine.connect()
            transaction = connection.begin()
            db.bind_session_to(connection)
            yield application
            db.session.close()
            transaction.rollback()
            connection.close()
        else:
            yield application
        db.engine.dispose()


def _fresh_request_globals() -> None:
    for name in list(vars(g)):
        g.pop(name, None)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Return a test client of the app.

    The app fixture keeps one app context open for the whole test, so every
    request would share its ``g`` (and Flask-Babel's cached locale, Flask-Login's
    loaded user, Flask-WTF's CSRF token of another client's session); a real
    request starts with a fresh one, so each test request empties it first.
    """
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_request_globals)
    app.before_request(flask_babel.refresh)
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """Return a CLI runner of the app."""
    return app.test_cli_runner()


@pytest.fixture
def make_organization(app: Flask) -> Callable[..., Organization]:
    """Return a factory of committed organisations."""

    def factory(**overrides: Any) -> Organization:
        values = {"name": "Ældre Sagen Testrup", "description": "Lokal forening."}
        organization = Organization(**{**values, **overrides})
        db.session.add(organization)
        db.session.commit()
        return organization

    return factory


@pytest.fixture
def make_offer(
    app: Flask, make_organization: Callable[..., Organization]
) -> Callable[..., Service]:
    """Return a factory of committed, published offers with a place and a weekly meeting.

    Keyword arguments override Service fields; ``municipality_code``, ``city``,
    ``latitude``, ``longitude`` and ``virtual`` shape the location; ``activities``,
    ``target_groups``, ``situations`` and ``features`` take term codes.
    """
    terms = terms_by_code(db.session)

    def factory(**overrides: Any) -> Service:
        organization = overrides.pop("organization", None) or make_organization()
        virtual = overrides.pop("virtual", False)
        location = Location(
            organization_id=organization.id,
            location_type=LocationType.VIRTUAL if virtual else LocationType.PHYSICAL,
            name=None if virtual else overrides.pop("venue", "Medborgerhuset"),
            address_1=None if virtual else "Skolevej 12",
            postal_code=None if virtual else overrides.pop("postal_code", "7700"),
            city=None if virtual else overrides.pop("city", "Thisted"),
            municipality_code=None if virtual else overrides.pop("municipality_code", "787"),
            latitude=None if virtual else overrides.pop("latitude", 56.955),
            longitude=None if virtual else overrides.pop("longitude", 8.694),
        )
        codes = [
            *(("aktivitet", c) for c in overrides.pop("activities", ["faellesspisning"])),
            *(("maalgruppe", c) for c in overrides.pop("target_groups", ["aeldre"])),
            *(("livssituation", c) for c in overrides.pop("situations", [])),
            *(("praktisk", c) for c in overrides.pop("features", [])),
        ]
        values: dict[str, Any] = {
            "name": "Fællesspisning i Thisted",
            "description": "Vi laver mad sammen og spiser ved et langt bord.",
            "status": ServiceStatus.PUBLISHED,
            "how_to_join": "Mød bare op.",
            "is_free": True,
            "published_at": utcnow(),
            "last_confirmed_at": utcnow(),
        }
        values.update(overrides)
        service = Service(organization_id=organization.id, **values)
        service.service_at_locations.append(ServiceAtLocation(location=location))
        service.schedules.append(
            Schedule(
                freq=Frequency.WEEKLY,
                interval=1,
                byday="TU",
                opens_at=dt.time(17, 30),
                closes_at=dt.time(19, 30),
            )
        )
        service.attributes.extend(ServiceAttribute(taxonomy_term=terms[c]) for c in codes)
        service.contacts.append(Contact(name="Karen Jensen", email="karen@forening.example"))
        service.phones.append(Phone(number="+45 12 34 56 78"))
        db.session.add(service)
        db.session.commit()
        return service

    return factory


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    """Return a context manager that counts the SQL statements run inside it."""
    from contextlib import contextmanager

    @contextmanager
    def counter() -> Iterator[list[str]]:
        statements: list[str] = []

        def record(*args: Any) -> None:
            statements.append(args[2])

        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)

    return counter


@pytest.fixture(scope="session")
def test_password_hash() -> str:
    """Return one argon2 hash of TEST_PASSWORD (hashing is slow on purpose)."""
    return hash_password(TEST_PASSWORD)


@pytest.fixture
def make_user(app: Flask, test_password_hash: str) -> Callable[..., User]:
    """Return a factory of committed, verified users whose password is TEST_PASSWORD.

    ``organization`` (with ``role``, owner by default) makes the user a member.
    """
    counter = iter(range(1, 10_000))

    def factory(
        email: str | None = None,
        organization: Organization | None = None,
        role: MemberRole = MemberRole.OWNER,
        **overrides: Any,
    ) -> User:
        values: dict[str, Any] = {
            "email": email or f"bruger{next(counter)}@example.org",
            "name": "Test Bruger",
            "password_hash": test_password_hash,
            "email_verified_at": utcnow(),
        }
        user = User(**{**values, **overrides})
        db.session.add(user)
        if organization is not None:
            db.session.add(Membership(user=user, organization_id=organization.id, role=role))
        db.session.commit()
        return user

    return factory


@pytest.fixture
def login(client: FlaskClient) -> Callable[..., FlaskClient]:
    """Return a function that signs a user in on the test client (as a finished sign-in would).

    Unless ``second_factor=False``, the user has a confirmed authenticator and
    the session has passed the second factor, as admins and everyone who sees
    personal data must.
    """

    def sign_in(
        user: User, test_client: FlaskClient | None = None, second_factor: bool = True
    ) -> FlaskClient:
        test_client = test_client or client
        if second_factor and db.session.get(TwoFactor, user.id) is None:
            db.session.add(
                TwoFactor(user_id=user.id, secret=pyotp.random_base32(), confirmed_at=utcnow())
            )
            db.session.commit()
        with test_client.session_transaction() as session:
            session.clear()
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            if second_factor:
                session[SECOND_FACTOR] = user.get_id()
        return test_client

    return sign_in
