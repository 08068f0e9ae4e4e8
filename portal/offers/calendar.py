"""Calendar files (.ics) for an offer's meetings, readable by phones and Outlook."""

from __future__ import annotations

import datetime as dt

import icalendar
from dateutil import rrule

from portal.offers.models import Service
from portal.offers.schedules import COPENHAGEN, rrule_for

PRODUCT_ID = "-//Faellesskabsportalen//DA"


def _where(service: Service) -> str:
    for sal in service.service_at_locations:
        location = sal.location
        if not location.is_virtual:
            parts = [
                location.name,
                location.address_1,
                " ".join(filter(None, [location.postal_code, location.city])),
            ]
            return ", ".join(p for p in parts if p)
    return "Online"


def offer_calendar(service: Service, offer_url: str, now: dt.datetime) -> bytes:
    """Return an iCalendar file with one recurring event per schedule of the offer."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", service.name)
    for index, schedule in enumerate(service.schedules):
        rule = rrule_for(schedule, now)
        if rule is None:
            continue
        first = rule.after(now - dt.timedelta(days=1))
        if first is None:
            continue
        event = icalendar.Event()
        event.add("uid", f"{service.id}-{index}@faellesskabsportalen")
        event.add("dtstamp", now)
        event.add("summary", service.name)
        event.add("dtstart", first.astimezone(COPENHAGEN))
        closes = (
            schedule.closes_at
            or (dt.datetime.combine(first.date(), first.time()) + dt.timedelta(hours=2)).time()
        )
        event.add("dtend", first.replace(hour=closes.hour, minute=closes.minute))
        event.add("location", _where(service))
        event.add("url", offer_url)
        event.add("description", f"{service.description}\n\n{offer_url}".strip())
        event.add("rrule", _rrule_properties(rule))
        calendar.add_component(event)
    return calendar.to_ical()


def _rrule_properties(rule: rrule.rrule) -> dict:
    text = str(rule).splitlines()[-1].removeprefix("RRULE:")
    return icalendar.vRecur.from_ical(text)
