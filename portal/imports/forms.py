"""The upload form and the form that imports a checked file for real."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired, Regexp

from portal.imports.uploads import TOKEN


class ImportForm(FlaskForm):
    """Choose a file; a dry run (saving nothing) is the default."""

    file = FileField(
        _l("Fil med tilbud (CSV eller JSON)"),
        validators=[FileRequired(_l("Vælg den fil, du vil importere."))],
    )
    dry_run = BooleanField(_l("Prøvekørsel (gem intet)"), default=True)
    as_drafts = BooleanField(_l("Gem som kladder"))


class ConfirmForm(FlaskForm):
    """Import the file a clean dry run checked; it names the copy kept on the server."""

    upload = HiddenField(validators=[DataRequired(), Regexp(TOKEN)])
