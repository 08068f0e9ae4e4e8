"""Forms for enrolling and using the authenticator app."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class CodeForm(FlaskForm):
    """A 6-digit code from the app, or a recovery code."""

    code = StringField(
        _l("Kode"),
        validators=[DataRequired(_l("Skriv koden.")), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"},
    )
