"""The embedded knowledge index: Danish words, typos, facets and publication times."""

from __future__ import annotations

import json

import pytest

from search import EngineUnavailable
from search.knowledge import KnowledgeQuery
from search.knowledge_tantivy import TantivyKnowledgeIndex

DOCUMENTS = [
    {
        "id": "a", "kind": "article", "slug": "spoerg",
        "title": "Sådan spørger du ind til ensomhed",
        "summary": "Gode spørgsmål til samtalen.", "body": "Tal med borgeren om hverdagen.",
        "audience": ["fagpersoner", "frivillige"], "tag": ["samtale"], "target_group": ["aeldre"],
        "publish_at": 1_000, "updated_at": 10,
    },
    {
        "id": "b", "kind": "concept", "slug": "besoegsven", "title": "Besøgsven",
        "summary": "En frivillig besøger en ældre.",
        "body": "Besøgsvenner kommer hjemme hos ældre.",
        "audience": ["frivillige", "ledere"], "tag": ["ældre"], "activity": ["besoegsven"],
        "publish_at": 2_000, "updated_at": 20,
    },
    {
        "id": "c", "kind": "concept", "slug": "faellesspisning", "title": "Fællesspisning",
        "summary": "Man spiser sammen.", "body": "Fællesspisninger i forsamlingshuset.",
        "audience": ["borgere"], "tag": ["mad"], "publish_at": 3_000, "updated_at": 30,
    },
]  # fmt: skip


@pytest.fixture
def index(tmp_path) -> TantivyKnowledgeIndex:
    engine = TantivyKnowledgeIndex(tmp_path / "knowledge")
    engine.rebuild(DOCUMENTS)
    return engine


def ids(index, **query) -> list[str]:
    return [hit.id for hit in index.search(KnowledgeQuery(**query)).hits]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ensomhed", ["a"]),
        ("ensomhd", ["a"]),  # one typo
        ("ensomheden", ["a"]),  # another form of the word
        ("besøgsvenner", ["b"]),
        ("besogsven", ["b"]),  # ø typed as o
        ("faellesspisning", ["c"]),  # æ spelled ae
        ("alene", ["a"]),  # a synonym of "ensomhed"
        ("spør", ["a"]),  # the start of a word, while typing
        ("xylofon", []),
    ],
)
def test_danish_words_forms_and_typos_are_found(index, text: str, expected: list[str]) -> None:
    assert ids(index, text=text) == expected


def test_without_words_the_newest_come_first(index) -> None:
    assert ids(index) == ["c", "b", "a"]


def test_only_documents_published_by_the_given_time_are_public(index) -> None:
    assert ids(index, visible_at=1_999) == ["a"]
    assert ids(index, visible_at=2_000) == ["b", "a"]


def test_filters_combine_within_and_across_fields(index) -> None:
    assert ids(index, kind=("concept",)) == ["c", "b"]
    assert ids(index, audience=("borgere", "ledere")) == ["c", "b"]
    assert ids(index, kind=("concept",), audience=("fagpersoner",)) == []
    assert ids(index, tag=("ældre",)) == ["b"]
    assert ids(index, target_group=("aeldre",)) == ["a"]


def test_facets_count_type_audience_and_tag(index) -> None:
    result = index.search(KnowledgeQuery(facets=("kind", "audience", "tag"), visible_at=2_500))

    assert result.facets == {
        "kind": {"article": 1, "concept": 1},
        "audience": {"frivillige": 2, "fagpersoner": 1, "ledere": 1},
        "tag": {"samtale": 1, "ældre": 1},
    }


def test_matches_are_highlighted_and_escaped(tmp_path) -> None:
    engine = TantivyKnowledgeIndex(tmp_path / "k")
    engine.rebuild([{**DOCUMENTS[0], "title": "<b>Ensomhed</b> & samtale"}])

    hit = engine.search(KnowledgeQuery(text="ensomhed")).hits[0]

    assert hit.highlights["title"] == "&lt;b&gt;<mark>Ensomhed</mark>&lt;/b&gt; &amp; samtale"


def test_index_remove_and_ids_keep_track_of_documents(index) -> None:
    index.remove(["b", "unknown"])
    index.index([{**DOCUMENTS[0], "title": "Ny titel", "updated_at": 99}])

    assert index.ids() == {"a": 99, "c": 30}
    assert ids(index, text="titel") == ["a"]


def test_a_second_process_sees_commits(index, tmp_path) -> None:
    other = TantivyKnowledgeIndex(tmp_path / "knowledge")
    assert ids(other) == ["c", "b", "a"]

    index.remove(["c"])

    assert ids(other) == ["b", "a"]


def test_an_index_of_an_old_format_asks_for_a_rebuild(index, tmp_path) -> None:
    (tmp_path / "knowledge" / "format.json").write_text(json.dumps({"version": 0}))
    fresh = TantivyKnowledgeIndex(tmp_path / "knowledge")

    with pytest.raises(EngineUnavailable):
        fresh.search(KnowledgeQuery())
    assert not fresh.health().ok
    fresh.rebuild(DOCUMENTS[:1])
    assert ids(fresh) == ["a"]
