"""The pages a visitor sees: home, one offer, errors, the language switch, translations.

The search page has its own tests in tests/find/test_pages.py; the old list
address /tilbud only redirects there now.
"""

from __future__ import annotations

import html
import re
import uuid
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import flask_babel
import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from portal.extensions import db
from portal.find.engine import search_engine
from portal.find.sync import rebuild
from portal.models import ServiceStatus
from portal.offers.services import DirectoryCounts

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "portal" / "translations"
PO_FILE = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO_FILE = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"


# ---------- helpers ----------


class PageStructure(HTMLParser):
    """Collect what the structure checks need from one HTML page."""

    FOCUSABLE = {"a", "button", "input", "select", "textarea", "summary"}

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.first_focusable: tuple[str, dict[str, str | None]] | None = None
        self.h1_count = 0
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "h1":
            self.h1_count += 1
        if tag == "title":
            self._in_title = True
        focusable = tag in self.FOCUSABLE and (tag != "a" or "href" in attributes)
        if self.first_focusable is None and focusable:
            self.first_focusable = (tag, attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def find(self, tag: str, **attributes: str) -> list[dict[str, str | None]]:
        """Return the attributes of every ``tag`` whose attributes include ``attributes``."""
        return [
            attrs
            for name, attrs in self.tags
            if name == tag and all(attrs.get(k) == v for k, v in attributes.items())
        ]


def structure(body: str) -> PageStructure:
    parser = PageStructure()
    parser.feed(body)
    return parser


def visible_text(body: str) -> str:
    """Return the page's text without tags, with whitespace collapsed."""
    body = re.sub(r"(?is)<(script|style|title)\b.*?</\1>", " ", body)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def get(client, url: str, **kwargs):
    """GET ``url`` as a fresh visit.

    The test app keeps one app context open for the whole test, and Flask-Babel
    caches the locale in it; a real request starts without that cache.
    """
    flask_babel.refresh()
    return client.get(url, **kwargs)


def cards(body: str) -> dict[str, str]:
    """Return the HTML of each offer card in a results page, keyed by the offer's title."""
    found = {}
    for card in re.findall(r'(?s)<article class="offer-card".*?</article>', body):
        title = re.search(r"(?s)<h3[^>]*>.*?<a [^>]*>(.*?)</a>", card)
        assert title, card
        found[visible_text(title.group(1))] = card
    return found


def index_everything() -> None:
    """Put every published offer in the search index, as the outbox drain would."""
    rebuild(db.session, search_engine())


# ---------- home ----------


def test_home_shows_live_counts_and_links_into_the_search(client, make_offer) -> None:
    make_offer(name="Fællesspisning i Thisted", municipality_code="787")
    make_offer(name="Gåtur i København", municipality_code="101", city="København")
    make_offer(name="Strikkeklub i København", municipality_code="101", city="København")
    make_offer(name="Kladde", municipality_code="751", status=ServiceStatus.DRAFT)

    response = get(client, "/")

    assert response.status_code == 200
    text = visible_text(response.text)
    assert "Find et fællesskab nær dig" in text
    assert "3 fællesskaber i 2 kommuner" in text
    page = structure(response.text)
    form = page.find("form", action="/search")
    assert form and form[0].get("method") == "get"
    assert page.find("input", name="q")
    assert page.find("input", name="where", type="text")
    assert "By eller postnummer" in text
    assert not page.find("select", name="kommune"), "the place is typed, not picked from 98"
    assert page.find("a", href="/search?activity=faellesspisning")
    assert page.find("a", href="/search?activity=sorggrupper")
    nav = page.find("a", href="/search")
    assert nav, "the main menu leads to the search page"


def test_home_position_button_is_hidden_without_javascript(client) -> None:
    page = structure(get(client, "/").text)

    button = page.find("button", type="button")
    assert button and "hidden" in button[0]
    assert all("disabled" in attrs for attrs in page.find("input", type="hidden"))


def test_home_formats_large_counts_the_danish_way(client, monkeypatch) -> None:
    monkeypatch.setattr(
        "portal.main.views.directory_counts", lambda session: DirectoryCounts(1812, 98, 640)
    )

    danish = visible_text(get(client, "/").text)
    english = visible_text(get(client, "/", headers={"Accept-Language": "en"}).text)

    assert "1.812 fællesskaber i 98 kommuner" in danish
    assert "640 foreninger" in danish
    assert "1,812 communities in 98 municipalities" in english


# ---------- the old list address ----------


def test_old_list_address_redirects_permanently_to_the_search(client) -> None:
    response = get(client, "/tilbud")

    assert response.status_code == 301
    assert urlsplit(response.headers["Location"]).path == "/search"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("kommune=787", {"municipality": ["787"]}),
        ("aktivitet=faellesspisning", {"activity": ["faellesspisning"]}),
        ("maalgruppe=aeldre&maalgruppe=over-85", {"target_group": ["aeldre", "over-85"]}),
        ("gratis=1", {"free": ["1"]}),
        ("side=3", {"page": ["3"]}),
        ("q=strikkeklub", {"q": ["strikkeklub"]}),
        (
            "q=F%C3%A6lles&kommune=787&aktivitet=kultur&maalgruppe=unge&gratis=1&side=2",
            {
                "q": ["Fælles"],
                "municipality": ["787"],
                "activity": ["kultur"],
                "target_group": ["unge"],
                "free": ["1"],
                "page": ["2"],
            },
        ),
        ("ukendt=1&kommune=", {}),
    ],
)
def test_old_list_parameters_keep_working_under_their_new_names(client, old, new) -> None:
    response = get(client, f"/tilbud?{old}")

    assert response.status_code == 301
    location = urlsplit(response.headers["Location"])
    assert location.path == "/search"
    assert parse_qs(location.query) == new


