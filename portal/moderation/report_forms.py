"""Forms of problem reports: the public report and the note when one is resolved."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from portal.moderation.models import ProblemKind
from portal.moderation.reports import KIND_LABELS, MESSAGE_MAX_LENGTH, NOTE_MAX_LENGTH


def _strip(value: Any) -> Any:
    """Remove surrounding whitespace, so a message of only spaces counts as empty."""
    return value.strip() if isinstance(value, str) else value


class ReportForm(FlaskForm):
    """What is wrong with an offer, in a few words; no name or address is asked for."""

    kind = RadioField(
        _l("Hvad er forkert?"),
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        validators=[InputRequired(message=_l("Vælg, hvad der er forkert."))],
    )
    message = TextAreaField(
        _l("Fortæl gerne mere (frivilligt)"),
        description=_l(
            "Skriv fx det rigtige tidspunkt eller den nye adresse. Højst %(max)s tegn. "
            "Skriv ikke navne eller andre personlige oplysninger.",
            max=MESSAGE_MAX_LENGTH,
        ),
        filters=[_strip],
        validators=[
            Length(
                max=MESSAGE_MAX_LENGTH,
                message=_l("Skriv højst %(max)d tegn. Du har skrevet %(length)d."),
            )
        ],
    )
    # A field people never see: a bot that fills it in gets the thank-you
    # page, and nothing is stored.
    website = StringField(_l("Lad dette felt være tomt"))

    def validate_message(self, field: StringField) -> None:
        """Ask for a few words when the problem is "something else"."""
        if self.kind.data == ProblemKind.OTHER.value and not field.data:
            raise ValidationError(_l("Skriv kort, hvad der er forkert."))

    @property
    def is_from_a_bot(self) -> bool:
        """Return whether the hidden field was filled in."""
        return bool(self.website.data)


class ResolveForm(FlaskForm):
    """An optional note when a report is marked resolved."""

    note = TextAreaField(
        _l("Note (frivillig)"),
        filters=[_strip],
        validators=[
            Length(
                max=NOTE_MAX_LENGTH,
                message=_l("Skriv højst %(max)d tegn. Du har skrevet %(length)d."),
            )
        ],
    )
