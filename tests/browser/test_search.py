"""The search page and the offer page in a real browser: map, suggestions, position, filters.

JavaScript only adds to pages that already work without it; these tests check
both sides. Every page is offline: map tiles never load.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.live import DESKTOP, PHONE, VEJLE, LiveSite, new_page, settle

pytestmark = pytest.mark.browser


def test_map_shows_the_results_without_tiles_and_the_list_stays(site: LiveSite, browser) -> None:
    csp_errors: list[str] = []
    page = new_page(browser, site, csp_errors, viewport=DESKTOP)

    page.goto(site.url("search"))
    settle(page)

    container = page.locator("#map")
    assert container.is_visible()
    assert "leaflet-container" in (container.get_attribute("class") or "")
    assert container.get_attribute("role") == "region"
    assert container.get_attribute("aria-label") == "Kort over resultaterne"
    assert page.locator("#map .map-marker").count() == 2, "the two offers in Thisted"
    assert page.locator("#map .leaflet-control-zoom-in").get_attribute("title") == "Zoom ind"
    assert page.locator("[data-map-failed]").is_visible()
    assert "Kortet kunne ikke hentes" in page.locator("[data-map-failed]").inner_text()
    cards = page.locator(".offer-card")
    assert cards.count() == 3
    assert cards.first.is_visible()
    # A marker opens a popup that links to the offer.
    page.locator("#map .map-marker").first.click()
    popup_link = page.locator(".map-popup a")
    assert popup_link.is_visible()
    assert re.fullmatch(r"/tilbud/[0-9a-f-]{36}", popup_link.get_attribute("href") or "")
    assert csp_errors == []


def test_offer_page_map_and_print_button(site: LiveSite, browser) -> None:
    csp_errors: list[str] = []
    page = new_page(browser, site, csp_errors, viewport=PHONE)

    page.goto(site.url("offer"))
    settle(page)

    assert page.locator("#offer-map .map-marker").count() == 1
    assert page.get_by_role("button", name="Udskriv").is_visible()
    assert page.get_by_role("link", name="Tilføj til kalender").is_visible()
    assert csp_errors == []


def test_without_javascript_there_is_no_map_and_no_position_button(site: LiveSite, browser) -> None:
    page = new_page(browser, site, [], java_script_enabled=False, viewport=DESKTOP)

    page.goto(site.url("search"))

    assert not page.locator("#map").is_visible()
    assert not page.get_by_role("button", name="Brug min position").is_visible()
    assert page.locator(".offer-card").count() == 3
    page.goto(site.url("offer"))
    assert not page.locator("#offer-map").is_visible()
    assert not page.get_by_role("button", name="Udskriv").is_visible()
    assert page.get_by_role("link", name="Tilføj til kalender").is_visible()


def test_suggestions_work_with_the_keyboard(site: LiveSite, browser) -> None:
    page = new_page(browser, site, [], viewport=DESKTOP)
    page.goto(site.url("whole country"))
    field = page.locator("#q")
    assert field.get_attribute("role") == "combobox"
    assert field.get_attribute("aria-expanded") == "false"
    listbox_id = field.get_attribute("aria-controls")

    field.focus()
    page.keyboard.type("Fæll")
    listbox = page.locator(f"#{listbox_id}")
    listbox.wait_for(state="visible")

    assert listbox.get_attribute("role") == "listbox"
    assert field.get_attribute("aria-expanded") == "true"
    options = listbox.get_by_role("option")
    titles = [" ".join(t.split()) for t in options.all_inner_texts()]
    assert titles and all("Fællesspisning" in t or "Fællesskab" in t for t in titles), titles
    assert page.get_by_role("status").filter(has_text="forslag").count() == 1

    page.keyboard.press("ArrowDown")
    first = options.nth(0)
    assert field.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert first.get_attribute("aria-selected") == "true"
    if options.count() > 1:
        page.keyboard.press("ArrowDown")
        assert field.get_attribute("aria-activedescendant") == options.nth(1).get_attribute("id")
        page.keyboard.press("ArrowUp")
        assert field.get_attribute("aria-activedescendant") == first.get_attribute("id")

    page.keyboard.press("Escape")
    assert not listbox.is_visible()
    assert field.get_attribute("aria-expanded") == "false"
    assert field.get_attribute("aria-activedescendant") is None
    assert page.evaluate("document.activeElement.id") == "q", "focus stays in the field"

    page.keyboard.press("ArrowDown")
    assert listbox.is_visible()
    chosen = " ".join(first.inner_text().split())
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert re.search(r"/tilbud/[0-9a-f-]{36}$", page.url)
    assert page.get_by_role("heading", level=1).inner_text() in chosen


def test_enter_without_a_chosen_suggestion_searches(site: LiveSite, browser) -> None:
    page = new_page(browser, site, [], viewport=DESKTOP)
    page.goto(site.url("whole country"))

    page.locator("#q").fill("strikkeklub")
    page.locator("#q").press("Enter")

    page.wait_for_url(re.compile(r"/search\?q=strikkeklub"))
    assert page.locator(".offer-card").count() == 1


def test_use_my_location_searches_near_the_visitor(site: LiveSite, browser) -> None:
    page = new_page(
        browser, site, [], viewport=PHONE, geolocation=VEJLE, permissions=["geolocation"]
    )
    page.goto(site.url("whole country"))
    button = page.get_by_role("button", name="Brug min position")
    assert button.is_visible()

    with page.expect_navigation():
        button.click()

    assert "lat=55.709" in page.url and "lon=9.536" in page.url
    heading = " ".join(page.locator("#results-heading").inner_text().split())
    assert heading == "2 fællesskaber inden for 25 km af din position"
    titles = page.locator(".offer-card__title a").all_inner_texts()
    assert set(titles) == {"Fællesskab i Vejle", "Snak over nettet"}
    assert page.locator("#q").input_value() == ""
    assert page.get_by_text("Du søger ud fra din position.").is_visible()


def test_a_refused_location_is_explained(site: LiveSite, browser) -> None:
    page = new_page(browser, site, [], viewport=PHONE)
    page.goto(site.url("whole country"))

    page.get_by_role("button", name="Brug min position").click()

    status = page.locator("[data-geolocate-status]")
    status.wait_for(state="visible")
    assert "Du har ikke givet lov til at bruge din position" in status.inner_text()
    assert "/search" in page.url and "lat=" not in page.url


def test_filters_are_open_on_wide_screens_and_folded_on_phones(site: LiveSite, browser) -> None:
    wide = new_page(browser, site, [], viewport=DESKTOP)
    wide.goto(site.url("search"))
    assert wide.locator("details.filter-panel").get_attribute("open") is not None
    meals = re.compile(r"^Fællesspisning \(")
    assert wide.get_by_role("checkbox", name=meals).is_visible()

    phone = new_page(browser, site, [], viewport=PHONE)
    phone.goto(site.url("search"))
    assert phone.locator("details.filter-panel").get_attribute("open") is None
    assert not phone.get_by_role("checkbox", name=meals).is_visible()
    phone.get_by_text("Filtrér resultaterne").click()
    assert phone.get_by_role("checkbox", name=meals).is_visible()


def test_filters_and_sorting_work_without_javascript(site: LiveSite, browser) -> None:
    page = new_page(browser, site, [], java_script_enabled=False, viewport=PHONE)
    page.goto(site.url("search"))

    page.get_by_text("Filtrér resultaterne").click()
    page.get_by_label(re.compile(r"^Motion og gåture")).check()
    page.get_by_role("button", name="Vis fællesskaber").click()

    assert "where=Thisted" in page.url and "activity=motion-gaature" in page.url
    assert page.locator(".offer-card__title a").all_inner_texts() == ["Gåtur ved fjorden"]

    page.get_by_label("Sortér efter").select_option("next_meeting")
    page.get_by_role("button", name="Sortér", exact=True).click()

    assert "sort=next_meeting" in page.url
    assert "activity=motion-gaature" in page.url and "where=Thisted" in page.url

    page.get_by_role("link", name="Fjern filteret Motion og gåture").click()

    assert "activity" not in page.url and "where=Thisted" in page.url
    assert page.locator(".offer-card").count() == 3


def test_the_printed_offer_fits_on_one_page(site: LiveSite, browser) -> None:
    page = new_page(browser, site, [])
    page.goto(site.url("offer"))
    page.emulate_media(media="print")

    assert not page.locator(".main-nav").is_visible()
    assert not page.get_by_role("link", name="Tilføj til kalender").is_visible()
    assert page.locator(".offer__print-link").is_visible()
    pdf = page.pdf(format="A4")

    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, "one sheet of paper"
