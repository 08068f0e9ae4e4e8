"""Export and import of the directory as an Open Referral HSDS 3.0 dataset."""

from __future__ import annotations

import io
import json
import os
import shutil
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask

from portal import create_app, migrate
from portal.api.cli import register
from portal.api.dataset import dump_json, export_json, export_tabular, import_dataset
from portal.api.downloads import downloads_bp
from portal.api.tabular import import_tabular
from portal.db import create_engine
from portal.demo.generator import generate_offers
from portal.extensions import db
from portal.geo.services import seed_places
from portal.models import Organization, Service, ServiceStatus
from tests.conftest import TEST_SECRET_KEY, is_postgres

SCHEMA_DIR = os.environ.get("HSDS_SCHEMA_DIR", "")
needs_schemas = pytest.mark.skipif(
    not SCHEMA_DIR, reason="HSDS_SCHEMA_DIR is unset: the official HSDS 3.0 files are not here"
)
EXAMPLE_SERVICE = uuid.UUID("ac148810-d857-441c-9679-408f346de14b")
SCHEMA_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"


@pytest.fixture
def other_app(app: Flask, database_template: str, tmp_path: Path) -> Iterator[Flask]:
    """Return a second app on a database with reference data and no offers."""
    if is_postgres():
        pytest.skip("the round trip needs a second database; on PostgreSQL the suite has one")
    copy = tmp_path / "other.sqlite3"
    shutil.copyfile(database_template, copy)
    application = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{copy}",
            "SECRET_KEY": TEST_SECRET_KEY,
            "SEARCH_INDEX_DIR": str(tmp_path / "other-index"),
        }
    )
    yield application
    with application.app_context():
        db.engine.dispose()


def in_app(application: Flask, action: Callable[[Any], Any]) -> Any:
    """Run ``action(session)`` inside ``application``'s own app context."""
    with application.app_context():
        return action(db.session)


def _import_and_commit(data: Any) -> Callable[[Any], Any]:
    def action(session: Any) -> Any:
        report = import_dataset(session, data, dry_run=False)
        assert report.ok, [str(e) for e in report.errors]
        session.commit()
        return report

    return action


def _count(session: Any, model: type) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def directory(make_offer: Callable[..., Service], make_organization: Callable[..., Any]) -> None:
    """Fill the directory with a few varied offers and one that is not public."""
    make_offer(features=["koerestolsadgang", "drop-in"], situations=["flyttet"])
    make_offer(
        name="Strikkecafé",
        is_free=False,
        price_text="20 kr. for kaffe",
        minimum_age=60,
        organization=make_organization(name="Ensomme Gamles Værn", cvr="12345678"),
    )
    make_offer(name="Telefonven", virtual=True, activities=["telefon-netven"])
    make_offer(name="Kladde", status=ServiceStatus.DRAFT)


def test_export_lists_only_public_offers_in_a_fixed_order(app: Flask, directory: None) -> None:
    data = export_json(db.session)

    assert list(data) == [
        "hsds_version",
        "profile",
        "taxonomies",
        "taxonomy_terms",
        "organizations",
        "services",
    ]
    names = sorted(s["name"] for s in data["services"])
    assert names == ["Fællesspisning i Thisted", "Strikkecafé", "Telefonven"]
    ids = [s["id"] for s in data["services"]]
    assert ids == sorted(ids)
    assert dump_json(export_json(db.session)) == dump_json(data)
    paid = next(s for s in data["services"] if s["name"] == "Strikkecafé")
    assert paid["organization"]["tax_id"] == "12345678"


def test_json_round_trip_into_an_empty_database_is_exact(
    app: Flask, other_app: Flask, directory: None
) -> None:
    first = json.loads(dump_json(export_json(db.session)))

    report = in_app(other_app, _import_and_commit(first))
    second = in_app(other_app, export_json)

    assert report.created["service"] == 3
    assert second == first


