"""Signed-in sessions: loading the user, starting a session and really ending it."""

from __future__ import annotations

import uuid

from flask import Flask, current_app, g, session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, login_user, logout_user

from portal.accounts.models import User
from portal.db import db, utcnow

login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Log ind for at se siden.")
login_manager.login_message_category = "info"
# Sessions are invalidated by the per-user session version; Flask-Login's
# "strong" protection would also log people out whenever their mobile
# network changes address.
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """Return the user a session token belongs to, if the session is still valid."""
    user_id, _, version = token.partition(":")
    try:
        key = uuid.UUID(user_id)
        number = int(version)
    except ValueError:
        return None
    user = db.session.get(User, key)
    if user is None or not user.is_active or user.session_version != number:
        return None
    return user


def _clear_session() -> None:
    """Empty the session, keeping only the visitor's choice of language."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    # The CSRF token cached for this request belongs to the cleared session;
    # forms rendered from now on need one from the new session.
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def start_session(user: User, remember: bool = False) -> None:
    """Sign the user in with a fresh session (nothing from before sign-in is kept)."""
    _clear_session()
    login_user(user, remember=remember)
    user.last_login_at = utcnow()


def end_all_sessions(user: User) -> None:
    """Invalidate every session of the user, on every device."""
    user.session_version += 1


def leave_session() -> None:
    """Sign this browser out with a blank session; the account's other sessions are untouched."""
    logout_user()
    _clear_session()


def end_session(user: User) -> None:
    """Sign out: invalidate the user's sessions and clear this one."""
    end_all_sessions(user)
    logout_user()
    _clear_session()


def init_app(app: Flask) -> None:
    """Bind the login manager to the app."""
    login_manager.init_app(app)
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config["SESSION_COOKIE_SECURE"])
