"""Tests for the Meilisearch engine.

The request building, response mapping and error translation are tested
offline. The shared behaviour suite and a few Meilisearch-specific checks run
against a real server only when MEILI_URL is set.
"""

from __future__ import annotations

import json
import math
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import suppress
from types import SimpleNamespace
from typing import Any
from unittest import mock

import meilisearch
import pytest
import requests
from meilisearch.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchError,
    MeilisearchTimeoutError,
)

from search import get_engine
from search.base import (
    DEFAULT_SYNONYMS,
    FACET_FIELDS,
    EngineTimeout,
    EngineUnavailable,
    GeoPoint,
    InvalidQuery,
    SearchQuery,
    Sort,
)
from search.meilisearch_engine import MeilisearchEngine
from search.meilisearch_query import (
    FILTERABLE_ATTRIBUTES,
    MARK_CLOSE,
    MARK_OPEN,
    build_filter,
    build_search_params,
    escape_value,
    format_number,
    render_highlight,
    search_text,
    settings,
    synonym_mapping,
    to_hit,
    to_meili_document,
    to_result,
)

MEILI_URL = os.environ.get("MEILI_URL", "")
MEILI_API_KEY = os.environ.get("MEILI_API_KEY") or None
NO_SERVER = (
    "MEILI_URL is not set: no Meilisearch server to test against "
    "(none can be installed on this machine)"
)
needs_server = pytest.mark.skipif(not MEILI_URL, reason=NO_SERVER)

HOSTILE = [
    'a" OR x EXISTS OR "',
    "\\",
    '\\"',
    "_geoRadius(1, 2, 3)",
    '" OR is_remote = true OR "',
    "🧶",
    "\n",
    "\x00",
    "x" * 10_000,
    "",
    "'",
    ") OR (",
    "\ud800 strik",
]
AARHUS = GeoPoint(56.1567, 10.2108)

# --- A tiny tokenizer for Meilisearch filter expressions -------------------------

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:\\.|[^"\\])*")
      | (?P<punct>[(),\[\]=])
      | (?P<number>-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)
      | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE | re.DOTALL,
)


def tokenize(expression: str) -> list[tuple[str, str]]:
    """Split a filter into (kind, text) tokens; fail on anything else."""
    tokens, position = [], 0
    while position < len(expression.rstrip()):
        match = _TOKEN.match(expression, position)
        assert match, f"cannot tokenize at {position}: {expression[position : position + 30]!r}"
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def unquote(literal: str) -> str:
    """Read a double-quoted literal the way Meilisearch does."""
    return re.sub(r"\\(.)", r"\1", literal[1:-1], flags=re.DOTALL)


def skeleton(expression: str) -> list[str]:
    """Return the filter's structure: every string literal becomes one placeholder."""
    return ["<string>" if kind == "string" else text for kind, text in tokenize(expression)]


def strings(expression: str) -> list[str]:
    """Return the values of the string literals in a filter, in order."""
    return [unquote(text) for kind, text in tokenize(expression) if kind == "string"]


def sendable(value: str) -> str:
    """Return ``value`` as it can travel in JSON: lone surrogates replaced."""
    return re.sub("[\ud800-\udfff]", "\ufffd", value)


def filter_of(query: SearchQuery) -> str:
    expression = build_filter(query)
    assert expression is not None
    return expression


# --- Filter building ------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "attribute"),
    [
        ("activity", "activity"),
        ("target_group", "target_group"),
        ("life_situation", "life_situation"),
        ("weekday", "weekday"),
        ("time_of_day", "time_of_day"),
    ],
)
def test_values_of_one_field_are_alternatives(field: str, attribute: str) -> None:
    query = SearchQuery(**{field: ("a", "b")})
    assert build_filter(query) == f'({attribute} = "a" OR {attribute} = "b")'


