"""Where an offer happens: find typed addresses on the map and keep the offer's places.

A physical place gets its point from the address (the geocoder: cache, then the
offline gazetteer at postcode or town precision, then an online geocoder when
one is configured) unless the volunteer set the point on the map or typed it.
The whole offer can also be online, by phone or nationwide; those are virtual
places named as the demo data and imports name them.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.demo.places import haversine_km
from portal.geo.geocoding import geocode
from portal.geo.municipalities import MUNICIPALITIES
from portal.offers.models import Location, LocationType, Service, ServiceAtLocation

logger = logging.getLogger(__name__)

# The rough box the editor accepts for a typed or dragged point.
LATITUDE_RANGE = (54.5, 57.8)
LONGITUDE_RANGE = (8.0, 15.2)
# An online geocoder may take a second for its turn and GEOCODER_TIMEOUT for
# the answer; past this many seconds in one save, only the offline gazetteer is asked.
ONLINE_BUDGET_SECONDS = 6.0
# Virtual places, as the demo data and imports name them (stored data, not UI text).
VIRTUAL_NAMES = {"online": "Online", "telefon": "Telefon", "landsdaekkende": "Hele landet"}


@dataclass
class PlaceInput:
    """A physical place as typed in the editor, and the point found for it."""

    location_id: uuid.UUID | None
    name: str
    address: str
    postal_code: str
    city: str
    latitude: float | None = None
    longitude: float | None = None
    # "lat,lon|address key" of the point last found automatically for an address.
    auto_point: str = ""
    municipality_code: str | None = None

    @property
    def address_key(self) -> str:
        """Return the address in a form that changes only when the address does."""
        parts = (self.address, self.postal_code, self.city)
        return " ".join(" ".join(parts).lower().split())

    @property
    def postal_text(self) -> str:
        """Return "7700 Thisted"."""
        return f"{self.postal_code} {self.city}".strip()


def point_text(latitude: float, longitude: float) -> str:
    """Return a point as the editor writes it into its coordinate fields."""
    return f"{latitude:.6f},{longitude:.6f}"


def auto_point_for(place: PlaceInput) -> str:
    """Return the marker saying the place's point was found for its current address."""
    if place.latitude is None or place.longitude is None:
        return ""
    return f"{point_text(place.latitude, place.longitude)}|{place.address_key}"


def _found_automatically_for_other_address(place: PlaceInput) -> bool:
    """Return whether the point is an old automatic one and the address has changed since."""
    point, _, key = place.auto_point.partition("|")
    if not point or place.latitude is None or place.longitude is None:
        return False
    same_point = point == point_text(place.latitude, place.longitude)
    return same_point and key != place.address_key


def nearest_municipality(latitude: float, longitude: float) -> str:
    """Return the code of the municipality whose seat is nearest to the point."""
    nearest = min(
        MUNICIPALITIES, key=lambda m: haversine_km(latitude, longitude, m.seat_lat, m.seat_lon)
    )
    return nearest.code


def _offline(config: Mapping[str, Any]) -> dict[str, Any]:
    return {**config, "GEOCODER": "offline"}


def locate_places(
    session: so.Session, places: list[PlaceInput], config: Mapping[str, Any]
) -> list[int]:
    """Give each place a point and a municipality; return the positions of places not found.

    A point the volunteer set (dragged or typed) is kept. A point found
    automatically for an address that has since changed is looked up again.
    """
    deadline = time.monotonic() + ONLINE_BUDGET_SECONDS
    not_found: list[int] = []
    for position, place in enumerate(places):
        if _found_automatically_for_other_address(place):
            place.latitude = place.longitude = None
        settings = config if time.monotonic() < deadline else _offline(config)
        if place.latitude is not None and place.longitude is not None:
            # The municipality still comes from the postcode when it is known.
            found = geocode(session, place.postal_text, config=_offline(config))
            place.municipality_code = (found.municipality_code if found else None) or (
                nearest_municipality(place.latitude, place.longitude)
            )
            continue
        found = None
        if settings.get("GEOCODER") != "offline" and place.address:
            # Only an online geocoder knows street addresses; offline, the postcode decides.
            found = geocode(session, f"{place.address}, {place.postal_text}", config=settings)
        found = found or geocode(session, place.postal_text, config=_offline(config))
        if found is None:
            not_found.append(position)
            continue
        place.latitude, place.longitude = round(found.lat, 6), round(found.lon, 6)
        place.municipality_code = found.municipality_code or nearest_municipality(
            found.lat, found.lon
        )
        place.auto_point = auto_point_for(place)
    return not_found


def _other_services_use(session: so.Session, location: Location, service: Service) -> bool:
    count = session.scalar(
        sa.select(sa.func.count())
        .select_from(ServiceAtLocation)
        .where(
            ServiceAtLocation.location_id == location.id,
            ServiceAtLocation.service_id != service.id,
        )
    )
    return bool(count)


def _fill(location: Location, place: PlaceInput) -> None:
    location.location_type = LocationType.PHYSICAL
    location.name = place.name or None
    location.address_1 = place.address or None
    location.postal_code = place.postal_code or None
    location.city = place.city or None
    location.latitude = place.latitude
    location.longitude = place.longitude
    location.municipality_code = place.municipality_code


def wanted_virtual_names(remote: list[str], has_physical_places: bool) -> list[str]:
    """Return the virtual places the remote choices call for.

    Online and by phone are places of their own; "nationwide" needs one only
    when the offer has no other place to show.
    """
    names = [VIRTUAL_NAMES[code] for code in ("online", "telefon") if code in remote]
    if "landsdaekkende" in remote and not names and not has_physical_places:
        names.append(VIRTUAL_NAMES["landsdaekkende"])
    return names


def apply_places(
    session: so.Session, service: Service, places: list[PlaceInput], remote: list[str]
) -> None:
    """Make the offer's places match the editor: update, add and remove, in the typed order.

    A place is updated in place only when it is this offer's own; a place the
    organisation shares with another offer is copied, so editing one offer
    never moves another. Places no offer uses any more are deleted.
    """
    current = {sal.location_id: sal for sal in service.service_at_locations}
    kept: list[ServiceAtLocation] = []
    for place in places:
        sal = current.pop(place.location_id, None) if place.location_id else None
        if sal is not None and sal.location.is_virtual:
            current[sal.location_id] = sal
            sal = None
        if sal is None:
            location = Location(organization_id=service.organization_id)
            session.add(location)
            sal = ServiceAtLocation(location=location)
        elif _other_services_use(session, sal.location, service):
            location = Location(organization_id=service.organization_id)
            session.add(location)
            sal.location = location
        _fill(sal.location, place)
        kept.append(sal)
    virtual = {sal.location.name: sal for sal in current.values() if sal.location.is_virtual}
    for name in wanted_virtual_names(remote, bool(places)):
        sal = virtual.pop(name, None)
        if sal is None:
            location = Location(
                organization_id=service.organization_id,
                location_type=LocationType.VIRTUAL,
                name=name,
            )
            session.add(location)
            sal = ServiceAtLocation(location=location)
        else:
            current.pop(sal.location_id, None)
        kept.append(sal)
    dropped = [sal.location for sal in service.service_at_locations if sal not in kept]
    service.service_at_locations = kept
    session.flush()
    for location in dropped:
        still_used = session.scalar(
            sa.select(sa.func.count())
            .select_from(ServiceAtLocation)
            .where(ServiceAtLocation.location_id == location.id)
        )
        if not still_used:
            session.delete(location)
