"""Forms of the referral flow: the referral itself, the association's answers, the admin tools."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.accounts.forms import valid_email
from portal.referrals.models import (
    ConsentMethod,
    NotStartedReason,
    ProfessionalKind,
    ReferralStatus,
)
from portal.referrals.privacy import contains_cpr

NEEDS = {
    "company": _l("Følgeskab første gang"),
    "transport": _l("Hjælp til transport"),
    "interpreter": _l("Tolk"),
}
CONSENT_BY = {
    "citizen": _l("Borgeren selv"),
    "guardian": _l("Værge"),
    "relative": _l("Pårørende med fuldmagt"),
}
CONSENT_METHODS = {
    ConsentMethod.VERBAL: _l("Mundtligt"),
    ConsentMethod.WRITTEN: _l("Skriftligt"),
}
NOT_STARTED_REASONS = {
    NotStartedReason.UNREACHABLE: _l("Vi kunne ikke få fat i borgeren"),
    NotStartedReason.NOT_INTERESTED: _l("Borgeren er ikke længere interesseret"),
    NotStartedReason.WAITING_LIST: _l("Borgeren står på venteliste"),
    NotStartedReason.NOT_SUITABLE: _l("Tilbuddet passer ikke til borgeren"),
    NotStartedReason.OTHER: _l("Andet"),
}
STATUS_LABELS = {
    ReferralStatus.SENT: _l("Sendt"),
    ReferralStatus.OPENED: _l("Åbnet"),
    ReferralStatus.CONTACTED: _l("Kontaktet"),
    ReferralStatus.STARTED: _l("Startet"),
    ReferralStatus.NOT_STARTED: _l("Ikke startet"),
    ReferralStatus.DECLINED: _l("Afvist"),
}
KIND_LABELS = {
    ProfessionalKind.GP: _l("Praktiserende læge"),
    ProfessionalKind.MUNICIPAL: _l("Kommunal medarbejder"),
    ProfessionalKind.HOSPITAL: _l("Hospital eller psykiatri"),
    ProfessionalKind.OTHER: _l("Andet"),
}
CONSENT_TEXT_VERSION = "2026-1"


def choices(mapping: dict) -> list[SelectChoice]:
    """Return WTForms choices from a {value: label} mapping."""
    return [SelectChoice(str(value), label) for value, label in mapping.items()]


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes for one multiple choice."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def no_cpr(_form: FlaskForm, field: StringField) -> None:
    """Refuse a CPR number anywhere in the field."""
    if contains_cpr(field.data):
        raise ValidationError(_l("Skriv ikke CPR-numre. Foreningen har ikke brug for dem."))


class ReferralForm(FlaskForm):
    """A professional's referral of a citizen, with the citizen's consent."""

    form_token = HiddenField()
    citizen_name = StringField(
        _l("Borgerens navn"),
        validators=[DataRequired(_l("Skriv borgerens navn.")), Length(max=200), no_cpr],
    )
    phone = TelField(_l("Telefon"), validators=[Optional(), Length(max=30), no_cpr])
    email = EmailField(
        _l("E-mail"),
        validators=[Optional(), valid_email, Length(max=254)],
    )
    contact_time = StringField(
        _l("Hvornår er det bedst at ringe?"), validators=[Optional(), Length(max=200), no_cpr]
    )
    needs = MultiCheckboxField(_l("Har borgeren brug for noget særligt?"), choices=choices(NEEDS))
    reason = SelectField(
        _l("Hvad handler henvisningen om?"),
        validators=[InputRequired(_l("Vælg hvad henvisningen handler om."))],
    )
    note = TextAreaField(
        _l("Kort note til foreningen (valgfri)"),
        validators=[
            Optional(),
            Length(max=500, message=_l("Noten må højst være på 500 tegn.")),
            no_cpr,
        ],
    )
    consent_given = BooleanField(
        _l(
            "Borgeren har fået informationen og giver samtykke til, at oplysningerne sendes "
            "til foreningen"
        ),
        validators=[DataRequired(_l("Uden samtykke kan henvisningen ikke sendes."))],
    )
    consent_by = RadioField(
        _l("Hvem gav samtykke?"),
        choices=choices(CONSENT_BY),
        default="citizen",
        validators=[InputRequired(_l("Vælg hvem der gav samtykke."))],
    )
    consent_method = RadioField(
        _l("Hvordan blev samtykket givet?"),
        choices=choices(CONSENT_METHODS),
        default="verbal",
        validators=[InputRequired(_l("Vælg hvordan samtykket blev givet."))],
    )
    consent_date = DateField(
        _l("Dato for samtykke"), validators=[InputRequired(_l("Skriv datoen for samtykket."))]
    )
    confirm_duplicate = BooleanField(_l("Ja, send alligevel"))

    def validate_phone(self, field: TelField) -> None:
        """Require a way to reach the citizen."""
        if not (field.data or "").strip() and not (self.email.data or "").strip():
            raise ValidationError(
                _l("Skriv telefonnummer eller e-mail, så foreningen kan tage kontakt.")
            )


class ContactRequestForm(FlaskForm):
    """A citizen's own request to be contacted about an offer."""

    name = StringField(
        _l("Dit navn"), validators=[DataRequired(_l("Skriv dit navn.")), Length(max=200), no_cpr]
    )
    phone = TelField(_l("Telefon"), validators=[Optional(), Length(max=30), no_cpr])
    email = EmailField(
        _l("E-mail"),
        validators=[Optional(), valid_email, Length(max=254)],
    )
    message = TextAreaField(
        _l("Besked til foreningen (valgfri)"),
        validators=[
            Optional(),
            Length(max=500, message=_l("Beskeden må højst være på 500 tegn.")),
            no_cpr,
        ],
    )
    consent_given = BooleanField(
        _l("Jeg giver samtykke til, at foreningen får mit navn og mine kontaktoplysninger"),
        validators=[DataRequired(_l("Vi kan kun sende din henvendelse, hvis du giver samtykke."))],
    )
    # Left empty by people; bots fill in every field.
    website = StringField(_l("Lad dette felt være tomt"))
    form_token = HiddenField()

    def validate_phone(self, field: TelField) -> None:
        """Require a way to reach the citizen."""
        if not (field.data or "").strip() and not (self.email.data or "").strip():
            raise ValidationError(_l("Skriv dit telefonnummer eller din e-mail."))