def test_fields_combine_with_and_and_every_feature_is_required() -> None:
    query = SearchQuery(
        activity=("fællesspisning",),
        target_group=("ældre", "alle"),
        features=("gratis", "kørestolsadgang"),
        free_only=True,
    )
    assert build_filter(query) == (
        '(activity = "fællesspisning") AND (target_group = "ældre" OR target_group = "alle")'
        ' AND feature = "gratis" AND feature = "kørestolsadgang" AND is_free = true'
    )


def test_no_filter_without_conditions() -> None:
    assert build_filter(SearchQuery(text="strik")) is None
    assert "filter" not in build_search_params(SearchQuery(text="strik"))


def test_radius_keeps_remote_offers() -> None:
    query = SearchQuery(point=AARHUS, radius_km=10)
    assert build_filter(query) == "(_geoRadius(56.1567, 10.2108, 10000.0) OR is_remote = true)"


def test_radius_without_remote_offers() -> None:
    query = SearchQuery(point=AARHUS, radius_km=10, include_remote=False)
    assert build_filter(query) == (
        "(_geoRadius(56.1567, 10.2108, 10000.0)) AND NOT is_remote = true"
    )


def test_excluding_remote_offers_works_without_a_place() -> None:
    assert build_filter(SearchQuery(include_remote=False)) == "NOT is_remote = true"


def test_municipality_keeps_remote_offers_unless_excluded() -> None:
    with_remote = SearchQuery(municipality=("751", "101"))
    without = SearchQuery(municipality=("751",), include_remote=False)
    assert build_filter(with_remote) == (
        '(municipality = "751" OR municipality = "101" OR is_remote = true)'
    )
    assert build_filter(without) == '(municipality = "751") AND NOT is_remote = true'


def test_point_without_radius_filters_nothing() -> None:
    assert build_filter(SearchQuery(point=AARHUS, sort=Sort.DISTANCE)) is None


@pytest.mark.parametrize("value", HOSTILE, ids=repr)
def test_hostile_values_stay_inside_one_string(value: str) -> None:
    def query(v: str) -> SearchQuery:
        return SearchQuery(
            activity=(v, "b"),
            features=(v,),
            municipality=(v,),
            weekday=(v,),
            point=AARHUS,
            radius_km=5,
        )

    hostile, benign = filter_of(query(value)), filter_of(query("v"))
    assert skeleton(hostile) == skeleton(benign)
    sent = sendable(value)
    assert strings(hostile) == [sent, "b", sent, sent, sent]
    assert skeleton(hostile).count("OR") == 3
    assert skeleton(hostile).count("AND") == 4


@pytest.mark.parametrize("value", HOSTILE, ids=repr)
def test_hostile_text_never_reaches_the_filter(value: str) -> None:
    plain = build_search_params(SearchQuery(activity=("a",), point=AARHUS, radius_km=3))
    params = build_search_params(
        SearchQuery(text=value, activity=("a",), point=AARHUS, radius_km=3)
    )
    assert params["filter"] == plain["filter"]
    assert params["q"].count('"') % 2 == 0


@pytest.mark.parametrize("value", HOSTILE, ids=repr)
def test_escape_value_round_trips(value: str) -> None:
    literal = escape_value(value)
    assert tokenize(literal) == [("string", literal)]
    assert unquote(literal) == sendable(value)
    json.dumps(literal, ensure_ascii=False).encode()  # a lone surrogate would fail here


def test_escape_value_rejects_non_strings() -> None:
    with pytest.raises(InvalidQuery):
        escape_value(3)  # type: ignore[arg-type]


def test_attribute_names_come_only_from_the_allowlist() -> None:
    query = SearchQuery(
        activity=("activity = x",),
        target_group=("is_free",),
        life_situation=("id",),
        features=("_geo",),
        weekday=("MO",),
        time_of_day=("evening",),
        municipality=("101",),
        free_only=True,
        point=AARHUS,
        radius_km=2,
    )
    words = {text for kind, text in tokenize(filter_of(query)) if kind == "word"}
    assert words <= {*FILTERABLE_ATTRIBUTES, "OR", "AND", "true", "_geoRadius"}
    with pytest.raises(InvalidQuery):
        SearchQuery(facets=("title",))