@pytest.mark.parametrize("form", ["json", "tabular"])
def test_round_trip_into_a_database_without_vocabularies_is_exact(
    app: Flask, directory: None, tmp_path: Path, form: str
) -> None:
    if is_postgres():
        pytest.skip("needs a second, unseeded database; on PostgreSQL the suite has one")
    url = f"sqlite:///{tmp_path / 'bare.sqlite3'}"
    engine = create_engine(url)
    migrate.upgrade(engine)
    with so.Session(engine) as session:
        seed_places(session)
        session.commit()
    engine.dispose()
    bare = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": TEST_SECRET_KEY,
         "SEARCH_INDEX_DIR": str(tmp_path / "bare-index")}
    )  # fmt: skip
    first = export_json(db.session)
    export_tabular(db.session, tmp_path / "csv")

    def import_tabular_and_commit(session: Any) -> Any:
        report = import_tabular(session, tmp_path / "csv", dry_run=False)
        assert report.ok, [str(e) for e in report.errors]
        session.commit()
        return report

    action = _import_and_commit(first) if form == "json" else import_tabular_and_commit
    report = in_app(bare, action)
    second = in_app(bare, export_json)
    in_app(bare, lambda _session: db.engine.dispose())

    assert report.created["taxonomy"] == len(first["taxonomies"])
    assert second == first


def test_nothing_to_import_is_an_error(app: Flask, tmp_path: Path) -> None:
    assert not import_dataset(db.session, {"foo": 1}, dry_run=True).ok
    assert not import_dataset(db.session, [42], dry_run=True).ok
    assert not import_tabular(db.session, tmp_path, dry_run=True).ok


def test_tabular_round_trip_into_an_empty_database_is_exact(
    app: Flask, other_app: Flask, directory: None, tmp_path: Path
) -> None:
    export_tabular(db.session, tmp_path / "first")

    def import_folder(session: Any) -> Any:
        report = import_tabular(session, tmp_path / "first", dry_run=False)
        assert report.ok, [str(e) for e in report.errors]
        session.commit()
        return export_tabular(session, tmp_path / "second")

    in_app(other_app, import_folder)

    for path in sorted((tmp_path / "first").iterdir()):
        assert (tmp_path / "second" / path.name).read_text() == path.read_text(), path.name
    assert in_app(other_app, export_json) == export_json(db.session)


def test_importing_twice_changes_nothing(app: Flask, other_app: Flask, directory: None) -> None:
    data = export_json(db.session)
    in_app(other_app, _import_and_commit(data))

    again = in_app(other_app, _import_and_commit(data))
    own = import_dataset(db.session, data, dry_run=False)

    assert again.changes == 0 and sum(again.created.values()) == 0
    assert again.unchanged["service"] == 3
    assert own.ok and own.changes == 0


def test_demo_directory_round_trip_is_exact_and_idempotent(app: Flask, other_app: Flask) -> None:
    with db.transaction() as session:
        generate_offers(session.connection(), count=80, seed=7)
    first = json.loads(dump_json(export_json(db.session)))

    in_app(other_app, _import_and_commit(first))
    second = in_app(other_app, export_json)
    again = in_app(other_app, _import_and_commit(first))

    assert len(first["services"]) > 50
    assert second == first
    assert again.changes == 0


def test_parts_the_source_no_longer_lists_are_removed(app: Flask, directory: None) -> None:
    data = export_json(db.session)
    service = data["services"][0]
    service["phones"] = []
    service["attributes"] = service["attributes"][:1]

    report = import_dataset(db.session, data, dry_run=False)
    db.session.commit()

    assert report.ok and report.deleted["phone"] == 1
    assert report.deleted["attribute"] >= 1
    assert len(db.session.get(Service, uuid.UUID(service["id"])).phones) == 0


