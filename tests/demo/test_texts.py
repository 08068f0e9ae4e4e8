"""Tests for the Danish demo texts in portal.demo.texts."""

from __future__ import annotations

import random
import string

import pytest

from portal.demo import texts

ACTIVITIES = (
    "faellesspisning",
    "motion-gaature",
    "kreative",
    "samtalegrupper",
    "sorggrupper",
    "besoegsven",
    "telefon-netven",
    "ledsager",
    "social-cafe",
    "kultur",
    "raadgivning",
    "frivilligt-arbejde",
)
TARGETS = (
    "unge",
    "aeldre",
    "over-85",
    "handicap",
    "psykisk-saarbare",
    "fysisk-syge",
    "paaroerende",
    "efterladte",
    "arbejdsloese",
    "nyindflyttede",
    "nydanskere",
    "groenlaendere",
    "hjemloese",
    "alle",
)
REAL_HELPLINES = (
    "Livslinien",
    "Børnetelefonen",
    "Headspace",
    "Mødrehjælpen",
    "Ældre Sagen",
    "Ældretelefonen",
    "Ventilen",
    "Børns Vilkår",
    "Den Åbne Telefon",
    "Sct. Nicolai Tjenesten",
    "Cyberhus",
    "Røde Kors",
    "Kirkens Korshær",
)
FORMAT_VALUES = {"town": "Skærbæk", "weekday": "onsdag", "audience": "alle aldre"}
ALLOWED_FIELDS = set(FORMAT_VALUES)


def _all_templates() -> list[str]:
    """Return every template string that may contain placeholders."""
    found: list[str] = []
    for mapping in (texts.TITLE_TEMPLATES, texts.DESCRIPTION_OPENINGS, texts.DESCRIPTION_MIDDLES):
        for values in mapping.values():
            found.extend(values)
    found.extend(texts.DESCRIPTION_CLOSINGS)
    found.extend(texts.ORGANIZATION_PATTERNS)
    found.extend(texts.VENUE_NAMES)
    return found


def _all_strings() -> list[str]:
    """Return every text in the module, templates and plain data alike."""
    found = _all_templates()
    for values in texts.AUDIENCE_PHRASES.values():
        found.extend(values)
    for values in texts.NATIONAL_OFFER_TITLES.values():
        found.extend(values)
    for name, description in texts.NATIONAL_ORGANIZATIONS:
        found.extend((name, description))
    for data in (
        texts.HOW_TO_JOIN,
        texts.PRICE_TEXTS,
        texts.STREET_NAMES,
        texts.FIRST_NAMES,
        texts.LAST_NAMES,
        texts.WEEKDAYS_DA,
    ):
        found.extend(data)
    return found


@pytest.mark.parametrize("activity", ACTIVITIES)
def test_every_activity_code_has_titles_and_openings(activity: str) -> None:
    assert len(texts.TITLE_TEMPLATES[activity]) >= 12
    assert len(texts.DESCRIPTION_OPENINGS[activity]) >= 6


@pytest.mark.parametrize("target", TARGETS)
def test_every_target_code_has_audiences_and_middles(target: str) -> None:
    assert len(texts.AUDIENCE_PHRASES[target]) >= 1
    assert len(texts.DESCRIPTION_MIDDLES[target]) >= 4


def test_dicts_have_no_unknown_codes() -> None:
    assert set(texts.TITLE_TEMPLATES) == set(ACTIVITIES)
    assert set(texts.DESCRIPTION_OPENINGS) == set(ACTIVITIES)
    assert set(texts.AUDIENCE_PHRASES) == set(TARGETS)
    assert set(texts.DESCRIPTION_MIDDLES) == set(TARGETS)
    assert set(texts.NATIONAL_OFFER_TITLES) == {"online", "telefon", "landsdaekkende"}


def test_minimum_sizes() -> None:
    assert len(texts.DESCRIPTION_CLOSINGS) >= 15
    assert len(texts.HOW_TO_JOIN) >= 12
    assert len(texts.PRICE_TEXTS) >= 8
    assert len(texts.ORGANIZATION_PATTERNS) >= 25
    assert len(texts.NATIONAL_ORGANIZATIONS) >= 10
    assert all(len(v) >= 6 for v in texts.NATIONAL_OFFER_TITLES.values())
    assert len(texts.STREET_NAMES) >= 60
    assert len(texts.VENUE_NAMES) >= 25
    assert len(texts.FIRST_NAMES) >= 40
    assert len(texts.LAST_NAMES) >= 30
    assert texts.WEEKDAYS_DA == (
        "mandag",
        "tirsdag",
        "onsdag",
        "torsdag",
        "fredag",
        "lørdag",
        "søndag",
    )


