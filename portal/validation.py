"""Checks shared by every form and import that takes an email address."""

from __future__ import annotations

import re

EMAIL_MAX_LENGTH = 254

# Deliberately simple: something@domain.tld without spaces or brackets. The
# real proof of an address is a link sent to it.
_EMAIL = re.compile(
    r"[^@\s<>()\[\]\\,;:\"]+@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}", re.UNICODE
)


def is_email_address(value: str) -> bool:
    """Return whether ``value`` (already trimmed) looks like an email address."""
    return len(value) <= EMAIL_MAX_LENGTH and bool(_EMAIL.fullmatch(value)) and ".." not in value
