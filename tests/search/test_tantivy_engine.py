"""The embedded Tantivy engine: the shared suite, several processes on one index, geometry."""

from __future__ import annotations

import fcntl
import json
import math
import random
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search import get_engine
from search.analysis import (
    cell_terms,
    circle_bounds,
    circle_cover,
    fold,
    highlight,
    split_compound,
    typo_budget,
)
from search.base import (
    Document,
    EngineUnavailable,
    GeoPoint,
    SearchQuery,
    Sort,
    haversine_km,
)
from search.tantivy_engine import InvalidDocument, TantivyEngine
from tests.search.contract import COPENHAGEN, VEJLE, EngineContract, doc, ids, remote_doc


class TestTantivyEngine(EngineContract):
    """The shared behaviour suite on a fresh index directory."""

    @pytest.fixture
    def engine(self, tmp_path: Path) -> Iterator[TantivyEngine]:
        engine = TantivyEngine(tmp_path / "index")
        yield engine
        engine.close()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[TantivyEngine]:
    engine = TantivyEngine(tmp_path / "index")
    yield engine
    engine.close()


def search(engine: TantivyEngine, **fields: object) -> list[str]:
    return ids(engine.search(SearchQuery(**fields)))  # type: ignore[arg-type]


def at_distance(km: float) -> Document:
    """Return an offer ``km`` north of Vejle."""
    return doc(lat=VEJLE.lat + km / 111.195, lon=VEJLE.lon)


def from_copenhagen(offer: Document) -> float:
    return haversine_km(COPENHAGEN, offer.get("lat") or 0.0, offer.get("lon") or 0.0)


# --- Several processes on one index ---------------------------------------------------


def test_a_write_through_one_engine_is_seen_by_another(tmp_path: Path) -> None:
    """Like two web processes: the second sees the first one's commit on its next search."""
    writer, reader = TantivyEngine(tmp_path), TantivyEngine(tmp_path)
    assert search(reader) == []
    offer = doc(title="Strikkeklub")
    writer.index([offer])
    assert search(reader, text="strikkeklub") == [offer["id"]]
    writer.remove([offer["id"]])
    assert search(reader) == []


def test_two_engines_can_write_in_turn(tmp_path: Path) -> None:
    """The write lock is released after every write."""
    first, second = TantivyEngine(tmp_path), TantivyEngine(tmp_path)
    a, b = doc(), doc()
    first.index([a])
    second.index([b])
    first.index([doc()])
    assert {a["id"], b["id"]} <= set(second.ids())
    assert second.health().documents == 3


def test_a_rebuild_is_seen_by_another_engine(tmp_path: Path) -> None:
    """The other process switches to the new generation; old generations are deleted."""
    builder, reader = TantivyEngine(tmp_path), TantivyEngine(tmp_path)
    builder.index([doc(title="Gammel")])
    assert len(search(reader)) == 1
    new = doc(title="Ny")
    builder.rebuild([new])
    assert search(reader) == [new["id"]]
    assert len(list((tmp_path / "generations").iterdir())) == 1