# ---------- one offer ----------


def test_offer_page_shows_what_who_when_where_and_contact(client, make_offer) -> None:
    offer = make_offer(
        name="Torsdagscafé",
        description="Kaffe og kage.\n\nAlle er velkomne.",
        target_groups=["aeldre", "over-85"],
        activities=["social-cafe"],
        features=["koerestolsadgang", "hoereslynge"],
        minimum_age=60,
        is_free=False,
        price_text="20 kr. for kaffe og kage",
    )

    response = get(client, f"/tilbud/{offer.id}")

    assert response.status_code == 200
    text = visible_text(response.text)
    for expected in (
        "Torsdagscafé",
        "Kaffe og kage.",
        "Hvem er det for",
        "Ældre",
        "Over 85 år",
        "Alder: fra 60 år",
        "Hvad laver vi",
        "Social café og værested",
        "Hvornår",
        "Hver tirsdag kl. 17.30–19.30",
        "Hvor",
        "Skolevej 12",
        "7700 Thisted",
        "Sådan kommer du med",
        "Mød bare op.",
        "Værten tager imod nye",
        "20 kr. for kaffe og kage",
        "Kørestolsadgang",
        "Høreslynge",
        "Karen Jensen",
    ):
        assert expected in text, expected
    assert 'href="tel:+4512345678"' in response.text
    assert 'href="mailto:karen@forening.example"' in response.text
    assert structure(response.text).title.startswith("Torsdagscafé – ")


def test_online_offer_page_says_online_instead_of_an_address(client, make_offer) -> None:
    offer = make_offer(name="Netværkscafé", virtual=True, features=["online"])

    text = visible_text(get(client, f"/tilbud/{offer.id}").text)

    assert "Online" in text
    assert "Skolevej" not in text


def test_offer_page_lists_the_next_five_meetings_in_danish(client, make_offer) -> None:
    offer = make_offer(name="Tirsdagscafé")

    response = get(client, f"/tilbud/{offer.id}")

    text = visible_text(response.text)
    assert "Næste møder" in text
    meetings = re.findall(
        r"tirsdag \d{1,2}\. (?:januar|februar|marts|april|maj|juni|juli|august|september"
        r"|oktober|november|december) kl\. 17\.30 ?– ?19\.30",
        text,
    )
    assert len(meetings) == 5, text
    assert len(structure(response.text).find("time")) >= 10, "machine-readable times"


def test_offer_page_meetings_in_english(client, make_offer) -> None:
    offer = make_offer(name="Tirsdagscafé")

    text = visible_text(get(client, f"/tilbud/{offer.id}", headers={"Accept-Language": "en"}).text)

    assert "Next meetings" in text
    assert len(re.findall(r"Tuesday \d{1,2} [A-Z][a-z]+ at 17:30 ?– ?19:30", text)) == 5, text


def test_offer_page_links_to_a_calendar_file_that_downloads(client, make_offer) -> None:
    offer = make_offer(name="Tirsdagscafé")

    page = structure(get(client, f"/tilbud/{offer.id}").text)
    links = page.find("a", href=f"/tilbud/{offer.id}.ics")
    assert links, "Tilføj til kalender"

    response = get(client, f"/tilbud/{offer.id}.ics")

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"].startswith("attachment")
    body = response.get_data(as_text=True)
    assert "BEGIN:VCALENDAR" in body
    assert "BEGIN:VEVENT" in body
    assert "RRULE:FREQ=WEEKLY" in body
    assert "SUMMARY:Tirsdagscafé" in body


