"""Hostile input on the search routes never causes an error page, with or without the engine."""

from __future__ import annotations

import pytest

from portal.find.params import clean_text
from tests.find.fakes import DictEngine

URLS = [
    "/search?where=%00",
    "/search?q=%00abc&where=Vejle",
    "/search?q=a%00b",
    "/search?where=Vej%00le",
    "/search.json?where=%00%ff",
    "/search.json?q=%C0%AE%C0%AE%2F",  # overlong UTF-8 encoding of "../"
    "/search/suggest.json?q=%00%00",
    "/search?municipality=%00&activity=%27%3B--",
    "/search?lat=%00&lon=1",
    "/search?lat=1e309&lon=-1e309",
    "/search?page=-1&radius=1e309",
    "/search?q=" + "x" * 10_000,
    "/search?where=" + "æ" * 10_000,
    "/tilbud/%00",
    "/tilbud/%00.ics",
    "/tilbud?kommune=%00",
]


@pytest.mark.parametrize("url", URLS)
def test_no_error_page(client, url) -> None:
    assert client.get(url).status_code < 500


@pytest.mark.parametrize("url", URLS)
def test_no_error_page_when_answering_from_the_database(app, client, url) -> None:
    engine = DictEngine()
    engine.down = True
    app.extensions["search"] = engine

    assert client.get(url).status_code < 500


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("  strik\x00klub ", "strik klub"),
        ("a\tb\nc", "a b c"),
        ("\x00\x01", ""),
        ("Århus", "Århus"),
    ],
)
def test_control_characters_become_spaces(typed, expected) -> None:
    assert clean_text(typed, 100) == expected


def test_text_is_capped() -> None:
    assert len(clean_text("x" * 10_000, 200)) == 200
