"""The demo content: real-sounding Danish items, a generated PDF, and concepts with offers."""

from __future__ import annotations

import sqlalchemy as sa

from portal.extensions import db
from portal.knowledge.demo import build_pdf, seed_demo_content
from portal.knowledge.models import KnowledgeAttachment, KnowledgeItem, KnowledgeKind
from portal.offers.models import Service
from tests.knowledge.conftest import fetch


def test_the_demo_has_the_article_the_tool_and_four_concepts(app, client) -> None:
    seed_demo_content(db.session, app.config["KNOWLEDGE_UPLOAD_DIR"])
    db.session.commit()

    items = db.session.scalars(sa.select(KnowledgeItem)).all()
    titles = {item.title for item in items}
    assert "Sådan spørger du ind til ensomhed" in titles
    concepts = {item.slug: item for item in items if item.kind is KnowledgeKind.CONCEPT}
    assert set(concepts) == {"besoegsven", "faellesspisning", "telefonven", "gaa-faellesskab"}
    assert all(c.evidence_level is not None and c.sources for c in concepts.values())
    tool = next(item for item in items if item.kind is KnowledgeKind.TOOL)
    attachment = tool.attachments[0]
    download = fetch(client, f"/viden/filer/{attachment.id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-1.4")
    assert attachment.summary


def test_seeding_twice_adds_nothing_and_keeps_an_editors_changes(app) -> None:
    folder = app.config["KNOWLEDGE_UPLOAD_DIR"]
    first = seed_demo_content(db.session, folder)
    item = db.session.scalars(
        sa.select(KnowledgeItem).where(KnowledgeItem.slug == "besoegsven")
    ).one()
    item.title = "Besøgsven – redigeret"
    db.session.commit()

    second = seed_demo_content(db.session, folder)
    db.session.commit()

    assert first.added == 6 and second.added == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(KnowledgeItem)) == 6
    assert db.session.scalar(sa.select(sa.func.count()).select_from(KnowledgeAttachment)) == 1
    assert item.title == "Besøgsven – redigeret"


def test_demo_offers_with_a_concepts_activity_are_linked_to_it(app, make_offer) -> None:
    demo = make_offer(name="Besøgsvenner i Thisted", activities=["besoegsven"], is_demo=True)
    real = make_offer(name="Rigtig besøgstjeneste", activities=["besoegsven"])

    report = seed_demo_content(db.session, app.config["KNOWLEDGE_UPLOAD_DIR"])
    db.session.commit()

    concept = db.session.scalars(
        sa.select(KnowledgeItem).where(KnowledgeItem.slug == "besoegsven")
    ).one()
    assert report.linked == 1
    assert (
        db.session.scalar(sa.select(Service.concept_id).where(Service.id == demo.id)) == concept.id
    )
    assert db.session.scalar(sa.select(Service.concept_id).where(Service.id == real.id)) is None


def test_the_generated_pdf_is_well_formed() -> None:
    pdf = build_pdf("Tjekliste", ["Æbler og øl på å-bredden (ikke \\ her)"])

    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    xref = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    assert pdf[xref:].startswith(b"xref\n0 7\n")
    offsets = [int(line[:10]) for line in pdf[xref:].split(b"\n")[3:9]]
    for number, offset in enumerate(offsets, start=1):
        assert pdf[offset:].startswith(f"{number} 0 obj".encode())
    assert b"(\\306bler og \\370l p\\345 \\345-bredden \\(ikke \\\\ her\\))" in pdf


def test_seed_demo_command_adds_the_knowledge_content(runner) -> None:
    result = runner.invoke(args=["knowledge", "seed-demo"])

    assert result.exit_code == 0, result.output
    assert "6 demo items added" in result.output
    assert "Indexed 6 knowledge items." in result.output
