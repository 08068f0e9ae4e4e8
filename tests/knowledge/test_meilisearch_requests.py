"""The knowledge index on Meilisearch: requests built and answers read, offline.

A live server is used only when MEILI_URL is set; without it the engine's own
behaviour is covered here through a stand-in client.
"""

from __future__ import annotations

import os
from types import SimpleNamespace
from unittest import mock

import pytest

from search import EngineUnavailable, InvalidQuery
from search.knowledge import KnowledgeQuery, get_knowledge_index
from search.knowledge_meilisearch import (
    MeilisearchKnowledgeIndex,
    build_filter,
    build_search_params,
    knowledge_settings,
    to_document,
    to_result,
)
from search.meilisearch_query import MARK_CLOSE, MARK_OPEN


def test_filters_are_escaped_literals_joined_by_or_within_and_across() -> None:
    query = KnowledgeQuery(
        kind=("concept", "tool"), audience=('fagpersoner" OR id != "',), visible_at=1_700_000_000
    )

    assert build_filter(query) == (
        '(kind = "concept" OR kind = "tool") AND '
        '(audience = "fagpersoner\\" OR id != \\"") AND publish_at <= 1700000000'
    )


def test_no_filter_for_an_editor_search_without_choices() -> None:
    assert build_filter(KnowledgeQuery()) is None


def test_a_visible_time_must_be_whole_seconds() -> None:
    with pytest.raises(InvalidQuery):
        build_filter(KnowledgeQuery(visible_at=1.5))  # type: ignore[arg-type]


def test_without_words_the_newest_come_first_and_facets_are_asked_for() -> None:
    params = build_search_params(
        KnowledgeQuery(text="  ", facets=("tag", "kind"), page=2, per_page=5)
    )

    assert params["sort"] == ["publish_at:desc"]
    assert params["facets"] == ["kind", "tag"]
    assert params["page"] == 2 and params["hitsPerPage"] == 5
    assert params["matchingStrategy"] == "all"
    assert params["locales"] == ["dan"]


def test_with_words_relevance_decides_and_an_open_quote_is_dropped() -> None:
    params = build_search_params(KnowledgeQuery(text='"ensomhed blandt unge'))

    assert "sort" not in params
    assert params["q"] == "ensomhed blandt unge"


def test_the_settings_make_the_filters_facets_and_order_possible() -> None:
    settings = knowledge_settings([("ensom", "alene")])

    assert set(settings["filterableAttributes"]) >= {"kind", "audience", "tag", "publish_at", "id"}
    assert settings["sortableAttributes"] == ["publish_at"]
    assert settings["searchableAttributes"][0] == "title"
    assert settings["synonyms"] == {"ensom": ["alene"], "alene": ["ensom"]}
    assert settings["typoTolerance"]["enabled"] is True


def test_documents_are_sent_whole_with_every_field() -> None:
    document = to_document({"id": "a", "kind": "tool", "title": "Tjekliste", "publish_at": 5})

    assert document["audience"] == [] and document["body"] == "" and document["publish_at"] == 5


def test_answers_become_results_with_escaped_highlights() -> None:
    query = KnowledgeQuery(text="ensomhed", facets=("kind", "audience"))
    response = {
        "hits": [
            {
                "id": "a", "kind": "article", "slug": "s", "title": "<i>Ensomhed</i>",
                "summary": "Om ensomhed", "_rankingScore": 0.9,
                "_formatted": {"title": f"<i>{MARK_OPEN}Ensomhed{MARK_CLOSE}</i>", "summary": "Om"},
            }
        ],
        "totalHits": 1,
        "facetDistribution": {"kind": {"article": 1}, "other": {"x": 2}},
    }  # fmt: skip

    result = to_result(query, response)

    assert result.total == 1
    assert result.hits[0].highlights["title"] == "&lt;i&gt;<mark>Ensomhed</mark>&lt;/i&gt;"
    assert "_formatted" not in result.hits[0].document
    assert result.facets == {"kind": {"article": 1}, "audience": {}}


def test_the_engine_sends_the_built_request_and_reads_the_answer() -> None:
    engine = MeilisearchKnowledgeIndex("http://meili.invalid", index_name="portal_knowledge")
    index = mock.Mock()
    index.search.return_value = {"hits": [], "totalHits": 0}
    client = mock.Mock()
    client.index.return_value = index
    engine._local.client = client

    engine.search(KnowledgeQuery(text="sorg", kind=("article",), visible_at=10))

    client.index.assert_called_with("portal_knowledge")
    text, params = index.search.call_args.args
    assert text == "sorg"
    assert params["filter"] == '(kind = "article") AND publish_at <= 10'


def test_an_unreachable_server_is_reported_as_unavailable() -> None:
    engine = MeilisearchKnowledgeIndex("http://127.0.0.1:9", timeout_s=0.2)

    with pytest.raises(EngineUnavailable):
        engine.search(KnowledgeQuery(text="sorg"))
    assert engine.health().ok is False


def test_the_portal_picks_the_meilisearch_knowledge_index_by_configuration() -> None:
    engine = get_knowledge_index(
        {"SEARCH_ENGINE": "meilisearch", "MEILI_URL": "http://m:7700", "MEILI_INDEX_PREFIX": "test"}
    )

    assert isinstance(engine, MeilisearchKnowledgeIndex)
    assert engine.index_name == "test_knowledge"


def test_waiting_for_a_failed_task_raises() -> None:
    engine = MeilisearchKnowledgeIndex("http://meili.invalid")
    client = mock.Mock()
    client.wait_for_task.return_value = SimpleNamespace(status="failed", error={"message": "nope"})
    engine._local.client = client

    with pytest.raises(EngineUnavailable, match="nope"):
        engine._wait(1, "index")


@pytest.mark.skipif(
    not os.environ.get("MEILI_URL"),
    reason="MEILI_URL is not set: no Meilisearch server to test against",
)
def test_a_live_server_answers_like_the_embedded_index() -> None:
    import uuid

    engine = MeilisearchKnowledgeIndex(
        os.environ["MEILI_URL"],
        os.environ.get("MEILI_API_KEY") or None,
        f"test_{uuid.uuid4().hex[:8]}",
        timeout_s=5,
    )
    try:
        engine.rebuild(
            [
                {
                    "id": "a",
                    "kind": "article",
                    "title": "Sådan spørger du ind til ensomhed",
                    "publish_at": 10,
                },
                {"id": "b", "kind": "concept", "title": "Besøgsven", "publish_at": 20},
            ]
        )
        assert [h.id for h in engine.search(KnowledgeQuery(text="ensomhd")).hits] == ["a"]
        assert [h.id for h in engine.search(KnowledgeQuery(visible_at=15)).hits] == ["a"]
        assert [h.id for h in engine.search(KnowledgeQuery()).hits] == ["b", "a"]
    finally:
        engine._client().delete_index(engine.index_name)
