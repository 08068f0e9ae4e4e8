"""Queue an email: render it now and write it to the outbox in the caller's transaction."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, render_template
from jinja2 import TemplateNotFound

from portal.db import db
from portal.mail.models import MailMessage

logger = logging.getLogger(__name__)


def queue_mail(to: str, subject: str, template: str, **context: Any) -> MailMessage:
    """Render ``templates/email/<template>.txt`` (and ``.html``, if present) into the outbox.

    The message is sent only after the surrounding transaction commits; if it
    rolls back, no mail goes out. ``public_url`` is available to the templates
    for absolute links.
    """
    context.setdefault("public_url", current_app.config["PUBLIC_URL"])
    body_text = render_template(f"email/{template}.txt", subject=subject, **context)
    try:
        body_html = render_template(f"email/{template}.html", subject=subject, **context)
    except TemplateNotFound as error:
        if error.name != f"email/{template}.html":
            raise
        body_html = None
    message = MailMessage(
        to_address=to, subject=subject, body_text=body_text, body_html=body_html, template=template
    )
    db.session.add(message)
    logger.info("queued mail template=%s", template)
    return message
