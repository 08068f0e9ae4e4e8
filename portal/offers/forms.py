"""The offer editor's form: what, who for, where, when, how to join and whom to contact.

Only the fields below are read from a POST. Status, the version counters, ids
and the organisation come from the URL and the database (the hidden ``version``
is only compared, never stored). Places and times are lists of blocks that
buttons add and remove without JavaScript.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    FormField,
    HiddenField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, ValidationError

from portal.db import utcnow
from portal.offers.editor_fields import (
    TOO_LONG,
    CheckboxGroupField,
    DateInputField,
    RadioChoiceField,
    WholeNumberField,
    add_error,
    choice_list,
    paragraphs,
    strip,
)
from portal.offers.editor_place_form import PlaceForm, place_initial
from portal.offers.editor_schedules import ScheduleForm, schedule_initial
from portal.offers.editor_services import DERIVED_FEATURES, OfferData
from portal.offers.models import Service
from portal.organizations import validators
from portal.taxonomy.vocabulary import REMOTE_FEATURES

MAX_PLACES = 20
MAX_SCHEDULES = 20
AGE_LIMITS = (0, 120)

REMOTE_CHOICES = choice_list(
    [
        ("online", _l("Online, fx på video")),
        ("telefon", _l("Over telefonen")),
        ("landsdaekkende", _l("For hele landet (landsdækkende)")),
    ]
)
COST_CHOICES = choice_list([("free", _l("Gratis")), ("paid", _l("Det koster noget"))])


def _cleaned(clean: Callable[[str], str]) -> Callable[[Any, Field], None]:
    """Return a validator that keeps ``clean``'s result aside or reports its message.

    The field keeps what was typed, so a page shown again with errors shows it unchanged.
    """

    def check(form: Any, field: Field) -> None:
        field.cleaned = None
        if not field.data:
            return
        try:
            field.cleaned = clean(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from error

    return check


def cleaned(field: Field) -> str | None:
    """Return a validated field's cleaned value, or None when it was left empty."""
    return getattr(field, "cleaned", None)


def _age(form: Any, field: Field) -> None:
    low, high = AGE_LIMITS
    if field.data is not None and not low <= field.data <= high:
        raise ValidationError(
            _("Skriv en alder mellem %(low)d og %(high)d år.", low=low, high=high)
        )


