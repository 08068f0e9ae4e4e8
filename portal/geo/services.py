"""Seed regions and municipalities from the built-in reference list."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.geo.models import Municipality, Region
from portal.geo.municipalities import MUNICIPALITIES, REGIONS


def seed_places(session: so.Session) -> int:
    """Insert or update the 5 regions and 98 municipalities; return how many were added."""
    regions = {r.code: r for r in session.scalars(sa.select(Region))}
    for info in REGIONS:
        region = regions.get(info.code)
        if region is None:
            session.add(Region(code=info.code, name=info.name, name_en=info.name_en))
        else:
            region.name, region.name_en = info.name, info.name_en
    session.flush()
    municipalities = {m.code: m for m in session.scalars(sa.select(Municipality))}
    added = 0
    for info in MUNICIPALITIES:
        municipality = municipalities.get(info.code)
        if municipality is None:
            municipality = Municipality(code=info.code)
            session.add(municipality)
            added += 1
        municipality.name = info.name
        municipality.region_code = info.region_code
        municipality.population = info.population
        municipality.latitude = info.seat_lat
        municipality.longitude = info.seat_lon
    session.flush()
    return added


def all_municipalities(session: so.Session) -> list[Municipality]:
    """Return every municipality sorted by name, as Danish readers sort."""
    return sorted(session.scalars(sa.select(Municipality)), key=lambda m: danish_sort_key(m.name))


_DANISH_ORDER = {"æ": "{", "ø": "|", "å": "}"}


def danish_sort_key(text: str) -> str:
    """Sort key that puts æ, ø, å after z, as in Danish."""
    lowered = text.lower().replace("aa", "å")
    return "".join(_DANISH_ORDER.get(ch, ch) for ch in lowered)
