"""Cleaning what associations type: CVR, website, phone, email, postcode."""

from __future__ import annotations

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from portal.organizations import validators


@pytest.fixture(autouse=True)
def request_context(app: Flask):
    with app.test_request_context():
        yield


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("13585628", "13585628"), ("1358 5628", "13585628"), ("DK 13 58 56 28", "13585628")],
)
def test_valid_cvr_numbers_are_stored_as_eight_digits(typed: str, stored: str) -> None:
    assert validators.clean_cvr(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("13585627", "CVR-nummeret findes ikke"),
        ("1358562", "Et CVR-nummer har 8 cifre"),
        ("135856281", "Et CVR-nummer har 8 cifre"),
        ("1358562a", "Et CVR-nummer har 8 cifre"),
        ("03585628", "CVR-nummeret findes ikke"),
    ],
)
def test_invalid_cvr_numbers_are_refused(typed: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validators.clean_cvr(typed)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("www.foreningen.dk", "https://www.foreningen.dk"),
        ("foreningen.dk/om-os", "https://foreningen.dk/om-os"),
        ("http://foreningen.dk", "http://foreningen.dk"),
        ("HTTPS://Foreningen.dk", "HTTPS://Foreningen.dk"),
        ("foreningen.dk:8080/side", "https://foreningen.dk:8080/side"),
        ("ældresagen.dk", "https://ældresagen.dk"),
    ],
)
def test_websites_become_http_addresses(typed: str, stored: str) -> None:
    assert validators.clean_website(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "javascript:alert(1)",
        " JavaScript:alert(document.cookie)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "ftp://foreningen.dk",
        "vbscript:msgbox",
        "foreningen",
        "https://",
        "https://user:pass@foreningen.dk",
        "www.forening en.dk",
        "https://-forening.dk",
    ],
)
def test_other_schemes_and_non_addresses_are_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        validators.clean_website(typed)


@given(st.text(max_size=60))
def test_a_stored_website_is_always_http_or_https(typed: str) -> None:
    try:
        stored = validators.clean_website(typed)
    except ValueError:
        return
    assert stored.lower().startswith(("http://", "https://"))


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("20 12 34 56", "+4520123456", "20 12 34 56"),
        ("+45 20123456", "+4520123456", "20 12 34 56"),
        ("0045 33 12 34 56", "+4533123456", "33 12 34 56"),
        ("+46 8 123 456 78", "+46812345678", "+46 8 123 456 78"),
    ],
)
def test_phone_numbers_are_stored_internationally_and_shown_nicely(
    typed: str, stored: str, shown: str
) -> None:
    assert validators.clean_phone(typed) == stored
    assert validators.display_phone(stored) == shown


@pytest.mark.parametrize("typed", ["12 34", "12 34 56 78", "ring til os", "+45 1"])
def test_impossible_phone_numbers_are_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        validators.clean_phone(typed)


@pytest.mark.parametrize("typed", ["kontakt@forening.dk", " info@ældresagen.dk "])
def test_email_addresses(typed: str) -> None:
    assert validators.clean_email(typed) == typed.strip()


@pytest.mark.parametrize("typed", ["forening.dk", "a@b", "to@@forening.dk", "<a@b.dk>"])
def test_not_email_addresses(typed: str) -> None:
    with pytest.raises(ValueError):
        validators.clean_email(typed)


@pytest.mark.parametrize("typed", ["770", "77000", "7a00", ""])
def test_postcodes_have_four_digits(typed: str) -> None:
    with pytest.raises(ValueError, match="4 cifre"):
        validators.clean_postcode(typed)
