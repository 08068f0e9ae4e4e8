"""The password policy: long enough, and not easy to guess for someone who knows the user.

Strength is estimated offline with zxcvbn, fed with the user's own email and
name and with words anyone would try first on this site. zxcvbn's feedback is
English, so the hints shown are our own, chosen from what it found.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from flask_babel import gettext as _
from zxcvbn import zxcvbn

MIN_LENGTH = 8
MAX_LENGTH = 1024
MIN_SCORE = 3
# zxcvbn's running time grows steeply with length (minutes for 1,000
# characters), so only the start of a long passphrase is scored; a passphrase
# whose first 100 characters are strong is strong.
SCORED_LENGTH = 100

SITE_WORDS = (
    "fællesskab",
    "fællesskaber",
    "faellesskab",
    "fællesskabsportalen",
    "faellesskabsportalen",
    "portal",
    "portalen",
    "forening",
    "foreningen",
    "ensomhed",
    "frivillig",
    "kommune",
    "danmark",
    "adgangskode",
    "kodeord",
)

# zxcvbn keeps the user inputs in a module-level dictionary while it scores,
# so two threads scoring at once would see each other's words.
_zxcvbn_lock = threading.Lock()


def user_inputs(email: str = "", name: str = "") -> list[str]:
    """Return the words an attacker who knows the user would try: email, name, site words."""
    # zxcvbn treats earlier words as likelier guesses, so the user's own come first.
    words: list[str] = []
    for value in (email, name):
        value = value.strip().lower()
        if value:
            local = value.split("@")[0]
            parts = [part for part in re.split(r"[\W_]+", value) if len(part) > 2]
            # Also run together, as in "karenjensen1" for Karen Jensen.
            words.extend([value, local, *parts, re.sub(r"[\W_]+", "", local)])
    return [*words, *SITE_WORDS]


def _hints(matches: Iterable[dict]) -> list[str]:
    """Return Danish hints for the weak patterns zxcvbn found."""
    found = set()
    for match in matches:
        pattern = match.get("pattern")
        if pattern == "dictionary":
            found.add(match.get("dictionary_name"))
        else:
            found.add(pattern)
    hints = []
    if "user_inputs" in found:
        hints.append(
            _("Brug ikke din e-mailadresse, dit navn eller ord som “fællesskab” og “portal”.")
        )
    if "passwords" in found:
        hints.append(_("Den minder om en af de adgangskoder, der bruges oftest."))
    if found & {"date", "regex"}:
        hints.append(_("Undgå årstal og datoer; de er lette at gætte."))
    if found & {"repeat", "sequence", "spatial"}:
        hints.append(_("Undgå gentagelser og rækker som “aaa”, “1234” og “qwerty”."))
    return hints


def password_problems(password: str, email: str = "", name: str = "") -> list[str]:
    """Return what is wrong with a new password, in Danish; an empty list means it is good."""
    if len(password) < MIN_LENGTH:
        return [
            _(
                "Adgangskoden skal være mindst %(count)s tegn. "
                "En sætning på flere ord er lettest at huske, og mellemrum er tilladt.",
                count=MIN_LENGTH,
            )
        ]
    if len(password) > MAX_LENGTH:
        return [_("Adgangskoden må højst være %(count)s tegn.", count=MAX_LENGTH)]
    scored = password[:SCORED_LENGTH]
    with _zxcvbn_lock:
        result = zxcvbn(scored, user_inputs=user_inputs(email, name), max_length=SCORED_LENGTH)
    if result["score"] >= MIN_SCORE:
        return []
    return [
        _("Adgangskoden er for let at gætte."),
        *_hints(result["sequence"]),
        _(
            "Prøv en sætning på fire eller flere ord, der ikke hører naturligt sammen; "
            "mellemrum er tilladt."
        ),
    ]
