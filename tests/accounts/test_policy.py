"""The password policy: length limits and guessability, explained in Danish."""

from __future__ import annotations

import time

import pytest

from portal.accounts.policy import MAX_LENGTH, password_problems

EMAIL = "karen.jensen@forening.example"
NAME = "Karen Jensen"
PASSPHRASE_200 = (
    "Om tirsdagen cykler jeg til fællesspisning i forsamlingshuset, hvor vi laver suppe "
    "og snakker om vejret med naboerne fra landsbyen, og bagefter går vi en tur langs "
    "åen før mørket falder på mens kaffen"
)


@pytest.fixture(autouse=True)
def _request_context(app):
    with app.test_request_context():
        yield


@pytest.mark.parametrize(
    "password",
    ["password1", "sommer2024", "Fællesskab1", EMAIL, "Kort1!a", "karenjensen1"],
)
def test_weak_or_short_passwords_are_refused(password: str) -> None:
    assert password_problems(password, email=EMAIL, name=NAME)


@pytest.mark.parametrize(
    "password",
    ["grøn kaffekande ved fjorden 1987", PASSPHRASE_200, "Vinter lyser blåt over Limfjorden"],
)
def test_long_passphrases_are_accepted(password: str) -> None:
    assert password_problems(password, email=EMAIL, name=NAME) == []


def test_the_200_character_passphrase_is_that_long() -> None:
    assert len(PASSPHRASE_200) == 200


def test_seven_characters_are_too_short_and_the_message_says_how_many() -> None:
    problems = password_problems("xQ7#pL2", email=EMAIL, name=NAME)

    assert problems == [problems[0]]
    assert "mindst 8 tegn" in problems[0]


def test_the_upper_limit_is_1024_characters() -> None:
    strong = (PASSPHRASE_200 + " ") * 6

    assert password_problems(strong[:MAX_LENGTH], email=EMAIL) == []
    problems = password_problems(strong[: MAX_LENGTH + 1], email=EMAIL)
    assert "højst være 1024 tegn" in problems[0]


def test_a_long_repetitive_password_is_refused_quickly() -> None:
    started = time.perf_counter()

    problems = password_problems("ab" * 512, email=EMAIL)

    assert problems
    assert time.perf_counter() - started < 2


def test_hints_are_danish_and_name_what_to_avoid() -> None:
    own_email = " ".join(password_problems(EMAIL, email=EMAIL, name=NAME))
    common = " ".join(password_problems("password1", email=EMAIL, name=NAME))
    year = " ".join(password_problems("sommer2024", email=EMAIL, name=NAME))

    assert "for let at gætte" in own_email
    assert "e-mailadresse" in own_email
    assert "bruges oftest" in common
    assert "årstal" in year
    assert "Add another word" not in own_email + common + year


def test_the_users_own_name_counts_against_the_password() -> None:
    # Strong for anyone else, weak for the person the words describe.
    assert password_problems("brunsgaardxylofia", email=EMAIL, name=NAME) == []
    assert password_problems(
        "brunsgaardxylofia", email="xylofia@brunsgaard.example", name="Xylofia Brunsgaard"
    )
