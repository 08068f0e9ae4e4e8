"""The search page as a visitor meets it: results, filters, places, errors, JSON twins.

Every test puts its offers in the search index explicitly (``index_everything``)
rather than relying on the after-request drain.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from search import EngineUnavailable, SearchQuery
from tests.main.test_pages import cards, get, index_everything, structure, visible_text

VEJLE = {"municipality_code": "630", "city": "Vejle", "postal_code": "7100"}


# ---------- helpers ----------


class Forms(HTMLParser):
    """Collect every form of a page with what a browser would submit from it."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._select: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append({"attrs": attributes, "fields": []})
        elif not self.forms:
            return
        elif tag == "input":
            self.forms[-1]["fields"].append(("input", attributes))
        elif tag == "select":
            self._select = {"name": attributes.get("name"), "options": [], "attrs": attributes}
            self.forms[-1]["fields"].append(("select", self._select))
        elif tag == "option" and self._select is not None:
            self._select["options"].append(attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None

    def submitted(self, form: dict) -> list[tuple[str, str]]:
        """Return the name/value pairs the form sends as it stands, without JavaScript."""
        pairs: list[tuple[str, str]] = []
        for kind, attributes in form["fields"]:
            if kind == "select":
                if "disabled" in attributes["attrs"]:
                    continue
                options = attributes["options"]
                chosen = [o for o in options if "selected" in o] or options[:1]
                pairs += [(attributes["name"], o.get("value") or "") for o in chosen]
                continue
            name = attributes.get("name")
            if not name or "disabled" in attributes:
                continue
            kind = attributes.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in attributes:
                continue
            if kind in {"submit", "button", "reset"}:
                continue
            pairs.append((name, attributes.get("value") or ""))
        return pairs


def forms(body: str) -> Forms:
    parser = Forms()
    parser.feed(body)
    return parser


def query_of(url: str) -> list[tuple[str, str]]:
    """Return a URL's parameters, without empty ones, in a comparable order."""
    return sorted((k, v) for k, v in parse_qsl(urlsplit(html.unescape(url)).query) if v)


def heading(body: str) -> str:
    found = re.search(r'(?s)<h2 class="results__count"[^>]*>(.*?)</h2>', body)
    assert found, "the results heading is missing"
    return visible_text(found.group(1))


def data_attribute(body: str, element_id: str, name: str):
    tag = re.search(rf'(?s)<div id="{element_id}"[^>]*>', body)
    assert tag, element_id
    value = re.search(rf"{name}='([^']*)'", tag.group(0))
    assert value, name
    return json.loads(html.unescape(value.group(1)))


@pytest.fixture
def offers(make_offer) -> dict:
    """A few offers around Vejle, one far away in Thisted and one online; all indexed."""
    made = {
        "knit": make_offer(
            name="Strikkeklub i Vejle",
            description="Vi strikker og drikker kaffe hver tirsdag.",
            activities=["kreative"],
            situations=["flyttet"],
            features=["koerestolsadgang", "drop-in"],
            latitude=55.7093,
            longitude=9.5357,
            **VEJLE,
        ),
        "walk": make_offer(
            name="Gåtur ved fjorden",
            activities=["motion-gaature"],
            is_free=False,
            price_text="20 kr.",
            latitude=55.6985,
            longitude=9.5690,
            **VEJLE,
        ),
        "far": make_offer(name="Fællesspisning i Thisted"),
        "online": make_offer(
            name="Snak over nettet",
            virtual=True,
            features=["online"],
            activities=["samtalegrupper"],
        ),
    }
    index_everything()
    return made


class BrokenEngine:
    """An engine that is down."""

    name = "broken"

    def search(self, query: SearchQuery):
        raise EngineUnavailable("the engine is switched off")


# ---------- results ----------


def test_search_near_a_place_lists_nearby_and_remote_offers(client, offers) -> None:
    response = get(client, "/search?where=Vejle&radius=25")

    assert response.status_code == 200
    found = cards(response.text)
    assert set(found) == {"Strikkeklub i Vejle", "Gåtur ved fjorden", "Snak over nettet"}
    assert heading(response.text) == "3 fællesskaber inden for 25 km af Vejle"
    knit = visible_text(found["Strikkeklub i Vejle"])
    assert re.search(r"\d+(,\d)? k?m fra Vejle", knit), knit
    assert "Næste gang: tirsdag" in knit
    assert "Kørestolsadgang" in knit and "Gratis" in knit
    assert "Gratis" not in visible_text(found["Gåtur ved fjorden"])
    assert 'class="badge badge--remote">Online<' in found["Snak over nettet"]
    assert f'href="/tilbud/{offers["knit"].id}"' in found["Strikkeklub i Vejle"]
    assert "online og over telefonen" in visible_text(response.text)


def test_search_without_a_place_covers_the_whole_country(client, offers) -> None:
    response = get(client, "/search")

    assert response.status_code == 200
    assert heading(response.text) == "4 fællesskaber i hele landet"
    assert len(cards(response.text)) == 4


def test_one_result_is_counted_in_the_singular(client, offers) -> None:
    assert heading(get(client, "/search?q=Thisted").text) == "1 fællesskab i hele landet"


def test_results_are_an_ordered_list_of_cards(client, offers) -> None:
    body = get(client, "/search?where=Vejle").text

    assert re.search(r'<ol class="offer-list" start="1" aria-labelledby="results-heading">', body)
    assert body.count('<article class="offer-card"') == 3


def test_filters_show_how_many_offers_each_choice_finds(client, offers) -> None:
    body = get(client, "/search?where=Vejle&radius=25").text
    text = visible_text(body)

    assert "Kreative aktiviteter (1)" in text
    assert "Motion og gåture (1)" in text
    assert "Kørestolsadgang (1)" in text
    assert "Kun gratis (2)" in text
    assert "Tirsdag (3)" in text
    page = structure(body)
    legends = re.findall(r'<legend class="facet__legend">(.*?)</legend>', body)
    assert legends == [
        "Aktivitet",
        "Målgruppe",
        "Livssituation",
        "Pris",
        "Praktisk",
        "Ugedag",
        "Tidspunkt",
        "Kommune",
    ]
    assert page.find("details", **{"class": "filter-panel"}), "filters fold away on phones"
    assert page.find("input", type="checkbox", name="activity", value="kreative")
    assert page.find("input", type="checkbox", name="time_of_day", value="evening")


def test_choosing_a_filter_narrows_the_results_and_can_be_undone(client, offers) -> None:
    response = get(client, "/search?where=Vejle&activity=kreative&free=1")

    assert set(cards(response.text)) == {"Strikkeklub i Vejle"}
    page = structure(response.text)
    checked = page.find("input", type="checkbox", name="activity", value="kreative")
    assert checked and "checked" in checked[0]
    chips = re.findall(r'(?s)<a class="chip" href="([^"]*)">(.*?)</a>', response.text)
    removals = {visible_text(label): query_of(href) for href, label in chips}
    assert removals == {
        "Fjern filteret Kreative aktiviteter": [
            ("free", "1"),
            ("radius", "25"),
            ("where", "Vejle"),
        ],
        "Fjern filteret Gratis": [("activity", "kreative"), ("radius", "25"), ("where", "Vejle")],
    }


def test_search_words_are_highlighted(client, offers) -> None:
    body = get(client, "/search?q=strikkeklub").text

    assert "Strikkeklub i Vejle" in cards(body)
    assert "<mark>" in body
    assert "Du søgte efter »strikkeklub«." in visible_text(body)


# ---------- the form works without JavaScript ----------


def test_every_form_sends_the_whole_search_again(client, offers) -> None:
    url = (
        "/search?q=strik&where=Vejle&radius=10&activity=kreative&target_group=aeldre"
        "&life_situation=flyttet&feature=koerestolsadgang&weekday=TU&weekday=WE"
        "&time_of_day=evening&municipality=630&free=1&sort=distance"
    )
    body = get(client, url).text
    expected = query_of(url)
    assert set(cards(body)) == {"Strikkeklub i Vejle"}

    found = forms(body)
    search_forms = [f for f in found.forms if f["attrs"].get("action") == "/search"]
    assert len(search_forms) == 3, "search bar, filters and sort order"
    for form in search_forms:
        assert form["attrs"].get("method") == "get"
        sent = sorted((k, v) for k, v in found.submitted(form) if v)
        assert sent == expected, form["attrs"]


def test_position_search_keeps_the_position_in_every_form(client, offers) -> None:
    body = get(client, "/search?lat=55.709&lon=9.536&radius=5").text

    assert heading(body) == "3 fællesskaber inden for 5 km af din position"
    found = forms(body)
    for form in (f for f in found.forms if f["attrs"].get("action") == "/search"):
        sent = dict((k, v) for k, v in found.submitted(form) if v)
        assert float(sent["lat"]) == pytest.approx(55.709)
        assert float(sent["lon"]) == pytest.approx(9.536)
        assert sent["radius"] == "5"
    assert "Glem min position" in visible_text(body)


def test_pages_keep_the_search(client, make_offer) -> None:
    for number in range(23):
        make_offer(
            name=f"Strikkeklub nummer {number:02d}",
            activities=["kreative"],
            latitude=55.71,
            longitude=9.53,
            **VEJLE,
        )
    index_everything()

    first = get(client, "/search?where=Vejle&feature=&activity=kreative&free=1&q=strikkeklub")

    assert "Side 1 af 2" in visible_text(first.text)
    page = structure(first.text)
    assert page.find("nav", **{"aria-label": "Sider"})
    next_links = page.find("a", rel="next")
    assert len(next_links) == 1
    assert not page.find("a", rel="prev")
    assert query_of(next_links[0]["href"] or "") == sorted(
        [("where", "Vejle"), ("activity", "kreative"), ("free", "1"), ("q", "strikkeklub")]
        + [("page", "2"), ("radius", "25")]
    )

    second = get(client, html.unescape(next_links[0]["href"] or ""))

    assert "Side 2 af 2" in visible_text(second.text)
    assert len(cards(second.text)) == 3
    assert re.search(r'<ol class="offer-list" start="21"', second.text)
    assert structure(second.text).find("a", rel="prev")
    assert not structure(second.text).find("a", rel="next")


def test_sort_order_offers_distance_only_with_a_place(client, offers) -> None:
    with_place = structure(get(client, "/search?where=Vejle").text)
    without = structure(get(client, "/search").text)

    assert [o["value"] for o in with_place.find("option") if o["value"] in SORTS] == list(SORTS)
    assert [o["value"] for o in without.find("option") if o["value"] in SORTS] == [
        "relevance",
        "next_meeting",
    ]


SORTS = ("relevance", "distance", "next_meeting")


@pytest.mark.parametrize("sort", SORTS)
def test_each_sort_order_answers(client, offers, sort) -> None:
    response = get(client, f"/search?where=Vejle&sort={sort}")

    assert response.status_code == 200
    assert len(cards(response.text)) == 3
    sort_select = re.search(r'(?s)<select id="sort".*?</select>', response.text).group(0)
    chosen = [o["value"] for o in structure(sort_select).find("option") if "selected" in o]
    assert chosen == [sort]


def test_nearest_first_puts_the_closest_offer_first(client, offers) -> None:
    body = get(client, "/search?lat=55.6985&lon=9.5690&sort=distance").text

    assert list(cards(body))[0] == "Gåtur ved fjorden"


# ---------- nothing found ----------


def test_empty_results_suggest_a_bigger_radius_and_fewer_filters(client, offers) -> None:
    body = get(client, "/search?where=Vejle&radius=10&q=xylofonorkester&activity=kultur").text

    text = visible_text(body)
    assert heading(body) == "0 fællesskaber inden for 10 km af Vejle"
    assert "Vi fandt ingen fællesskaber" in text
    links = {
        visible_text(label): query_of(href)
        for href, label in re.findall(
            r'(?s)<li><a href="([^"]*)">(.*?)</a></li>', body.split('class="empty-state"')[1]
        )
    }
    assert links["Søg inden for 25 km"] == [
        ("activity", "kultur"),
        ("q", "xylofonorkester"),
        ("radius", "25"),
        ("where", "Vejle"),
    ]
    assert links["Fjern filtrene"] == [("q", "xylofonorkester"), ("where", "Vejle")]
    assert 'id="map"' not in body, "no map without anything to show"


def test_no_bigger_radius_is_offered_at_the_largest(client, offers) -> None:
    body = get(client, "/search?where=Vejle&radius=100&q=xylofonorkester").text

    assert "Vi fandt ingen fællesskaber" in visible_text(body)
    assert "Søg inden for" not in visible_text(body)


# ---------- places that cannot be found ----------


def test_unknown_place_explains_and_searches_the_whole_country(client, offers) -> None:
    response = get(client, "/search?where=Atlantis")

    assert response.status_code == 200
    alert = re.search(
        r'(?s)<div class="notice notice--error" id="search-errors" role="alert">'
        r"(.*?)</div>",
        response.text,
    )
    assert alert
    assert "Vi kunne ikke finde stedet »Atlantis«." in visible_text(alert.group(1))
    assert heading(response.text) == "4 fællesskaber i hele landet"
    where = structure(response.text).find("input", name="where")
    assert where[0]["value"] == "Atlantis"
    assert where[0]["aria-invalid"] == "true"
    assert where[0]["aria-describedby"] == "search-errors"
    assert structure(response.text).title.startswith("Fejl: ")


def test_misspelt_place_suggests_places_that_rerun_the_search(client, offers) -> None:
    response = get(client, "/search?where=Vejlee&q=strik&activity=kreative")

    suggestions = re.search(
        r'(?s)<p class="notice__text notice__suggestions">(.*?)</p>', response.text
    )
    assert suggestions, "Mente du …?"
    assert visible_text(suggestions.group(1)).startswith("Mente du")
    links = {
        visible_text(label): html.unescape(href)
        for href, label in re.findall(r'<a href="([^"]*)">(.*?)</a>', suggestions.group(1))
    }
    assert "Vejle" in links
    assert query_of(links["Vejle"]) == [
        ("activity", "kreative"),
        ("q", "strik"),
        ("radius", "25"),
        ("where", "Vejle"),
    ]

    again = get(client, links["Vejle"])

    assert heading(again.text) == "1 fællesskab inden for 25 km af Vejle"
    assert 'role="alert"' not in again.text


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        ("nan", "nan"),
        ("abc", "9.5"),
        ("91", "9.5"),
        ("-91", "9.5"),
        ("55.7", "181"),
        ("inf", "-inf"),
        ("1e309", "9.5"),
        ("40.7128", "-74.0060"),  # New York: not in Denmark
        ("55.7", ""),
        ("", "9.5"),
        ("55,7", "9,5x"),
        ("9" * 400, "9.5"),
    ],
)
def test_bad_coordinates_give_a_message_never_an_error_page(client, offers, lat, lon) -> None:
    response = get(client, "/search?" + urlencode({"lat": lat, "lon": lon}))

    assert response.status_code == 200
    alert = re.search(r'(?s)role="alert">(.*?)</div>', response.text)
    assert alert and visible_text(alert.group(1)), "the visitor is told what went wrong"
    assert heading(response.text) == "4 fællesskaber i hele landet"


