"""The behaviour every search engine must show, written once and run against each engine.

Subclass ``EngineContract`` and provide an ``engine`` fixture that yields a fresh, empty
engine. An engine that cannot do something sets the matching ``supports_*`` attribute to
False and the test skips with the reason given next to it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from search.base import (
    Document,
    GeoPoint,
    SearchEngine,
    SearchQuery,
    SearchResult,
    Sort,
    haversine_km,
)

# (lat, lon, municipality code) of real towns
TOWNS = {
    "Vejle": (55.709, 9.536, "630"),
    "Fredericia": (55.566, 9.752, "607"),
    "Kolding": (55.490, 9.472, "621"),
    "Thisted": (56.955, 8.694, "787"),
    "Aarhus": (56.157, 10.211, "751"),
    "København": (55.676, 12.568, "101"),
    "Horsens": (55.861, 9.850, "615"),
}
VEJLE = GeoPoint(*TOWNS["Vejle"][:2])
COPENHAGEN = GeoPoint(*TOWNS["København"][:2])
WORD = re.compile(r"[^\W_]+")
SEARCHED_FIELDS = ("title", "description", "organization", "city", "municipality_name")


def doc(town: str = "Vejle", **overrides: Any) -> Document:
    """Return a realistic offer in ``town``; keyword arguments replace any field."""
    lat, lon, code = TOWNS[town]
    document = Document(
        id=str(uuid.uuid4()),
        title="Hyggeligt samvær",
        description="Vi mødes over en kop kaffe og en god snak.",
        organization="Foreningen Sammen",
        city=town,
        municipality=code,
        municipality_name=town,
        activity=["social-cafe"],
        target_group=["alle"],
        life_situation=[],
        feature=[],
        weekday=["TU"],
        time_of_day=["afternoon"],
        is_free=True,
        is_remote=False,
        lat=lat,
        lon=lon,
        next_meeting=None,
        updated_at=1_700_000_000,
    )
    document.update(overrides)  # type: ignore[typeddict-item]
    return document


def remote_doc(**overrides: Any) -> Document:
    """Return an offer by phone, with no place."""
    values: dict[str, Any] = {
        "title": "Telefonven",
        "is_remote": True,
        "lat": None,
        "lon": None,
        "city": "",
        "municipality": "",
        "municipality_name": "",
    }
    values.update(overrides)
    return doc(**values)


def ids(result: SearchResult) -> list[str]:
    """Return the ids of the hits in order."""
    return [hit.id for hit in result.hits]


class EngineContract:
    """Shared behaviour; subclasses provide the ``engine`` fixture."""

    supports_compound_parts = True  # "klub" finds "strikkeklub"

    @pytest.fixture
    def engine(self, tmp_path: Path) -> Iterator[SearchEngine]:
        """Yield a fresh, empty engine (every subclass overrides this)."""
        raise NotImplementedError("a subclass of EngineContract provides the engine fixture")
        yield  # pragma: no cover

    def search(self, engine: SearchEngine, **fields: Any) -> SearchResult:
        return engine.search(SearchQuery(**fields))

    def found(self, engine: SearchEngine, text: str) -> set[str]:
        return set(ids(self.search(engine, text=text, per_page=100)))

    # --- Places and distance ----------------------------------------------------------

    def test_knitting_clubs_near_vejle_come_nearest_first(self, engine: SearchEngine) -> None:
        """A typo'd search around Vejle lists the nearby clubs by distance, with counts."""
        vejle = doc(title="Strikkeklubben i Vejle")
        fredericia = doc("Fredericia", title="Strikkeklub for begyndere")
        kolding = doc("Kolding", title="Kolding Strikkeklub")
        engine.index([kolding, doc("Thisted", title="Strikkeklub Thy"), vejle, fredericia])
        engine.index([doc(title="Madklub i Vejle")])
        result = self.search(
            engine,
            text="strikkeklup",
            point=VEJLE,
            radius_km=25,
            sort=Sort.DISTANCE,
            facets=("municipality",),
        )
        assert ids(result) == [vejle["id"], fredericia["id"], kolding["id"]]
        assert result.total == 3
        assert result.facets["municipality"] == {"630": 1, "607": 1, "621": 1}

    def test_radius_leaves_out_offers_further_away(self, engine: SearchEngine) -> None:
        """A knitting club in Thisted is not within 25 km of Vejle."""
        thisted = doc("Thisted", title="Strikkeklub Thy")
        engine.index([thisted, doc(title="Strikkeklub Vejle")])
        result = self.search(engine, text="strikkeklub", point=VEJLE, radius_km=25)
        assert thisted["id"] not in ids(result)
        assert result.total == 1

    def test_hits_report_their_distance(self, engine: SearchEngine) -> None:
        """Each located hit carries its distance from the point."""
        engine.index([doc("Fredericia")])
        (hit,) = self.search(engine, point=VEJLE, sort=Sort.DISTANCE).hits
        lat, lon, _ = TOWNS["Fredericia"]
        assert hit.distance_km == pytest.approx(haversine_km(VEJLE, lat, lon), rel=0.01)

    def test_browsing_nearby_without_words_sorts_by_distance(self, engine: SearchEngine) -> None:
        """With only a place, the nearest offers come first."""
        towns = ["Thisted", "Kolding", "Aarhus", "Vejle", "Fredericia"]
        documents = {town: doc(town) for town in towns}
        engine.index(documents.values())
        result = self.search(engine, point=VEJLE, sort=Sort.DISTANCE)
        expected = ["Vejle", "Fredericia", "Kolding", "Aarhus", "Thisted"]
        assert ids(result) == [documents[town]["id"] for town in expected]

    # --- Remote offers (online, phone, nationwide) ----------------------------------------

    def test_remote_offers_join_a_radius_search(self, engine: SearchEngine) -> None:
        """A phone friend is offered to someone searching around Vejle, without a distance."""
        phone = remote_doc()
        engine.index([phone, doc("København")])
        result = self.search(engine, point=VEJLE, radius_km=10)
        assert ids(result) == [phone["id"]]
        assert result.hits[0].distance_km is None
        assert result.hits[0].is_remote

    def test_remote_offers_join_a_municipality_search(self, engine: SearchEngine) -> None:
        """A municipality search includes remote offers too."""
        phone, local = remote_doc(), doc("Vejle")
        engine.index([phone, local, doc("Aarhus")])
        result = self.search(engine, municipality=("630",))
        assert set(ids(result)) == {phone["id"], local["id"]}

    def test_remote_offers_come_after_local_ones_by_distance(self, engine: SearchEngine) -> None:
        """Sorted by distance, every local offer comes before the remote ones."""
        phone, online = remote_doc(), remote_doc(title="Netcafé")
        far, near = doc("Thisted"), doc("Fredericia")
        engine.index([phone, far, online, near])
        result = self.search(engine, point=VEJLE, radius_km=500, sort=Sort.DISTANCE)
        assert ids(result)[:2] == [near["id"], far["id"]]
        assert set(ids(result)[2:]) == {phone["id"], online["id"]}

    def test_remote_offers_can_be_left_out(self, engine: SearchEngine) -> None:
        """include_remote=False keeps only offers in the place."""
        local = doc()
        engine.index([remote_doc(), local])
        result = self.search(engine, point=VEJLE, radius_km=10, include_remote=False)
        assert ids(result) == [local["id"]]

    def test_remote_offers_are_found_by_text(self, engine: SearchEngine) -> None:
        """A plain text search finds a remote offer that matches."""
        phone = remote_doc(title="Telefonven for ældre")
        engine.index([phone, doc()])
        assert ids(self.search(engine, text="telefonven")) == [phone["id"]]

    # --- Typos ------------------------------------------------------------------------

    def test_long_word_with_one_typo_is_found(self, engine: SearchEngine) -> None:
        """ "strikkeklup" (11 letters, one typo) finds "Strikkeklub"."""
        club = doc(title="Strikkeklub i Vejle")
        engine.index([club, doc()])
        assert self.found(engine, "strikkeklup") == {club["id"]}

    def test_exact_word_is_found(self, engine: SearchEngine) -> None:
        """ "madklub" finds "Madklub"."""
        club = doc(title="Madklub for mænd")
        engine.index([club, doc()])
        assert self.found(engine, "madklub") == {club["id"]}

    def test_transposition_counts_as_one_typo(self, engine: SearchEngine) -> None:
        """ "gåtru" (five letters, two letters swapped) finds "Gåtur"."""
        walk = doc(title="Gåtur ved fjorden")
        engine.index([walk, doc()])
        assert self.found(engine, "gåtru") == {walk["id"]}

    def test_short_word_must_be_exact(self, engine: SearchEngine) -> None:
        """ "sanf" (four letters) does not find "sang"."""
        engine.index([doc(title="Sang og musik")])
        assert self.found(engine, "sanf") == set()

    def test_very_long_word_allows_two_typos(self, engine: SearchEngine) -> None:
        """ "strikeklup" (two typos, ten letters) finds "Strikkeklub"."""
        club = doc(title="Strikkeklub")
        engine.index([club, doc()])
        assert self.found(engine, "strikeklup") == {club["id"]}

    def test_exact_match_ranks_above_typo(self, engine: SearchEngine) -> None:
        """An exact title match comes before a title with a typo in it."""
        typo, exact = doc(title="Strikkekulb"), doc(title="Strikkeklub")
        engine.index([typo, exact])
        assert ids(self.search(engine, text="strikkeklub")) == [exact["id"], typo["id"]]

    # --- Word forms -------------------------------------------------------------------

    @pytest.mark.parametrize(
        ("text", "title"),
        [("strikk", "Strikkeklubben"), ("fællesspis", "Fællesspisning i hallen")],
    )
    def test_last_word_matches_as_prefix(self, engine: SearchEngine, text: str, title: str) -> None:
        """Search-as-you-type: the last word may be the start of a word."""
        offer = doc(title=title)
        engine.index([offer, doc()])
        assert self.found(engine, text) == {offer["id"]}

    @pytest.mark.parametrize(
        ("text", "title"),
        [("fællesskaber", "Et fællesskab for unge"), ("gåture", "Gåtur ved fjorden")],
    )
    def test_word_forms_find_each_other(self, engine: SearchEngine, text: str, title: str) -> None:
        """Danish word forms (plural, definite) find the base form."""
        offer = doc(title=title)
        engine.index([offer, doc()])
        assert self.found(engine, text) == {offer["id"]}

    @pytest.mark.parametrize(
        ("text", "title"),
        [
            ("aeldre", "Klub for ældre"),
            ("Aarhus", "Gåtur i Århus"),
            ("Århus", "Gåtur i Aarhus"),
            ("cafe", "Café Vest"),
        ],
    )
    def test_danish_letters_fold(self, engine: SearchEngine, text: str, title: str) -> None:
        """æ, ø, å can be typed as ae, oe, aa (and the other way round)."""
        offer = doc(title=title)
        engine.index([offer, doc()])
        assert self.found(engine, text) == {offer["id"]}

    @pytest.mark.parametrize(
        ("text", "description"),
        [
            ("ensom", "For dig, der sidder alene med dine tanker."),
            ("pensionist", "Et tilbud til ældre i byen."),
        ],
    )
    def test_synonyms_find_each_other(
        self, engine: SearchEngine, text: str, description: str
    ) -> None:
        """A search word finds offers that only use a synonym of it."""
        offer = doc(title="Samtalegruppe", description=description)
        engine.index([offer, doc()])
        assert self.found(engine, text) == {offer["id"]}

    def test_set_synonyms_adds_a_group(self, engine: SearchEngine) -> None:
        """A new synonym group applies at once."""
        choir = doc(title="Kor for alle")
        engine.index([choir, doc()])
        engine.set_synonyms([("kor", "sang"), ("strik", "strikning")])
        assert self.found(engine, "sang") == {choir["id"]}

    def test_set_synonyms_replaces_the_old_list(self, engine: SearchEngine) -> None:
        """Synonyms that are no longer listed stop applying."""
        alone = doc(title="Samtalegruppe", description="For dig, der sidder alene.")
        engine.index([alone, doc()])
        engine.set_synonyms([("kor", "sang")])
        assert self.found(engine, "ensom") == set()

    @pytest.mark.parametrize(
        ("text", "title"),
        [
            ("klub", "Strikkeklubben"),
            ("gruppe", "Sorggruppe for efterladte"),
            ("spisning", "Fællesspisning"),
        ],
    )
    def test_compound_words_are_found_by_their_parts(
        self, engine: SearchEngine, text: str, title: str
    ) -> None:
        """A part of a compound word finds it."""
        if not self.supports_compound_parts:
            pytest.skip("this engine does not split compound words")
        offer = doc(title=title)
        engine.index([offer, doc()])
        assert self.found(engine, text) == {offer["id"]}

    # --- Relevance --------------------------------------------------------------------

    def test_title_match_ranks_above_description_match(self, engine: SearchEngine) -> None:
        """An offer named after the word comes before one that only mentions it."""
        mention = doc(title="Hyggeaften", description="Her er også en strikkeklub hver uge.")
        named = doc(title="Strikkeklub", description="Vi mødes hver tirsdag.")
        engine.index([mention, named])
        assert ids(self.search(engine, text="strikkeklub")) == [named["id"], mention["id"]]

    def test_all_words_must_match(self, engine: SearchEngine) -> None:
        """Two words find the offer that has both, not the one with only one of them."""
        both = doc(title="Strikkeklub i Vejle")
        engine.index([both, doc("Aarhus", title="Strikkeklub")])
        assert self.found(engine, "strikkeklub vejle") == {both["id"]}

    # --- Filters ----------------------------------------------------------------------

    @pytest.mark.parametrize(
        ("field", "values"),
        [
            ("activity", ("kreative", "faellesspisning", "sorggrupper")),
            ("target_group", ("unge", "aeldre", "efterladte")),
            ("life_situation", ("skilsmisse", "flyttet", "mistet-arbejde")),
            ("weekday", ("MO", "WE", "FR")),
            ("time_of_day", ("morning", "afternoon", "evening")),
        ],
    )
    def test_values_of_one_filter_are_alternatives(
        self, engine: SearchEngine, field: str, values: tuple[str, str, str]
    ) -> None:
        """Two values of one filter find offers with either value."""
        overrides: list[dict[str, Any]] = [{field: [value]} for value in values]
        first, second, third = (doc(**fields) for fields in overrides)
        engine.index([first, second, third])
        result = self.search(engine, **{field: values[:2]})
        assert set(ids(result)) == {first["id"], second["id"]}

    def test_municipality_filter(self, engine: SearchEngine) -> None:
        """Offers in other municipalities are left out."""
        vejle, aarhus = doc("Vejle"), doc("Aarhus")
        engine.index([vejle, aarhus, doc("Thisted")])
        result = self.search(engine, municipality=("630", "751"))
        assert set(ids(result)) == {vejle["id"], aarhus["id"]}

    def test_different_filters_must_all_hold(self, engine: SearchEngine) -> None:
        """An activity and a weekday together find only offers with both."""
        both = doc(activity=["kreative"], weekday=["MO"])
        engine.index([both, doc(activity=["kreative"], weekday=["TU"]), doc(weekday=["MO"])])
        result = self.search(engine, activity=("kreative",), weekday=("MO",))
        assert ids(result) == [both["id"]]

    def test_every_feature_is_required(self, engine: SearchEngine) -> None:
        """Asking for wheelchair access and a hearing loop needs both."""
        both = doc(feature=["koerestol", "hoereslynge", "gratis"])
        engine.index([both, doc(feature=["koerestol"]), doc(feature=["hoereslynge"])])
        result = self.search(engine, features=("koerestol", "hoereslynge"))
        assert ids(result) == [both["id"]]

    def test_free_only(self, engine: SearchEngine) -> None:
        """free_only leaves out offers that cost money."""
        free = doc(is_free=True)
        engine.index([free, doc(is_free=False)])
        assert ids(self.search(engine, free_only=True)) == [free["id"]]

    # --- Facets and paging ------------------------------------------------------------

    def test_facets_count_the_whole_result(self, engine: SearchEngine) -> None:
        """Facet counts cover every match, not just the page shown."""
        engine.index(
            [doc(activity=["kreative"]) for _ in range(3)]
            + [doc(activity=["kreative", "kultur"]) for _ in range(2)]
            + [doc(title="Madklub", activity=["faellesspisning"])]
        )
        result = self.search(engine, text="samvær", per_page=2, facets=("activity",))
        assert result.total == 5
        assert result.facets["activity"] == {"kreative": 5, "kultur": 2}

    def test_is_free_facet(self, engine: SearchEngine) -> None:
        """The is_free facet counts "true" and "false"."""
        engine.index([doc(is_free=True), doc(is_free=True), doc(is_free=False)])
        result = self.search(engine, facets=("is_free",))
        assert result.facets["is_free"] == {"true": 2, "false": 1}

    def test_pages_follow_each_other(self, engine: SearchEngine) -> None:
        """Page 2 continues where page 1 stopped, and the total counts everything."""
        engine.index([doc() for _ in range(5)])
        first = self.search(engine, per_page=2, page=1)
        second = self.search(engine, per_page=2, page=2)
        third = self.search(engine, per_page=2, page=3)
        assert (first.total, first.pages) == (5, 3)
        assert [len(first.hits), len(second.hits), len(third.hits)] == [2, 2, 1]
        assert len(set(ids(first) + ids(second) + ids(third))) == 5

    def test_page_beyond_the_end_is_empty(self, engine: SearchEngine) -> None:
        """A page after the last one has no hits but still the total."""
        engine.index([doc() for _ in range(3)])
        result = self.search(engine, per_page=2, page=5)
        assert result.hits == []
        assert result.total == 3

    def test_distance_pages_follow_each_other(self, engine: SearchEngine) -> None:
        """Paging through a distance sort gives every offer once, nearest first."""
        towns = list(TOWNS)
        engine.index([doc(towns[i % len(towns)]) for i in range(14)] + [remote_doc()])
        hits = []
        for page in (1, 2, 3, 4):
            result = self.search(engine, point=VEJLE, sort=Sort.DISTANCE, per_page=4, page=page)
            hits += result.hits
        assert len({hit.id for hit in hits}) == 15
        distances = [hit.distance_km for hit in hits[:14]]
        assert distances == sorted(d for d in distances if d is not None)
        assert hits[-1].is_remote

    def test_next_meeting_sort(self, engine: SearchEngine) -> None:
        """Sorted by next meeting, the soonest comes first and unknown dates last."""
        later, unknown, sooner = doc(next_meeting=2_000_000), doc(), doc(next_meeting=1_000_000)
        engine.index([later, unknown, sooner])
        result = self.search(engine, sort=Sort.NEXT_MEETING)
        assert ids(result) == [sooner["id"], later["id"], unknown["id"]]

    # --- Highlights -------------------------------------------------------------------

    def test_highlights_mark_the_matched_word(self, engine: SearchEngine) -> None:
        """The matched word is wrapped in <mark>."""
        engine.index([doc(title="Madklub for mænd", description="Vi laver mad i madklubben.")])
        (hit,) = self.search(engine, text="madklub").hits
        assert hit.highlights["title"] == "<mark>Madklub</mark> for mænd"

    def test_highlights_escape_html(self, engine: SearchEngine) -> None:
        """Stored HTML comes back escaped, so it is safe to render."""
        engine.index([doc(title="<script>alert(1)</script> Strik & snak")])
        (hit,) = self.search(engine, text="strik").hits
        title = hit.highlights["title"]
        assert "<script>" not in title
        assert "&lt;script&gt;" in title
        assert "<mark>Strik</mark>" in title
        assert "&amp;" in title

    # --- Hostile input ----------------------------------------------------------------

    @pytest.mark.parametrize(
        "text",
        [
            "a:(^",
            "+(",
            '"',
            'a" OR x EXISTS OR "',
            "\\",
            "_geoRadius(1,2,3)",
            "*",
            "~",
            "🧶 strik",
            "\x00",
            "NOT",
            "AND OR",
            "\ud800 strik",
            "a" * 10_000,
        ],
        ids=repr,
    )
    def test_hostile_text_is_read_as_plain_words(self, engine: SearchEngine, text: str) -> None:
        """Query syntax, control characters and huge input only ever mean their words."""
        engine.index(
            [
                doc(title='a" OR x', description="Et mærkeligt navn."),
                doc(title="Strikkeklub", description="Strik og snak."),
                doc(title="Madklub", description="Vi laver mad."),
            ]
        )
        result = self.search(engine, text=text, facets=("activity",))
        words = {word.lower() for word in WORD.findall(text[:200])}
        for hit in result.hits:
            content = " ".join(str(hit.document.get(key) or "") for key in SEARCHED_FIELDS)
            hit_words = {word.lower() for word in WORD.findall(content)}
            assert any(h.startswith(w) for w in words for h in hit_words) or not words

    def test_query_syntax_finds_only_the_literal_words(self, engine: SearchEngine) -> None:
        """'a" OR x' finds the offer with those words and not the others."""
        odd = doc(title='a" OR x', description="Et mærkeligt navn.")
        engine.index([odd, doc(title="Madklub")])
        assert self.found(engine, 'a" OR x') == {odd["id"]}

    # --- Keeping the index in step ----------------------------------------------------

    def test_empty_index_finds_nothing(self, engine: SearchEngine) -> None:
        """A fresh engine answers with no hits."""
        result = self.search(engine, text="strik", facets=("activity",))
        assert (result.total, result.hits) == (0, [])

    def test_index_replaces_a_document_with_the_same_id(self, engine: SearchEngine) -> None:
        """Indexing an id again updates it instead of adding a second copy."""
        offer = doc(title="Strikkeklub")
        engine.index([offer])
        engine.index([{**offer, "title": "Madklub"}])
        assert self.found(engine, "madklub") == {offer["id"]}
        assert self.found(engine, "strikkeklub") == set()
        assert self.search(engine).total == 1

    def test_remove(self, engine: SearchEngine) -> None:
        """A removed document is no longer found; unknown ids are ignored."""
        gone, kept = doc(), doc()
        engine.index([gone, kept])
        engine.remove([gone["id"], "no-such-id"])
        assert ids(self.search(engine)) == [kept["id"]]

    def test_rebuild_replaces_everything(self, engine: SearchEngine) -> None:
        """After a rebuild only the rebuilt documents exist."""
        old, new = doc(title="Gammel klub"), doc(title="Ny klub")
        engine.index([old])
        assert engine.rebuild([new]) == 1
        assert ids(self.search(engine)) == [new["id"]]
        assert set(engine.ids()) == {new["id"]}

    def test_searches_during_a_rebuild_see_the_old_documents(self, engine: SearchEngine) -> None:
        """While a rebuild runs, searches still answer from the old index."""
        old = doc(title="Gammel klub")
        engine.index([old])
        seen: list[list[str]] = []

        def documents() -> Iterator[Document]:
            yield doc(title="Ny klub")
            seen.append(ids(self.search(engine)))
            yield doc(title="Endnu en ny klub")

        assert engine.rebuild(documents()) == 2
        assert seen == [[old["id"]]]
        assert old["id"] not in ids(self.search(engine))

    def test_ids_lists_every_document_with_its_update_time(self, engine: SearchEngine) -> None:
        """ids() maps each id to its updated_at."""
        first, second = doc(updated_at=1_700_000_001), doc(updated_at=1_700_000_002)
        engine.index([first, second])
        assert engine.ids() == {first["id"]: 1_700_000_001, second["id"]: 1_700_000_002}

    def test_health_reports_the_document_count(self, engine: SearchEngine) -> None:
        """health() is ok and counts the documents."""
        engine.index([doc(), doc()])
        health = engine.health()
        assert health.ok
        assert health.documents == 2
