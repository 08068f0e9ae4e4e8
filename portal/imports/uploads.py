"""Keep a checked upload on the server for an hour, so "import now" uses the very same file.

The browser only ever holds a random name; the file and who uploaded it for
which organisation stay in the instance folder, readable by the portal alone.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

MAX_AGE_SECONDS = 60 * 60
TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True)
class SavedUpload:
    """An upload waiting to be imported for real."""

    token: str
    data: bytes
    filename: str
    as_drafts: bool


def _paths(folder: Path, token: str) -> tuple[Path, Path]:
    """Return the paths of an upload's data and of what is known about it."""
    return folder / f"{token}.upload", folder / f"{token}.json"


def _write_private(path: Path, content: bytes) -> None:
    """Write a new file only the portal's own user can read."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)


def save_upload(
    folder: Path,
    data: bytes,
    *,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    filename: str,
    as_drafts: bool,
) -> str:
    """Store the file under a random name and return that name."""
    folder.mkdir(parents=True, exist_ok=True)
    purge_expired(folder)
    token = secrets.token_urlsafe(32)
    data_path, meta_path = _paths(folder, token)
    meta = {
        "organization_id": str(organization_id),
        "user_id": str(user_id),
        "filename": filename[:200],
        "as_drafts": as_drafts,
        "saved_at": time.time(),
    }
    _write_private(data_path, data)
    _write_private(meta_path, json.dumps(meta).encode("utf-8"))
    return token


def load_upload(
    folder: Path, token: str, *, organization_id: uuid.UUID, user_id: uuid.UUID
) -> SavedUpload | None:
    """Return the stored upload if this user made it for this organisation within the hour."""
    if not TOKEN.match(token or ""):
        return None
    data_path, meta_path = _paths(folder, token)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        fresh = time.time() - float(meta["saved_at"]) <= MAX_AGE_SECONDS
        if not fresh:
            discard_upload(folder, token)
            return None
        if meta["organization_id"] != str(organization_id) or meta["user_id"] != str(user_id):
            return None
        return SavedUpload(token, data_path.read_bytes(), meta["filename"], bool(meta["as_drafts"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def discard_upload(folder: Path, token: str) -> None:
    """Delete a stored upload, if it is still there."""
    if not TOKEN.match(token or ""):
        return
    for path in _paths(folder, token):
        path.unlink(missing_ok=True)


def purge_expired(folder: Path) -> int:
    """Delete uploads older than an hour; return how many files went."""
    if not folder.is_dir():
        return 0
    limit = time.time() - MAX_AGE_SECONDS
    removed = 0
    for path in folder.iterdir():
        try:
            if path.suffix in (".upload", ".json") and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except OSError:
            logger.info("Could not remove an expired upload file")
    return removed