# ---------- input nobody expected ----------


@pytest.mark.parametrize(
    "text",
    [
        "a:(^",
        "+(",
        '"',
        "x" * 10_000,
        "title:foo AND (",
        "[1 TO 2]",
        "*?~^",
        "\\",
        "-",
        "NOT",
        "<script>alert(1)</script>",
        "'; DROP TABLE service; --",
        "😀 strik",
        "\u0000nul",
        "%",
    ],
)
def test_hostile_words_are_searched_safely(client, offers, text) -> None:
    response = get(client, "/search?" + urlencode({"q": text}))

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    json_response = get(client, "/search.json?" + urlencode({"q": text}))
    assert json_response.status_code == 200
    assert get(client, "/search/suggest.json?" + urlencode({"q": text})).status_code == 200


def test_invalid_utf8_in_the_address_is_harmless(client, offers) -> None:
    for path in ("/search", "/search.json", "/search/suggest.json"):
        response = client.get(path, query_string="q=%ff%fe&where=%c3%28")
        assert response.status_code == 200, path


@pytest.mark.parametrize(
    ("query", "radius", "page"),
    [
        ("page=99999999999999999999&radius=100000", "100", "1000"),
        ("page=-5&radius=-1", "2", "1"),
        ("page=abc&radius=abc", "25", "1"),
        ("page=0&radius=0", "25", "1"),
        ("page=2.5&radius=7", "5", "1"),
        ("page=1e9&radius=1e400", "25", "1"),
    ],
)
def test_silly_page_and_radius_become_sane(client, offers, query, radius, page) -> None:
    response = get(client, f"/search?where=Vejle&{query}")

    assert response.status_code == 200
    radius_select = re.search(r'(?s)<select id="radius".*?</select>', response.text).group(0)
    chosen = [o for o in structure(radius_select).find("option") if "selected" in o]
    assert [o["value"] for o in chosen] == [radius], "the radius select shows the radius used"
    data = get(client, f"/search.json?where=Vejle&{query}").get_json()
    assert data["page"] == int(page)
    assert data["radius_km"] == int(radius)