def test_calendar_file_of_an_unknown_offer_is_a_404(client) -> None:
    assert get(client, f"/tilbud/{uuid.uuid4()}.ics").status_code == 404
    assert get(client, "/tilbud/ikke-et-id.ics").status_code == 404


def test_offer_page_map_and_print_button_wait_for_javascript(client, make_offer) -> None:
    offer = make_offer(name="Tirsdagscafé", latitude=56.955, longitude=8.694)

    body = get(client, f"/tilbud/{offer.id}").text
    page = structure(body)

    maps = page.find("div", id="offer-map")
    assert maps and "hidden" in maps[0], "no empty box without JavaScript"
    assert maps[0]["role"] == "region"
    assert "56.955" in (maps[0]["data-markers"] or "")
    prints = [attrs for attrs in page.find("button") if "data-print" in attrs]
    assert prints and "hidden" in prints[0]
    assert page.find("script", src="/static/js/map.js")
    assert "Læs mere på Fællesskabsportalen" in visible_text(body), "the printed card says where"


def test_online_offer_page_has_no_map(client, make_offer) -> None:
    offer = make_offer(name="Netværkscafé", virtual=True, features=["online"])

    assert 'id="offer-map"' not in get(client, f"/tilbud/{offer.id}").text


# ---------- errors ----------


@pytest.mark.parametrize("offer_id", [str(uuid.uuid4()), "ikke-et-id", "1%27%20OR%201=1"])
def test_unknown_or_malformed_offer_gives_a_friendly_danish_404(client, offer_id) -> None:
    response = get(client, f"/tilbud/{offer_id}")

    assert response.status_code == 404
    assert '<html lang="da">' in response.text
    assert "Vi kan ikke finde siden" in visible_text(response.text)
    page = structure(response.text)
    assert page.find("link", rel="stylesheet", href="/static/css/portal.css")
    assert page.find("a", href="/")


def test_unpublished_offer_is_not_shown(client, make_offer) -> None:
    draft = make_offer(status=ServiceStatus.DRAFT)

    assert get(client, f"/tilbud/{draft.id}").status_code == 404


def test_other_errors_use_the_site_layout(client) -> None:
    response = client.post("/tilbud")

    assert response.status_code == 405
    assert "Fejl 405" in visible_text(response.text)
    assert structure(response.text).find("link", rel="stylesheet", href="/static/css/portal.css")


def test_server_errors_apologise_in_the_site_layout(app, client) -> None:
    def broken() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/test-fejl", "broken", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    response = get(client, "/test-fejl")

    assert response.status_code == 500
    page = structure(response.text)
    assert page.h1_count == 1
    assert "Beklager, der gik noget galt hos os" in visible_text(response.text)
    assert "boom" not in response.text
    assert page.find("link", rel="stylesheet", href="/static/css/portal.css")


# ---------- every page ----------


@pytest.fixture
def page_urls(make_offer) -> list[str]:
    offer = make_offer()
    make_offer(name="Online snak", virtual=True, features=["online"])
    index_everything()
    return [
        "/",
        "/search",
        "/search?where=Thisted&activity=faellesspisning&target_group=aeldre&free=1",
        "/search?q=findes-ikke",
        "/search?where=Atlantis",
        f"/tilbud/{offer.id}",
        "/tilbud/findes-ikke",
        "/findes-slet-ikke",
    ]


def test_every_page_has_one_h1_a_skip_link_and_landmarks(client, page_urls) -> None:
    for url in page_urls:
        body = get(client, url).text
        page = structure(body)
        assert page.h1_count == 1, url
        assert page.first_focusable == ("a", {"class": "skip-link", "href": "#main"}), url
        assert page.find("main", id="main"), url
        assert len(page.find("header", **{"class": "site-header"})) == 1, url
        assert page.find("nav", **{"aria-label": "Hovedmenu"}), url
        assert page.find("footer"), url
        assert page.find("meta", name="viewport"), url
        assert page.find("html", lang="da"), url
        assert page.title.endswith(" – Fællesskabsportalen"), url
        assert "Fællesskabsportalen samler fællesskaber mod ensomhed" in visible_text(body), url