def test_no_duplicates_in_name_lists() -> None:
    for data in (
        texts.STREET_NAMES,
        texts.VENUE_NAMES,
        texts.FIRST_NAMES,
        texts.LAST_NAMES,
        texts.ORGANIZATION_PATTERNS,
    ):
        assert len(set(data)) == len(data)


def test_templates_use_only_known_placeholders() -> None:
    for template in _all_templates():
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
        assert fields <= ALLOWED_FIELDS, template


def test_every_template_formats_cleanly() -> None:
    for template in _all_templates():
        result = template.format_map(FORMAT_VALUES)
        assert "{" not in result and "}" not in result, template


def test_plain_data_has_no_braces() -> None:
    plain = list(texts.HOW_TO_JOIN) + list(texts.PRICE_TEXTS) + list(texts.STREET_NAMES)
    for values in texts.NATIONAL_OFFER_TITLES.values():
        plain.extend(values)
    for name, description in texts.NATIONAL_ORGANIZATIONS:
        plain.extend((name, description))
    for values in texts.AUDIENCE_PHRASES.values():
        plain.extend(values)
    for text in plain:
        assert "{" not in text and "}" not in text, text


def test_no_lorem_ipsum_anywhere() -> None:
    for text in _all_strings():
        assert "lorem" not in text.lower(), text


def test_search_words_are_present() -> None:
    titles = " ".join(t for values in texts.TITLE_TEMPLATES.values() for t in values).lower()
    for word in (
        "strikkeklub",
        "fællesspisning",
        "gåtur",
        "madklub",
        "besøgsven",
        "sorggruppe",
        "telefonven",
        "mandeværksted",
        "café",
    ):
        assert word in titles, word


def _sample(seed: int) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    for activity in ACTIVITIES:
        for target in TARGETS[:5]:
            out.append(texts.make_title(rng, activity, "Ribe", "tirsdag", target))
            out.append(texts.make_description(rng, activity, target, "Ribe", "tirsdag"))
    for _ in range(20):
        out.append(texts.make_org_name(rng, "Ribe"))
        out.append(texts.make_person(rng))
        out.append(texts.make_street_address(rng))
        out.append(texts.make_venue(rng, "Ribe"))
    return out


def test_functions_are_deterministic_for_equal_seeds() -> None:
    assert _sample(7) == _sample(7)


def test_functions_vary_across_seeds() -> None:
    assert _sample(7) != _sample(8)
    persons = {texts.make_person(random.Random(seed)) for seed in range(50)}
    assert len(persons) > 10


def test_titles_are_short_and_capitalised() -> None:
    rng = random.Random(2024)
    towns = ("Ringkøbing-Skjern", "Aabenraa", "Ærøskøbing", "Nykøbing Falster", "Hals", "Ry")
    for _ in range(2000):
        title = texts.make_title(
            rng,
            rng.choice(ACTIVITIES),
            rng.choice(towns),
            rng.choice(texts.WEEKDAYS_DA),
            rng.choice(TARGETS),
        )
        assert len(title) <= 120, title
        assert title[0].isupper(), title
        assert "{" not in title and "}" not in title, title


def test_long_titles_are_shortened() -> None:
    title = texts.make_title(random.Random(1), "kreative", "Å" * 300, "mandag", "alle")
    assert len(title) <= 120


def test_descriptions_are_formatted_sentences() -> None:
    rng = random.Random(3)
    for activity in ACTIVITIES:
        for target in TARGETS:
            text = texts.make_description(rng, activity, target, "Tønder", "fredag")
            assert "{" not in text and "}" not in text
            assert text[0].isupper()
            assert text.rstrip().endswith((".", "!", "?"))


def test_helpers_return_expected_shapes() -> None:
    rng = random.Random(11)
    for _ in range(300):
        person = texts.make_person(rng)
        first, last = person.split(" ", 1)
        assert first in texts.FIRST_NAMES and last in texts.LAST_NAMES
        street, number = texts.make_street_address(rng).rsplit(" ", 1)
        assert street in texts.STREET_NAMES
        digits = number.rstrip("ABCD")
        assert digits.isdigit() and 1 <= int(digits) <= 120
        assert len(number) - len(digits) <= 1
        assert "{" not in texts.make_venue(rng, "Odder")
        org = texts.make_org_name(rng, "Odder")
        assert "Odder" in org and "{" not in org


def test_unknown_codes_are_rejected() -> None:
    with pytest.raises(ValueError):
        texts.make_title(random.Random(1), "bowling", "Ribe", "mandag", "alle")
    with pytest.raises(ValueError):
        texts.make_description(random.Random(1), "kultur", "pensionister", "Ribe", "mandag")


def test_national_organisations_are_not_real_helplines() -> None:
    real = [name.lower() for name in REAL_HELPLINES]
    for name, description in texts.NATIONAL_ORGANIZATIONS:
        assert name and description
        lowered = name.lower()
        for real_name in real:
            assert lowered != real_name, name
            assert real_name not in lowered, name
