"""One block of the offer editor's "when": weekly, monthly, one date or by arrangement.

Each kind becomes an HSDS/iCal schedule row: "every other Tuesday" is WEEKLY
with interval 2 and BYDAY TU, "the last Friday" is MONTHLY with BYDAY -1FR,
and a single date is a weekly rule that starts and ends that day.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Form, StringField
from wtforms.validators import Length

from portal.offers.editor_fields import (
    TOO_LONG,
    CheckboxGroupField,
    ChoiceField,
    DateInputField,
    RadioChoiceField,
    TimeInputField,
    choice_list,
    strip,
)
from portal.offers.editor_services import ScheduleData
from portal.offers.models import Frequency, Schedule
from portal.offers.schedules import WEEKDAY_CODES, ScheduleError, is_one_off, parse_byday

WEEKDAY_CHOICES = choice_list(
    [
        ("MO", _l("Mandag")),
        ("TU", _l("Tirsdag")),
        ("WE", _l("Onsdag")),
        ("TH", _l("Torsdag")),
        ("FR", _l("Fredag")),
        ("SA", _l("Lørdag")),
        ("SU", _l("Søndag")),
    ]
)
KIND_CHOICES = choice_list(
    [
        ("weekly", _l("Hver uge eller med nogle ugers mellemrum")),
        ("monthly", _l("En bestemt ugedag hver måned, fx anden tirsdag")),
        ("once", _l("Én bestemt dato")),
        ("appointment", _l("Efter aftale (intet fast tidspunkt)")),
    ]
)
INTERVAL_CHOICES = choice_list(
    [
        ("1", _l("Hver uge")),
        ("2", _l("Hver 2. uge")),
        ("3", _l("Hver 3. uge")),
        ("4", _l("Hver 4. uge")),
    ]
)
ORDINAL_CHOICES = choice_list(
    [
        ("1", _l("Første")),
        ("2", _l("Anden")),
        ("3", _l("Tredje")),
        ("4", _l("Fjerde")),
        ("-1", _l("Sidste")),
    ]
)
# The fields each kind of schedule reads; the others are ignored when saving.
FIELDS_OF_KIND = {
    "weekly": {"weekdays", "interval", "opens_at", "closes_at", "starts_on", "ends_on"},
    "monthly": {"ordinal", "month_weekday", "opens_at", "closes_at", "starts_on", "ends_on"},
    "once": {"date", "opens_at", "closes_at"},
    "appointment": {"note"},
}
_WEEKDAY_NAMES = {choice.value: choice.label for choice in WEEKDAY_CHOICES}


def _weekday_in_sentence(code: str) -> str:
    return str(_WEEKDAY_NAMES.get(code, "")).lower()


class ScheduleForm(Form):
    """When the offer meets, as one rule."""

    kind = RadioChoiceField(_l("Hvor ofte mødes I?"), choices=KIND_CHOICES, default="weekly")
    weekdays = CheckboxGroupField(_l("Ugedage"), choices=WEEKDAY_CHOICES)
    interval = ChoiceField(_l("Hvor tit?"), choices=INTERVAL_CHOICES, default="1")
    # Checked in validate(), so a 5th weekday gets its own explanation.
    ordinal = ChoiceField(
        _l("Hvilken i måneden?"), choices=ORDINAL_CHOICES, default="1", validate_choice=False
    )
    month_weekday = ChoiceField(
        _l("Ugedag i måneden"),
        choices=[*choice_list([("", _l("Vælg ugedag"))]), *WEEKDAY_CHOICES],
        default="",
    )
    date = DateInputField(_l("Dato"))
    opens_at = TimeInputField(_l("Fra klokken"))
    closes_at = TimeInputField(_l("Til klokken (valgfrit)"))
    starts_on = DateInputField(_l("Første gang (valgfrit)"))
    ends_on = DateInputField(_l("Sidste gang (valgfrit)"))
    note = StringField(
        _l("Hvordan aftaler man tid? (valgfrit)"),
        filters=[strip],
        validators=[Length(max=500, message=TOO_LONG)],
    )

    def is_blank(self) -> bool:
        """Return whether nothing was chosen or typed (an unused empty block)."""
        if self.kind.data == "appointment":
            return False
        fields = (self.date, self.opens_at, self.closes_at, self.starts_on, self.ends_on)
        typed = any(f.data or getattr(f, "raw", "") for f in fields)
        return not (typed or self.weekdays.data or self.month_weekday.data or self.note.data)

    def validate(self, extra_validators: Mapping[str, Any] | None = None) -> bool:
        """Check what the chosen kind needs, the times and the dates."""
        super().validate(extra_validators)
        kind = self.kind.data
        used = FIELDS_OF_KIND.get(kind, set())
        for field in self:
            if field.short_name != "kind" and field.short_name not in used:
                # A half-typed date under a kind not chosen is never saved: no error.
                field.errors = []
        if self.is_blank():
            return not any(field.errors for field in self)
        if kind == "weekly" and not self.weekdays.data:
            self._error(self.weekdays, _("Vælg mindst én ugedag."))
        if kind == "monthly":
            self._validate_monthly()
        if kind == "once" and self.date.data is None and not self.date.errors:
            self._error(self.date, _("Skriv datoen, fx 24.12.2026."))
        if kind != "appointment" and self.opens_at.data is None and not self.opens_at.errors:
            self._error(self.opens_at, _("Skriv, hvornår I begynder, fx 14.00."))
        opens, closes = self.opens_at.data, self.closes_at.data
        if opens and closes and closes <= opens:
            self._error(self.closes_at, _("Sluttiden skal være efter starttiden."))
        first, last = self.starts_on.data, self.ends_on.data
        if kind in ("weekly", "monthly") and first and last and last < first:
            self._error(
                self.ends_on,
                _("Sidste gang ligger før første gang. Ret en af datoerne."),
            )
        return not any(field.errors for field in self)

    def _validate_monthly(self) -> None:
        weekday = _weekday_in_sentence(self.month_weekday.data or "")
        if self.ordinal.data == "5":
            self._error(
                self.ordinal,
                _(
                    "Der er kun en femte %(weekday)s i nogle måneder. Vælg Sidste, hvis I mødes "
                    "den sidste %(weekday)s i måneden.",
                    weekday=weekday or _("ugedag"),
                ),
            )
        elif self.ordinal.data not in {choice.value for choice in ORDINAL_CHOICES}:
            self._error(self.ordinal, _("Vælg en af mulighederne på listen."))
        if not self.month_weekday.data:
            self._error(self.month_weekday, _("Vælg ugedagen."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.ordinal.data == "5":
            # Imported rules may say "the fifth"; show it, so the message about it makes sense.
            self.ordinal.choices = [*ORDINAL_CHOICES, *choice_list([("5", _l("Femte"))])]

    @staticmethod
    def _error(field: Any, message: str) -> None:
        field.errors = [*field.errors, message]

    def to_data(self) -> ScheduleData:
        """Return the block as one schedule row."""
        kind = self.kind.data
        times = {"opens_at": self.opens_at.data, "closes_at": self.closes_at.data}
        span = {"dtstart": self.starts_on.data, "until": self.ends_on.data}
        if kind == "appointment":
            return ScheduleData(
                freq=None,
                interval=None,
                byday=None,
                opens_at=None,
                closes_at=None,
                dtstart=None,
                until=None,
                description=self.note.data or None,
            )
        if kind == "once":
            day = self.date.data
            return ScheduleData(
                freq=Frequency.WEEKLY,
                interval=1,
                byday=WEEKDAY_CODES[day.weekday()],
                dtstart=day,
                until=day,
                **times,
            )
        if kind == "monthly":
            return ScheduleData(
                freq=Frequency.MONTHLY,
                interval=1,
                byday=f"{self.ordinal.data}{self.month_weekday.data}",
                **times,
                **span,
            )
        chosen = set(self.weekdays.data or [])
        return ScheduleData(
            freq=Frequency.WEEKLY,
            interval=int(self.interval.data or 1),
            byday=",".join(code for code in WEEKDAY_CODES if code in chosen),
            **times,
            **span,
        )


def schedule_initial(schedule: Schedule) -> dict[str, Any]:
    """Return a stored schedule as a block's starting values."""
    values: dict[str, Any] = {
        "opens_at": schedule.opens_at,
        "closes_at": schedule.closes_at,
        "starts_on": schedule.dtstart,
        "ends_on": schedule.until,
    }
    try:
        days = parse_byday(schedule.byday)
    except ScheduleError:
        days = []
    if is_one_off(schedule):
        return {
            **values,
            "kind": "once",
            "date": schedule.dtstart,
            "starts_on": None,
            "ends_on": None,
        }
    if schedule.freq is Frequency.MONTHLY and days:
        first = days[0]
        return {
            **values,
            "kind": "monthly",
            "ordinal": str(first.ordinal or 1),
            "month_weekday": WEEKDAY_CODES[first.weekday],
        }
    if schedule.freq is Frequency.WEEKLY and days:
        return {
            **values,
            "kind": "weekly",
            "weekdays": [WEEKDAY_CODES[d.weekday] for d in days],
            "interval": str(schedule.interval or 1),
        }
    return {"kind": "appointment", "note": schedule.description}
