"""Form fields of the offer editor that speak Danish and forgive how people type.

Dates accept "24.12.2026" as well as the ISO form a date picker sends; times
accept "14.30" as well as "14:30". Every message is one a volunteer can act on.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, IntegerField, RadioField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

TOO_LONG = _l("Skriv højst %(max)d tegn. Du har skrevet %(length)d.")
INVALID_CHOICE = _l("Vælg en af mulighederne på listen.")
INVALID_CHOICES = _l("Vælg kun blandt mulighederne på listen.")

_DANISH_DATE = re.compile(r"^(\d{1,2})[./\- ](\d{1,2})[./\- ](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TIME = re.compile(r"^(\d{1,2})(?:[:.]?(\d{2}))?$")
MAX_INPUT_LENGTH = 40


def choice_list(pairs: Iterable[tuple[str, Any]]) -> list[SelectChoice]:
    """Return (value, label) pairs as the options of a choice field."""
    return [SelectChoice(value, label) for value, label in pairs]


def strip(value: Any) -> Any:
    """Trim surrounding whitespace from typed text."""
    return value.strip() if isinstance(value, str) else value


def paragraphs(value: Any) -> Any:
    """Trim a text area and use plain newlines (browsers send CRLF; pages split on blank lines)."""
    if not isinstance(value, str):
        return value
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def parse_date(text: str) -> dt.date:
    """Return the date in "2026-12-24" or "24.12.2026" (also with / or -), or raise ValueError."""
    text = text.strip()
    iso = _ISO_DATE.match(text)
    danish = _DANISH_DATE.match(text)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif danish:
        day, month, year = (int(part) for part in danish.groups())
    else:
        raise ValueError(text)
    return dt.date(year, month, day)


def parse_time(text: str) -> dt.time:
    """Return the time in "14:30", "14.30", "1430" or "14", or raise ValueError."""
    match = _TIME.match(text.strip())
    if not match:
        raise ValueError(text)
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    return dt.time(hour, minute)


class _TypedTextField(Field):
    """A value typed as text and read by ``parse``.

    An unreadable value keeps its text, so the page shows it again to be
    corrected, and ``message`` says how to write it.
    """

    widget = TextInput()
    input_type = "text"
    value_type: type = object
    message: Any = ""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {}).setdefault("type", self.input_type)
        super().__init__(label, validators, **kwargs)
        self.raw = ""

    def parse(self, text: str) -> Any:
        """Return the value the text stands for, or raise ValueError."""
        raise NotImplementedError

    def show(self, value: Any) -> str:
        """Return the value as the browser's input expects it."""
        raise NotImplementedError

    def _value(self) -> str:
        if self.raw:
            return self.raw
        return self.show(self.data) if isinstance(self.data, self.value_type) else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Read the value, or remember the text and report how to write it."""
        text = (valuelist[0] if valuelist else "").strip()[:MAX_INPUT_LENGTH]
        self.data = None
        if not text:
            return
        try:
            self.data = self.parse(text)
        except ValueError:
            self.raw = text
            raise ValueError(self.message) from None


class DateInputField(_TypedTextField):
    """A date typed or picked."""

    input_type = "date"
    value_type = dt.date
    message = _l("Skriv datoen som dag.måned.år, fx 24.12.2026.")

    def parse(self, text: str) -> dt.date:
        """Return the date in the text."""
        return parse_date(text)

    def show(self, value: dt.date) -> str:
        """Return the date as an ISO date."""
        return value.isoformat()


class TimeInputField(_TypedTextField):
    """A time of day such as 14.30."""

    input_type = "time"
    value_type = dt.time
    message = _l("Skriv tidspunktet som timer og minutter, fx 14.30.")

    def parse(self, text: str) -> dt.time:
        """Return the time of day in the text."""
        return parse_time(text)

    def show(self, value: dt.time) -> str:
        """Return the time as hours and minutes."""
        return value.strftime("%H:%M")


class WholeNumberField(IntegerField):
    """A whole number typed in a text box with a number keypad on phones."""

    widget = TextInput()

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {}).setdefault("inputmode", "numeric")
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        """Read the number, or keep the text and say that only digits are wanted."""
        text = (valuelist[0] if valuelist else "").strip()[:MAX_INPUT_LENGTH]
        self.data = None
        self.raw_data = [text]
        if not text:
            return
        if not text.isdigit():
            raise ValueError(_l("Skriv et helt tal, fx 18."))
        self.data = int(text)


class ChoiceField(SelectField):
    """A drop-down list whose wrong answers get a Danish message."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_choice_message", INVALID_CHOICE)
        super().__init__(*args, **kwargs)


class RadioChoiceField(RadioField):
    """Radio buttons whose wrong answers get a Danish message."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_choice_message", INVALID_CHOICE)
        super().__init__(*args, **kwargs)


class CheckboxGroupField(SelectMultipleField):
    """A group of checkboxes; the template draws each one with its label."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_choice_message", INVALID_CHOICES)
        super().__init__(*args, **kwargs)

    def pre_validate(self, form: Any) -> None:
        """Refuse values that are not on the list, with a message in Danish."""
        known = {choice.value for choice in self.choices or []}
        if any(value not in known for value in self.data or []):
            raise ValidationError(INVALID_CHOICES)


def add_error(field: Field, message: str) -> None:
    """Add a message to a field after validation."""
    field.errors = [*field.errors, message]
