"""Clean up what associations type into their profile: CVR, website, phone, email, postcode.

Each ``clean_*`` function returns the value as it is stored and raises
ValueError with a message fit to show next to the field.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import phonenumbers
from flask_babel import gettext as _
from stdnum.dk import cvr as dk_cvr
from stdnum.exceptions import ValidationError

from portal.validation import is_email_address

WEBSITE_MAX_LENGTH = 500
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_HOST = re.compile(r"^[a-z0-9æøåäöü]([a-z0-9æøåäöü\-]*[a-z0-9æøåäöü])?$", re.IGNORECASE)
_POSTCODE = re.compile(r"^[0-9]{4}$")


def clean_cvr(value: str) -> str:
    """Return the CVR number as 8 digits; spaces, dashes and a "DK" prefix are allowed."""
    compact = dk_cvr.compact(value)
    if not compact.isdigit() or len(compact) != 8:
        raise ValueError(_("Et CVR-nummer har 8 cifre, fx 12345678."))
    try:
        return dk_cvr.validate(compact)
    except ValidationError as error:
        raise ValueError(
            _("CVR-nummeret findes ikke. Tjek, at alle 8 cifre er skrevet rigtigt.")
        ) from error


def _looks_like_host_and_port(value: str, scheme: str) -> bool:
    # "foreningen.dk:8080" parses with the scheme "foreningen.dk".
    rest = value[len(scheme) + 1 :]
    return "." in scheme and rest[:1].isdigit()


def clean_website(value: str) -> str:
    """Return the address as an http(s) URL; "www.forening.dk" gets "https://" in front."""
    value = value.strip()
    match = _SCHEME.match(value)
    if match and not _looks_like_host_and_port(value, match.group(1)):
        if match.group(1).lower() not in ("http", "https"):
            raise ValueError(
                _("Skriv en adresse, der begynder med https:// eller http://, fx www.forening.dk.")
            )
    else:
        value = "https://" + value.lstrip("/")
    parts = urlsplit(value)
    host = parts.hostname or ""
    labels = host.split(".")
    if (
        any(ch.isspace() for ch in value)
        or len(labels) < 2
        or not all(_HOST.match(label) for label in labels)
        or parts.username is not None
    ):
        raise ValueError(_("Det ligner ikke en hjemmesideadresse. Skriv fx www.forening.dk."))
    if len(value) > WEBSITE_MAX_LENGTH:
        raise ValueError(_("Adressen er for lang."))
    return value


def clean_phone(value: str) -> str:
    """Return a phone number in international form (E.164, e.g. "+4520123456")."""
    try:
        number = phonenumbers.parse(value, "DK")
    except phonenumbers.NumberParseException as error:
        raise ValueError(_("Skriv et telefonnummer, fx 20 12 34 56.")) from error
    if not phonenumbers.is_valid_number(number):
        raise ValueError(
            _("Telefonnummeret findes ikke. Et dansk nummer har 8 cifre, fx 20 12 34 56.")
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def international_phone(value: str) -> str:
    """Return a cleaned phone number as citizens read it on an offer: "+45 20 12 34 56"."""
    number = phonenumbers.parse(value, "DK")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def display_phone(value: str | None) -> str:
    """Return a stored phone number as people write it: "20 12 34 56", or "+46 8 …" abroad."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "DK")
    except phonenumbers.NumberParseException:
        return value
    if number.country_code == 45:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def clean_email(value: str) -> str:
    """Return the email address trimmed, or raise if it cannot be one."""
    value = value.strip()
    if not is_email_address(value):
        raise ValueError(_("Skriv en e-mailadresse, fx kontakt@forening.dk."))
    return value


def clean_postcode(value: str) -> str:
    """Return a Danish postcode (four digits)."""
    value = value.strip()
    if not _POSTCODE.match(value):
        raise ValueError(_("Et postnummer har 4 cifre, fx 7700."))
    return value
