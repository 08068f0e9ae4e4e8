"""Mail on the web: the development mailbox, and sending right after a request."""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    has_app_context,
    render_template,
)

from portal.mail.models import MailMessage
from portal.mail.sender import send_due, uses_dev_mailbox

logger = logging.getLogger(__name__)

bp = Blueprint("mail", __name__)

MAILBOX_PAGE_SIZE = 200
_URL = re.compile(r"https?://[^\s<>\"')\]]+")


@dataclass(frozen=True)
class MailboxEntry:
    """One message in the development mailbox, as the list shows it."""

    id: str
    subject: str
    to: str
    date: Any


def _mailbox() -> Path:
    """Return the mailbox folder, or answer 404 when the mailbox page is switched off."""
    if not current_app.config["MAIL_DEV_MAILBOX"]:
        abort(404)
    return Path(current_app.config["MAIL_MAILBOX_DIR"])


def _entries(folder: Path) -> list[MailboxEntry]:
    """Read the headers of the newest messages in ``folder``."""
    files = sorted(folder.glob("*.eml"), key=lambda path: path.stat().st_mtime, reverse=True)
    parser = BytesHeaderParser(policy=policy.default)
    entries = []
    for path in files[:MAILBOX_PAGE_SIZE]:
        with path.open("rb") as handle:
            headers = parser.parse(handle)
        try:
            date = parsedate_to_datetime(str(headers["Date"]))
        except (TypeError, ValueError):
            date = None
        entries.append(
            MailboxEntry(path.stem, str(headers["Subject"] or ""), str(headers["To"] or ""), date)
        )
    return entries


def _linked(text: str) -> list[tuple[str, bool]]:
    """Split ``text`` into plain parts and web addresses, so the page can link the addresses."""
    parts: list[tuple[str, bool]] = []
    position = 0
    for match in _URL.finditer(text):
        parts.append((text[position : match.start()], False))
        parts.append((match.group(), True))
        position = match.end()
    parts.append((text[position:], False))
    return parts


@bp.get("/dev/mail")
def dev_mailbox() -> str:
    """List the messages the development mailbox received, newest first."""
    folder = _mailbox()
    entries = _entries(folder) if folder.is_dir() else []
    return render_template(
        "mail/mailbox.html", entries=entries, smtp=not uses_dev_mailbox(current_app.config)
    )


@bp.get("/dev/mail/<uuid:message_id>")
def dev_message(message_id: uuid.UUID) -> str:
    """Show one message's headers and text; the HTML part is never rendered here."""
    path = _mailbox() / f"{message_id}.eml"
    if not path.is_file():
        abort(404)
    with path.open("rb") as handle:
        email: EmailMessage = BytesParser(policy=policy.default).parse(handle)  # type: ignore[assignment]
    text_part = email.get_body(preferencelist=("plain",))
    text = text_part.get_content() if text_part is not None else ""
    return render_template(
        "mail/message.html",
        message_id=message_id,
        email=email,
        parts=_linked(text),
        has_html=email.get_body(preferencelist=("html",)) is not None,
    )


@bp.get("/dev/mail/<uuid:message_id>.eml")
def dev_message_file(message_id: uuid.UUID) -> Response:
    """Download one message as an .eml file, to open in a mail program."""
    path = _mailbox() / f"{message_id}.eml"
    if not path.is_file():
        abort(404)
    return Response(
        path.read_bytes(),
        mimetype="message/rfc822",
        headers={"Content-Disposition": f'attachment; filename="{message_id}.eml"'},
    )


# --- Sending right after a request -------------------------------------------------


def _note_queued_mail(session: so.Session, _context: Any, _instances: Any) -> None:
    if any(isinstance(obj, MailMessage) for obj in session.new):
        session.info["mail_queued"] = True


def _after_commit(session: so.Session) -> None:
    if session.info.pop("mail_queued", False) and has_app_context():
        g.mail_outbox_pending = True


def _after_rollback(session: so.Session) -> None:
    session.info.pop("mail_queued", None)


def send_after_request(response: Response) -> Response:
    """Send the mail a request committed, when the dev mailbox (or the setting) allows it.

    With SMTP the worker sends, so a slow mail server never slows a page;
    whatever fails here stays in the outbox for the worker.
    """
    if not g.pop("mail_outbox_pending", False):
        return response
    config = current_app.config
    if not (uses_dev_mailbox(config) or config["MAIL_SEND_AFTER_REQUEST"]):
        return response
    try:
        send_due(limit=20)
    except Exception as error:  # noqa: BLE001 - the change is saved; the outbox keeps the mail
        # The class only: database errors can carry the row's values.
        logger.error("Sending mail after the request failed: %s", type(error).__name__)
    return response


def init_app(app: Flask) -> None:
    """Notice committed mail (listeners added once) and send it after the request if configured."""
    for name, listener in (
        ("before_flush", _note_queued_mail),
        ("after_commit", _after_commit),
        ("after_rollback", _after_rollback),
    ):
        if not sa.event.contains(so.Session, name, listener):
            sa.event.listen(so.Session, name, listener)
    app.after_request(send_after_request)
