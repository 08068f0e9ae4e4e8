"""Offer pages and the search page show related guidance from the knowledge centre."""

from __future__ import annotations

import datetime as dt
import re

from portal.knowledge.models import KnowledgeKind, KnowledgeStatus


def box(page: str, heading_id: str) -> str:
    """Return the HTML of the aside labelled by ``heading_id`` ('' if absent)."""
    match = re.search(rf'<aside[^>]*aria-labelledby="{heading_id}".*?</aside>', page, re.S)
    return match.group(0) if match else ""


def test_an_offer_page_links_guidance_sharing_its_target_group_or_situation(
    client, make_offer, make_item
) -> None:
    offer = make_offer(target_groups=["aeldre"], situations=["mistet-partner"])
    both = make_item(
        title="Ældre, der har mistet en partner",
        terms=["maalgruppe:aeldre", "livssituation:mistet-partner"],
    )
    make_item(title="Om ældre", terms=["maalgruppe:aeldre"])
    make_item(title="Om sorg", terms=["livssituation:mistet-partner"])
    make_item(title="Om unge", terms=["maalgruppe:unge"])
    make_item(title="Ældre, kladde", terms=["maalgruppe:aeldre"], status=KnowledgeStatus.DRAFT)
    make_item(title="Ældre, for fjerde gang", terms=["maalgruppe:aeldre"])

    page = client.get(f"/tilbud/{offer.id}").get_data(as_text=True)
    related = box(page, "related-guidance-heading")

    titles = re.findall(r'<a href="/viden/[^"]+">([^<]+)</a>', related)
    assert len(titles) == 3
    assert titles[0] == both.title  # shares the most
    assert "Om unge" not in titles and "Ældre, kladde" not in titles


def test_an_offer_names_the_concept_it_builds_on(client, make_offer, make_item) -> None:
    concept = make_item(kind=KnowledgeKind.CONCEPT, title="Besøgsven")
    offer = make_offer(concept_id=concept.id, target_groups=["unge"])

    related = box(
        client.get(f"/tilbud/{offer.id}").get_data(as_text=True), "related-guidance-heading"
    )

    assert f'Bygger på konceptet <a href="/viden/{concept.slug}">Besøgsven</a>' in related


def test_a_draft_concept_is_not_named_on_the_offer(client, make_offer, make_item) -> None:
    concept = make_item(
        kind=KnowledgeKind.CONCEPT, title="Hemmeligt koncept", status=KnowledgeStatus.DRAFT
    )
    offer = make_offer(concept_id=concept.id, target_groups=["unge"])

    assert "Hemmeligt koncept" not in client.get(f"/tilbud/{offer.id}").get_data(as_text=True)


def test_professionals_get_the_article_on_talking_about_loneliness(
    client, make_offer, make_item
) -> None:
    offer = make_offer(target_groups=["unge"])
    talk = make_item(
        title="Sådan spørger du ind til ensomhed", audiences=["fagpersoner"], tags=["samtale"]
    )
    make_item(title="Samtale for borgere", audiences=["borgere"], tags=["samtale"])

    related = box(
        client.get(f"/tilbud/{offer.id}").get_data(as_text=True), "related-guidance-heading"
    )

    assert "Til fagpersoner:" in related
    assert f'<a href="/viden/{talk.slug}">{talk.title}</a>' in related
    assert "Samtale for borgere" not in related


def test_an_offer_without_related_guidance_has_no_box(client, make_offer) -> None:
    offer = make_offer(target_groups=["unge"])

    assert (
        box(client.get(f"/tilbud/{offer.id}").get_data(as_text=True), "related-guidance-heading")
        == ""
    )


def test_the_search_page_shows_guidance_for_the_chosen_target_group(
    client, make_offer, make_item
) -> None:
    make_offer()
    item = make_item(title="Ensomhed blandt unge", terms=["maalgruppe:unge"])
    make_item(title="Ensomhed blandt ældre", terms=["maalgruppe:aeldre"])

    chosen = box(
        client.get("/search?target_group=unge").get_data(as_text=True), "search-guidance-heading"
    )
    nothing = box(client.get("/search").get_data(as_text=True), "search-guidance-heading")

    assert f'<a href="/viden/{item.slug}">Ensomhed blandt unge</a>' in chosen
    assert "Ensomhed blandt ældre" not in chosen
    assert nothing == ""


def test_planned_guidance_waits_for_its_time(client, make_offer, make_item, clock) -> None:
    offer = make_offer(target_groups=["aeldre"])
    make_item(
        title="Kommer snart",
        terms=["maalgruppe:aeldre"],
        status=KnowledgeStatus.SCHEDULED,
        publish_at=clock.now + dt.timedelta(days=1),
    )

    assert "Kommer snart" not in client.get(f"/tilbud/{offer.id}").get_data(as_text=True)
    clock.advance(days=2)
    assert "Kommer snart" in client.get(f"/tilbud/{offer.id}").get_data(as_text=True)
