"""Language choice: Danish first, English on request."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session

LANGUAGE_NAMES = {"da": "Dansk", "en": "English"}


def select_locale() -> str:
    """Pick the visitor's chosen language, else the browser's, else Danish.

    Outside a request (commands run by cron, e.g. reminder emails) it is Danish.
    """
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages, default="da") or "da"
