"""Database access: declarative base, session per app context, shared column types."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, current_app
from flask.globals import app_ctx

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Return the current time as an aware UTC datetime."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite has no time zones, so values come back naive; this type puts the UTC
    zone back and refuses naive values on the way in, which would be ambiguous.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(so.DeclarativeBase):
    """Base class of every model; carries the constraint naming convention."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime(), uuid.UUID: sa.Uuid()}


class UUIDPrimaryKey:
    """Mixin for HSDS objects, whose identifiers are UUIDs."""

    id: so.Mapped[uuid.UUID] = so.mapped_column(primary_key=True, default=uuid.uuid4)


class Timestamps:
    """Mixin adding created_at and updated_at, maintained by the ORM."""

    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    updated_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)


def _app_ctx_id() -> int:
    return id(app_ctx._get_current_object())  # type: ignore[attr-defined]


def engine_options(url: str) -> dict[str, Any]:
    """Return engine options suited to the database behind ``url``."""
    backend = sa.engine.make_url(url).get_backend_name()
    if backend == "sqlite":
        return {"connect_args": {"timeout": 15}}
    return {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 10}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while one process writes; foreign keys are off by
    # default in SQLite and must be switched on per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_engine(url: str, echo: bool = False) -> sa.Engine:
    """Create an engine for ``url`` with the portal's connection settings."""
    engine = sa.create_engine(url, echo=echo, **engine_options(url))
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class _DatabaseState:
    """What one Flask app holds: its engine and how its sessions bind."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.bind: sa.Engine | sa.Connection = engine
        self.session_options: dict[str, Any] = {}


class Database:
    """Give each Flask app its own engine and each app context its own session."""

    def __init__(self) -> None:
        self._sessions = so.scoped_session(self._make_session, scopefunc=_app_ctx_id)  # type: ignore[arg-type]

    @staticmethod
    def _state() -> _DatabaseState:
        return current_app.extensions["db"]

    def _make_session(self) -> so.Session:
        state = self._state()
        return so.Session(bind=state.bind, expire_on_commit=False, **state.session_options)

    def init_app(self, app: Flask) -> None:
        """Create the engine from SQLALCHEMY_DATABASE_URI and register teardown."""
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=app.config.get("SQLALCHEMY_ECHO", False))
        app.extensions["db"] = _DatabaseState(engine)
        app.teardown_appcontext(self._remove_session)

    def _remove_session(self, _exc: BaseException | None) -> None:
        self._sessions.remove()

    @property
    def engine(self) -> sa.Engine:
        return self._state().engine

    @property
    def session(self) -> so.Session:
        return self._sessions()

    def bind_session_to(self, connection: sa.Connection) -> None:
        """Make this app's sessions run inside ``connection`` using savepoints.

        Tests on PostgreSQL use it to roll each test back instead of recreating
        the schema.
        """
        self._sessions.remove()
        state = self._state()
        state.bind = connection
        state.session_options = {"join_transaction_mode": "create_savepoint"}

    @contextmanager
    def transaction(self) -> Iterator[so.Session]:
        """Yield the session and commit at the end, or roll back on error."""
        session = self.session
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


db = Database()
