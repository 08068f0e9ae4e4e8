"""One physical place in the offer editor: venue, address and, if wanted, the point on the map."""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Form, HiddenField, StringField
from wtforms.validators import Length

from portal.offers.editor_fields import TOO_LONG, add_error, strip
from portal.offers.editor_places import (
    LATITUDE_RANGE,
    LONGITUDE_RANGE,
    PlaceInput,
    auto_point_for,
    point_text,
)
from portal.offers.models import Location
from portal.organizations import validators


def parse_coordinate(text: str, low: float, high: float) -> float:
    """Return a typed coordinate ("56,955" or "56.955") within [low, high], or raise ValueError."""
    number = float(text.strip().replace(",", ".")[:32])
    if not math.isfinite(number) or not low <= number <= high:
        raise ValueError(text)
    return number


def _decimal(value: float) -> str:
    """Return a number with one decimal, Danish style: 54,5."""
    return format_decimal(value, format="0.0")


def _coordinate_message(low: float, high: float, example: str) -> str:
    return _(
        "Skriv et tal mellem %(low)s og %(high)s, fx %(example)s. Punktet skal ligge i Danmark.",
        low=_decimal(low),
        high=_decimal(high),
        example=example,
    )


class PlaceForm(Form):
    """One physical place: venue, address and, optionally, the point on the map."""

    location_id = HiddenField()
    name = StringField(
        _l("Stedets navn (valgfrit)"),
        filters=[strip],
        validators=[Length(max=200, message=TOO_LONG)],
    )
    address = StringField(
        _l("Vej og husnummer"), filters=[strip], validators=[Length(max=200, message=TOO_LONG)]
    )
    postal_code = StringField(_l("Postnummer"), filters=[strip])
    city = StringField(_l("By"), filters=[strip], validators=[Length(max=100, message=TOO_LONG)])
    latitude = StringField(_l("Breddegrad (valgfrit)"), filters=[strip])
    longitude = StringField(_l("Længdegrad (valgfrit)"), filters=[strip])
    auto_point = HiddenField()

    def is_blank(self) -> bool:
        """Return whether nothing was typed in the block (an unused empty block)."""
        typed = (self.name, self.address, self.postal_code, self.city)
        return not any(field.data for field in (*typed, self.latitude, self.longitude))

    def validate(self, extra_validators: Mapping[str, Any] | None = None) -> bool:
        """Check the address and any typed point; an empty block is simply left out."""
        valid = super().validate(extra_validators)
        if self.is_blank():
            return valid
        if not self.address.data:
            add_error(self.address, _("Skriv vej og husnummer, fx Skolevej 12."))
        if not self.postal_code.data:
            add_error(self.postal_code, _("Skriv postnummeret, fx 7700."))
        else:
            try:
                self.postal_code.data = validators.clean_postcode(self.postal_code.data)
            except ValueError as error:
                add_error(self.postal_code, str(error))
        if not self.city.data:
            add_error(self.city, _("Skriv byen, fx Thisted."))
        self._validate_point()
        return not any(field.errors for field in self)

    def _validate_point(self) -> None:
        lat, lon = self.latitude.data, self.longitude.data
        if bool(lat) != bool(lon):
            missing = self.longitude if lat else self.latitude
            add_error(
                missing, _("Skriv både breddegrad og længdegrad, eller lad begge være tomme.")
            )
            return
        if not lat:
            return
        for field, (low, high), example in (
            (self.latitude, LATITUDE_RANGE, "56,9552"),
            (self.longitude, LONGITUDE_RANGE, "8,6945"),
        ):
            try:
                parse_coordinate(field.data, low, high)
            except ValueError:
                add_error(field, _coordinate_message(low, high, example))

    def to_input(self) -> PlaceInput:
        """Return the place as the geocoding step reads it."""
        try:
            location_id = uuid.UUID(self.location_id.data) if self.location_id.data else None
        except ValueError:
            location_id = None
        lat = lon = None
        if self.latitude.data and self.longitude.data:
            lat = parse_coordinate(self.latitude.data, *LATITUDE_RANGE)
            lon = parse_coordinate(self.longitude.data, *LONGITUDE_RANGE)
        return PlaceInput(
            location_id=location_id,
            name=self.name.data or "",
            address=self.address.data or "",
            postal_code=self.postal_code.data or "",
            city=self.city.data or "",
            latitude=lat,
            longitude=lon,
            auto_point=(self.auto_point.data or "")[:300],
        )

    def show_point(self, place: PlaceInput) -> None:
        """Write the point found for the place back into the block."""
        if place.latitude is not None and place.longitude is not None:
            self.latitude.data, _sep, self.longitude.data = point_text(
                place.latitude, place.longitude
            ).partition(",")
        self.auto_point.data = place.auto_point


def place_initial(location: Location) -> dict[str, Any]:
    """Return a stored place as a block's starting values."""
    place = PlaceInput(
        location_id=location.id,
        name=location.name or "",
        address=location.address_1 or "",
        postal_code=location.postal_code or "",
        city=location.city or "",
        latitude=location.latitude,
        longitude=location.longitude,
    )
    has_point = place.latitude is not None and place.longitude is not None
    return {
        "location_id": str(location.id),
        "name": place.name,
        "address": place.address,
        "postal_code": place.postal_code,
        "city": place.city,
        "latitude": f"{place.latitude:.6f}" if has_point else "",
        "longitude": f"{place.longitude:.6f}" if has_point else "",
        # The stored point belongs to the stored address, however it was set.
        "auto_point": auto_point_for(place),
    }
