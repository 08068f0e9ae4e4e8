"""Hostile or broken GET parameters never cause an error page on the statistics pages."""

from __future__ import annotations

import pytest

LONG = "x" * 10_000
PAGES = (
    "/statistik",
    "/statistik/daekning.csv",
    "/statistik/efterspoergsel",
    "/statistik/aarsoversigt",
    "/statistik/aarsoversigt.csv",
    "/statistik/kommunegraenser.geojson",
)
QUERIES = (
    "target_group=findes-ikke&activity=heller-ikke",
    f"target_group={LONG}&activity={LONG}&sort={LONG}&order={LONG}",
    "target_group=aeldre%00&activity=%00%00&sort=%00name",
    "target_group=aeldre&target_group=unge&sort=offers&sort=name",
    "sort=__class__&order=sideways",
    "days=-1&municipality=999",
    f"days={LONG}&municipality={LONG}",
    "days=30%00&municipality=787%00",
    "days=1e9&municipality=%27%3B%20DROP%20TABLE%20service%3B--",
    "target_group=%E2%80%AE%F0%9F%92%A5&activity=%ff%fe",
)


def main_content(response) -> str:
    """Return the page's main content (the header's language link repeats the address)."""
    html = response.get_data(as_text=True)
    return html[html.index("<main") : html.index("</main>")]


@pytest.mark.parametrize("page", PAGES)
def test_no_error_page(client, known_directory, page: str) -> None:
    statuses = {query: client.get(f"{page}?{query}").status_code for query in QUERIES}

    assert statuses == dict.fromkeys(QUERIES, 200)


def test_unknown_values_fall_back_to_everything(client, known_directory) -> None:
    response = client.get("/statistik?target_group=findes-ikke&sort=nonsense&days=%00")

    html = main_content(response)
    assert (
        "Fællesskaber i hver kommune for alle målgrupper og aktiviteter, sorteret efter kommune"
        in html
    )
    assert "findes-ikke" not in html


def test_a_long_value_is_not_echoed(client) -> None:
    response = client.get(f"/statistik/efterspoergsel?municipality={LONG}")

    assert LONG not in main_content(response)
