"""Server-side limits on a signed-in session: idle for too long, or simply too old."""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, request, session
from flask_babel import gettext as _
from flask_login import current_user, logout_user

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"


def _enforce() -> None:
    """Sign the visitor out after SESSION_IDLE_MINUTES without a request or SESSION_MAX_HOURS."""
    # Without a session cookie nobody is signed in; not touching the session
    # keeps cacheable answers (widget, API) free of "Vary: Cookie".
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return
    if not current_user.is_authenticated:
        return
    now = int(time.time())
    signed_in = session.setdefault(SIGNED_IN_AT, now)
    seen = session.get(SEEN_AT, now)
    idle = now - seen > current_app.config["SESSION_IDLE_MINUTES"] * 60
    old = now - signed_in > current_app.config["SESSION_MAX_HOURS"] * 3600
    if idle or old:
        logout_user()
        language = session.get("lang")
        session.clear()
        if language:
            session["lang"] = language
        flash(
            _("Du er logget ud, fordi du ikke har brugt siden i et stykke tid. Log ind igen.")
            if idle
            else _("Du har været logget ind længe, så vi har logget dig ud. Log ind igen."),
            "info",
        )
        return
    # Written at most once a minute, so pages that only read do not rewrite the cookie.
    if now - seen >= 60 or SEEN_AT not in session:
        session[SEEN_AT] = now


def init_app(app: Flask) -> None:
    """Check the session's age before every request."""
    app.before_request(_enforce)
