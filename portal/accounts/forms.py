"""Forms of the account pages: sign-up, sign-in, passwords, settings."""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, Form, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from portal.accounts.models import User
from portal.accounts.policy import MAX_LENGTH, password_problems
from portal.accounts.services import normalise_email
from portal.validation import is_email_address

MAX_NAME_LENGTH = 200


def _strip(value: str | None) -> str | None:
    """Return the text without surrounding space."""
    return value.strip() if isinstance(value, str) else value


def valid_email(_form: Form, field: Field) -> None:
    """Refuse anything that does not look like an email address."""
    if not is_email_address(field.data or ""):
        raise ValidationError(_l("Skriv en gyldig e-mailadresse, f.eks. navn@eksempel.dk."))


def printable_name(_form: Form, field: Field) -> None:
    """Refuse line breaks and other invisible control characters in a name."""
    if any(unicodedata.category(char) == "Cc" for char in field.data or ""):
        raise ValidationError(_l("Navnet må kun indeholde almindelige tegn."))


def _email_field(label: str) -> StringField:
    """Return a required, normalised email field."""
    return StringField(
        label,
        filters=[normalise_email],
        validators=[DataRequired(_l("Skriv din e-mailadresse.")), valid_email],
    )


def _name_field() -> StringField:
    """Return a required name field."""
    return StringField(
        _l("Navn"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Skriv dit navn.")),
            Length(
                max=MAX_NAME_LENGTH,
                message=_l("Navnet må højst være %(max)d tegn."),
            ),
            printable_name,
        ],
    )


def _new_password_fields(label: str) -> tuple[PasswordField, PasswordField]:
    """Return a new password field and the field that repeats it."""
    password = PasswordField(
        label,
        # Length and strength are the policy's, checked in validate_password.
        validators=[DataRequired(_l("Vælg en adgangskode."))],
    )
    repeat = PasswordField(
        _l("Gentag adgangskoden"),
        validators=[
            DataRequired(_l("Skriv adgangskoden igen.")),
            EqualTo(
                "password",
                message=_l("Adgangskoderne er ikke ens. Skriv den samme i begge felter."),
            ),
        ],
    )
    return password, repeat


class _NewPasswordForm(FlaskForm):
    """A new password, checked against the policy with what is known about its owner."""

    def policy_inputs(self) -> tuple[str, str]:
        """Return the email address and name the password must not resemble."""
        return "", ""

    def validate_password(self, field: Field) -> None:
        """Refuse a password that is too short, too long or too easy to guess."""
        email, name = self.policy_inputs()
        problems = password_problems(field.data or "", email=email, name=name)
        if problems:
            raise ValidationError(" ".join(problems))


class SignupForm(_NewPasswordForm):
    """Create an account: name, address and a password typed twice."""

    name = _name_field()
    email = _email_field(_l("E-mail"))
    password, password_repeat = _new_password_fields(_l("Adgangskode"))
    next = HiddenField()

    def policy_inputs(self) -> tuple[str, str]:
        """Return the address and name typed in the form."""
        return self.email.data or "", self.name.data or ""


class LoginForm(FlaskForm):
    """Sign in with address and password; ``next`` is where to go afterwards."""

    email = StringField(
        _l("E-mail"),
        filters=[normalise_email],
        validators=[DataRequired(_l("Skriv din e-mailadresse."))],
    )
    password = PasswordField(
        _l("Adgangskode"),
        validators=[
            DataRequired(_l("Skriv din adgangskode.")),
            Length(max=MAX_LENGTH, message=_l("Forkert e-mail eller adgangskode.")),
        ],
    )
    next = HiddenField()


class EmailOnlyForm(FlaskForm):
    """Just an address: for a new confirmation link or a password reset link."""

    email = _email_field(_l("E-mail"))


class ConfirmForm(FlaskForm):
    """A button and its CSRF token, for actions that need nothing else."""


class ResetPasswordForm(_NewPasswordForm):
    """Choose a new password from a reset link."""

    password, password_repeat = _new_password_fields(_l("Ny adgangskode"))

    def __init__(self, user: User, *args: object, **kwargs: object) -> None:
        """Keep the account the form is about."""
        super().__init__(*args, **kwargs)
        self.user = user

    def policy_inputs(self) -> tuple[str, str]:
        """Return the account's address and name."""
        return self.user.email, self.user.name


class NameForm(FlaskForm):
    """Change the name shown for the account."""

    action = HiddenField(default="name")
    name = _name_field()


class PasswordChangeForm(ResetPasswordForm):
    """Change the password; the current one is required."""

    action = HiddenField(default="password")
    current_password = PasswordField(
        _l("Nuværende adgangskode"),
        validators=[DataRequired(_l("Skriv din nuværende adgangskode."))],
    )


class EmailChangeForm(FlaskForm):
    """Ask to move the account to a new address; the current password is required."""

    action = HiddenField(default="email")
    email = _email_field(_l("Ny e-mailadresse"))
    email_password = PasswordField(
        _l("Din adgangskode"),
        validators=[DataRequired(_l("Skriv din adgangskode."))],
    )

    def __init__(self, user: User, *args: object, **kwargs: object) -> None:
        """Keep the account the form is about."""
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_email(self, field: Field) -> None:
        """Refuse the address the account already has."""
        if field.data == self.user.email:
            raise ValidationError(_l("Det er allerede din e-mailadresse."))


class EndSessionsForm(FlaskForm):
    """Sign out everywhere."""

    action = HiddenField(default="sessions")