def test_a_bare_string_is_not_read_letter_by_letter() -> None:
    with pytest.raises(InvalidQuery):
        build_filter(SearchQuery(activity="motion"))  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_rejected(bad: float) -> None:
    with pytest.raises(InvalidQuery):
        format_number(bad)
    with pytest.raises(InvalidQuery):
        GeoPoint(bad, 10.0)
    # A point that slipped past GeoPoint's own checks is still refused.
    point = object.__new__(GeoPoint)
    object.__setattr__(point, "lat", bad)
    object.__setattr__(point, "lon", 10.0)
    with pytest.raises(InvalidQuery):
        build_filter(_with_point(point))
    with pytest.raises(InvalidQuery):
        build_search_params(_with_point(point, sort=Sort.DISTANCE))


def _with_point(point: GeoPoint, sort: Sort = Sort.RELEVANCE) -> SearchQuery:
    query = SearchQuery(point=AARHUS, radius_km=1, sort=sort)
    object.__setattr__(query, "point", point)
    return query


def test_numbers_are_plain_floats() -> None:
    assert format_number(3) == "3.0"
    assert format_number(-0.00001) == "-1e-05"
    assert tokenize(format_number(-0.00001)) == [("number", "-1e-05")]
    with pytest.raises(InvalidQuery):
        format_number(True)
    with pytest.raises(InvalidQuery):
        format_number("1")  # type: ignore[arg-type]


# --- Search parameters -----------------------------------------------------------


def test_relevance_has_no_sort() -> None:
    assert "sort" not in build_search_params(SearchQuery(text="strik"))
    assert "sort" not in build_search_params(SearchQuery(text="strik", point=AARHUS))


def test_without_words_nearest_or_soonest_come_first() -> None:
    near = build_search_params(SearchQuery(text=' " ', point=AARHUS))
    assert near["sort"] == ["_geoPoint(56.1567, 10.2108):asc"]
    assert build_search_params(SearchQuery())["sort"] == ["next_meeting:asc"]


def test_every_word_is_required() -> None:
    assert build_search_params(SearchQuery(text="strik snak"))["matchingStrategy"] == "all"
    assert {"og", "i", "på"} <= set(settings()["stopWords"])


def test_distance_sort_uses_geo_point() -> None:
    params = build_search_params(SearchQuery(point=AARHUS, sort=Sort.DISTANCE))
    assert params["sort"] == ["_geoPoint(56.1567, 10.2108):asc"]


def test_next_meeting_sort() -> None:
    params = build_search_params(SearchQuery(sort=Sort.NEXT_MEETING))
    assert params["sort"] == ["next_meeting:asc"]


def test_pagination_and_facets() -> None:
    params = build_search_params(
        SearchQuery(page=3, per_page=25, facets=("is_free", "activity", "municipality"))
    )
    assert params["page"] == 3
    assert params["hitsPerPage"] == 25
    assert "offset" not in params and "limit" not in params
    assert params["facets"] == ["activity", "municipality", "is_free"]
    assert "facets" not in build_search_params(SearchQuery())


def test_highlight_settings_use_sentinels() -> None:
    params = build_search_params(SearchQuery(text="strik"))
    assert params["attributesToHighlight"] == ["title", "description"]
    assert params["highlightPreTag"] == MARK_OPEN
    assert params["highlightPostTag"] == MARK_CLOSE
    assert params["q"] == "strik"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("strikkeklub aarhus", "strikkeklub aarhus"),
        ('"strik og snak"', '"strik og snak"'),
        ('"strik og snak', "strik og snak"),
        ('a "b" c"', 'a "b" c'),
        ("line\nbreak\x00", "line break"),
        ("\ud800 strik", "strik"),
        ("", ""),
    ],
)
def test_search_text_balances_quotes(text: str, expected: str) -> None:
    assert search_text(text) == expected