class OfferForm(FlaskForm):
    """The whole offer on one page, in the order the page shows it."""

    version = HiddenField()
    name = StringField(
        _l("Titel"),
        filters=[strip],
        validators=[
            DataRequired(_l("Skriv en titel, fx Fællesspisning i Medborgerhuset.")),
            Length(max=200, message=TOO_LONG),
        ],
    )
    description = TextAreaField(
        _l("Beskrivelse"), filters=[paragraphs], validators=[Length(max=5000, message=TOO_LONG)]
    )
    activities = CheckboxGroupField(_l("Hvad laver I sammen?"))
    target_groups = CheckboxGroupField(_l("Hvem er tilbuddet især for?"))
    situations = CheckboxGroupField(_l("Livssituationer (valgfrit)"))
    minimum_age = WholeNumberField(_l("Fra alder (valgfrit)"), validators=[_age])
    maximum_age = WholeNumberField(_l("Til alder (valgfrit)"), validators=[_age])
    remote = CheckboxGroupField(_l("Online, telefon eller hele landet"), choices=REMOTE_CHOICES)
    places = FieldList(FormField(PlaceForm), max_entries=MAX_PLACES)
    schedules = FieldList(FormField(ScheduleForm), max_entries=MAX_SCHEDULES)
    how_to_join = TextAreaField(
        _l("Hvad skal man gøre for at være med?"),
        filters=[paragraphs],
        validators=[Length(max=2000, message=TOO_LONG)],
    )
    is_newcomer_welcome = BooleanField(_l("En vært tager imod nye og viser dem til rette"))
    has_waiting_list = BooleanField(_l("Der er venteliste"))
    waiting_list_text = StringField(
        _l("Typisk ventetid (valgfrit)"),
        filters=[strip],
        validators=[Length(max=200, message=TOO_LONG)],
    )
    closed_until = DateInputField(_l("Midlertidigt lukket indtil (valgfrit)"))
    cost = RadioChoiceField(_l("Pris"), choices=COST_CHOICES, default="free")
    price_text = StringField(
        _l("Hvad koster det?"), filters=[strip], validators=[Length(max=200, message=TOO_LONG)]
    )
    features = CheckboxGroupField(_l("Praktiske forhold (valgfrit)"))
    contact_name = StringField(
        _l("Kontaktpersonens navn (valgfrit)"),
        filters=[strip],
        validators=[Length(max=200, message=TOO_LONG)],
    )
    contact_phone = StringField(
        _l("Kontaktpersonens telefon (valgfrit)"),
        filters=[strip],
        validators=[_cleaned(validators.clean_phone)],
    )
    contact_email = StringField(
        _l("Kontaktpersonens e-mail (valgfrit)"),
        filters=[strip],
        validators=[_cleaned(validators.clean_email)],
    )
    email = StringField(
        _l("Tilbuddets fælles e-mail (valgfrit)"),
        filters=[strip],
        validators=[_cleaned(validators.clean_email)],
    )
    url = StringField(
        _l("Hjemmeside (valgfrit)"),
        filters=[strip],
        validators=[_cleaned(validators.clean_website)],
    )

    def __init__(
        self, *args: Any, choices: Mapping[str, list[tuple[str, str]]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.activities.choices = choice_list(choices["aktivitet"])
        self.target_groups.choices = choice_list(choices["maalgruppe"])
        self.situations.choices = choice_list(choices["livssituation"])
        self.features.choices = choice_list(choices["praktisk"])
        # Set by the view: sending for publication (or saving a live offer)
        # asks for an offer citizens can use, a draft only for a title.
        self.require_complete = False

    # ---------- blocks of places and times ----------

    def start_blank(self) -> None:
        """Give a new offer one empty place and one empty time to fill in."""
        self.places.append_entry()
        self.schedules.append_entry()

    def change_blocks(self, formdata: Mapping[str, str]) -> bool:
        """Add or remove a place or time as the pressed button asks; return whether one did."""
        action = formdata.get("action", "")
        for name, blocks in (("place", self.places), ("schedule", self.schedules)):
            if action == f"add_{name}":
                if len(blocks.entries) < blocks.max_entries:
                    blocks.append_entry()
                return True
            removed = formdata.get(f"remove_{name}")
            if removed is not None:
                blocks.entries = [
                    entry for index, entry in enumerate(blocks.entries) if str(index) != removed
                ]
                blocks._compact_indices()
                return True
        return False

    # ---------- validation ----------

    def validate(self, extra_validators: Mapping[str, Any] | None = None) -> bool:
        """Check every field, then what depends on several fields at once."""
        super().validate(extra_validators)
        low, high = self.minimum_age.data, self.maximum_age.data
        if low is not None and high is not None and low > high and not self.maximum_age.errors:
            add_error(
                self.maximum_age,
                _("Den højeste alder skal være mindst lige så høj som den laveste."),
            )
        if self.cost.data == "paid" and not self.price_text.data:
            add_error(self.price_text, _("Skriv prisen, fx 20 kr. pr. gang, eller vælg Gratis."))
        today = utcnow().date()
        if self.closed_until.data is not None and self.closed_until.data <= today:
            add_error(
                self.closed_until,
                _(
                    "Datoen er passeret. Skriv den dato, hvor I starter igen, "
                    "eller lad feltet stå tomt."
                ),
            )
        if self.require_complete:
            self._validate_complete()
        return not self.error_links()

    def _validate_complete(self) -> None:
        if not self.description.data:
            add_error(self.description, _("Beskriv tilbuddet, så man ved, hvad man siger ja til."))
        if not self.activities.data:
            add_error(self.activities, _("Vælg mindst én ting, I laver sammen."))
        if not self.target_groups.data:
            add_error(
                self.target_groups,
                _("Vælg, hvem tilbuddet er for. Vælg Alle, hvis alle kan være med."),
            )
        places = [entry for entry in self.places if not entry.form.is_blank()]
        if not places and not self.remote.data:
            add_error(
                self.remote,
                _("Skriv mindst ét sted, eller vælg online, telefon eller hele landet."),
            )

    def error_links(self) -> list[tuple[str, str]]:
        """Return (element id, message) for every error, in page order, for the summary."""
        links: list[tuple[str, str]] = []
        for field in self:
            if isinstance(field, FieldList):
                for position, entry in enumerate(field.entries, start=1):
                    if field is self.places:
                        prefix = _("Sted %(n)d", n=position)
                    else:
                        prefix = _("Tidspunkt %(n)d", n=position)
                    for sub in entry.form:
                        links += [(error_anchor(sub), f"{prefix}: {m}") for m in sub.errors]
            else:
                links += [(error_anchor(field), str(m)) for m in field.errors]
        return links

    # ---------- data in and out ----------

    def blocks_of(self, blocks: FieldList) -> Iterator[Any]:
        """Yield the filled-in blocks' forms."""
        for entry in blocks.entries:
            if not entry.form.is_blank():
                yield entry.form

    def to_data(self) -> OfferData:
        """Return the validated form as the data an offer is saved from."""
        is_free = self.cost.data != "paid"
        return OfferData(
            name=self.name.data,
            description=self.description.data or "",
            how_to_join=self.how_to_join.data or "",
            is_free=is_free,
            price_text=None if is_free else self.price_text.data,
            is_newcomer_welcome=bool(self.is_newcomer_welcome.data),
            has_waiting_list=bool(self.has_waiting_list.data),
            waiting_list_text=self.waiting_list_text.data or None,
            minimum_age=self.minimum_age.data,
            maximum_age=self.maximum_age.data,
            url=cleaned(self.url),
            email=cleaned(self.email),
            closed_until=self.closed_until.data,
            terms={
                "aktivitet": list(self.activities.data or []),
                "maalgruppe": list(self.target_groups.data or []),
                "livssituation": list(self.situations.data or []),
                "praktisk": list(self.features.data or []),
            },
            remote=[code for code in self.remote.data or [] if code in REMOTE_FEATURES],
            contact_name=self.contact_name.data or None,
            contact_email=cleaned(self.contact_email),
            contact_phone=_display_phone(cleaned(self.contact_phone)),
            places=[block.to_input() for block in self.blocks_of(self.places)],
            schedules=[block.to_data() for block in self.blocks_of(self.schedules)],
        )


def error_anchor(field: Field) -> str:
    """Return the id of the element an error summary link should move to."""
    if isinstance(field, CheckboxGroupField | RadioChoiceField):
        return f"{field.id}-0"
    return field.id


def _display_phone(number: str | None) -> str | None:
    """Return a cleaned number as citizens read it: "+45 20 12 34 56"."""
    return validators.international_phone(number) if number else None


def initial_data(service: Service, today: dt.date) -> dict[str, Any]:
    """Return the offer as the form's starting values."""
    features = {term.code for term in service.terms_of("praktisk")}
    locations = [sal.location for sal in service.service_at_locations]
    contact = service.contacts[0] if service.contacts else None
    phone = service.phones[0] if service.phones else None
    closed_until = service.closed_until
    return {
        "version": str(service.version),
        "name": service.name,
        "description": service.description,
        "activities": [t.code for t in service.terms_of("aktivitet")],
        "target_groups": [t.code for t in service.terms_of("maalgruppe")],
        "situations": [t.code for t in service.terms_of("livssituation")],
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "remote": [c.value for c in REMOTE_CHOICES if c.value in features],
        "places": [place_initial(location) for location in locations if not location.is_virtual],
        "schedules": [schedule_initial(schedule) for schedule in service.schedules],
        "how_to_join": service.how_to_join,
        "is_newcomer_welcome": service.is_newcomer_welcome,
        "has_waiting_list": service.has_waiting_list,
        "waiting_list_text": service.waiting_list_text,
        # A closing that is over is no longer worth showing.
        "closed_until": closed_until if closed_until and closed_until > today else None,
        "cost": "free" if service.is_free else "paid",
        "price_text": service.price_text,
        "features": sorted(features - DERIVED_FEATURES),
        "contact_name": contact.name if contact else None,
        "contact_email": contact.email if contact else None,
        "contact_phone": phone.number if phone else None,
        "email": service.email,
        "url": service.url,
    }
