"""Downloads of the whole public directory as HSDS 3.0: one JSON file, or CSVs in a zip."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from flask import Blueprint, Response

from portal.api.dataset import dump_json, export_json, export_tabular
from portal.extensions import db, limiter

downloads_bp = Blueprint("open_data_downloads", __name__)

# Each download builds the whole export, so it is limited far more tightly
# than the API; clients that need fresh data often should use the API.
DOWNLOAD_LIMIT = "20 per hour"


@downloads_bp.get("/api/v1/export.json")
@limiter.limit(DOWNLOAD_LIMIT)
def export_json_download() -> Response:
    """Send the public directory as one HSDS 3.0 JSON dataset."""
    body = dump_json(export_json(db.session))
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="faellesskabsportalen-hsds.json"',
            "Cache-Control": "public, max-age=3600",
            "Access-Control-Allow-Origin": "*",
        },
    )


@downloads_bp.get("/api/v1/export.zip")
@limiter.limit(DOWNLOAD_LIMIT)
def export_zip_download() -> Response:
    """Send the public directory as HSDS 3.0 CSV files and datapackage.json in a zip."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder:
        paths = export_tabular(db.session, Path(folder))
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in paths:
                # A fixed timestamp keeps the archive identical for identical data.
                info = zipfile.ZipInfo(path.name, date_time=(2024, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
    return Response(
        buffer.getvalue(),
        mimetype="application/zip",
        headers={
            "Content-Disposition": 'attachment; filename="faellesskabsportalen-hsds.zip"',
            "Cache-Control": "public, max-age=3600",
            "Access-Control-Allow-Origin": "*",
        },
    )
