"""Addresses of knowledge items: Danish letters spelled out, unique, never a page's own path."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.knowledge.models import KnowledgeItem
from portal.knowledge.services import slugify, unique_slug


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Sådan spørger du ind til ensomhed", "saadan-spoerger-du-ind-til-ensomhed"),
        ("Fællesspisning", "faellesspisning"),
        ("Gå-fællesskab", "gaa-faellesskab"),
        ("ÆBLER, ØL & ÅER", "aebler-oel-aaer"),
        ("Café for nydanskere – én gang om ugen!", "cafe-for-nydanskere-en-gang-om-ugen"),
        ("  --  ", ""),
    ],
)
def test_slugs_spell_danish_letters_out(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_a_taken_slug_gets_a_number(make_item) -> None:
    first = make_item(title="Besøgsven")
    second = make_item(title="Besøgsven")
    third = make_item(title="Besøgsven")

    assert [first.slug, second.slug, third.slug] == ["besoegsven", "besoegsven-2", "besoegsven-3"]


def test_an_item_keeps_its_own_slug_when_saved_again(app, make_item) -> None:
    item = make_item(title="Telefonven")

    assert unique_slug(db.session, "Telefonven", item.id) == "telefonven"


@pytest.mark.parametrize("title", ["Søg", "Filer", "Redaktion"])
def test_slugs_of_the_knowledge_centres_own_pages_are_never_given_out(make_item, title) -> None:
    item = make_item(title=title)

    assert item.slug.endswith("-2")
    assert db.session.get(KnowledgeItem, item.id) is not None