# --- Documents, settings and results ---------------------------------------------


def test_document_with_coordinates_gets_geo() -> None:
    document = to_meili_document({"id": "7", "title": "Strik", "lat": 56.1, "lon": 10.2})
    assert document == {
        "id": "7",
        "title": "Strik",
        "lat": 56.1,
        "lon": 10.2,
        "_geo": {"lat": 56.1, "lng": 10.2},
    }


@pytest.mark.parametrize(
    "place",
    [
        {},
        {"lat": None, "lon": None},
        {"lat": 56.1},
        {"lat": math.nan, "lon": 10.0},
        {"lat": 56.1, "lon": 10.2},
    ],
    ids=["absent", "none", "half", "nan", "remote-with-address"],
)
def test_document_without_usable_coordinates_has_no_geo(place: dict[str, Any]) -> None:
    document = to_meili_document(
        {"id": "8", "title": "Telefonven", "is_remote": True, "_geo": "forged", **place}
    )
    assert "_geo" not in document
    assert document["is_remote"] is True


def test_document_text_can_travel_as_json() -> None:
    document = to_meili_document({"id": "9", "title": "Strik \ud800", "activity": ["\udfff"]})
    assert document["title"] == "Strik \ufffd"
    assert document["activity"] == ["\ufffd"]
    json.dumps(document, ensure_ascii=False).encode()


def test_settings() -> None:
    body = settings()
    assert body["searchableAttributes"] == [
        "title",
        "organization",
        "description",
        "city",
        "municipality_name",
    ]
    assert set(FACET_FIELDS) <= set(body["filterableAttributes"])
    assert {"is_remote", "_geo", "id"} <= set(body["filterableAttributes"])
    assert body["sortableAttributes"] == ["_geo", "next_meeting", "title"]
    assert body["typoTolerance"] == {
        "enabled": True,
        "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
    }
    assert "sort" in body["rankingRules"]
    assert body["localizedAttributes"] == [
        {"attributePatterns": body["searchableAttributes"], "locales": ["dan"]}
    ]
    assert body["pagination"]["maxTotalHits"] >= 1000 * 100
    synonyms = body["synonyms"]
    assert set(synonyms["ensom"]) == {"alene", "ensomhed"}
    assert set(synonyms["alene"]) == {"ensom", "ensomhed"}
    for group in DEFAULT_SYNONYMS:
        for word in group:
            assert set(synonyms[word]) == set(group) - {word}


def test_synonym_mapping_merges_and_skips_lonely_words() -> None:
    assert synonym_mapping([("Café", "cafe"), ("cafe", "værested"), ("alene",)]) == {
        "café": ["cafe"],
        "cafe": ["café", "værested"],
        "værested": ["cafe"],
    }


def test_highlight_is_escaped_and_keeps_marks() -> None:
    formatted = f'<script>alert("x")</script> {MARK_OPEN}strik{MARK_CLOSE} & snak'
    assert render_highlight(formatted) == (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <mark>strik</mark> &amp; snak"
    )


def test_highlight_marks_are_always_balanced() -> None:
    assert render_highlight(f"{MARK_CLOSE}a{MARK_OPEN}b{MARK_OPEN}c") == "a<mark>bc</mark>"


