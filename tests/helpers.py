"""Helpers for tests that submit the portal's forms."""

from __future__ import annotations

import hashlib
import os
import re
from typing import Any

from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from werkzeug.test import TestResponse

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token_in(page: str) -> str | None:
    """Return the CSRF token of the first form in the HTML ``page``, or None if it has none."""
    match = _CSRF.search(page)
    return (match.group(1) or match.group(2)) if match else None


def csrf_token(client: FlaskClient, path: str) -> str:
    """Return the CSRF token of the first form on the page at ``path``."""
    response = client.get(path)
    token = csrf_token_in(response.get_data(as_text=True))
    assert token, f"no csrf_token field on {path} (status {response.status_code})"
    return token


def session_csrf_token(client: FlaskClient) -> str:
    """Return a valid CSRF token for the client's session, as a form's hidden field holds.

    It does what Flask-WTF does when it renders the field, so POSTs can be made
    from any state (also by visitors and people a page would not show the form).
    """
    with client.session_transaction() as session:
        if "csrf_token" not in session:
            session["csrf_token"] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324
        raw = session["csrf_token"]
    secret = client.application.config["SECRET_KEY"]
    return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)


def post_from_page(
    client: FlaskClient,
    path: str,
    data: dict[str, Any] | None = None,
    form_page: str | None = None,
    **kwargs: Any,
) -> TestResponse:
    """Submit a form as a browser would: with the CSRF token of the page it is on.

    The page is ``form_page``, or ``path`` itself when the form posts back to it.
    """
    token = csrf_token(client, form_page or path)
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


def post_with_session_token(
    client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kwargs: Any
) -> TestResponse:
    """POST a form with a valid CSRF token of the client's session, without opening a page."""
    data = dict(data or {})
    token = session_csrf_token(client)
    # Forms with a prefix (several on one page) carry "<prefix>-csrf_token".
    prefixes = {key.split("-", 1)[0] for key in data if "-" in key}
    tokens = {f"{prefix}-csrf_token": token for prefix in prefixes}
    return client.post(path, data={"csrf_token": token, **tokens, **data}, **kwargs)
