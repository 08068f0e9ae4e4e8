"""Read meeting times as people write them: "tirsdag 14:00-16:00", "2. tirsdag 10-12".

One cell holds up to ``MAX_SCHEDULES`` times separated by ";" or line breaks.
Each becomes the fields of one ``Schedule``: weekly or monthly (HSDS/iCal
BYDAY), a single date (a weekly rule with ``dtstart == until``, as
``schedules.is_one_off`` reads it), or a plain "efter aftale" without a rule.
Anything the reader does not recognise is an error that quotes it, so nothing
is silently guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask_babel import gettext as _

from portal.imports.values import ValueProblem, date, fold, split_list
from portal.offers.models import Frequency
from portal.offers.schedules import WEEKDAY_CODES

MAX_SCHEDULES = 5

_DAY_NAMES = {
    0: ("mandag", "man"),
    1: ("tirsdag", "tir", "tirs"),
    2: ("onsdag", "ons"),
    3: ("torsdag", "tor", "tors"),
    4: ("fredag", "fre"),
    5: ("lørdag", "lør", "loerdag", "lordag", "loer", "lor"),
    6: ("søndag", "søn", "soendag", "sondag", "soen", "son"),
}
WEEKDAYS = {
    fold(name) + suffix: day
    for day, names in _DAY_NAMES.items()
    for name in names
    for suffix in ("", "e", "en")
    if not (suffix and len(name) <= 4)
}
# As ``fold`` spells them ("første" -> "foerste").
ORDINALS = {
    "1.": 1, "foerste": 1, "forste": 1,
    "2.": 2, "anden": 2, "andet": 2,
    "3.": 3, "tredje": 3,
    "4.": 4, "fjerde": 4,
    "5.": 5, "femte": 5,
    "sidste": -1,
}  # fmt: skip
_FILLERS = {"hver", "hvert", "uge", "ugen", "den", "d", "kl", "og", "samt", "alle", "om", "fra"}
_DATE = r"(?<!\d)(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}(?P<sep>[./-])\d{1,2}(?P=sep)(?:\d{4}|\d{2}))(?!\d)"
_DATED = re.compile(rf"\b(fra og med|til og med|fra|til|indtil)\s+{_DATE}")
_LONE_DATE = re.compile(_DATE)
_TIME = r"(?:kl\.?\s*)?(\d{1,2})(?:[:.](\d{2}))?"
_RANGE = re.compile(rf"{_TIME}\s*(?:-|til)\s*{_TIME}(?![\d.:])")
_START = re.compile(
    r"(?:\bkl\.?\s*|\bfra\s+)(\d{1,2})(?:[:.](\d{2}))?(?![\d.])|\b(\d{1,2})[:.](\d{2})\b"
)
_EVERY_NTH_WEEK = re.compile(r"\bhver\s+(anden|2\.|3\.|tredje|4\.|fjerde)\s+(uge\b)?")
_IN_THE_MONTH = re.compile(r"\b(i|om|hver)\s+m(aa|å)ned(en)?\b")
_BY_AGREEMENT = {"efter aftale", "efter behov", "aftales"}


def parse_times(text: str) -> list[dict[str, Any]]:
    """Return Schedule fields for each meeting time in a cell; raise ValueProblem if unclear."""
    items = split_list(text)
    if len(items) > MAX_SCHEDULES:
        raise ValueProblem(_("Skriv højst %(count)d tidspunkter i én celle.", count=MAX_SCHEDULES))
    return [_parse_one(item) for item in items]


def _empty() -> dict[str, Any]:
    """Return the fields of a schedule that says nothing yet."""
    fields: dict[str, Any] = dict.fromkeys(
        ("freq", "byday", "bymonthday", "opens_at", "closes_at", "dtstart", "until"), None
    )
    return fields | {"interval": 1, "valid_from": None, "valid_to": None, "description": None}


def _parse_one(item: str) -> dict[str, Any]:
    """Return the Schedule fields of one meeting time, e.g. 2. tirsdag 10-12."""
    fields = _empty()
    text = fold(item)
    if text in _BY_AGREEMENT:
        return fields | {"description": _("Efter aftale")}
    text = _take_dates(text, item, fields)
    text = _take_times(text, item, fields)
    monthly = bool(_IN_THE_MONTH.search(text))
    text = _IN_THE_MONTH.sub(" ", text)
    every = _EVERY_NTH_WEEK.search(text)
    if every and not monthly:
        fields["interval"] = ORDINALS[every[1]]
        text = text[: every.start()] + " " + text[every.end() :]
    days, ordinals = _take_days(text, item)
    if fields["dtstart"] is not None:
        return _one_off(fields, days, ordinals, item)
    if not days:
        raise ValueProblem(_("Skriv en ugedag i »%(item)s«, fx »tirsdag 14:00-16:00«.", item=item))
    if ordinals and len(ordinals) != len(days):
        raise ValueProblem(
            _(
                "Skriv enten ugedage (»tirsdag«) eller dage i måneden (»2. tirsdag«) i "
                "»%(item)s«, ikke begge dele.",
                item=item,
            )
        )
    if ordinals:
        fields["freq"] = Frequency.MONTHLY
        pairs = zip(ordinals, days, strict=True)
        fields["byday"] = ",".join(f"{n}{WEEKDAY_CODES[d]}" for n, d in pairs)
    else:
        fields["freq"] = Frequency.WEEKLY
        ordered = sorted(set(days))
        fields["byday"] = ",".join(WEEKDAY_CODES[d] for d in ordered)
    if fields["interval"] > 1 and fields["valid_from"] is None:
        raise ValueProblem(
            _("Skriv hvornår der er møde første gang, fx »hver anden tirsdag 14-16 fra 6.1.2026«.")
        )
    if fields["interval"] > 1:
        fields["dtstart"] = fields["valid_from"]
    return fields


def _one_off(
    fields: dict[str, Any], days: list[int], ordinals: list[int], item: str
) -> dict[str, Any]:
    """Return a single meeting on its date's weekday; refuse a weekday that does not match."""
    day: dt.date = fields["dtstart"]
    if ordinals or fields["interval"] > 1 or any(d != day.weekday() for d in days):
        raise ValueProblem(
            _(
                "Datoen i »%(item)s« passer ikke med ugedagen. Skriv fx »lørdag 12.9.2026 "
                "10-14« eller bare »12.9.2026 10-14«.",
                item=item,
            )
        )
    return fields | {"freq": Frequency.WEEKLY, "byday": WEEKDAY_CODES[day.weekday()]}


