"""Read one row of the CSV template into an offer, reporting each problem under its column.

A column missing from the file leaves that part of an existing offer as it
is; a column that is there but empty means "nothing" (or the default).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from flask_babel import gettext as _

from portal.imports.columns import BY_HEADING, PLACE_COLUMNS, REMOTE_COLUMNS, TERM_COLUMNS
from portal.imports.report import OfferData, ParsedFile, PlaceData, Problem
from portal.imports.schedule_text import parse_times
from portal.imports.values import (
    ValueProblem,
    Vocabulary,
    age,
    email,
    looks_like_formula,
    phone,
    website,
    yes_no,
)
from portal.offers.editor_places import wanted_virtual_names

_POSTAL_CODE = re.compile(r"^\d{4}$")
T = TypeVar("T")


class RowReader:
    """Read one row's cells into an offer, reporting problems under the row and column."""

    def __init__(
        self, row: int, values: dict[str, str], vocabulary: Vocabulary, parsed: ParsedFile
    ) -> None:
        """Start reading row ``row``; problems go to ``parsed``."""
        self.row, self.values, self.vocabulary, self.parsed = row, values, vocabulary, parsed
        self.failed = False

    def error(self, column: str, message: str) -> None:
        """Report an error in ``column``; the row will not be imported."""
        self.failed = True
        self.parsed.errors.append(Problem(self.row, column, message))

    def has(self, column: str) -> bool:
        """Return whether the file has the column at all."""
        return column in self.values

    def text(self, column: str, *, required: bool = False) -> str | None:
        """Return a cell's text within the column's length, or None when empty."""
        value = self.values.get(column, "")
        spec = BY_HEADING[column]
        if not value:
            if required:
                self.error(column, _("Skal udfyldes."))
            return None
        if len(value) > spec.max_length:
            self.error(
                column,
                _(
                    "Teksten er %(length)d tegn lang; der er plads til %(limit)d. Gør den kortere.",
                    length=len(value),
                    limit=spec.max_length,
                ),
            )
            return None
        if looks_like_formula(value):
            self.parsed.warnings.append(
                Problem(
                    self.row,
                    column,
                    _("Cellen ligner en regnearksformel. Den er gemt som almindelig tekst."),
                )
            )
        return value

    def parsed_value(self, column: str, parse: Callable[[str], T]) -> T | None:
        """Return a cell read by ``parse``, or None when empty or unreadable."""
        value = self.text(column)
        if value is None:
            return None
        try:
            return parse(value)
        except ValueProblem as problem:
            self.error(column, str(problem))
            return None

    def conflict(self, code: str) -> str:
        """Return the message for a "nej" that contradicts a practical feature listed."""
        return _(
            "Der står nej her, men »%(term)s« står under praktisk. Ret den ene.",
            term=self.vocabulary.label("praktisk", code),
        )

    def offer(self) -> OfferData | None:
        """Return the row as an offer, or None when it has errors."""
        external_id = self.text("ekstern_id", required=True)
        title = self.text("titel", required=True)
        offer = OfferData(self.row, external_id or "", title or "", place_column="postnummer")
        offer.fields["name"] = title
        offer.fields["description"] = self.text("beskrivelse", required=True) or ""
        if self.has("tilmelding"):
            offer.fields["how_to_join"] = self.text("tilmelding") or ""
        if self.has("hjemmeside"):
            offer.fields["url"] = self.parsed_value("hjemmeside", website)
        self.terms(offer)
        self.price(offer)
        self.membership(offer)
        self.ages(offer)
        self.places(offer)
        if self.has("tidspunkter"):
            offer.schedules = self.parsed_value("tidspunkter", parse_times) or []
        self.contact(offer)
        return None if self.failed else offer

    def price(self, offer: OfferData) -> None:
        """Read gratis and pris: free unless a price is given."""
        listed_free = "gratis" in offer.terms.get("praktisk", [])
        if not (self.has("gratis") or self.has("pris")):
            if listed_free:
                offer.fields |= {"is_free": True, "price_text": None}
            return
        free, price = self.parsed_value("gratis", yes_no), self.text("pris")
        if free is True and price:
            self.error(
                "pris", _("Tilbuddet står som gratis. Fjern prisen, eller skriv nej i gratis.")
            )
        elif free is False and not price:
            self.error("pris", _("Skriv hvad det koster, når tilbuddet ikke er gratis."))
        elif listed_free and (free is False or price):
            self.error("praktisk", _("»Gratis« står under praktisk, men tilbuddet har en pris."))
        is_free = free if free is not None else not price
        offer.fields["is_free"] = is_free
        offer.fields["price_text"] = None if is_free else price
        offer.feature_toggles["gratis"] = is_free

    def membership(self, offer: OfferData) -> None:
        """Read whether newcomers are welcome and about a waiting list."""
        # "Vært tager imod nye" follows whether newcomers are welcome, as in the editor.
        listed_host = "vaert" in offer.terms.get("praktisk", [])
        if self.has("nye_velkommen"):
            welcome = self.parsed_value("nye_velkommen", yes_no) is not False
            if listed_host and not welcome:
                self.error("nye_velkommen", self.conflict("vaert"))
            offer.fields["is_newcomer_welcome"] = welcome
            offer.feature_toggles["vaert"] = welcome
        elif listed_host:
            offer.fields["is_newcomer_welcome"] = True
        if not (self.has("venteliste") or self.has("ventetid")):
            return
        waiting, wait_text = self.parsed_value("venteliste", yes_no), self.text("ventetid")
        if waiting is False and wait_text:
            self.error(
                "ventetid", _("Der står nej i venteliste. Fjern ventetiden, eller skriv ja.")
            )
        offer.fields["has_waiting_list"] = bool(waiting or (waiting is None and wait_text))
        offer.fields["waiting_list_text"] = wait_text

    def ages(self, offer: OfferData) -> None:
        """Read the age range."""
        for column, name in (("alder_fra", "minimum_age"), ("alder_til", "maximum_age")):
            if self.has(column):
                offer.fields[name] = self.parsed_value(column, age)
        low, high = offer.fields.get("minimum_age"), offer.fields.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.error("alder_til", _("Den højeste alder er lavere end den laveste."))

    def terms(self, offer: OfferData) -> None:
        """Read the vocabulary columns and the online/telefon/landsdækkende switches."""
        for column, (taxonomy, noun) in TERM_COLUMNS.items():
            if self.has(column):
                value = self.text(column) or ""
                try:
                    offer.terms[taxonomy] = self.vocabulary.codes(taxonomy, value, str(noun))
                except ValueProblem as problem:
                    self.error(column, str(problem))
        for column, code in REMOTE_COLUMNS.items():
            if not self.has(column):
                continue
            value = self.parsed_value(column, yes_no)
            if value is None and "praktisk" in offer.terms:
                continue  # an empty cell leaves it to the praktisk column
            offer.feature_toggles[code] = bool(value)
            if value is False and code in offer.terms.get("praktisk", []):
                self.error(column, self.conflict(code))

    def places(self, offer: OfferData) -> None:
        """Read where the offer happens: an address, and/or online, by phone, nationwide."""
        has_address_columns = any(self.has(c) for c in PLACE_COLUMNS)
        if not has_address_columns and not any(self.has(c) for c in REMOTE_COLUMNS):
            return
        remote = [
            code
            for code in REMOTE_COLUMNS.values()
            if offer.feature_toggles.get(code, code in offer.terms.get("praktisk", []))
        ]
        offer.places = []
        offer.keep_physical_places = not has_address_columns
        name, address = self.text("sted"), self.text("adresse")
        postal_code, city = self.text("postnummer"), self.text("by")
        if postal_code or city or address:
            if postal_code is None:
                self.error("postnummer", _("Skriv postnummeret (4 cifre)."))
            elif not _POSTAL_CODE.match(postal_code):
                self.error(
                    "postnummer",
                    _("»%(value)s« er ikke et postnummer. Skriv 4 cifre.", value=postal_code),
                )
            if city is None:
                self.error("by", _("Skriv byen."))
            offer.places.append(PlaceData(False, name, address, postal_code, city))
        # Online, by phone and nationwide are places of their own, named as the editor names them.
        for virtual_name in wanted_virtual_names(remote, bool(offer.places)):
            offer.places.append(PlaceData(is_virtual=True, name=virtual_name))
        if has_address_columns and not offer.places:
            self.error(
                "postnummer",
                _(
                    "Skriv hvor tilbuddet foregår: postnummer og by – eller ja i online, "
                    "telefon eller landsdækkende."
                ),
            )

    def contact(self, offer: OfferData) -> None:
        """Read the contact person and the phone number."""
        if self.has("kontakt_navn") or self.has("kontakt_email"):
            name = self.text("kontakt_navn")
            address = self.parsed_value("kontakt_email", email)
            offer.contacts = [{"name": name, "email": address}] if name or address else []
        if self.has("kontakt_telefon"):
            number = self.parsed_value("kontakt_telefon", phone)
            offer.phones = [number] if number else []
