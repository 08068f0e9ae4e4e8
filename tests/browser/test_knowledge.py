"""The knowledge centre in a real browser: WCAG 2.1 AA with axe-core, also on a phone."""

from __future__ import annotations

import pytest
from flask import Flask

from portal.extensions import db
from portal.knowledge.attachments import store_attachment
from portal.knowledge.models import EvidenceLevel, KnowledgeKind
from tests.browser.live import AXE_OPTIONS, NARROWEST_PHONE, LiveSite, new_page, settle
from tests.knowledge.conftest import index_all, make_item  # noqa: F401 - a fixture
from tests.knowledge.files import PDF
from tests.main.test_pages import index_everything

pytestmark = pytest.mark.browser

ARTICLE_BODY = """Ensomhed er svær at tale om. Et åbent spørgsmål kan åbne samtalen.

## Gode spørgsmål

- Hvem taler du med i løbet af en uge?
- Savner du nogen at være sammen med?

| Situation | Spørgsmål |
|---|---|
| Mistet partner | Hvordan er dagene blevet? |

Læs mere hos [Sundhedsstyrelsen](https://www.sst.dk) eller om [besøgsvenner](/viden/besoegsven).
"""


@pytest.fixture
def knowledge_site(app: Flask, site: LiveSite, make_item, make_offer) -> LiveSite:  # noqa: F811
    """The live site with an article, a concept with offers and a tool with a file."""
    article = make_item(
        title="Sådan spørger du ind til ensomhed",
        body=ARTICLE_BODY,
        audiences=["fagpersoner", "frivillige"],
        tags=["samtale", "ensomhed"],
        terms=["maalgruppe:aeldre"],
        is_featured=True,
    )
    concept = make_item(
        kind=KnowledgeKind.CONCEPT,
        title="Besøgsven",
        summary="En frivillig besøger et menneske, der sidder meget alene.",
        body="En besøgsven kommer på besøg en gang om ugen.",
        how_to_start="1. Find en koordinator.\n2. Match besøgsvenner og værter.",
        sources="- Nationalt Partnerskab mod Ensomhed: *Strategi mod ensomhed* (2023).",
        evidence_level=EvidenceLevel.PROMISING,
        terms=["aktivitet:besoegsven", "maalgruppe:aeldre"],
        audiences=["frivillige", "ledere"],
    )
    tool = make_item(
        kind=KnowledgeKind.TOOL, title="Tjekliste til velkomsten", audiences=["frivillige"]
    )
    store_attachment(
        db.session,
        tool,
        PDF,
        "tjekliste.pdf",
        "Ti punkter om at tage godt imod nye.",
        None,
        app.config["KNOWLEDGE_UPLOAD_DIR"],
    )
    offer = make_offer(
        name="Besøgsvenner i Thisted", concept_id=concept.id, activities=["besoegsven"]
    )
    db.session.commit()
    index_all()
    index_everything()
    site.paths = {
        "article": f"/viden/{article.slug}",
        "concept": f"/viden/{concept.slug}",
        "tool": f"/viden/{tool.slug}",
        "knowledge front page": "/viden/",
        "knowledge search": "/viden/soeg?q=ensomhd&kind=article",
        "offer with guidance": f"/tilbud/{offer.id}",
    }
    return site


def _violations(browser, site: LiveSite, names, **options) -> dict[str, str]:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    csp_errors: list[str] = []
    page = new_page(browser, site, csp_errors, **options)
    reports = {}
    for name in names:
        page.goto(site.url(name))
        settle(page)
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports[name] = results.generate_report()
    if csp_errors:
        reports["csp"] = "\n".join(csp_errors)
    return reports


def test_knowledge_pages_have_no_wcag_violations(knowledge_site: LiveSite, browser) -> None:
    reports = _violations(browser, knowledge_site, knowledge_site.paths)

    assert not reports, "\n\n".join(f"== {name} ==\n{text}" for name, text in reports.items())


def test_article_and_concept_pages_have_no_wcag_violations_on_a_phone(
    knowledge_site: LiveSite, browser
) -> None:
    reports = _violations(browser, knowledge_site, ["article", "concept"], viewport=NARROWEST_PHONE)

    assert not reports, "\n\n".join(f"== {name} ==\n{text}" for name, text in reports.items())


def test_the_concept_page_counts_offers_and_finds_one_nearby(
    knowledge_site: LiveSite, browser
) -> None:
    page = new_page(browser, knowledge_site, [])
    page.goto(knowledge_site.url("concept"))

    assert "1 offentliggjort fællesskab i hele landet" in page.inner_text("main")
    page.get_by_role("link", name="Find et nær dig").click()
    page.wait_for_url("**/search?activity=besoegsven")
    assert "Besøgsvenner i Thisted" in page.inner_text("main")