def _take_dates(text: str, item: str, fields: dict[str, Any]) -> str:
    """Take "fra"/"til" dates as the period, and a lone date as a single meeting."""
    for match in _DATED.finditer(text):
        day = date(match[2])
        fields["valid_from" if match[1].startswith("fra") else "valid_to"] = day
    text = _DATED.sub(" ", text)
    lone = list(_LONE_DATE.finditer(text))
    if len(lone) > 1:
        raise ValueProblem(
            _(
                "Skriv én dato pr. tidspunkt i »%(item)s«, eller »fra« og »til« om en periode.",
                item=item,
            )
        )
    if lone:
        # A single meeting is a weekly rule that starts and ends on its day.
        fields["dtstart"] = fields["until"] = date(lone[0][1])
        text = _LONE_DATE.sub(" ", text)
    start, end = fields["valid_from"], fields["valid_to"]
    if start and end and end < start:
        raise ValueProblem(_("Slutdatoen kommer før startdatoen i »%(item)s«.", item=item))
    return text


def _clock(hours: str, minutes: str | None, item: str) -> dt.time:
    """Return a time of day, refusing 25:00 and the like."""
    hour, minute = int(hours), int(minutes or 0)
    if hour > 23 or minute > 59:
        clock = f"{hours}:{minutes or '00'}"
        raise ValueProblem(_("%(time)s er ikke et klokkeslæt i »%(item)s«.", time=clock, item=item))
    return dt.time(hour, minute)


def _take_times(text: str, item: str, fields: dict[str, Any]) -> str:
    """Take the opening and closing time out of ``text`` into ``fields``."""
    span = _RANGE.search(text)
    if span:
        opens, closes = _clock(span[1], span[2], item), _clock(span[3], span[4], item)
        if closes <= opens:
            raise ValueProblem(
                _("Sluttidspunktet skal være efter starttidspunktet i »%(item)s«.", item=item)
            )
        fields["opens_at"], fields["closes_at"] = opens, closes
        return text[: span.start()] + " " + text[span.end() :]
    start = _START.search(text)
    if start:
        hours, minutes = (start[1], start[2]) if start[1] else (start[3], start[4])
        fields["opens_at"] = _clock(hours, minutes, item)
        return text[: start.start()] + " " + text[start.end() :]
    return text


def _take_days(text: str, item: str) -> tuple[list[int], list[int]]:
    """Return the weekdays of ``text`` and, for "2. tirsdag", their ordinals."""
    words = re.sub(r"[,&+/]", " ", text).replace("(", " ").replace(")", " ").split()
    days: list[int] = []
    ordinals: list[int] = []
    # "1. og 3. tirsdag": ordinals wait for the weekday that follows them.
    pending: list[int] = []
    for word in words:
        key = word if word.endswith(".") and word[:-1].isdigit() else word.strip(".")
        if key in ORDINALS:
            pending.append(ORDINALS[key])
        elif key in WEEKDAYS:
            for ordinal in pending or [None]:
                days.append(WEEKDAYS[key])
                if ordinal is not None:
                    ordinals.append(ordinal)
            pending = []
        elif key in _FILLERS:
            continue
        else:
            raise ValueProblem(
                _(
                    "Vi forstår ikke »%(word)s« i »%(item)s«. Skriv fx »tirsdag 14:00-16:00« "
                    "eller »2. tirsdag 10-12«.",
                    word=word,
                    item=item,
                )
            )
    if pending:
        raise ValueProblem(
            _("Skriv ugedagen efter nummeret i »%(item)s«, fx »2. tirsdag«.", item=item)
        )
    return days, ordinals