def test_an_existing_id_is_updated(app: Flask, directory: None) -> None:
    data = export_json(db.session)
    data["services"][0]["name"] = "Nyt navn"

    report = import_dataset(db.session, data, dry_run=False)
    db.session.commit()

    assert report.updated["service"] == 1
    assert db.session.get(Service, uuid.UUID(data["services"][0]["id"])).name == "Nyt navn"


def test_dry_run_reports_but_writes_nothing(app: Flask, other_app: Flask, directory: None) -> None:
    data = export_json(db.session)

    def dry_run(session: Any) -> tuple[Any, int]:
        report = import_dataset(session, data, dry_run=True)
        session.commit()
        return report, _count(session, Service)

    report, services = in_app(other_app, dry_run)

    assert report.ok and report.created["service"] == 3
    assert services == 0


def test_a_broken_object_stops_the_whole_import(
    app: Flask, other_app: Flask, directory: None
) -> None:
    data = export_json(db.session)
    broken = data["services"][1]
    del broken["name"]
    for organization in data["organizations"]:
        for copy in organization["services"]:
            copy.pop("name") if copy["id"] == broken["id"] else None
    data["services"][2]["id"] = "not-a-uuid"

    def attempt(session: Any) -> tuple[Any, int, int]:
        report = import_dataset(session, data, dry_run=False)
        session.commit()
        return report, _count(session, Service), _count(session, Organization)

    report, services, organizations = in_app(other_app, attempt)

    assert not report.ok
    problems = {(e.table, e.id, e.field) for e in report.errors}
    assert ("service", broken["id"], "name") in problems
    assert ("service", "not-a-uuid", "id") in problems
    assert services == 0 and organizations == 0


def test_unknown_terms_are_mapped_by_code_or_created(app: Flask, make_offer: Callable) -> None:
    service = {
        "id": "6d1b5d3e-1111-4c55-9a43-6d6a0c3b9d10",
        "name": "Gåtur",
        "status": "active",
        "organization": {"id": "6d1b5d3e-2222-4c55-9a43-6d6a0c3b9d10", "name": "Gåklubben"},
        "attributes": [
            {
                "id": "6d1b5d3e-3333-4c55-9a43-6d6a0c3b9d10",
                "taxonomy_term": {"id": "6d1b5d3e-4444-4c55-9a43-6d6a0c3b9d10", "code": "unge",
                                  "name": "Youth", "description": "x"},
            },
            {
                "id": "6d1b5d3e-5555-4c55-9a43-6d6a0c3b9d10",
                "taxonomy_term": {"id": "6d1b5d3e-6666-4c55-9a43-6d6a0c3b9d10", "code": "x-42",
                                  "name": "Nordic walking", "description": "x"},
            },
        ],
    }  # fmt: skip

    report = import_dataset(db.session, service, dry_run=False)
    db.session.commit()

    assert report.ok, report.errors
    imported = db.session.get(Service, uuid.UUID(service["id"]))
    assert imported.status is ServiceStatus.PUBLISHED and imported.last_confirmed_at
    codes = {(a.taxonomy_term.taxonomy.code, a.taxonomy_term.code) for a in imported.attributes}
    assert codes == {("maalgruppe", "unge"), ("imported", "x-42")}
    assert len(report.mapped_terms) == 1 and len(report.created_terms) == 1


def test_export_and_import_commands(app: Flask, directory: None, tmp_path: Path) -> None:
    register(app)
    runner = app.test_cli_runner()
    output = tmp_path / "dataset.json"

    exported = runner.invoke(args=["open-data", "export", "--format", "json", "--output", output])
    tabular = runner.invoke(
        args=["open-data", "export", "--format", "tabular", "--output", tmp_path / "csv"]
    )
    dry = runner.invoke(args=["open-data", "import", str(output), "--dry-run"])
    again = runner.invoke(args=["open-data", "import", str(tmp_path / "csv")])
    (tmp_path / "bad.json").write_text("{not json")
    bad = runner.invoke(args=["open-data", "import", str(tmp_path / "bad.json")])

    assert exported.exit_code == 0 and "3 services" in exported.output
    assert tabular.exit_code == 0 and (tmp_path / "csv" / "services.csv").is_file()
    assert dry.exit_code == 0 and "Dry run" in dry.output
    assert again.exit_code == 0 and "0 rows changed" in again.output, again.output
    assert bad.exit_code == 1 and "is not a readable JSON file" in bad.output


