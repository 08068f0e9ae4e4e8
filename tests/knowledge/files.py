"""Small files of every kind, made in code, for the attachment tests."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from portal.knowledge.attachments import DOCX, PPTX
from portal.knowledge.demo import build_pdf

PDF = build_pdf("Tjekliste", ["Punkt et", "Punkt to"])


def png() -> bytes:
    """Return a valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + b"\x00" * 64
    + b"\xff\xd9"
)


def office(main_part: str, main_type: str, content_type_declared: bool = True) -> bytes:
    """Return a zip shaped like an Office document with ``main_part``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        declared = (
            f'<Override PartName="/{main_part}" ContentType="{main_type}"/>'
            if content_type_declared
            else ""
        )
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/content-types">{declared}</Types>',
        )
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(main_part, "<document/>")
    return buffer.getvalue()


DOCX_FILE = office("word/document.xml", DOCX.replace(".document", ".document.main+xml"))
PPTX_FILE = office("ppt/presentation.xml", PPTX.replace(".presentation", ".presentation.main+xml"))


def plain_zip() -> bytes:
    """Return a zip that is no Office document."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hej.txt", "Hej")
    return buffer.getvalue()


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
