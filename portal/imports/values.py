"""Read the values people type in a spreadsheet: yes/no, ages, dates, terms, contacts."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from portal.organizations.validators import clean_phone, clean_website, international_phone
from portal.taxonomy.models import Taxonomy, TaxonomyTerm
from portal.validation import is_email_address

YES = frozenset({"ja", "j", "yes", "y", "x", "1", "sand", "true"})
NO = frozenset({"nej", "n", "no", "0", "falsk", "false"})
MAX_AGE = 120
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DANISH_DATE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})$")
_FOLDS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})
# A formula as a spreadsheet would run it: "=HYPERLINK(...)", "=SUM(A1)".
_FORMULA = re.compile(r"^=\s*[A-Za-z][A-Za-z0-9._]*\s*\(")


class ValueProblem(ValueError):
    """A cell's value cannot be used; the message says what to write instead."""


def fold(text: str) -> str:
    """Return a comparison key: lower case, æ/ø/å spelled out, dashes and spaces unified."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_FOLDS)
    text = re.sub(r"[\u2010-\u2015]", "-", text)
    return " ".join(text.split()).strip(" .")


def looks_like_formula(text: str) -> bool:
    """Return whether a cell reads like a spreadsheet formula rather than text."""
    return bool(_FORMULA.match(text))


def yes_no(text: str) -> bool:
    """Return True for "ja", False for "nej" (and their common spellings)."""
    key = fold(text)
    if key in YES:
        return True
    if key in NO:
        return False
    raise ValueProblem(_("Skriv ja eller nej, ikke »%(value)s«.", value=text))


def age(text: str) -> int:
    """Return an age in whole years from 0 to 120."""
    if not re.fullmatch(r"\d{1,3}", text.strip()) or int(text) > MAX_AGE:
        raise ValueProblem(
            _("Skriv en alder i hele år fra 0 til 120, ikke »%(value)s«.", value=text)
        )
    return int(text)


def email(text: str) -> str:
    """Return an e-mail address that looks deliverable."""
    value = text.strip()
    if not is_email_address(value):
        raise ValueProblem(
            _("»%(value)s« er ikke en e-mailadresse. Skriv fx navn@forening.dk.", value=text)
        )
    return value


def phone(text: str) -> str:
    """Return a telephone number written the international way, e.g. "+45 20 30 40 50"."""
    try:
        return international_phone(clean_phone(text))
    except ValueError as error:
        raise ValueProblem(
            _("»%(value)s« er ikke et telefonnummer. Skriv fx 20 30 40 50.", value=text)
        ) from error


def website(text: str) -> str:
    """Return a web address starting with http:// or https://; "www.x.dk" gets https://."""
    try:
        return clean_website(text)
    except ValueError as error:
        raise ValueProblem(
            _("»%(value)s« er ikke en webadresse. Skriv fx www.forening.dk.", value=text)
        ) from error


def date(text: str) -> dt.date:
    """Return a date written 31.12.2026, 31-12-2026, 31/12/2026 or 2026-12-31."""
    value = text.strip()
    iso, danish = _ISO_DATE.match(value), _DANISH_DATE.match(value)
    try:
        if iso:
            return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        if danish:
            year = int(danish[3]) + (2000 if len(danish[3]) == 2 else 0)
            return dt.date(year, int(danish[2]), int(danish[1]))
    except ValueError:
        pass
    raise ValueProblem(
        _("»%(value)s« er ikke en dato. Skriv fx 31.12.2026 eller 2026-12-31.", value=text)
    )


def split_list(text: str) -> list[str]:
    """Split a cell of several values at ";" or line breaks, dropping empty parts."""
    return [part.strip() for part in re.split(r"[;\n]", text) if part.strip()]


@dataclass(frozen=True)
class Vocabulary:
    """The portal's terms, found by code or by Danish or English label, case-insensitively."""

    taxonomy_codes: dict[str, str]
    terms: dict[str, dict[str, str]]
    labels: dict[str, dict[str, str]]

    def taxonomy(self, text: str) -> str | None:
        """Return the code of the vocabulary named ``text`` (code, Danish or English name)."""
        return self.taxonomy_codes.get(fold(text))

    def term(self, taxonomy: str, text: str) -> str | None:
        """Return the code of the term ``text`` names in one vocabulary, or None."""
        return self.terms.get(taxonomy, {}).get(fold(text))

    def label(self, taxonomy: str, code: str) -> str:
        """Return a term's Danish label."""
        return self.labels.get(taxonomy, {}).get(code, code)

    def suggestion(self, taxonomy: str, text: str) -> str | None:
        """Return the Danish label of the term closest to ``text``, if one is close."""
        keys = self.terms.get(taxonomy, {})
        found = difflib.get_close_matches(fold(text), list(keys), n=1, cutoff=0.75)
        return self.label(taxonomy, keys[found[0]]) if found else None

    def codes(self, taxonomy: str, text: str, noun: str) -> list[str]:
        """Return the term codes of a cell like "Ældre; unge"; raise for any unknown value.

        ``noun`` names what the vocabulary holds ("en målgruppe") in messages.
        """
        found: list[str] = []
        for part in split_list(text):
            code = self.term(taxonomy, part)
            pieces = [part]
            if code is None and "," in part:
                # Commas separate values too, as long as no label holds one.
                pieces = [p.strip() for p in part.split(",") if p.strip()]
                codes = [self.term(taxonomy, p) for p in pieces]
                if all(codes):
                    found += [c for c in codes if c]
                    continue
            if code is None:
                unknown = next(p for p in pieces if self.term(taxonomy, p) is None)
                raise ValueProblem(self._unknown(taxonomy, unknown, noun))
            found.append(code)
        return list(dict.fromkeys(found))

    def _unknown(self, taxonomy: str, text: str, noun: str) -> str:
        """Return the message for an unknown term, with the closest known one if any."""
        guess = self.suggestion(taxonomy, text)
        if guess:
            return _(
                "»%(value)s« er ikke %(noun)s, portalen kender. Mente du »%(guess)s«?",
                value=text,
                noun=noun,
                guess=guess,
            )
        return _(
            "»%(value)s« er ikke %(noun)s, portalen kender. Se de tilladte værdier i vejledningen.",
            value=text,
            noun=noun,
        )


def load_vocabulary(session: so.Session) -> Vocabulary:
    """Return the active terms of every vocabulary, keyed for lookups."""
    taxonomy_codes: dict[str, str] = {}
    for taxonomy in session.scalars(sa.select(Taxonomy)):
        for name in (taxonomy.code, taxonomy.name, taxonomy.name_en):
            taxonomy_codes.setdefault(fold(name), taxonomy.code)
    terms: dict[str, dict[str, str]] = {}
    labels: dict[str, dict[str, str]] = {}
    rows = session.execute(
        sa.select(Taxonomy.code, TaxonomyTerm)
        .join(TaxonomyTerm.taxonomy)
        .where(TaxonomyTerm.is_active)
        .order_by(Taxonomy.code, TaxonomyTerm.position)
    )
    for taxonomy_code, term in rows:
        keys = terms.setdefault(taxonomy_code, {})
        for name in (term.code, term.name, term.name_en):
            keys.setdefault(fold(name), term.code)
        labels.setdefault(taxonomy_code, {})[term.code] = term.name
    return Vocabulary(taxonomy_codes, terms, labels)
