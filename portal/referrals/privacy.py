"""Guards on what may be written into a referral: no CPR numbers anywhere."""

from __future__ import annotations

import re

from stdnum.dk import cpr

# Six digits (a date), an optional dash or space, four digits; not part of a
# longer number.
_CPR_CANDIDATE = re.compile(r"(?<!\d)(\d{6})[-\s]?(\d{4})(?!\d)")


def contains_cpr(text: str | None) -> bool:
    """Return whether the text holds something that is a valid Danish CPR number."""
    if not text:
        return False
    return any(cpr.is_valid(a + b) for a, b in _CPR_CANDIDATE.findall(text))