def test_a_page_past_the_end_offers_a_way_back(client, offers) -> None:
    body = get(client, "/search?page=50").text

    assert "Der er ikke så mange sider" in visible_text(body)
    assert structure(body).find("a", href="/search")


# ---------- when the engine is down ----------


def test_a_broken_engine_answers_from_the_database_with_a_banner(
    client, offers, monkeypatch
) -> None:
    monkeypatch.setattr("portal.find.views.search_engine", lambda: BrokenEngine())

    response = get(client, "/search?where=Vejle&radius=25")

    assert response.status_code == 200
    text = visible_text(response.text)
    assert "Søgningen kører lige nu i en enklere udgave" in text
    assert set(cards(response.text)) == {
        "Strikkeklub i Vejle",
        "Gåtur ved fjorden",
        "Snak over nettet",
    }
    assert "Tallene ved filtrene kan ikke vises lige nu." in text
    assert "facet__count" not in response.text
    data = get(client, "/search.json?where=Vejle").get_json()
    assert data["degraded"] is True
    assert data["total"] == 3
    suggest = get(client, "/search/suggest.json?q=strik")
    assert suggest.status_code == 200
    assert suggest.get_json() == {"suggestions": []}


def test_a_working_engine_shows_no_banner(client, offers) -> None:
    text = visible_text(get(client, "/search?where=Vejle").text)

    assert "enklere udgave" not in text


