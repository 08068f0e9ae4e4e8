"""The editors' forms: an item, an upload, and the small confirm-only forms."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from portal.knowledge.labels import AUDIENCE_LABELS, EVIDENCE_LABELS, STATUS_LABELS
from portal.knowledge.models import EvidenceLevel, KnowledgeKind, KnowledgeStatus
from portal.knowledge.services import ItemChanges, clean_tags

LOCAL_TIME = ZoneInfo("Europe/Copenhagen")

TERM_FIELDS = {
    "activity": "aktivitet",
    "target_group": "maalgruppe",
    "life_situation": "livssituation",
}


def to_utc(local: dt.datetime) -> dt.datetime:
    """Return a Danish wall-clock time (from a form) as an aware UTC datetime."""
    return local.replace(tzinfo=LOCAL_TIME).astimezone(dt.UTC)


def to_local(moment: dt.datetime) -> dt.datetime:
    """Return a UTC time as a naive Danish wall-clock time for a form field."""
    return moment.astimezone(LOCAL_TIME).replace(tzinfo=None)


class ItemForm(FlaskForm):
    """An article, tool or concept."""

    title = StringField(
        _l("Titel"),
        validators=[
            DataRequired(_l("Skriv en titel.")),
            Length(max=200, message=_l("Titlen må højst have 200 tegn.")),
        ],
    )
    slug = StringField(
        _l("Adresse (slug)"),
        description=_l(
            "Bliver til /viden/adressen. Lad feltet stå tomt for at lave den ud fra titlen. "
            "Æ, ø og å skrives ae, oe og aa."
        ),
        validators=[
            Optional(),
            Length(max=80, message=_l("Adressen må højst have 80 tegn.")),
            Regexp(
                r"^[A-Za-z0-9æøåÆØÅ -]*$",
                message=_l("Brug kun bogstaver, tal, mellemrum og bindestreg."),
            ),
        ],
    )
    summary = TextAreaField(
        _l("Resumé"),
        description=_l("To-tre sætninger, der vises i lister og søgeresultater."),
        validators=[
            DataRequired(_l("Skriv et kort resumé.")),
            Length(max=600, message=_l("Resuméet må højst have 600 tegn.")),
        ],
    )
    body = TextAreaField(
        _l("Brødtekst"),
        description=_l(
            "Skrives i Markdown: # Overskrift, **fed**, *kursiv*, - punkter, "
            "[link](https://...) og tabeller."
        ),
        validators=[Length(max=100_000, message=_l("Teksten er for lang."))],
    )
    how_to_start = TextAreaField(
        _l("Sådan starter du lokalt"),
        description=_l("Kun for koncepter. Markdown."),
        validators=[Length(max=50_000, message=_l("Teksten er for lang."))],
    )
    sources = TextAreaField(
        _l("Kilder"),
        description=_l("Kun for koncepter: undersøgelser og rapporter, gerne med links. Markdown."),
        validators=[Length(max=20_000, message=_l("Teksten er for lang."))],
    )
    evidence_level = RadioField(
        _l("Evidensniveau"),
        choices=[SelectChoice(level.value, label) for level, label in EVIDENCE_LABELS.items()],
        validators=[Optional()],
        validate_choice=True,
    )
    audiences = SelectMultipleField(
        _l("Hvem er indholdet skrevet til?"),
        choices=[SelectChoice(a.value, label) for a, label in AUDIENCE_LABELS.items()],
        validators=[DataRequired(_l("Vælg mindst én målgruppe for indholdet."))],
    )
    tags = StringField(
        _l("Emneord"),
        description=_l("Frie ord, adskilt af komma, fx: samtale, ældre, frivillige."),
        validators=[Length(max=500, message=_l("Der er for mange emneord."))],
    )
    activity = SelectMultipleField(_l("Aktivitetstyper"), choices=[], validators=[Optional()])
    target_group = SelectMultipleField(_l("Målgrupper"), choices=[], validators=[Optional()])
    life_situation = SelectMultipleField(_l("Livssituationer"), choices=[], validators=[Optional()])
    status = RadioField(
        _l("Udgivelse"),
        choices=[SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()],
        default=KnowledgeStatus.DRAFT.value,
        validators=[DataRequired(_l("Vælg, om indholdet skal udgives."))],
    )
    publish_at = DateTimeLocalField(
        _l("Udgivelsestidspunkt"),
        description=_l("Dansk tid. Kun for planlagt udgivelse."),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
    )
    is_featured = BooleanField(_l("Fremhæv på forsiden af videnscentret"))
    note = StringField(
        _l("Hvad har du ændret? (valgfrit)"),
        validators=[Length(max=500, message=_l("Noten må højst have 500 tegn."))],
    )
    base_revision = HiddenField()

    def __init__(
        self, *args: Any, kind: KnowledgeKind, term_choices: dict[str, list], **kwargs: Any
    ) -> None:
        """Build the form for one kind of item, with the vocabularies' choices."""
        super().__init__(*args, **kwargs)
        self.kind = kind
        for name, choices in term_choices.items():
            getattr(self, name).choices = choices
        self.now = dt.datetime.now(dt.UTC)

    def validate(self, extra_validators: Any = None) -> bool:
        """Check the fields, then the rules that join them (concepts, planned times)."""
        valid = super().validate(extra_validators)
        if self.kind is KnowledgeKind.CONCEPT and not self.evidence_level.data:
            self.evidence_level.errors = [_l("Vælg konceptets evidensniveau.")]
            valid = False
        if self.status.data == KnowledgeStatus.SCHEDULED.value and not self.publish_at.errors:
            message = self._planned_time_error()
            if message is not None:
                self.publish_at.errors = [message]
                valid = False
        return valid

    def _planned_time_error(self) -> Any:
        """Return why the planned time cannot be used, or None."""
        if self.publish_at.data is None:
            return _l("Skriv, hvornår indholdet skal udgives (dato og klokkeslæt).")
        if to_utc(self.publish_at.data) <= self.now:
            return _l(
                "Tidspunktet er allerede passeret. Vælg et tidspunkt i fremtiden, "
                "eller vælg »Udgivet nu«."
            )
        return None

    def changes(self) -> ItemChanges:
        """Return the submitted fields as changes for the service layer."""
        status = KnowledgeStatus(self.status.data)
        publish_at = self.publish_at.data
        return ItemChanges(
            title=self.title.data or "",
            summary=self.summary.data or "",
            body=self.body.data or "",
            slug=self.slug.data or "",
            how_to_start=self.how_to_start.data or "",
            sources=self.sources.data or "",
            evidence_level=EvidenceLevel(self.evidence_level.data)
            if self.evidence_level.data
            else None,
            audiences=list(self.audiences.data or []),
            tags=clean_tags(self.tags.data or ""),
            term_codes=[
                f"{vocabulary}:{code}"
                for name, vocabulary in TERM_FIELDS.items()
                for code in getattr(self, name).data or []
            ],
            status=status,
            publish_at=to_utc(publish_at)
            if status is KnowledgeStatus.SCHEDULED and publish_at
            else None,
            is_featured=bool(self.is_featured.data),
        )


class UploadForm(FlaskForm):
    """One file and the text summary shown beside it."""

    file = FileField(
        _l("Fil"),
        description=_l("PDF, Word (DOCX), PowerPoint (PPTX), PNG eller JPEG. Højst 20 MB."),
        validators=[FileRequired(_l("Vælg en fil."))],
    )
    summary = TextAreaField(
        _l("Resumé af filens indhold"),
        description=_l(
            "Vises ved siden af filen, så alle kan læse indholdet – også med skærmlæser "
            "eller på en gammel telefon."
        ),
        validators=[
            DataRequired(_l("Skriv et resumé af filens indhold.")),
            Length(min=20, max=5000, message=_l("Resuméet skal have mellem 20 og 5000 tegn.")),
        ],
    )


class ConfirmForm(FlaskForm):
    """A button that changes something (restore, delete); only the CSRF token."""
