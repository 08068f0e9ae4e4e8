"""Read and describe HSDS/iCal schedules, e.g. BYDAY "TU", "2TU" or "-1FR"."""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple
from zoneinfo import ZoneInfo

from dateutil import rrule
from dateutil.relativedelta import relativedelta
from flask_babel import format_date
from flask_babel import gettext as _

from portal.offers.models import Frequency, Schedule

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_BYDAY_ITEM = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")


class ByDay(NamedTuple):
    """One BYDAY item: a weekday (0 = Monday) and, for monthly rules, which one (-1 = last)."""

    weekday: int
    ordinal: int | None


class ScheduleError(ValueError):
    """A schedule rule is not valid."""


def parse_byday(value: str | None) -> list[ByDay]:
    """Parse a BYDAY list such as "MO,WE" or "2TU"; raise ScheduleError when it is malformed."""
    if not value:
        return []
    items: list[ByDay] = []
    for raw in value.upper().replace(" ", "").split(","):
        match = _BYDAY_ITEM.match(raw)
        if not match:
            raise ScheduleError(f"invalid BYDAY item: {raw!r}")
        ordinal = int(match.group(1)) if match.group(1) else None
        items.append(ByDay(WEEKDAY_CODES.index(match.group(2)), ordinal))
    return items


def weekday_name(index: int) -> str:
    """Return the Danish name of a weekday, Monday being 0."""
    names = (
        _("mandag"),
        _("tirsdag"),
        _("onsdag"),
        _("torsdag"),
        _("fredag"),
        _("lørdag"),
        _("søndag"),
    )
    return names[index]


def _ordinal_name(ordinal: int) -> str:
    names = {
        1: _("første"),
        2: _("anden"),
        3: _("tredje"),
        4: _("fjerde"),
        5: _("femte"),
        -1: _("sidste"),
    }
    return names.get(ordinal, _("sidste") if ordinal < 0 else _("femte"))


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return _("%(first)s og %(last)s", first=", ".join(parts[:-1]), last=parts[-1])


def is_one_off(schedule: Schedule) -> bool:
    """Return whether the schedule is a single meeting: a rule that starts and ends the same day.

    A one-off date is stored as a weekly rule on that date's weekday with
    ``dtstart == until``, so calendars, the API and search read it unchanged.
    """
    return (
        schedule.freq is not None
        and schedule.dtstart is not None
        and schedule.dtstart == schedule.until
    )


def describe(schedule: Schedule) -> str:
    """Describe when a schedule meets in plain words, e.g. "Hver tirsdag kl. 14.00–16.00"."""
    days = parse_byday(schedule.byday)
    if is_one_off(schedule):
        text = format_date(schedule.dtstart, _("EEEE d. MMMM y"))
        text = text[:1].upper() + text[1:]
    elif schedule.freq is Frequency.MONTHLY and days:
        when = _join(
            [
                _(
                    "%(ordinal)s %(weekday)s",
                    ordinal=_ordinal_name(d.ordinal or 1),
                    weekday=weekday_name(d.weekday),
                )
                for d in days
            ]
        )
        text = _("Den %(when)s i måneden", when=when)
    elif schedule.freq is Frequency.WEEKLY and days:
        when = _join([weekday_name(d.weekday) for d in days])
        if (schedule.interval or 1) > 1:
            text = _("Hver %(n)d. uge %(when)s", n=schedule.interval, when=when)
        else:
            text = _("Hver %(when)s", when=when)
    else:
        text = schedule.description or _("Efter aftale")
        return text
    if schedule.opens_at and schedule.closes_at:
        text = _(
            "%(when)s kl. %(opens)s–%(closes)s",
            when=text,
            opens=schedule.opens_at.strftime("%H.%M"),
            closes=schedule.closes_at.strftime("%H.%M"),
        )
    elif schedule.opens_at:
        text = _("%(when)s kl. %(opens)s", when=text, opens=schedule.opens_at.strftime("%H.%M"))
    return text


COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def rrule_for(schedule: Schedule, after: dt.datetime) -> rrule.rrule | None:
    """Return the recurrence of ``schedule`` as a dateutil rule, or None if it has none."""
    if schedule.freq is None or not schedule.byday:
        return None
    try:
        days = parse_byday(schedule.byday)
    except ScheduleError:
        return None
    weekdays = [
        rrule.weekday(d.weekday, d.ordinal if schedule.freq is Frequency.MONTHLY else None)
        for d in days
    ]
    first_day = schedule.dtstart or schedule.valid_from or after.astimezone(COPENHAGEN).date()
    interval = schedule.interval or 1
    start_date = _skip_ahead(
        first_day, after.astimezone(COPENHAGEN).date(), schedule.freq, interval
    )
    dtstart = dt.datetime.combine(start_date, schedule.opens_at or dt.time(0, 0), tzinfo=COPENHAGEN)
    ends = [d for d in (schedule.until, schedule.valid_to) if d]
    until = dt.datetime.combine(min(ends), dt.time(23, 59), tzinfo=COPENHAGEN) if ends else None
    freq = rrule.WEEKLY if schedule.freq is Frequency.WEEKLY else rrule.MONTHLY
    return rrule.rrule(freq, dtstart=dtstart, interval=interval, byweekday=weekdays, until=until)


def _skip_ahead(start: dt.date, today: dt.date, freq: Frequency, interval: int) -> dt.date:
    """Move a rule's start forward by whole periods to just before ``today``.

    The rule keeps its phase (every other week stays on the same weeks), and
    finding the next meeting no longer walks through years of past ones.
    """
    if start >= today:
        return start
    if freq is Frequency.WEEKLY:
        period = 7 * interval
        return start + dt.timedelta(days=(today - start).days // period * period)
    months = (today.year - start.year) * 12 + today.month - start.month
    steps = months // interval
    if steps == 0:
        return start
    return start.replace(day=1) + relativedelta(months=steps * interval)


def next_meetings(
    schedules: list[Schedule], after: dt.datetime, count: int = 5
) -> list[tuple[dt.datetime, dt.datetime | None]]:
    """Return the next ``count`` meetings (start, end) after ``after``, in Danish time."""
    found: list[tuple[dt.datetime, dt.datetime | None]] = []
    for schedule in schedules:
        rule = rrule_for(schedule, after)
        if rule is None:
            continue
        start = after
        for _step in range(count):
            occurrence = rule.after(start)
            if occurrence is None:
                break
            end = None
            if schedule.closes_at:
                end = occurrence.replace(
                    hour=schedule.closes_at.hour, minute=schedule.closes_at.minute
                )
            found.append((occurrence, end))
            start = occurrence
    return sorted(found, key=lambda pair: pair[0])[:count]