# ---------- JSON ----------


def test_json_answers_the_same_question(client, offers) -> None:
    response = get(client, "/search.json?where=Vejle&radius=25&activity=kreative")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert set(data) == {
        "total",
        "page",
        "pages",
        "per_page",
        "degraded",
        "place",
        "radius_km",
        "hits",
        "facets",
        "errors",
        "suggestions",
    }
    assert data["total"] == 1
    assert (data["page"], data["pages"], data["degraded"]) == (1, 1, False)
    assert data["place"]["label"] == "Vejle"
    assert data["place"]["lat"] == pytest.approx(55.7, abs=0.1)
    assert data["radius_km"] == 25
    assert data["errors"] == [] and data["suggestions"] == []
    [hit] = data["hits"]
    assert set(hit) >= {
        "id",
        "title",
        "url",
        "organization",
        "city",
        "is_remote",
        "distance_km",
        "distance_text",
        "next_meeting",
        "next_meeting_text",
        "badges",
        "lat",
        "lon",
        "highlights",
    }
    assert hit["title"] == "Strikkeklub i Vejle"
    assert hit["url"] == f"/tilbud/{offers['knit'].id}"
    assert hit["is_remote"] is False
    assert hit["distance_km"] < 5
    assert {"code": "koerestolsadgang", "label": "Kørestolsadgang"} in hit["badges"]
    assert data["facets"]["activity"]["kreative"] == 1


