"""Helpers for tests that submit the portal's forms."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(client: FlaskClient, path: str) -> str:
    """Return the CSRF token of the first form on the page at ``path``."""
    response = client.get(path)
    match = _CSRF.search(response.get_data(as_text=True))
    assert match, f"no csrf_token field on {path} (status {response.status_code})"
    return match.group(1) or match.group(2)