def test_result_mapping() -> None:
    query = SearchQuery(text="strik", point=AARHUS, radius_km=50, facets=("is_free", "weekday"))
    response = {
        "totalHits": 42,
        "hits": [
            {
                "id": "1",
                "title": "Strik <3",
                "lat": 56.2,
                "lon": 10.2,
                "_geo": {"lat": 56.2, "lng": 10.2},
                "_geoDistance": 4900,
                "_rankingScore": 0.9,
                "_formatted": {"title": f"{MARK_OPEN}Strik{MARK_CLOSE} <3"},
            },
            {"id": "2", "title": "Telefonven", "is_remote": True, "_geoDistance": 1},
        ],
        "facetDistribution": {"is_free": {"true": 3, "false": 1}},
    }
    result = to_result(query, response)
    assert result.total == 42
    first, second = result.hits
    assert first.distance_km == pytest.approx(4.9)
    assert first.highlights == {"title": "<mark>Strik</mark> &lt;3", "description": ""}
    assert first.score == pytest.approx(0.9)
    assert first.document == {"id": "1", "title": "Strik <3", "lat": 56.2, "lon": 10.2}
    assert second.distance_km is None
    assert second.is_remote
    assert result.facets == {"is_free": {"true": 3, "false": 1}, "weekday": {}}
    assert second.highlights == {"title": "Telefonven", "description": ""}


def test_facets_are_ordered_by_count_then_value() -> None:
    response = {
        "hits": [],
        "totalHits": 0,
        "facetDistribution": {"weekday": {"MO": 1, "TU": 3, "FR": 1}},
    }
    result = to_result(SearchQuery(facets=("weekday",)), response)
    assert list(result.facets["weekday"].items()) == [("TU", 3), ("FR", 1), ("MO", 1)]


def test_distance_falls_back_to_the_document_coordinates() -> None:
    hit = to_hit({"id": "1", "lat": 56.1567, "lon": 10.2108}, AARHUS)
    assert hit.distance_km == pytest.approx(0.0)
    assert to_hit({"id": "1", "lat": 56.1, "lon": 10.2}, None).distance_km is None


# --- Error translation and engine behaviour without a server ---------------------


def api_error(code: str, status: int = 400, message: str = "it went wrong") -> MeilisearchApiError:
    """Build the error the client raises for an error answer."""
    response = requests.Response()
    response.status_code = status
    response.encoding = "utf-8"
    body = {"message": message, "code": code, "type": "invalid_request", "link": "https://x"}
    response._content = json.dumps(body).encode()
    return MeilisearchApiError(f"{status} Client Error", response)


@pytest.fixture
def fake_client() -> mock.MagicMock:
    client = mock.MagicMock(spec=meilisearch.Client)
    client.wait_for_task.return_value = SimpleNamespace(status="succeeded", error=None)
    return client


@pytest.fixture
def engine(fake_client: mock.MagicMock) -> Iterator[MeilisearchEngine]:
    engine = MeilisearchEngine("http://127.0.0.1:9", index_name="offers", timeout_s=0.5)
    with mock.patch.object(engine, "_client", return_value=fake_client):
        yield engine


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (MeilisearchCommunicationError("connection refused"), EngineUnavailable),
        (requests.exceptions.ConnectionError("refused"), EngineUnavailable),
        (MeilisearchTimeoutError("slow"), EngineTimeout),
        (requests.exceptions.Timeout("slow"), EngineTimeout),
        (requests.exceptions.ConnectTimeout("slow"), EngineTimeout),
        (api_error("invalid_search_filter"), InvalidQuery),
        (api_error("invalid_search_sort"), InvalidQuery),
        (api_error("invalid_api_key", status=403), EngineUnavailable),
        (api_error("internal", status=500), EngineUnavailable),
        (MeilisearchError("other"), EngineUnavailable),
    ],
    ids=lambda value: type(value).__name__,
)
def test_client_errors_are_translated(
    engine: MeilisearchEngine, fake_client: mock.MagicMock, error: Exception, expected: type
) -> None:
    fake_client.index.return_value.search.side_effect = error
    with pytest.raises(expected):
        engine.search(SearchQuery(text="strik"))


def test_invalid_query_carries_the_message(
    engine: MeilisearchEngine, fake_client: mock.MagicMock
) -> None:
    fake_client.index.return_value.search.side_effect = api_error(
        "invalid_search_filter", message="Attribute `x` is not filterable."
    )
    with pytest.raises(InvalidQuery, match="not filterable"):
        engine.search(SearchQuery(activity=("a",)))