def test_json_reports_an_unknown_place(client, offers) -> None:
    data = get(client, "/search.json?where=Atlantis").get_json()

    assert data["place"] is None
    assert data["radius_km"] is None
    assert data["errors"] == ["Vi kunne ikke finde stedet »Atlantis«."]
    assert data["total"] == 4


def test_suggestions_while_typing(client, offers) -> None:
    data = get(client, "/search/suggest.json?q=strik").get_json()

    assert data["suggestions"][0] == {
        "title": "Strikkeklub i Vejle",
        "url": f"/tilbud/{offers['knit'].id}",
        "city": "Vejle",
    }


@pytest.mark.parametrize("query", ["", "q=", "q=s", "q=%20%20s%20"])
def test_no_suggestions_for_less_than_two_letters(client, offers, query) -> None:
    response = get(client, f"/search/suggest.json?{query}")

    assert response.status_code == 200
    assert response.get_json() == {"suggestions": []}


# ---------- JavaScript is an extra, never a requirement ----------


def test_map_and_position_button_are_hidden_without_javascript(client, offers) -> None:
    body = get(client, "/search?where=Vejle").text
    page = structure(body)

    [container] = page.find("div", id="map")
    assert "hidden" in container
    assert container["role"] == "region"
    assert container["aria-label"] == "Kort over resultaterne"
    assert container["data-tile-url"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert container["data-leaflet-js"] == "/static/vendor/leaflet/leaflet.js"
    markers = data_attribute(body, "map", "data-markers")
    assert {m["title"] for m in markers} == {"Strikkeklub i Vejle", "Gåtur ved fjorden"}
    assert {m["url"] for m in markers} >= {f"/tilbud/{offers['knit'].id}"}
    assert all(isinstance(m["n"], int) for m in markers), "numbered like the list"
    place = data_attribute(body, "map", "data-place")
    assert place["label"] == "Vejle" and place["radius_km"] == 25
    [button] = [b for b in page.find("button") if "data-geolocate" in b]
    assert "hidden" in button
    for name in ("lat", "lon"):
        [field] = page.find("input", name=name)
        assert "disabled" in field, "no empty coordinates are sent"
    scripts = [attrs["src"] for attrs in page.find("script")]
    assert scripts == [
        "/static/js/suggest.js",
        "/static/js/geolocate.js",
        "/static/js/filters.js",
        "/static/js/map-common.js",
        "/static/js/map.js",
    ]
    assert all("defer" in attrs for attrs in page.find("script"))


def test_the_leaflet_files_are_served_locally(client) -> None:
    for name, kind in (("leaflet.js", "javascript"), ("leaflet.css", "text/css")):
        response = get(client, f"/static/vendor/leaflet/{name}")
        assert response.status_code == 200
        assert kind in response.mimetype
        response.close()


def test_search_field_is_ready_for_suggestions(client, offers) -> None:
    [field] = structure(get(client, "/search").text).find("input", id="q")

    assert field["data-suggest-url"] == "/search/suggest.json"
    assert field["autocomplete"] == "off"
    assert "role" not in field, "suggest.js makes it a combobox, only when it runs"


def test_search_page_in_english(client, offers) -> None:
    body = get(client, "/search?where=Vejle", headers={"Accept-Language": "en"}).text
    text = visible_text(body)

    assert '<html lang="en">' in body
    assert heading(body) == "3 communities within 25 km of Vejle"
    assert "What would you like to do?" in text
    assert "Use my location" in text
    assert "Filter the results" in text
    assert "Creative activities (1)" in text
    assert "fællesskab" not in text.replace("Fællesskabsportalen", "")
