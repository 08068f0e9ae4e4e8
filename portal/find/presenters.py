"""Shape search hits for the page and the JSON endpoint alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import url_for
from flask_babel import format_datetime, format_decimal
from flask_babel import gettext as _

from search import Hit

BADGE_FEATURES = ("gratis", "koerestolsadgang", "drop-in", "online", "telefon", "landsdaekkende")


def distance_text(distance_km: float | None) -> str:
    """Return a distance as people say it: "350 m", "1,2 km", "14 km"."""
    if distance_km is None:
        return ""
    if distance_km < 1:
        return _("%(metres)s m", metres=format_decimal(round(distance_km * 1000, -1), "#,##0"))
    if distance_km < 10:
        return _("%(km)s km", km=format_decimal(distance_km, "#,##0.0"))
    return _("%(km)s km", km=format_decimal(round(distance_km), "#,##0"))


def meeting_text(moment: dt.datetime | None) -> str:
    """Return e.g. "tirsdag 1. december kl. 14.00" in the visitor's language."""
    if moment is None:
        return ""
    return format_datetime(moment, _("EEEE d. MMMM 'kl.' HH.mm"))


def present_hit(hit: Hit, labels: dict[str, str]) -> dict[str, Any]:
    """Return what a result shows: title, link, distance, next meeting, badges."""
    document = hit.document
    next_meeting = document.get("next_meeting")
    moment = dt.datetime.fromtimestamp(next_meeting, dt.UTC) if next_meeting else None
    features = set(document.get("feature") or [])
    if document.get("is_free"):
        features.add("gratis")
    badges = [
        {"code": code, "label": labels.get(code, code)}
        for code in BADGE_FEATURES
        if code in features
    ]
    return {
        "id": hit.id,
        "title": document.get("title", ""),
        "url": url_for("offers.show_offer", offer_id=hit.id),
        "organization": document.get("organization", ""),
        "city": document.get("city", ""),
        "is_remote": hit.is_remote,
        "distance_km": round(hit.distance_km, 2) if hit.distance_km is not None else None,
        "distance_text": distance_text(hit.distance_km),
        "next_meeting": moment.isoformat() if moment else None,
        "next_meeting_text": meeting_text(moment),
        "badges": badges,
        "lat": document.get("lat"),
        "lon": document.get("lon"),
        "highlights": hit.highlights,
    }
