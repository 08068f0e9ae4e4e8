"""Forms of the association pages: profile, members, invitations, claims and admin decisions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from portal.accounts.models import MemberRole
from portal.organizations import validators


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class Cleaned:
    """Run a ``validators.clean_*`` function and keep its cleaned value as the field's data."""

    def __init__(self, clean: Callable[[str], str]) -> None:
        self.clean = clean

    def __call__(self, form: FlaskForm, field: Any) -> None:
        """Replace the data with the cleaned value, or report the cleaner's message."""
        if not field.data:
            return
        try:
            field.data = self.clean(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from error


ROLE_CHOICES = [
    SelectChoice(MemberRole.EDITOR.value, _l("Redaktør: kan oprette og rette tilbud")),
    SelectChoice(MemberRole.OWNER.value, _l("Ejer: kan også rette profilen og styre medlemmer")),
]


class OrganizationForm(FlaskForm):
    """The organisation's public profile."""

    name = StringField(
        _l("Foreningens navn"),
        filters=[_strip],
        validators=[DataRequired(_l("Skriv foreningens navn.")), Length(max=200)],
    )
    cvr = StringField(
        _l("CVR-nummer (valgfrit)"),
        filters=[_strip],
        validators=[Optional(), Cleaned(validators.clean_cvr)],
    )
    description = TextAreaField(
        _l("Kort om foreningen"),
        filters=[_strip],
        validators=[Length(max=5000, message=_l("Skriv højst 5000 tegn."))],
    )
    website = StringField(
        _l("Hjemmeside (valgfrit)"),
        filters=[_strip],
        validators=[Optional(), Cleaned(validators.clean_website)],
    )
    email = EmailField(
        _l("E-mail (valgfrit)"),
        filters=[_strip],
        validators=[Optional(), Cleaned(validators.clean_email)],
    )
    phone = TelField(
        _l("Telefon (valgfrit)"),
        filters=[_strip],
        validators=[Optional(), Cleaned(validators.clean_phone)],
    )
    address = StringField(
        _l("Adresse (valgfrit)"), filters=[_strip], validators=[Optional(), Length(max=200)]
    )
    postal_code = StringField(
        _l("Postnummer (valgfrit)"),
        filters=[_strip],
        validators=[Optional(), Cleaned(validators.clean_postcode)],
    )
    city = StringField(
        _l("By (valgfrit)"), filters=[_strip], validators=[Optional(), Length(max=100)]
    )
    create_anyway = SubmitField(_l("Nej, opret en ny forening"))

    def profile_data(self) -> dict[str, str | None]:
        """Return the profile fields the services store, empty ones as None."""
        names = ("name", "cvr", "description", "website", "email", "phone", "address")
        data: dict[str, str | None] = {name: getattr(self, name).data or None for name in names}
        data["description"] = self.description.data or ""
        data["postal_code"] = self.postal_code.data or None
        data["city"] = self.city.data or None
        return data


class OrganizationEditForm(OrganizationForm):
    """The profile form with the version it was loaded at, to catch concurrent changes."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class InviteForm(FlaskForm):
    """Invite someone by email to join the organisation."""

    email = EmailField(
        _l("E-mailadresse"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Skriv e-mailadressen på den, du vil invitere.")),
            Cleaned(validators.clean_email),
        ],
    )
    role = RadioField(
        _l("Rolle"),
        choices=ROLE_CHOICES,
        default=MemberRole.EDITOR.value,
        validators=[InputRequired(_l("Vælg en rolle."))],
    )


# The member list has room for the role's name only; the invitation form explains it.
SHORT_ROLE_CHOICES = [
    SelectChoice(MemberRole.EDITOR.value, _l("Redaktør")),
    SelectChoice(MemberRole.OWNER.value, _l("Ejer")),
]


class ChangeRoleForm(FlaskForm):
    """Give a member another role."""

    member_id = HiddenField(validators=[DataRequired()])
    role = SelectField(_l("Rolle"), choices=SHORT_ROLE_CHOICES, validators=[InputRequired()])


class RemoveMemberForm(FlaskForm):
    """Take a member out of the organisation."""

    member_id = HiddenField(validators=[DataRequired()])


class RevokeInvitationForm(FlaskForm):
    """Withdraw an invitation that has not been accepted."""

    invitation_id = HiddenField(validators=[DataRequired()])


class ClaimForm(FlaskForm):
    """Ask to take over an organisation listed without members."""

    message = TextAreaField(
        _l("Hvem er du i foreningen?"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Skriv kort, hvem du er i foreningen.")),
            Length(max=2000, message=_l("Skriv højst 2000 tegn.")),
        ],
    )


class ClaimDecisionForm(FlaskForm):
    """An admin's answer to a claim: approve, or reject with a reason."""

    reason = TextAreaField(
        _l("Begrundelse (sendes til ansøgeren ved afvisning)"),
        filters=[_strip],
        validators=[Length(max=2000, message=_l("Skriv højst 2000 tegn."))],
    )
    approve = SubmitField(_l("Godkend"))
    reject = SubmitField(_l("Afvis"))

    def validate_reason(self, field: TextAreaField) -> None:
        """Require a reason when the claim is rejected."""
        if self.reject.data and not field.data:
            raise ValidationError(_l("Skriv en begrundelse for afvisningen."))


class VerifyForm(FlaskForm):
    """Mark an organisation verified ("1") or not ("0")."""

    verified = HiddenField(validators=[AnyOf(["0", "1"])])


class ActionForm(FlaskForm):
    """A button that changes state; only the CSRF token is checked."""
