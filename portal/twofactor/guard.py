"""Ask for the second factor before personal data is shown."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import redirect, request, session, url_for
from flask_login import current_user, login_required

from portal.db import db
from portal.twofactor.models import TwoFactor

F = TypeVar("F", bound=Callable[..., Any])
SESSION_KEY = "second_factor"


def passed_second_factor() -> bool:
    """Return whether this session has passed the second factor for the signed-in user."""
    return session.get(SESSION_KEY) == current_user.get_id()


def mark_passed() -> None:
    """Record that this session passed the second factor."""
    session[SESSION_KEY] = current_user.get_id()


def second_factor_required(view: F) -> F:
    """Require sign-in and a confirmed authenticator, checked in this session."""

    @functools.wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        two_factor = db.session.get(TwoFactor, current_user.id)
        target = (
            request.full_path.rstrip("?") if request.method == "GET" else request.referrer or "/"
        )
        if two_factor is None or not two_factor.is_confirmed:
            return redirect(url_for("twofactor.setup", next=target))
        if not passed_second_factor():
            return redirect(url_for("twofactor.verify", next=target))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