def test_a_held_lock_makes_a_writer_give_up(tmp_path: Path) -> None:
    """While another file descriptor holds the lock, a write times out as unavailable."""
    engine = TantivyEngine(tmp_path, lock_timeout_s=0.2)
    engine.index([doc()])
    with open(tmp_path / "write.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(EngineUnavailable):
            engine.index([doc()])
        assert engine.health().documents == 1  # searching still works
    engine.index([doc()])
    assert engine.health().documents == 2


def test_a_lock_held_by_another_process_makes_a_writer_give_up(tmp_path: Path) -> None:
    """A second process cannot write while the first one holds the lock."""
    holder = (
        "import fcntl, sys, time\n"
        "f = open(sys.argv[1], 'a')\n"
        "fcntl.flock(f, fcntl.LOCK_EX)\n"
        "print('locked', flush=True)\n"
        "time.sleep(60)\n"
    )
    tmp_path.mkdir(exist_ok=True)
    command = [sys.executable, "-c", holder, str(tmp_path / "write.lock")]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "locked"
            with pytest.raises(EngineUnavailable):
                TantivyEngine(tmp_path, lock_timeout_s=0.2).rebuild([doc()])
        finally:
            process.kill()
    assert TantivyEngine(tmp_path).rebuild([doc()]) == 1


def test_searches_during_a_rebuild_in_another_thread_never_come_up_empty(tmp_path: Path) -> None:
    """There is no moment without results while a rebuild switches generations."""
    engine, reader = TantivyEngine(tmp_path), TantivyEngine(tmp_path)
    engine.index([doc() for _ in range(20)])
    counts: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def keep_searching() -> None:
        while not done.is_set():
            try:
                counts.append(reader.search(SearchQuery()).total)
            except BaseException as exc:  # reported below
                errors.append(exc)

    thread = threading.Thread(target=keep_searching)
    thread.start()
    try:
        for _ in range(5):
            engine.rebuild([doc() for _ in range(30)])
    finally:
        done.set()
        thread.join()
    assert not errors
    assert counts and set(counts) <= {20, 30}


def test_engines_writing_in_parallel_threads_keep_every_document(tmp_path: Path) -> None:
    """The write lock makes concurrent writers take turns instead of failing."""
    engines = [TantivyEngine(tmp_path), TantivyEngine(tmp_path)]
    batches = [[doc() for _ in range(10)] for _ in range(6)]
    threads = [
        threading.Thread(target=engines[number % 2].index, args=(batch,))
        for number, batch in enumerate(batches)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(engines[0].ids()) == {offer["id"] for batch in batches for offer in batch}


def test_synonyms_persist_for_other_engines(tmp_path: Path) -> None:
    """Synonyms set through one engine apply in another, now and after a restart."""
    TantivyEngine(tmp_path).index([doc(title="Kor for alle")])
    other = TantivyEngine(tmp_path)
    assert search(other, text="sang") == []
    TantivyEngine(tmp_path).set_synonyms([("kor", "sang")])
    assert len(search(other, text="sang")) == 1
    assert len(search(TantivyEngine(tmp_path), text="sang")) == 1
    assert json.loads((tmp_path / "synonyms.json").read_text())["groups"] == [["kor", "sang"]]


def test_a_corrupt_index_is_unavailable(tmp_path: Path) -> None:
    """A damaged index reports unhealthy and searches raise EngineUnavailable."""
    TantivyEngine(tmp_path).index([doc()])
    (meta,) = (tmp_path / "generations").glob("*/meta.json")
    meta.write_text("{not json")
    engine = TantivyEngine(tmp_path)
    assert not engine.health().ok
    assert engine.health().detail
    with pytest.raises(EngineUnavailable):
        engine.search(SearchQuery(text="strik"))


def test_an_unusable_index_directory_is_unavailable(tmp_path: Path) -> None:
    """An index directory that is a file cannot be opened, but nothing else leaks out."""
    path = tmp_path / "index"
    path.write_text("not a directory")
    engine = TantivyEngine(path)
    assert not engine.health().ok
    with pytest.raises(EngineUnavailable):
        engine.search(SearchQuery())
    with pytest.raises(EngineUnavailable):
        engine.index([doc()])


def test_get_engine_builds_the_embedded_engine(tmp_path: Path) -> None:
    engine = get_engine({"SEARCH_ENGINE": "embedded", "SEARCH_INDEX_DIR": str(tmp_path)})
    assert isinstance(engine, TantivyEngine)
    assert engine.health().ok


# --- Documents ------------------------------------------------------------------------


def test_a_document_needs_an_id(engine: TantivyEngine) -> None:
    with pytest.raises(InvalidDocument):
        engine.index([{"title": "Uden id"}])  # type: ignore[typeddict-item]


def test_odd_characters_in_documents_are_indexed(engine: TantivyEngine) -> None:
    """NUL, lone surrogates and emoji in stored text do not break indexing or highlights."""
    offer = doc(title="Strik \x00 \ud800 🧶", description="<b>")
    engine.index([offer])
    (hit,) = engine.search(SearchQuery(text="strik")).hits
    assert hit.highlights == {"title": "<mark>Strik</mark> \x00  🧶", "description": "&lt;b&gt;"}


def test_hits_carry_every_document_field(engine: TantivyEngine) -> None:
    engine.index([{"id": "1", "title": "Strik"}])
    (hit,) = engine.search(SearchQuery()).hits
    assert set(hit.document) == set(doc())
    assert hit.document["lat"] is None and hit.document["activity"] == []


# --- Relevance ------------------------------------------------------------------------


def test_all_words_must_match(engine: TantivyEngine) -> None:
    """Two words find the offer that has both, not the one with only one of them."""
    both = doc(title="Strikkeklub i Vejle")
    engine.index([both, doc("Aarhus", title="Strikkeklub")])
    assert search(engine, text="strikkeklub vejle") == [both["id"]]


def test_stopwords_are_optional(engine: TantivyEngine) -> None:
    """ "klub for ældre" finds an offer without the word "for"."""
    offer = doc(title="Ældreklubben")
    engine.index([offer])
    assert search(engine, text="klub for ældre") == [offer["id"]]


def test_nearer_offers_rank_higher_among_similar_ones(engine: TantivyEngine) -> None:
    """With a point, the same kind of offer nearer by comes first."""
    vejle, aarhus = doc(title="Strikkeklub"), doc("Aarhus", title="Strikkeklub")
    engine.index([aarhus, vejle])
    assert search(engine, text="strikkeklub", point=VEJLE) == [vejle["id"], aarhus["id"]]
    aarhus_point = GeoPoint(56.157, 10.211)
    assert search(engine, text="strikkeklub", point=aarhus_point) == [aarhus["id"], vejle["id"]]


def test_distance_does_not_beat_a_title_match(engine: TantivyEngine) -> None:
    named = doc("Aarhus", title="Strikkeklub")
    mention = doc(title="Hyggeaften", description="Her er også en strikkeklub.")
    engine.index([mention, named])
    assert search(engine, text="strikkeklub", point=VEJLE)[0] == named["id"]


def test_prefix_of_a_stemmed_word(engine: TantivyEngine) -> None:
    """ "strikkek" finds "strikkeklubben" although its stem is "strikkeklub"."""
    offer = doc(title="Strikkeklubben")
    engine.index([offer])
    assert search(engine, text="strikkek") == [offer["id"]]


def test_a_space_after_the_last_word_ends_the_prefix(engine: TantivyEngine) -> None:
    """A finished word ("strikkek ") is no longer completed to "strikkeklubben"."""
    engine.index([doc(title="Strikkeklubben")])
    assert search(engine, text="strikkek ") == []


# --- Geography ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "samvær"], ids=["by cells", "in one pass"])
def test_radius_is_exact_at_the_edge(engine: TantivyEngine, text: str) -> None:
    inside, outside = at_distance(9.95), at_distance(10.05)
    corner = doc(lat=VEJLE.lat + 8 / 111.195, lon=VEJLE.lon + 8 / 62.7)  # about 11.3 km
    engine.index([inside, outside, corner])
    assert search(engine, text=text, point=VEJLE, radius_km=10) == [inside["id"]]


@pytest.mark.parametrize("text", ["", "samvær"])
def test_a_crowded_edge_is_decided_by_small_cells(
    engine: TantivyEngine, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    """Past EXACT_BAND_LIMIT documents on the edge, cells decide, within 1/20 of the radius."""
    monkeypatch.setattr("search.tantivy_geo.EXACT_BAND_LIMIT", 0)
    monkeypatch.setattr("search.tantivy_search.FETCH_ALL", 0)
    offers = [at_distance(km) for km in (0.5, 9.0, 9.8, 10.2, 11.0, 30.0)]
    engine.index([*offers, remote_doc()])
    found = set(search(engine, text=text, point=VEJLE, radius_km=10))
    assert len(found) in (3, 4, 5)  # the remote offer, and the two near the edge may go either way
    assert {offers[0]["id"], offers[1]["id"]} <= found
    assert not {offers[4]["id"], offers[5]["id"]} & found


def random_offers(count: int, seed: int) -> list[Document]:
    """Offers spread over Denmark, a third of them in and around Copenhagen."""
    rng = random.Random(seed)
    offers = []
    for number in range(count):
        if number % 3 == 0:
            lat, lon = COPENHAGEN.lat + rng.gauss(0, 0.05), COPENHAGEN.lon + rng.gauss(0, 0.08)
        else:
            lat, lon = rng.uniform(54.8, 57.6), rng.uniform(8.2, 12.6)
        feature = rng.sample(["gratis", "koerestol", "hoereslynge"], rng.randrange(3))
        offers.append(doc(lat=lat, lon=lon, feature=feature, weekday=[rng.choice("MTW")]))
    return offers


@pytest.mark.parametrize("fetch_all", [500, 5], ids=["sorted at once", "growing boxes"])
def test_distance_order_and_radius_match_brute_force(
    engine: TantivyEngine, monkeypatch: pytest.MonkeyPatch, fetch_all: int
) -> None:
    """Every page of a distance search agrees with sorting all offers by distance."""
    monkeypatch.setattr("search.tantivy_search.FETCH_ALL", fetch_all)
    offers = random_offers(400, seed=7)
    engine.index(offers)
    for radius in (None, 5.0, 40.0):
        expected = sorted((from_copenhagen(offer), offer["id"]) for offer in offers)
        if radius is not None:
            expected = [(d, i) for d, i in expected if d <= radius]
        found: list[float] = []
        for page in range(1, 12):
            result = engine.search(
                SearchQuery(
                    point=COPENHAGEN, radius_km=radius, sort=Sort.DISTANCE, page=page, per_page=40
                )
            )
            assert result.total == len(expected)
            found += [hit.distance_km or math.inf for hit in result.hits]
        assert found == pytest.approx([d for d, _ in expected])


def test_radius_facets_count_the_same_offers_as_the_total(engine: TantivyEngine) -> None:
    offers = random_offers(300, seed=3)
    engine.index(offers)
    result = engine.search(
        SearchQuery(point=COPENHAGEN, radius_km=8, facets=("weekday", "is_free"))
    )
    expected = sum(from_copenhagen(offer) <= 8 for offer in offers)
    assert result.total == expected
    assert sum(result.facets["weekday"].values()) == expected
    assert result.facets["is_free"] == {"true": expected}


@pytest.mark.parametrize("fetch_all", [500, 0], ids=["in one pass", "by ranges and cells"])
def test_filters_and_radius_combine(
    engine: TantivyEngine, monkeypatch: pytest.MonkeyPatch, fetch_all: int
) -> None:
    """Filters within a radius count exactly the offers a brute-force check finds."""
    monkeypatch.setattr("search.tantivy_search.FETCH_ALL", fetch_all)
    offers = random_offers(300, seed=5)
    engine.index(offers)
    result = engine.search(
        SearchQuery(point=COPENHAGEN, radius_km=10, features=("gratis",), weekday=("M", "T"))
    )
    expected = {
        offer["id"]
        for offer in offers
        if from_copenhagen(offer) <= 10
        and "gratis" in offer["feature"]
        and offer["weekday"] != ["W"]
    }
    assert result.total == len(expected)


@pytest.mark.parametrize("sort", [Sort.DISTANCE, Sort.NEXT_MEETING, Sort.RELEVANCE])
def test_one_pass_and_multi_pass_agree(
    engine: TantivyEngine, monkeypatch: pytest.MonkeyPatch, sort: Sort
) -> None:
    """A small result finished in Python matches the one Tantivy pages and counts."""
    offers = random_offers(200, seed=11)
    for number, offer in enumerate(offers):
        offer["next_meeting"] = 1_700_000_000 + number * 7919 % 200
    phones = [remote_doc(title="Telefonven samvær", next_meeting=1) for _ in range(3)]
    engine.index([*offers, *phones])
    query = SearchQuery(
        text="samvær", point=COPENHAGEN, radius_km=12, sort=sort, per_page=100, facets=("weekday",)
    )
    one = engine.search(query)
    monkeypatch.setattr("search.tantivy_search.FETCH_ALL", 0)
    multi = engine.search(query)
    assert (one.total, one.facets) == (multi.total, multi.facets)
    assert one.total == 3 + sum(from_copenhagen(offer) <= 12 for offer in offers)
    if sort is Sort.RELEVANCE:  # exact distances against boxes of cells: the same set
        assert {hit.id for hit in one.hits} == {hit.id for hit in multi.hits}
    else:
        assert ids(one) == ids(multi)


# --- Analysis helpers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("strikkeklubben", ("strikke", "klub")),
        ("faellesspisninger", ("faelles", "spisning")),
        ("besoegsven", ("besoeg", "ven")),
        ("kvindeklub", ("kvinde", "klub")),
        ("gaature", ("gaa", "tur")),
        ("kultur", ()),
        ("litteratur", ()),
        ("gaarden", ()),
        ("madras", ()),
        ("faellesskab", ()),
    ],
)
def test_compound_splitting(word: str, parts: tuple[str, ...]) -> None:
    assert split_compound(word) == parts


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Århus", "aarhus"), ("ÆBLE", "aeble"), ("Ørsted", "oersted"), ("Café", "cafe")],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(("word", "typos"), [("sang", 0), ("gåtur", 1), ("strikkeklub", 2)])
def test_typo_budget(word: str, typos: int) -> None:
    assert typo_budget(word) == typos


@given(st.text(max_size=60))
def test_highlight_always_escapes(text: str) -> None:
    marked = highlight(text, lambda word: len(word) % 2 == 0)
    assert "<" not in marked.replace("<mark>", "").replace("</mark>", "")


@settings(max_examples=60, deadline=None)
@given(
    lat=st.floats(54.0, 58.0),
    lon=st.floats(7.5, 15.5),
    radius=st.sampled_from([0.2, 1.0, 3.0, 10.0, 25.0, 80.0, 300.0]),
    seed=st.integers(0, 10_000),
)
def test_circle_cover_is_exact(lat: float, lon: float, radius: float, seed: int) -> None:
    """Inside cells hold only points in the circle; every point in it is inside or on the band."""
    cover = circle_cover(lat, lon, radius)
    inside, band, outside = set(cover.inside), set(cover.band_terms()), set(cover.outside)
    assert not inside & band
    assert not outside & band
    rng = random.Random(seed)
    reach = math.degrees(radius / 6371.0088) * 1.2
    centre = GeoPoint(lat, lon)
    min_lat, max_lat, min_lon, max_lon = circle_bounds(lat, lon, radius)
    for _ in range(200):
        point_lat = lat + rng.uniform(-reach, reach)
        point_lon = lon + rng.uniform(-reach, reach) / math.cos(math.radians(lat))
        terms = set(cell_terms(point_lat, point_lon))
        distance = haversine_km(centre, point_lat, point_lon)
        if terms & inside:
            assert distance <= radius
        elif terms & outside:
            assert distance > radius
        elif distance <= radius:
            assert terms & band
        elif min_lat <= point_lat <= max_lat and min_lon <= point_lon <= max_lon:
            assert terms & band  # within the bounds and outside: a corner or the band
