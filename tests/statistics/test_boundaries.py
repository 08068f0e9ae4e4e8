"""Importing municipality boundaries from GeoJSON, and the map that uses them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.statistics.boundaries import (
    BoundaryImportError,
    import_boundaries,
    simplify_line,
)
from portal.statistics.models import MunicipalityBoundary

SAMPLE = Path("/work/shared/data/dk/kommuner.geojson")
SQUARE = [[8.6, 56.9], [8.8, 56.9], [8.8, 57.0], [8.6, 57.0], [8.6, 56.9]]


def collection(*features: dict) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def feature(properties: dict, coordinates: list | None = None, kind: str = "Polygon") -> dict:
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": kind, "coordinates": coordinates or [SQUARE]},
    }


def stored() -> dict[str, dict]:
    rows = db.session.execute(
        sa.select(MunicipalityBoundary.municipality_code, MunicipalityBoundary.geometry)
    )
    return {code: json.loads(geometry) for code, geometry in rows}


def test_imports_the_sample_file_of_all_98_municipalities(app) -> None:
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} (the DAGI sample of municipality boundaries) is not on this machine")

    result = import_boundaries(db.session, SAMPLE.read_bytes())

    outlines = stored()
    assert len(outlines) == 98 and result.code_property == "code"
    assert result.points_after < result.points_before / 2, "simplified for a national map"
    thisted = outlines["787"]
    assert thisted["type"] == "MultiPolygon"
    lon, lat = thisted["coordinates"][0][0][0]
    assert 8.0 < lon < 9.5 and 56.5 < lat < 57.2
    assert all(len(polygon[0]) >= 4 for g in outlines.values() for polygon in g["coordinates"])


def test_reads_zero_padded_codes_from_the_usual_property_names(app) -> None:
    result = import_boundaries(
        db.session, collection(feature({"KOMKODE": "0787", "KOMNAVN": "Thisted"}))
    )

    assert result.code_property == "KOMKODE"
    assert list(stored()) == ["787"]


def test_parts_of_one_municipality_become_one_multipolygon(app) -> None:
    island = [[8.9, 56.9], [9.0, 56.9], [9.0, 57.0], [8.9, 56.9]]
    import_boundaries(
        db.session, collection(feature({"code": "787"}), feature({"code": "787"}, [island]))
    )

    assert len(stored()["787"]["coordinates"]) == 2


def test_unknown_codes_are_skipped_and_reported(app) -> None:
    result = import_boundaries(
        db.session, collection(feature({"code": "787"}), feature({"code": "0411"}))
    )

    assert result.unknown_codes == ["411"]
    assert list(stored()) == ["787"]


def test_importing_again_replaces_the_outline(app) -> None:
    import_boundaries(db.session, collection(feature({"code": "787"})))
    moved = [[[lon + 1, lat] for lon, lat in SQUARE]]
    result = import_boundaries(db.session, collection(feature({"code": "787"}, moved)))

    assert (result.added, result.updated) == (0, 1)
    assert stored()["787"]["coordinates"][0][0][0] == [9.6, 56.9]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"type": "FeatureCollection", "features": [', "not valid JSON (line 1, column"),
        (b"\xff\xfe", "not UTF-8"),
        (b'{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
        (b'{"type": "FeatureCollection", "features": []}', "has no features"),
        (collection(feature({"name": "Thisted"})), "no feature has a municipality code property"),
        (
            collection(feature({"code": "787"}), feature({"code": None, "name": "Uden kode"})),
            "feature 2: no municipality code in property 'code'",
        ),
        (
            collection(feature({"code": "787"}, kind="Point", coordinates=[8.6, 56.9])),
            "feature 1 (code 787): geometry type 'Point' is not a (Multi)Polygon",
        ),
        (
            collection(feature({"code": "787"}, [[[500000, 6300000]] * 5])),
            "are not WGS84 longitude/latitude",
        ),
        (collection(feature({"code": "787"}, [[[8.6, 56.9]]])), "at least 4 positions"),
        (collection(feature({"code": "999"})), "no feature has the code of a known municipality"),
    ],
)
def test_broken_files_are_refused_with_a_reason(app, data: bytes, message: str) -> None:
    with pytest.raises(BoundaryImportError) as error:
        import_boundaries(db.session, data)

    assert message in str(error.value)
    assert stored() == {}


def test_simplify_keeps_the_shape_and_drops_points_on_a_straight_line() -> None:
    line = [[0.0, 0.0], [1.0, 0.0001], [2.0, 0.0], [2.0, 1.0]]

    assert simplify_line(line, 0.01) == [[0.0, 0.0], [2.0, 0.0], [2.0, 1.0]]


def test_the_command_imports_and_names_the_property(runner, tmp_path) -> None:
    file = tmp_path / "kommuner.geojson"
    file.write_bytes(collection(feature({"kommunekode": 787})))

    result = runner.invoke(args=["import-boundaries", str(file)])

    assert result.exit_code == 0, result.output
    assert "Imported the boundaries of 1 municipalities (codes from property 'kommunekode'" in (
        result.output
    )


def test_the_command_takes_the_property_name(runner, tmp_path) -> None:
    file = tmp_path / "kommuner.geojson"
    file.write_bytes(collection(feature({"code": "Thisted", "nummer": "787"})))

    result = runner.invoke(args=["import-boundaries", str(file), "--code-property", "nummer"])

    assert result.exit_code == 0, result.output
    assert list(stored()) == ["787"]


def test_the_command_explains_a_broken_file(runner, tmp_path) -> None:
    file = tmp_path / "kommuner.geojson"
    file.write_text('{"type": "FeatureCollection"')

    result = runner.invoke(args=["import-boundaries", str(file)])

    assert result.exit_code == 1
    assert "kommuner.geojson was not imported:" in result.output
    assert "not valid JSON" in result.output


def test_the_map_draws_areas_once_boundaries_are_imported(client, known_directory) -> None:
    page = client.get("/statistik").get_data(as_text=True)
    assert "data-boundaries-url" not in page, "without boundaries: points"

    import_boundaries(db.session, collection(feature({"code": "787"})))
    db.session.commit()
    page = client.get("/statistik").get_data(as_text=True)
    outlines = client.get("/statistik/kommunegraenser.geojson")

    assert 'data-boundaries-url="/statistik/kommunegraenser.geojson"' in page
    assert outlines.status_code == 200
    assert outlines.mimetype == "application/geo+json"
    document = outlines.get_json(force=True)
    assert [f["properties"]["code"] for f in document["features"]] == ["787"]
    again = client.get(
        "/statistik/kommunegraenser.geojson", headers={"If-None-Match": outlines.headers["ETag"]}
    )
    assert again.status_code == 304