def test_search_of_a_missing_index_is_empty(
    engine: MeilisearchEngine, fake_client: mock.MagicMock
) -> None:
    fake_client.index.return_value.search.side_effect = api_error("index_not_found", 404)
    result = engine.search(SearchQuery(facets=("weekday",)))
    assert result.total == 0
    assert result.hits == []
    assert result.facets == {"weekday": {}}


def test_malformed_answer_is_unavailable(
    engine: MeilisearchEngine, fake_client: mock.MagicMock
) -> None:
    fake_client.index.return_value.search.return_value = {"unexpected": True}
    with pytest.raises(EngineUnavailable):
        engine.search(SearchQuery())


def test_failed_task_raises_with_its_message(
    engine: MeilisearchEngine, fake_client: mock.MagicMock
) -> None:
    fake_client.wait_for_task.return_value = SimpleNamespace(
        status="failed", error={"message": "Document identifier `ø` is invalid.", "code": "x"}
    )
    with pytest.raises(EngineUnavailable, match="identifier `ø` is invalid"):
        engine.index([{"id": "ø", "title": "x"}])


def test_slow_task_times_out(engine: MeilisearchEngine, fake_client: mock.MagicMock) -> None:
    fake_client.wait_for_task.side_effect = MeilisearchTimeoutError("5000ms")
    with pytest.raises(EngineTimeout):
        engine.set_synonyms([("strik", "strikning")])


def test_remove_deletes_by_escaped_id_filter(
    engine: MeilisearchEngine, fake_client: mock.MagicMock
) -> None:
    engine.remove(["1", 'x" OR id EXISTS OR "'])
    delete = fake_client.index.return_value.delete_documents
    expression = delete.call_args.kwargs["filter"]
    assert skeleton(expression) == ["id", "IN", "[", "<string>", ",", "<string>", "]"]
    assert strings(expression) == ["1", 'x" OR id EXISTS OR "']
    engine.remove([])
    assert delete.call_count == 1


def test_ids_reads_every_page(engine: MeilisearchEngine, fake_client: mock.MagicMock) -> None:
    pages = [
        SimpleNamespace(results=[{"id": str(i), "updated_at": i} for i in range(1000)], total=1001),
        SimpleNamespace(results=[{"id": "x"}], total=1001),
    ]
    fake_client.index.return_value.get_documents.side_effect = pages
    found = engine.ids()
    assert len(found) == 1001
    assert found["999"] == 999
    assert found["x"] == 0


def test_rebuild_swaps_only_after_the_new_index_is_filled(
    engine: MeilisearchEngine, fake_client: mock.MagicMock
) -> None:
    fake_client.get_raw_index.side_effect = [{"uid": "offers"}, api_error("index_not_found")]
    fake_client.index.return_value.get_synonyms.return_value = {"a": ["b"]}
    documents = ({"id": str(i), "title": "t"} for i in range(25_001))
    assert engine.rebuild(documents) == 25_001
    calls = [name for name, _args, _kwargs in fake_client.mock_calls]
    added = [c for c in calls if c.endswith("add_documents")]
    assert len(added) == 3  # batches of 10,000
    swap = calls.index("swap_indexes")
    assert max(i for i, c in enumerate(calls) if c.endswith("add_documents")) < swap
    assert calls.index("delete_index") > swap
    fake_client.swap_indexes.assert_called_once_with([{"indexes": ["offers", "offers_new"]}])
    fake_client.delete_index.assert_called_once_with("offers_new")
    settings_body = fake_client.index.return_value.update_settings.call_args.args[0]
    assert settings_body["synonyms"] == {"a": ["b"]}  # carried over from the live index


