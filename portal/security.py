"""Security headers on every response."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface, SessionMixin


def content_security_policy(tile_url: str) -> str:
    """Return the CSP: only our own files, plus map tiles from the configured server."""
    parts = urlsplit(tile_url)
    tile_origin = f"{parts.scheme}://{parts.netloc}".replace("{s}", "*")
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: {tile_origin}",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _add_headers(response: Response) -> Response:
    response.headers.setdefault(
        "Content-Security-Policy", content_security_policy(current_app.config["MAP_TILE_URL"])
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    # Pages that may be framed (the widget) say so in their own CSP.
    if "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]:
        response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault(
        "Permissions-Policy", "geolocation=(self), camera=(), microphone=(), payment=()"
    )
    return response


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body nested too deeply is bad input, not a crash."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse JSON; turn the parser's recursion limit into a ValueError (a 400)."""
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


class PortalSessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions that leave publicly cacheable answers free of "Vary: Cookie".

    Flask-Login looks at the session on every request, which would mark every
    response as varying by cookie. A response the view declared public (the
    widget, the open-data API) is the same for everyone by construction, so
    when it carries no session it does not vary.
    """

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Save as usual, but forget the look at an empty session for public responses."""
        if response.cache_control.public and not session and not session.modified:
            session.accessed = False
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    """Register the header hook, with HSTS in production, and the safe JSON parser."""
    app.json = SafeJSONProvider(app)
    app.session_interface = PortalSessionInterface()
    app.after_request(_add_headers)
    if app.config.get("ENV_NAME") == "production":

        @app.after_request
        def _hsts(response: Response) -> Response:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=63072000; includeSubDomains"
            )
            return response
