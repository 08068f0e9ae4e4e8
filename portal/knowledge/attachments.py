"""Files attached to knowledge items: checked by their content, stored outside static/.

A file's type is read from its bytes (``filetype``; DOCX and PPTX must also be
zips holding the right main part), never from its name or the browser's
Content-Type. It is stored under KNOWLEDGE_UPLOAD_DIR with its id as the only
name; the uploaded name is kept as display text, stripped of any path.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import unicodedata
import uuid
import zipfile
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

import filetype
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.knowledge.models import KnowledgeAttachment, KnowledgeItem

logger = logging.getLogger(__name__)

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
# Room for the form's other fields around the file in one upload request.
UPLOAD_REQUEST_LIMIT = MAX_ATTACHMENT_BYTES + 256 * 1024
MAX_NAME_LENGTH = 150
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
# Accepted types: the extension a download gets, others its name may already have,
# and a label for the page.
FILE_TYPES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "application/pdf": ("pdf", (), "PDF"),
    DOCX: ("docx", (), "Word"),
    PPTX: ("pptx", (), "PowerPoint"),
    "image/png": ("png", (), "PNG"),
    "image/jpeg": ("jpg", ("jpeg",), "JPEG"),
}
# The main part each Office type must have, and its content type in [Content_Types].xml.
_OFFICE_MAIN_PARTS = {
    DOCX: ("word/document.xml", DOCX.replace(".document", ".document.main+xml")),
    PPTX: ("ppt/presentation.xml", PPTX.replace(".presentation", ".presentation.main+xml")),
}
_CONTENT_TYPES_LIMIT = 1024 * 1024


class AttachmentRefused(ValueError):
    """The upload is not a file the knowledge centre accepts; the message says why."""


class AttachmentTooLarge(AttachmentRefused):
    """The upload is larger than MAX_ATTACHMENT_BYTES."""


def _office_type(data: bytes) -> str | None:
    """Return DOCX or PPTX if the zip holds that type's main part, else None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            info = (
                archive.getinfo("[Content_Types].xml") if "[Content_Types].xml" in names else None
            )
            if info is None or info.file_size > _CONTENT_TYPES_LIMIT:
                return None
            content_types = archive.read(info).decode("utf-8", "replace")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, ValueError):
        return None
    for mime, (main_part, main_type) in _OFFICE_MAIN_PARTS.items():
        if main_part in names and main_type in content_types:
            return mime
    return None


def detect_type(data: bytes) -> str:
    """Return the accepted content type of ``data``, or raise AttachmentRefused."""
    if not data:
        raise AttachmentRefused(_l("Filen er tom."))
    kind = filetype.guess(data)
    mime = kind.mime if kind is not None else None
    if mime in (DOCX, PPTX, "application/zip"):
        mime = _office_type(data)
        if mime is None:
            raise AttachmentRefused(
                _l("Filen er en zip-fil, men ikke et Word- eller PowerPoint-dokument.")
            )
    if mime not in FILE_TYPES:
        raise AttachmentRefused(
            _l(
                "Filtypen kan ikke bruges. Vælg en PDF, Word (DOCX), PowerPoint (PPTX), "
                "PNG eller JPEG."
            )
        )
    return mime


def display_name(filename: str | None, content_type: str) -> str:
    """Return a safe display name: no path or control characters, the right extension."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        " " if unicodedata.category(char).startswith("Z") else char
        for char in name
        if not unicodedata.category(char).startswith("C")
    )
    name = " ".join(name.split()).strip(" .")
    extension, others, _label = FILE_TYPES[content_type]
    stem, dot, given = name.rpartition(".")
    if not dot or given.lower() not in (extension, *others):
        stem, given = name, extension
    stem = stem[:MAX_NAME_LENGTH].rstrip(" .") or "fil"
    return f"{stem}.{given}"


def content_disposition(name: str) -> str:
    """Return an attachment Content-Disposition with an ASCII fallback and a UTF-8 filename*."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]+", "_", ascii_name).strip(" .") or "fil"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def type_label(content_type: str) -> str:
    """Return a short name of a file type for the page (e.g. "PDF")."""
    return FILE_TYPES.get(content_type, ("", (), content_type))[2]


def file_path(directory: str | Path, attachment_id: uuid.UUID) -> Path:
    """Return where an attachment's bytes live: its id is the whole file name."""
    return Path(directory) / attachment_id.hex


def read_upload(stream: BinaryIO) -> bytes:
    """Read an uploaded file, refusing one larger than MAX_ATTACHMENT_BYTES."""
    data = stream.read(MAX_ATTACHMENT_BYTES + 1)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise AttachmentTooLarge(_l("Filen er for stor. Den må højst fylde 20 MB."))
    return data


def store_attachment(
    session: so.Session,
    item: KnowledgeItem,
    data: bytes,
    filename: str | None,
    summary: str,
    actor: User | None,
    directory: str | Path,
) -> KnowledgeAttachment:
    """Check ``data``, write it under ``directory`` by a new id and add its row.

    The file is written before the row is committed; the caller removes it with
    ``remove_file`` if the commit fails.
    """
    content_type = detect_type(data)
    attachment = KnowledgeAttachment(
        id=uuid.uuid4(),
        item_id=item.id,
        original_name=display_name(filename, content_type),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        summary=summary.strip(),
        uploaded_by_id=actor.id if actor is not None else None,
    )
    folder = Path(directory)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = file_path(folder, attachment.id)
    temporary = target.with_name(f".{target.name}.part")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temporary, target)
    item.attachments.append(attachment)
    session.flush()
    logger.info("stored attachment %s (%s, %s bytes)", attachment.id, content_type, len(data))
    return attachment


def delete_attachment(
    session: so.Session, attachment: KnowledgeAttachment, directory: str | Path
) -> Path:
    """Delete an attachment's row; return its file, to remove after the commit."""
    path = file_path(directory, attachment.id)
    if attachment in attachment.item.attachments:
        attachment.item.attachments.remove(attachment)  # delete-orphan removes the row
    else:
        session.delete(attachment)
    session.flush()
    return path


def remove_file(path: Path) -> None:
    """Remove a stored file; a missing file is fine."""
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError:
        logger.exception("could not remove attachment file %s", path.name)


def size_text(size: int) -> str:
    """Return a file size for people, e.g. "340 kB" or "1,2 MB" (in the page's language)."""
    from flask_babel import format_decimal

    if size < 1024 * 1024:
        return f"{format_decimal(max(1, round(size / 1024)))} kB"
    return f"{format_decimal(round(size / (1024 * 1024), 1))} MB"
