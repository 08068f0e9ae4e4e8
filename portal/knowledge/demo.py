"""Demo content for the knowledge centre: an article, a tool with a PDF, and four concepts.

Idempotent: an item whose slug exists is left alone (an editor may have changed
it). Demo offers with a concept's activity are linked to that concept, so the
concept pages have offers to count. The PDF is built here, byte by byte.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.db import utcnow
from portal.knowledge.attachments import file_path, store_attachment
from portal.knowledge.demo_texts import DEMO_ITEMS, TOOL_PDF_LINES, TOOL_PDF_NAME, TOOL_PDF_SUMMARY
from portal.knowledge.models import KnowledgeItem, KnowledgeKind, KnowledgeStatus
from portal.knowledge.services import ItemChanges, create_item
from portal.offers.models import Service
from portal.taxonomy.models import ServiceAttribute, Taxonomy, TaxonomyTerm

logger = logging.getLogger(__name__)


@dataclass
class DemoReport:
    """What seeding did."""

    added: int = 0
    linked: int = 0


def _pdf_text(text: str) -> str:
    """Return text as a PDF string literal in WinAnsi (æ, ø and å included)."""
    raw = text.encode("cp1252", "replace")
    out = []
    for byte in raw:
        char = chr(byte)
        if char in "()\\":
            out.append("\\" + char)
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    return "(" + "".join(out) + ")"


def build_pdf(title: str, lines: list[str]) -> bytes:
    """Return a one-page A4 PDF with a title and lines of text (Helvetica)."""
    commands = ["BT", "/F2 18 Tf", "56 780 Td", f"{_pdf_text(title)} Tj", "/F1 12 Tf", "0 -30 Td"]
    for line in lines:
        commands += [f"{_pdf_text(line)} Tj", "0 -18 Td"]
    commands.append("ET")
    stream = "\n".join(commands).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    body = bytearray(b"%PDF-1.4\n%\xe6\xf8\xe5\xc6\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n".encode() + content + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        body += f"{offset:010d} 00000 n \n".encode()
    body += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(body)


def _link_demo_offers(session: so.Session, concept: KnowledgeItem) -> int:
    """Link demo offers with the concept's activity to it; return how many."""
    activities = [t.code for t in concept.terms if t.taxonomy.code == "aktivitet"]
    if not activities:
        return 0
    with_activity = (
        sa.select(ServiceAttribute.service_id)
        .join(TaxonomyTerm, TaxonomyTerm.id == ServiceAttribute.taxonomy_term_id)
        .join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
        .where(Taxonomy.code == "aktivitet", TaxonomyTerm.code.in_(activities))
    )
    result = session.execute(
        sa.update(Service)
        .where(
            Service.is_demo.is_(True), Service.concept_id.is_(None), Service.id.in_(with_activity)
        )
        .values(concept_id=concept.id)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _ensure_pdf(session: so.Session, item: KnowledgeItem, directory: str | Path) -> None:
    """Attach the tool's PDF, or write its file again if the folder lost it."""
    data = build_pdf(item.title, TOOL_PDF_LINES)
    for attachment in item.attachments:
        if attachment.original_name == TOOL_PDF_NAME:
            path = file_path(directory, attachment.id)
            if not path.exists():
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                path.write_bytes(data)
            return
    store_attachment(session, item, data, TOOL_PDF_NAME, TOOL_PDF_SUMMARY, None, directory)


def seed_demo_content(
    session: so.Session, upload_dir: str | Path, now: dt.datetime | None = None
) -> DemoReport:
    """Add the demo items that are missing and link demo offers to the concepts."""
    now = now or utcnow()
    report = DemoReport()
    existing = {
        item.slug: item
        for item in session.scalars(
            sa.select(KnowledgeItem).where(
                KnowledgeItem.slug.in_([seed["slug"] for seed in DEMO_ITEMS])
            )
        )
    }
    for number, seed in enumerate(DEMO_ITEMS):
        item = existing.get(seed["slug"])
        if item is None:
            changes = ItemChanges(
                title=seed["title"],
                slug=seed["slug"],
                summary=seed["summary"],
                body=seed["body"],
                how_to_start=seed.get("how_to_start", ""),
                sources=seed.get("sources", ""),
                evidence_level=seed.get("evidence_level"),
                audiences=seed["audiences"],
                tags=seed["tags"],
                term_codes=seed["terms"],
                status=KnowledgeStatus.PUBLISHED,
                is_featured=seed.get("featured", False),
            )
            # Spread the publication dates, so "newest first" has an order.
            published = now - dt.timedelta(days=2 * (len(DEMO_ITEMS) - number))
            item = create_item(session, seed["kind"], changes, None, published, "Demoindhold")
            report.added += 1
        if item.kind is KnowledgeKind.TOOL:
            _ensure_pdf(session, item, upload_dir)
        if item.kind is KnowledgeKind.CONCEPT:
            report.linked += _link_demo_offers(session, item)
    session.flush()
    logger.info("knowledge demo: %s items added, %s offers linked", report.added, report.linked)
    return report