def test_downloads(app: Flask, directory: None) -> None:
    if downloads_bp.name not in app.blueprints:
        app.register_blueprint(downloads_bp)
    client = app.test_client()

    as_json = client.get("/api/v1/export.json")
    as_zip = client.get("/api/v1/export.zip")

    assert as_json.status_code == 200 and len(as_json.get_json()["services"]) == 3
    names = zipfile.ZipFile(io.BytesIO(as_zip.data)).namelist()
    assert "services.csv" in names and "datapackage.json" in names


# ---------- the official HSDS files ----------


def _examples() -> Path:
    return Path(SCHEMA_DIR) / "examples"


@needs_schemas
@pytest.mark.parametrize("name", ["service_full.json", "organization_full.json"])
def test_official_json_examples_import_cleanly(app: Flask, name: str) -> None:
    data = json.loads((_examples() / name).read_text())

    report = import_dataset(db.session, data, dry_run=False)
    db.session.commit()
    again = import_dataset(db.session, data, dry_run=False)

    assert report.ok, [str(e) for e in report.errors]
    service = db.session.get(Service, EXAMPLE_SERVICE)
    assert service.name == "Community Counselling" and service.is_published
    assert not service.is_free and service.service_at_locations
    assert again.ok and again.changes == 0


@needs_schemas
def test_official_csv_example_imports_cleanly(app: Flask) -> None:
    report = import_tabular(db.session, _examples() / "csv", dry_run=False)
    db.session.commit()

    assert report.ok, [str(e) for e in report.errors]
    assert db.session.get(Service, EXAMPLE_SERVICE).is_published


def _registry() -> Any:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    folder = Path(SCHEMA_DIR)
    resources = [
        (
            SCHEMA_URL + path.relative_to(folder).as_posix(),
            Resource.from_contents(json.loads(path.read_text()), DRAFT202012),
        )
        for path in [*folder.glob("*.json"), *folder.glob("compiled/*.json")]
    ]
    return Registry().with_resources(resources)


@needs_schemas
def test_exported_dataset_validates_against_the_official_schemas(
    app: Flask, directory: None
) -> None:
    from jsonschema import Draft202012Validator

    registry = _registry()
    data = json.loads(dump_json(export_json(db.session)))
    for kind, relative in (
        ("services", "compiled/service.json"),
        ("organizations", "compiled/organization.json"),
        ("taxonomy_terms", "taxonomy_term.json"),
        ("taxonomies", "taxonomy.json"),
    ):
        validator = Draft202012Validator({"$ref": SCHEMA_URL + relative}, registry=registry)
        assert data[kind]
        for item in data[kind]:
            errors = [error.message for error in validator.iter_errors(item)]
            assert not errors, (kind, item["id"], errors[:3])
    broken = Draft202012Validator({"$ref": SCHEMA_URL + "compiled/service.json"}, registry=registry)
    assert not broken.is_valid({**data["services"][0], "status": "open"})


def test_exports_carry_no_contact_persons(app, make_offer, tmp_path) -> None:
    from portal.api.dataset import dump_json, export_json, export_tabular
    from portal.extensions import db

    make_offer()

    assert "Karen Jensen" not in dump_json(export_json(db.session))
    folder = tmp_path / "export"
    folder.mkdir()
    export_tabular(db.session, folder)
    assert not any("Karen Jensen" in p.read_text(encoding="utf-8") for p in folder.iterdir())
