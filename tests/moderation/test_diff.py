"""Field-level differences between snapshots: what an admin or member reads on the pages."""

from __future__ import annotations

import copy

import pytest

from portal.moderation.diff import Names, Segment, diff_snapshots, word_segments

NAMES = Names(
    municipalities={"787": "Thisted", "773": "Morsø"},
    taxonomies={"maalgruppe": "Målgrupper"},
    terms={("maalgruppe", "aeldre"): "Ældre", ("maalgruppe", "unge"): "Unge 16–29 år"},
)
BASE = {
    "name": "Strikkeklub",
    "alternate_name": None,
    "description": "Vi strikker hver tirsdag.",
    "is_free": True,
    "closed_until": None,
    "locations": [
        {
            "location_type": "physical",
            "name": "Biblioteket",
            "city": "Thisted",
            "municipality_code": "787",
        }
    ],
    "schedules": [
        {"freq": "WEEKLY", "interval": 1, "byday": "TU", "opens_at": "14:00:00", "closes_at": None}
    ],
    "terms": {"maalgruppe": ["aeldre"]},
    "contacts": [{"name": "Inge", "title": None, "email": "inge@example.org"}],
    "phones": [],
}


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


def _changed(**changes):
    data = copy.deepcopy(BASE)
    data.update(changes)
    return data


def test_identical_snapshots_have_no_differences() -> None:
    assert diff_snapshots(BASE, copy.deepcopy(BASE), NAMES).is_empty


def test_an_empty_text_and_a_missing_one_are_the_same() -> None:
    assert diff_snapshots(BASE, _changed(alternate_name=""), NAMES).is_empty


def test_changed_words_are_marked_and_the_rest_kept() -> None:
    assert word_segments("Vi strikker hver tirsdag.", "Vi hækler hver tirsdag.") == [
        Segment("equal", "Vi "),
        Segment("delete", "strikker"),
        Segment("insert", "hækler"),
        Segment("equal", " hver tirsdag."),
    ]


def test_values_are_shown_in_danish() -> None:
    diff = diff_snapshots(BASE, _changed(is_free=False, closed_until="2026-03-03"), NAMES)

    shown = {c.label: (c.old, c.new) for c in diff.fields}
    assert shown["Gratis"] == ("Ja", "Nej")
    assert shown["Lukket indtil"] == ("(ikke udfyldt)", "3. marts 2026")


def test_a_new_offer_shows_every_filled_in_field_and_item_as_new() -> None:
    diff = diff_snapshots(None, BASE, NAMES)

    assert {c.label for c in diff.fields} == {"Navn", "Beskrivelse", "Gratis"}
    assert [(s.label, [i.kind for i in s.items]) for s in diff.sections] == [
        ("Steder", ["added"]),
        ("Mødetider", ["added"]),
        ("Kontaktpersoner", ["added"]),
        ("Målgrupper", ["added"]),
    ]


def test_lists_are_compared_item_by_item_whatever_their_order() -> None:
    second = {
        "location_type": "physical",
        "name": "Kulturhuset",
        "city": "Nykøbing",
        "municipality_code": "773",
    }
    reordered = _changed(locations=[second, *BASE["locations"]])
    moved = copy.deepcopy(BASE["locations"][0]) | {"city": "Hurup Thy"}

    added = diff_snapshots(BASE, reordered, NAMES)
    changed = diff_snapshots(BASE, _changed(locations=[moved]), NAMES)

    [places] = added.sections
    assert [(i.kind, i.summary) for i in places.items] == [("added", "Kulturhuset, Nykøbing")]
    [places] = changed.sections
    [item] = places.items
    assert item.kind == "changed" and item.old_summary == "Biblioteket, Thisted"
    assert [(f.label, f.old, f.new) for f in item.fields] == [("By", "Thisted", "Hurup Thy")]


def test_an_unlike_item_is_removed_and_added_rather_than_changed() -> None:
    monthly = {
        "freq": "MONTHLY",
        "interval": 1,
        "byday": "1SA",
        "opens_at": "10:00:00",
        "closes_at": None,
    }

    diff = diff_snapshots(BASE, _changed(schedules=[monthly]), NAMES)

    [times] = diff.sections
    assert [(i.kind, i.summary) for i in times.items] == [
        ("added", "Den første lørdag i måneden kl. 10.00"),
        ("removed", "Hver tirsdag kl. 14.00"),
    ]


def test_terms_are_listed_as_added_and_removed_by_name() -> None:
    diff = diff_snapshots(BASE, _changed(terms={"maalgruppe": ["unge"]}), NAMES)

    [group] = diff.sections
    assert group.label == "Målgrupper"
    assert [(i.kind, i.summary) for i in group.items] == [
        ("added", "Unge 16–29 år"),
        ("removed", "Ældre"),
    ]


def test_markup_in_a_value_stays_plain_text_for_the_template_to_escape() -> None:
    diff = diff_snapshots(BASE, _changed(description="<img src=x onerror=alert(1)>"), NAMES)

    [change] = diff.fields
    assert change.new == "<img src=x onerror=alert(1)>"  # data, not markup
    assert not hasattr(change.new, "__html__")
    assert all(not hasattr(segment.text, "__html__") for segment in change.segments)
