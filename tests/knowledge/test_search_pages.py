"""The knowledge search pages, kept in step with the editors' changes."""

from __future__ import annotations

import pytest

from portal.knowledge.models import KnowledgeKind
from portal.knowledge.search import knowledge_index
from search import EngineUnavailable
from tests.helpers import csrf_token
from tests.knowledge.conftest import index_all
from tests.knowledge.test_editor_forms import article_form


def found(client, query: str, slug: str) -> bool:
    return f'href="/viden/{slug}"' in client.get(f"/viden/soeg?{query}").get_data(as_text=True)


@pytest.fixture
def engine_down(monkeypatch):
    """Make every knowledge index call fail, as when the engine is unreachable."""

    def broken(*_args, **_kwargs):
        raise EngineUnavailable("switched off")

    engine = type(knowledge_index())
    for name in ("search", "index", "remove", "rebuild", "ids"):
        monkeypatch.setattr(engine, name, broken)


def test_publishing_and_unpublishing_update_the_search_at_once(editor_client) -> None:
    token = csrf_token(editor_client, "/viden/redaktion/ny?type=article")
    editor_client.post("/viden/redaktion/ny?type=article", data=article_form(token))
    slug = "naar-ensomheden-kommer-efter-et-tab"
    item_url = editor_client.get(f"/viden/{slug}").get_data(as_text=True)
    edit = item_url.split('href="/viden/redaktion/', 1)[1].split('"', 1)[0]

    assert found(editor_client, "q=sorg", slug)
    editor_client.post(
        f"/viden/redaktion/{edit}", data=article_form(token, status="draft", base_revision="1")
    )
    assert not found(editor_client, "q=sorg", slug)


def test_the_search_forgives_typos_and_filters_by_facets(client, make_item) -> None:
    concept = make_item(kind=KnowledgeKind.CONCEPT, title="Besøgsven", audiences=["frivillige"])
    article = make_item(title="Besøg hos ældre", audiences=["borgere"], tags=["besøg"])
    index_all()

    page = client.get("/viden/soeg?q=besøgsvn").get_data(as_text=True)
    assert f'href="/viden/{concept.slug}"' in page
    assert found(client, "kind=concept", concept.slug)
    assert not found(client, "kind=concept", article.slug)
    assert found(client, "audience=borgere", article.slug)
    assert found(client, "tag=besøg", article.slug)
    facets = client.get("/viden/soeg").get_data(as_text=True)
    assert 'name="kind" value="concept"' in facets and "Koncepter" in facets


def test_unknown_filter_values_are_ignored(client, make_item) -> None:
    item = make_item()
    index_all()

    response = client.get("/viden/soeg?kind=<script>&audience=alle&page=abc&q=" + "x" * 500)

    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True)
    assert found(client, "kind=nonsense", item.slug)


def test_while_the_engine_is_down_the_database_answers_with_a_notice(
    client, make_item, engine_down
) -> None:
    item = make_item(title="Ensomhed på landet", audiences=["borgere"])

    page = client.get("/viden/soeg?q=landet&audience=borgere").get_data(as_text=True)

    assert "Søgningen kører lige nu i en enklere udgave" in page
    assert f'href="/viden/{item.slug}"' in page
    assert not found(client, "q=byen", item.slug)
    assert 'value="borgere" checked' in page


def test_a_save_is_kept_when_the_engine_is_down_and_sync_catches_up(
    app, editor_client, runner, engine_down, monkeypatch
) -> None:
    token = csrf_token(editor_client, "/viden/redaktion/ny?type=article")

    response = editor_client.post("/viden/redaktion/ny?type=article", data=article_form(token))

    assert response.status_code == 302
    monkeypatch.undo()
    assert not found(editor_client, "q=sorg", "naar-ensomheden-kommer-efter-et-tab")
    result = runner.invoke(args=["knowledge", "sync"])
    assert result.exit_code == 0, result.output
    assert "Fixed 1 missing" in result.output
    assert found(editor_client, "q=sorg", "naar-ensomheden-kommer-efter-et-tab")


def test_reindex_rebuilds_the_index_from_the_database(client, runner, make_item) -> None:
    items = [make_item(title=f"Vejledning {n}") for n in range(3)]

    result = runner.invoke(args=["knowledge", "reindex"])

    assert result.exit_code == 0, result.output
    assert "Indexed 3 knowledge items." in result.output
    assert all(found(client, "q=vejledning", item.slug) for item in items)


def test_reindex_reports_an_unreachable_engine(runner, engine_down) -> None:
    result = runner.invoke(args=["knowledge", "reindex"])

    assert result.exit_code == 1
    assert "the search engine is unavailable" in result.output
