"""Uploading, downloading and removing files of knowledge items."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.extensions import db
from portal.knowledge.attachments import MAX_ATTACHMENT_BYTES
from portal.knowledge.models import KnowledgeAttachment, KnowledgeKind, KnowledgeStatus
from tests.helpers import csrf_token
from tests.knowledge.conftest import fetch
from tests.knowledge.files import DOCX_FILE, EXE, HTML, PDF, SVG, plain_zip, png

SUMMARY = "Tjeklisten har ti punkter om at tage godt imod nye deltagere."


@pytest.fixture
def tool(make_item):
    return make_item(kind=KnowledgeKind.TOOL, title="Tjekliste til velkomsten")


def upload(client: FlaskClient, item, data: bytes, name: str, summary: str = SUMMARY):
    """Post a file as a browser would; the body is built in memory, not in a temporary file."""
    path = f"/viden/redaktion/{item.id}/filer"
    values = {"csrf_token": csrf_token(client, path), "summary": summary}
    values["file"] = FileStorage(io.BytesIO(data), filename=name)  # type: ignore[assignment]
    boundary, body = encode_multipart(values)
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def stored(app: Flask) -> list[Path]:
    folder = Path(app.config["KNOWLEDGE_UPLOAD_DIR"])
    return (
        sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.exists() else []
    )


def test_an_uploaded_pdf_is_stored_outside_static_under_its_id(app, editor_client, tool) -> None:
    response = upload(editor_client, tool, PDF, "Tjekliste – velkomst.pdf")

    assert response.status_code == 302
    attachment = db.session.scalars(sa.select(KnowledgeAttachment)).one()
    assert attachment.original_name == "Tjekliste – velkomst.pdf"
    assert attachment.content_type == "application/pdf"
    files = stored(app)
    assert [p.name for p in files] == [attachment.id.hex]
    assert files[0].read_bytes() == PDF
    static = Path(app.static_folder or "").resolve()
    assert static not in files[0].resolve().parents
    page = editor_client.get(f"/viden/{tool.slug}").get_data(as_text=True)
    assert "Tjekliste – velkomst.pdf" in page
    assert SUMMARY in page


def test_a_download_is_an_attachment_that_never_runs_in_the_browser(
    client, editor_client, tool
) -> None:
    upload(editor_client, tool, PDF, "Velkomst æøå.pdf")
    attachment = db.session.scalars(sa.select(KnowledgeAttachment)).one()

    response = fetch(client, f"/viden/filer/{attachment.id}")

    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Velkomst%20%C3%A6%C3%B8%C3%A5.pdf" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (HTML, "rapport.pdf"),
        (SVG, "logo.png"),
        (EXE, "program.pdf"),
        (plain_zip(), "referat.docx"),
    ],
    ids=["html-named-pdf", "svg-named-png", "renamed-exe", "zip-named-docx"],
)
def test_spoofed_files_are_refused_with_a_clear_error(
    app, editor_client, tool, data: bytes, name: str
) -> None:
    response = upload(editor_client, tool, data, name)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Der er noget, der skal rettes" in page
    assert 'aria-invalid="true"' in page
    assert ("Filtypen kan ikke bruges" in page) or (
        "ikke et Word- eller PowerPoint-dokument" in page
    )
    assert SUMMARY in page  # what the editor wrote is kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(KnowledgeAttachment)) == 0
    assert stored(app) == []


def test_a_path_in_the_file_name_is_only_display_text(app, editor_client, tool, tmp_path) -> None:
    response = upload(editor_client, tool, PDF, "../../../../etc/passwd")

    assert response.status_code == 302
    attachment = db.session.scalars(sa.select(KnowledgeAttachment)).one()
    assert attachment.original_name == "passwd.pdf"
    assert [p.name for p in stored(app)] == [attachment.id.hex]
    assert not (tmp_path / "etc").exists()


def test_the_summary_of_the_file_is_required(app, editor_client, tool) -> None:
    response = upload(editor_client, tool, DOCX_FILE, "referat.docx", summary="")

    assert response.status_code == 422
    assert "Skriv et resumé af filens indhold." in response.get_data(as_text=True)
    assert stored(app) == []


def test_a_file_over_20_mb_is_refused_with_413(app, editor_client, tool) -> None:
    big = PDF + b"0" * (MAX_ATTACHMENT_BYTES + 300 * 1024)

    response = upload(editor_client, tool, big, "stor.pdf")

    assert response.status_code == 413
    assert stored(app) == []


def test_a_file_just_under_20_mb_is_accepted(app, editor_client, tool) -> None:
    data = png() + b"\x00" * (MAX_ATTACHMENT_BYTES - 1024)

    response = upload(editor_client, tool, data, "plakat.png")

    assert response.status_code == 302
    assert stored(app)[0].stat().st_size == len(data)


def test_the_larger_limit_is_only_for_the_upload_page(app, editor_client, tool) -> None:
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    token = csrf_token(editor_client, f"/viden/redaktion/{tool.id}")

    response = editor_client.post(
        f"/viden/redaktion/{tool.id}",
        data={"csrf_token": token, "title": "x", "body": "x" * (2 * 1024 * 1024)},
    )

    assert response.status_code == 413


def test_files_of_unpublished_items_are_hidden_from_the_public(
    editor_client, make_item, make_user, switch_user
) -> None:
    draft = make_item(kind=KnowledgeKind.TOOL, title="Udkast", status=KnowledgeStatus.DRAFT)
    upload(editor_client, draft, PDF, "udkast.pdf")
    attachment = db.session.scalars(sa.select(KnowledgeAttachment)).one()
    url = f"/viden/filer/{attachment.id}"

    assert fetch(editor_client, url).status_code == 200
    citizen = switch_user(make_user(email="borger@example.org"))
    assert fetch(citizen, url).status_code == 404
    visitor = switch_user(None)
    assert fetch(visitor, url).status_code == 404
    assert fetch(visitor, "/viden/filer/ikke-et-id").status_code == 404


def test_removing_a_file_deletes_it_from_disk(app, editor_client, tool) -> None:
    upload(editor_client, tool, PDF, "tjekliste.pdf")
    attachment = db.session.scalars(sa.select(KnowledgeAttachment)).one()
    token = csrf_token(editor_client, f"/viden/redaktion/{tool.id}")

    response = editor_client.post(
        f"/viden/redaktion/{tool.id}/filer/{attachment.id}/slet", data={"csrf_token": token}
    )

    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(KnowledgeAttachment)) == 0
    assert stored(app) == []
    assert fetch(editor_client, f"/viden/filer/{attachment.id}").status_code == 404


def test_the_upload_folder_is_configurable(tmp_path, monkeypatch) -> None:
    from portal import create_app
    from tests.conftest import TEST_SECRET_KEY

    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    folder = tmp_path / "filer"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
            "SECRET_KEY": TEST_SECRET_KEY,
            # The knowledge index's default follows the environment's search index.
            "ENVIRON": {"SEARCH_INDEX_DIR": str(tmp_path / "index")},
            "KNOWLEDGE_UPLOAD_DIR": str(folder),
        }
    )

    assert app.config["KNOWLEDGE_UPLOAD_DIR"] == str(folder)
    assert app.config["KNOWLEDGE_INDEX_DIR"] == str(tmp_path / "index-knowledge")