def test_health_is_false_when_nothing_listens() -> None:
    # A real connection attempt to a closed local port; there is no server.
    engine = MeilisearchEngine("http://127.0.0.1:9", index_name="offers", timeout_s=0.5)
    health = engine.health()
    assert not health.ok
    assert health.engine == "meilisearch"
    assert health.detail
    with pytest.raises(EngineUnavailable):
        engine.search(SearchQuery(text="strik"))
    with pytest.raises(EngineUnavailable):
        engine.index([{"id": "1", "title": "Strik"}])


def test_get_engine_builds_a_meilisearch_engine() -> None:
    engine = get_engine(
        {"SEARCH_ENGINE": "meilisearch", "MEILI_URL": "http://127.0.0.1:9", "SEARCH_TIMEOUT": 1}
    )
    assert isinstance(engine, MeilisearchEngine)
    assert engine.index_name == "portal_offers"


# --- Against a real server (MEILI_URL) -------------------------------------------

try:
    from tests.search.contract import EngineContract
except ModuleNotFoundError as exc:
    if exc.name not in ("tests", "tests.search", "tests.search.contract"):
        raise
    CONTRACT_MISSING = f"the shared behaviour suite is not importable: {exc}"

    class EngineContract:  # type: ignore[no-redef]
        """Stands in until tests/search/contract.py exists."""

        supports_compound_parts = True

        def test_shared_suite_is_available(self) -> None:
            pytest.skip(CONTRACT_MISSING)


def _fresh_engine() -> Iterator[MeilisearchEngine]:
    name = f"test_{uuid.uuid4().hex}"
    engine = MeilisearchEngine(MEILI_URL, api_key=MEILI_API_KEY, index_name=name, timeout_s=5.0)
    yield engine
    client = meilisearch.Client(MEILI_URL, MEILI_API_KEY)
    for uid in (name, f"{name}_new"):
        with suppress(MeilisearchError):
            client.delete_index(uid)
    engine.close()


@needs_server
class TestMeilisearchContract(EngineContract):
    """The shared behaviour suite, on a uniquely named index per test."""

    # Meilisearch has no compound-word splitting: "strikkeklub" is not found by
    # "klub" (only typo tolerance and prefixes of the last query word apply).
    supports_compound_parts = False

    @pytest.fixture
    def engine(self, tmp_path: Any) -> Iterator[MeilisearchEngine]:
        yield from _fresh_engine()


@needs_server
class TestMeilisearchServer:
    """Meilisearch-specific behaviour that only a real server can show."""

    @pytest.fixture
    def engine(self) -> Iterator[MeilisearchEngine]:
        yield from _fresh_engine()

    @pytest.mark.parametrize("value", HOSTILE[:8], ids=repr)
    def test_hostile_filter_values_match_exactly(
        self, engine: MeilisearchEngine, value: str
    ) -> None:
        engine.index(
            [
                {"id": "1", "title": "Strik", "activity": [value], "is_remote": False},
                {"id": "2", "title": "Snak", "activity": ["other"], "is_remote": True},
            ]
        )
        result = engine.search(SearchQuery(activity=(value,)))
        assert [hit.id for hit in result.hits] == ["1"]

    def test_highlights_escape_stored_html(self, engine: MeilisearchEngine) -> None:
        engine.index([{"id": "1", "title": "<b>Strikkeklub</b> & snak"}])
        (hit,) = engine.search(SearchQuery(text="strikkeklub")).hits
        assert hit.highlights["title"] == "&lt;b&gt;<mark>Strikkeklub</mark>&lt;/b&gt; &amp; snak"

    def test_rebuild_replaces_everything_and_keeps_synonyms(
        self, engine: MeilisearchEngine
    ) -> None:
        engine.set_synonyms([("kor", "sang")])
        engine.index([{"id": "old", "title": "Gammel"}])
        assert engine.rebuild([{"id": "new", "title": "Sang i kirken"}]) == 1
        assert set(engine.ids()) == {"new"}
        assert [h.id for h in engine.search(SearchQuery(text="kor")).hits] == ["new"]
        assert engine.health().documents == 1
