"""The columns of the CSV template: Danish headings, limits, help for the guide, an example."""

from __future__ import annotations

from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from portal.imports.values import fold


class Column(NamedTuple):
    """One column of the template."""

    heading: str
    max_length: int
    required: bool
    help: LazyString
    example: str


COLUMNS: tuple[Column, ...] = (
    Column(
        "ekstern_id",
        100,
        True,
        _l(
            "Jeres eget nummer eller navn for tilbuddet, fx »thisted-spis-1«. Det skal være "
            "forskelligt for hvert tilbud og må ikke ændres bagefter: portalen genkender "
            "tilbuddet på det, når I importerer igen."
        ),
        "thisted-spis-1",
    ),
    Column(
        "titel",
        200,
        True,
        _l("Tilbuddets navn, som borgerne ser det."),
        "Fællesspisning i Medborgerhuset",
    ),
    Column(
        "beskrivelse",
        5000,
        True,
        _l("Hvad I laver, og hvordan det er at komme. En tom linje i cellen giver et nyt afsnit."),
        "Vi laver mad sammen og spiser ved et langt bord. Alle er velkomne, også "
        "hvis du kommer alene.",
    ),
    Column(
        "aktiviteter",
        500,
        False,
        _l("En eller flere aktivitetstyper, adskilt af semikolon."),
        "Fællesspisning",
    ),
    Column(
        "målgrupper",
        500,
        False,
        _l("En eller flere målgrupper, adskilt af semikolon."),
        "Ældre; Alle",
    ),
    Column(
        "livssituationer",
        500,
        False,
        _l("Livssituationer, tilbuddet især passer til, adskilt af semikolon. Må være tom."),
        "Mistet partner",
    ),
    Column(
        "praktisk",
        500,
        False,
        _l("Praktiske forhold som kørestolsadgang og høreslynge, adskilt af semikolon."),
        "Kørestolsadgang; Ledsager velkommen",
    ),
    Column(
        "gratis",
        20,
        False,
        _l("ja eller nej. Tom betyder gratis, medmindre der står en pris."),
        "nej",
    ),
    Column(
        "pris",
        200,
        False,
        _l("Hvad det koster, fx »40 kr. for maden«. Tom, hvis gratis."),
        "40 kr. for maden",
    ),
    Column(
        "tilmelding",
        2000,
        False,
        _l("Sådan bliver man en del af fællesskabet."),
        "Ring til Karen senest dagen før.",
    ),
    Column(
        "nye_velkommen",
        20,
        False,
        _l("ja eller nej: tager I imod nye deltagere lige nu? Tom betyder ja."),
        "ja",
    ),
    Column("venteliste", 20, False, _l("ja eller nej: er der venteliste? Tom betyder nej."), "nej"),
    Column("ventetid", 200, False, _l("Hvor lang ventetiden er, fx »cirka 2 måneder«."), ""),
    Column("alder_fra", 10, False, _l("Laveste alder i hele år. Tom, hvis alle aldre."), ""),
    Column("alder_til", 10, False, _l("Højeste alder i hele år. Tom, hvis alle aldre."), ""),
    Column("sted", 200, False, _l("Navnet på stedet, fx »Medborgerhuset«."), "Medborgerhuset"),
    Column("adresse", 200, False, _l("Vej og husnummer."), "Skolevej 12"),
    Column(
        "postnummer",
        10,
        False,
        _l("Postnummeret med 4 cifre. Portalen finder stedet på kortet ud fra postnummer og by."),
        "7700",
    ),
    Column("by", 100, False, _l("Byen, fx »Thisted«."), "Thisted"),
    Column("online", 20, False, _l("ja, hvis man kan være med over nettet."), "nej"),
    Column(
        "telefon",
        20,
        False,
        _l(
            "ja, hvis tilbuddet foregår over telefonen. Kontaktens nummer skrives i "
            "kontakt_telefon."
        ),
        "nej",
    ),
    Column("landsdækkende", 20, False, _l("ja, hvis alle i hele landet kan være med."), "nej"),
    Column(
        "tidspunkter",
        500,
        False,
        _l("Hvornår I mødes; flere tidspunkter adskilles af semikolon. Se eksemplerne nedenfor."),
        "tirsdag 17:30-19:30; 1. søndag 12-14",
    ),
    Column("kontakt_navn", 200, False, _l("Navnet på den, man kan kontakte."), "Karen Jensen"),
    Column("kontakt_email", 254, False, _l("Kontaktens e-mailadresse."), "karen@example.dk"),
    Column("kontakt_telefon", 30, False, _l("Kontaktens telefonnummer."), "20 30 40 50"),
    Column(
        "hjemmeside",
        500,
        False,
        _l("Webadresse med mere om tilbuddet."),
        "https://www.example.dk/spisning",
    ),
)


def heading_key(heading: str) -> str:
    """Return the comparison key of a heading: "Kontakt navn" -> "kontakt_navn"."""
    return fold(heading).replace("-", "_").replace(" ", "_")


BY_KEY = {heading_key(column.heading): column for column in COLUMNS}
BY_HEADING = {column.heading: column for column in COLUMNS}
REQUIRED = tuple(column.heading for column in COLUMNS if column.required)
PLACE_COLUMNS = ("sted", "adresse", "postnummer", "by")
REMOTE_COLUMNS = {"online": "online", "telefon": "telefon", "landsdækkende": "landsdaekkende"}
TERM_COLUMNS = {
    "aktiviteter": ("aktivitet", _l("en aktivitet")),
    "målgrupper": ("maalgruppe", _l("en målgruppe")),
    "livssituationer": ("livssituation", _l("en livssituation")),
    "praktisk": ("praktisk", _l("et praktisk forhold")),
}
# Columns that other systems export but that the import decides itself: the
# organisation is the one in the address, and status follows the portal's rules.
DECIDED_BY_THE_PORTAL = frozenset(
    heading_key(name)
    for name in (
        "id", "organisation", "organisation_id", "organization", "organization_id",
        "forening", "forening_id", "status", "published_at", "offentliggjort", "udgivet",
    )
)  # fmt: skip


def column_for(heading: str) -> Column | None:
    """Return the column a heading names, forgiving case, spaces and æ/ø/å spelled out."""
    return BY_KEY.get(heading_key(heading))
