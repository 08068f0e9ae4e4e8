"""The Danish names of the knowledge centre's codes, as people read them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.knowledge.models import Audience, EvidenceLevel, KnowledgeKind, KnowledgeStatus

KIND_LABELS = {
    KnowledgeKind.ARTICLE: _l("Artikel"),
    KnowledgeKind.TOOL: _l("Værktøj"),
    KnowledgeKind.CONCEPT: _l("Koncept"),
}
KIND_PLURALS = {
    KnowledgeKind.ARTICLE: _l("Artikler"),
    KnowledgeKind.TOOL: _l("Værktøjer"),
    KnowledgeKind.CONCEPT: _l("Koncepter"),
}
AUDIENCE_LABELS = {
    Audience.CITIZENS: _l("Borgere"),
    Audience.PROFESSIONALS: _l("Fagpersoner"),
    Audience.VOLUNTEERS: _l("Frivillige"),
    Audience.LEADERS: _l("Ledere"),
}
EVIDENCE_LABELS = {
    EvidenceLevel.DOCUMENTED: _l("Dokumenteret effekt"),
    EvidenceLevel.PROMISING: _l("Lovende praksis"),
    EvidenceLevel.EXPERIENCE: _l("Erfaringsbaseret"),
}
STATUS_LABELS = {
    KnowledgeStatus.DRAFT: _l("Kladde – kun synlig for redaktører"),
    KnowledgeStatus.PUBLISHED: _l("Udgivet nu"),
    KnowledgeStatus.SCHEDULED: _l("Planlagt – udgives af sig selv på tidspunktet"),
}