class StatusForm(FlaskForm):
    """The association moves a referral on."""

    version = HiddenField()
    status = RadioField(_l("Ny status"), validators=[InputRequired(_l("Vælg en status."))])
    reason = SelectField(
        _l("Hvorfor er borgeren ikke startet?"),
        choices=[SelectChoice("", _l("Vælg")), *choices(NOT_STARTED_REASONS)],
        validators=[Optional()],
    )
    message = TextAreaField(
        _l("Begrundelse (ved afvisning)"),
        validators=[
            Optional(),
            Length(max=500, message=_l("Begrundelsen må højst være på 500 tegn.")),
            no_cpr,
        ],
    )


class ReplyForm(FlaskForm):
    """A short message from the association to the referrer."""

    message = TextAreaField(
        _l("Besked til den, der henviste"),
        validators=[
            DataRequired(_l("Skriv en besked.")),
            Length(max=500, message=_l("Beskeden må højst være på 500 tegn.")),
            no_cpr,
        ],
    )


class BreakGlassForm(FlaskForm):
    """An admin's recorded reason for looking at a referral."""

    reason = TextAreaField(
        _l("Hvorfor skal du se henvisningen?"),
        validators=[
            DataRequired(),
            Length(min=10, max=500, message=_l("Skriv en begrundelse på 10-500 tegn.")),
        ],
    )


class ProfessionalForm(FlaskForm):
    """A professional's profile, verified by an admin before they can refer."""

    kind = RadioField(
        _l("Hvad arbejder du som?"),
        choices=choices(KIND_LABELS),
        validators=[InputRequired(_l("Vælg hvad du arbejder som."))],
    )
    workplace = StringField(
        _l("Arbejdssted (klinik, forvaltning eller afdeling)"),
        validators=[DataRequired(_l("Skriv dit arbejdssted.")), Length(max=200)],
    )
    department = StringField(_l("Afdeling (valgfri)"), validators=[Optional(), Length(max=200)])
    municipality_code = SelectField(_l("Kommune"), validators=[Optional()])


class CitizenLookupForm(FlaskForm):
    """An admin finds a citizen's referrals for an access or erasure request."""

    name = StringField(_l("Borgerens fulde navn"), validators=[DataRequired(), Length(max=200)])
    phone = TelField(_l("Telefon"), validators=[Optional(), Length(max=30)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    case = StringField(
        _l("Sagsnummer eller begrundelse"), validators=[DataRequired(), Length(min=3, max=200)]
    )
