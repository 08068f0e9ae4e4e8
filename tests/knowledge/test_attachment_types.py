"""A file's type is read from its content, never from its name; the name is only display text."""

from __future__ import annotations

import pytest

from portal.knowledge.attachments import (
    DOCX,
    PPTX,
    AttachmentRefused,
    content_disposition,
    detect_type,
    display_name,
)
from tests.knowledge.files import (
    DOCX_FILE,
    EXE,
    HTML,
    JPEG,
    PDF,
    PPTX_FILE,
    SVG,
    office,
    plain_zip,
    png,
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF, "application/pdf"),
        (png(), "image/png"),
        (JPEG, "image/jpeg"),
        (DOCX_FILE, DOCX),
        (PPTX_FILE, PPTX),
    ],
    ids=["pdf", "png", "jpeg", "docx", "pptx"],
)
def test_accepted_types_are_recognised_by_their_content(data: bytes, expected: str) -> None:
    assert detect_type(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        HTML,
        SVG,
        EXE,
        plain_zip(),
        office("word/document.xml", "application/xml"),  # main part, wrong content type
        office("xl/workbook.xml", "application/vnd.ms-excel.main+xml"),
        b"Bare tekst, som nogen har kaldt rapport.pdf",
        b"",
    ],
    ids=["html", "svg", "exe", "zip", "docx-without-main-type", "xlsx", "text", "empty"],
)
def test_other_content_is_refused_with_a_reason(data: bytes) -> None:
    with pytest.raises(AttachmentRefused) as refused:
        detect_type(data)

    assert str(refused.value)


@pytest.mark.parametrize(
    ("uploaded", "content_type", "shown"),
    [
        ("../../etc/passwd", "application/pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\config.pdf", "application/pdf", "config.pdf"),
        ("/var/www/static/rapport.pdf", "application/pdf", "rapport.pdf"),
        ("Tjekliste – ældre.PDF", "application/pdf", "Tjekliste – ældre.PDF"),
        ("billede.html", "image/png", "billede.html.png"),
        ("foto.jpeg", "image/jpeg", "foto.jpeg"),
        ("...", "application/pdf", "fil.pdf"),
        ("ond\x00fil\r\n.pdf", "application/pdf", "ondfil.pdf"),
        ("", "application/pdf", "fil.pdf"),
        (None, DOCX, "fil.docx"),
    ],
)
def test_display_names_lose_paths_and_get_the_detected_extension(
    uploaded: str | None, content_type: str, shown: str
) -> None:
    assert display_name(uploaded, content_type) == shown


def test_download_names_are_quoted_safely() -> None:
    header = content_disposition('Tjekliste "ældre"; filename=x.exe.pdf')

    assert header.startswith('attachment; filename="')
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert '"' not in fallback and ";" not in fallback
    assert "filename*=UTF-8''Tjekliste%20%22%C3%A6ldre%22%3B%20filename%3Dx.exe.pdf" in header
