"""How fresh an offer's information is, from the date it was last confirmed."""

from __future__ import annotations

import datetime as dt
import enum

from flask import current_app

from portal.db import utcnow
from portal.offers.models import Service


class Freshness(enum.StrEnum):
    """Where an offer stands: confirmed recently, due for confirmation, or hidden from search."""

    FRESH = "fresh"
    DUE = "due"
    HIDDEN = "hidden"
    UNCONFIRMED = "unconfirmed"


def remind_before() -> dt.datetime:
    """Return the time before which a confirmation makes an offer due for a reminder."""
    return utcnow() - dt.timedelta(days=current_app.config["OFFER_REMIND_AFTER_DAYS"])


def hide_before() -> dt.datetime:
    """Return the time before which a confirmation no longer keeps an offer in search."""
    return utcnow() - dt.timedelta(days=current_app.config["OFFER_HIDE_AFTER_DAYS"])


def freshness(service: Service) -> Freshness:
    """Return how fresh the offer is."""
    confirmed = service.last_confirmed_at
    if confirmed is None:
        return Freshness.UNCONFIRMED
    if confirmed < hide_before():
        return Freshness.HIDDEN
    if confirmed < remind_before():
        return Freshness.DUE
    return Freshness.FRESH


def hidden_on(service: Service) -> dt.date | None:
    """Return the day the offer leaves search unless confirmed first."""
    if service.last_confirmed_at is None:
        return None
    days = current_app.config["OFFER_HIDE_AFTER_DAYS"]
    return (service.last_confirmed_at + dt.timedelta(days=days)).date()