def test_pages_obey_the_content_security_policy(client, page_urls) -> None:
    # The CSP forbids inline scripts and styles, so the markup must not have any.
    for url in page_urls:
        body = get(client, url).text
        page = structure(body)
        assert not any("style" in attrs for _, attrs in page.tags), url
        assert not any(tag == "style" for tag, _ in page.tags), url
        assert not any(tag == "script" and "src" not in attrs for tag, attrs in page.tags), url
        assert not any(name.startswith("on") for _, attrs in page.tags for name in attrs), url


def test_demo_notice_is_shown_outside_production(client) -> None:
    assert "opdigtede" in visible_text(get(client, "/").text)


# ---------- language ----------


def test_language_switch_changes_lang_and_text_and_back(client, make_offer) -> None:
    offer = make_offer(name="Fællesspisning i Thisted", features=["online"])
    index_everything()

    danish = get(client, "/search")
    assert '<html lang="da">' in danish.text
    switch = structure(danish.text).find("a", hreflang="en")
    assert switch and "English" in danish.text

    redirect = get(client, html.unescape(switch[0]["href"] or ""))
    assert redirect.status_code == 302
    assert redirect.headers["Location"].endswith("/search")

    english = get(client, "/search")
    assert '<html lang="en">' in english.text
    text = visible_text(english.text)
    assert "Find communities" in text
    assert "Find fællesskaber" not in text
    assert "1 community in the whole country" in text
    assert "Next time: Tuesday" in text
    assert "Shared meals" in text, "vocabulary terms are shown in English"
    assert "Monday" in text and "Evening (after 17:00)" in text
    # Text written by the association stays Danish and is marked as such.
    assert re.search(r'<h3[^>]*lang="da"[^>]*>.*?<a [^>]*>Fællesspisning i Thisted', english.text)

    english_offer = get(client, f"/tilbud/{offer.id}")
    assert "Who is it for" in visible_text(english_offer.text)
    back = structure(english_offer.text).find("a", hreflang="da")
    assert back and "Dansk" in english_offer.text

    get(client, html.unescape(back[0]["href"] or ""))
    again = get(client, "/search")
    assert '<html lang="da">' in again.text
    assert "Find fællesskaber" in visible_text(again.text)


def test_english_error_page(client) -> None:
    client.get("/sprog/en")

    response = get(client, "/tilbud/findes-ikke")

    assert response.status_code == 404
    assert '<html lang="en">' in response.text
    assert "We can't find the page" in visible_text(response.text)


# ---------- translations ----------


def _messages(catalog) -> dict:
    def key(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {
        (key(m.id), m.context): key(m.string)
        for m in catalog
        if m.id and not getattr(m, "fuzzy", False)
    }


def test_every_english_message_is_translated() -> None:
    with PO_FILE.open("rb") as handle:
        catalog = read_po(handle)

    untranslated = [
        m.id
        for m in catalog
        if m.id and (m.fuzzy or not m.string or (isinstance(m.string, tuple) and not all(m.string)))
    ]

    assert len(catalog) > 50
    assert untranslated == [], f"translate these in {PO_FILE}"


def test_compiled_english_catalog_is_up_to_date() -> None:
    with PO_FILE.open("rb") as handle:
        catalog = read_po(handle)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    with MO_FILE.open("rb") as handle:
        shipped = read_mo(handle)

    assert _messages(shipped) == _messages(read_mo(compiled)), (
        "run: pybabel compile -d portal/translations"
    )


def test_catalog_has_every_message_in_the_sources(tmp_path: Path) -> None:
    extracted = tmp_path / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "--quiet",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-o",
            str(extracted),
            str(ROOT),
        ]
    )
    with extracted.open("rb") as handle:
        sources = {m.id for m in read_po(handle) if m.id}
    with PO_FILE.open("rb") as handle:
        translated = {m.id for m in read_po(handle) if m.id}

    missing = sorted(map(str, sources - translated))
    assert missing == [], (
        "run: pybabel extract -F babel.cfg -k _l -o portal/translations/messages.pot . && "
        "pybabel update -i portal/translations/messages.pot -d portal/translations"
    )


def test_home_counts_are_kept_for_a_minute_when_configured(app, client, make_offer) -> None:
    app.config["HOME_COUNTS_CACHE_SECONDS"] = 60
    make_offer()
    first = client.get("/").get_data(as_text=True)
    make_offer(name="Endnu et tilbud")
    assert client.get("/").get_data(as_text=True) == first
    app.config["HOME_COUNTS_CACHE_SECONDS"] = 0
    assert client.get("/").get_data(as_text=True) != first
