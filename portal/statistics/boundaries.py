"""Import municipality boundaries (GeoJSON), simplified for a map of the whole country.

A national map needs no 1 m detail: each ring is simplified with the
Douglas-Peucker method to about 300 m and rounded to 4 decimals (about 10 m),
islets smaller than that disappear, and what is left is kept as GeoJSON text
per municipality. The municipality code is read from the first feature
property that has one of the usual names (``code``, ``KOMKODE``,
``kommunekode``, ...) unless one is named; "0101" and "101" are the same.
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.db import utcnow
from portal.geo.models import Municipality
from portal.statistics.models import MunicipalityBoundary

logger = logging.getLogger(__name__)

CODE_PROPERTIES = (
    "code",
    "kode",
    "kommunekode",
    "komkode",
    "kommune_kode",
    "municipality_code",
)
TOLERANCE_DEGREES = 0.003
DECIMALS = 4
MAX_ERRORS = 20

_CODE = re.compile(r"\s*(\d{1,4})\s*")


class BoundaryImportError(Exception):
    """The file cannot be imported; the message says which feature and why."""


@dataclass
class BoundaryImport:
    """What an import read and did."""

    geometries: dict[str, dict[str, Any]] = field(default_factory=dict)
    unknown_codes: list[str] = field(default_factory=list)
    code_property: str = ""
    points_before: int = 0
    points_after: int = 0
    added: int = 0
    updated: int = 0


def _perpendicular(point: list[float], start: list[float], end: list[float]) -> float:
    """Return the distance from ``point`` to the line through ``start`` and ``end``."""
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return math.hypot(x - x1, y - y1)
    return abs(dy * x - dx * y + x2 * y1 - y2 * x1) / math.hypot(dx, dy)


def simplify_line(points: list[list[float]], tolerance: float) -> list[list[float]]:
    """Return the Douglas-Peucker simplification of a line (iterative, no recursion limit)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, index = 0.0, 0
        for i in range(first + 1, last):
            distance = _perpendicular(points[i], points[first], points[last])
            if distance > farthest:
                farthest, index = distance, i
        if farthest > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _simplify_ring(ring: list[list[float]], tolerance: float) -> list[list[float]] | None:
    """Return a closed ring simplified and rounded, or None when too little is left."""
    # A closed ring has the same first and last point, which Douglas-Peucker
    # cannot split on; split it at the point farthest from the start instead.
    far = max(range(len(ring)), key=lambda i: math.hypot(*_minus(ring[i], ring[0])))
    simplified = simplify_line(ring[: far + 1], tolerance)[:-1] + simplify_line(
        ring[far:], tolerance
    )
    rounded: list[list[float]] = []
    for lon, lat in simplified:
        point = [round(lon, DECIMALS), round(lat, DECIMALS)]
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    if rounded[0] != rounded[-1]:
        rounded.append(rounded[0])
    return rounded if len(rounded) >= 4 else None


def _minus(a: list[float], b: list[float]) -> tuple[float, float]:
    """Return the difference of two positions."""
    return a[0] - b[0], a[1] - b[1]


def _positions(value: Any, where: str) -> list[list[float]]:
    """Return a ring's positions as [lon, lat]; raise if they are not WGS84 positions."""
    if not isinstance(value, list) or len(value) < 4:
        raise BoundaryImportError(f"{where}: a ring needs at least 4 positions")
    ring = []
    for position in value:
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(isinstance(n, int | float) and math.isfinite(n) for n in position[:2])
        ):
            raise BoundaryImportError(f"{where}: a position is not [longitude, latitude]")
        lon, lat = float(position[0]), float(position[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise BoundaryImportError(
                f"{where}: coordinates ({lon}, {lat}) are not WGS84 longitude/latitude; "
                "convert the file to EPSG:4326 first"
            )
        ring.append([lon, lat])
    return ring


def _polygons(geometry: Any, where: str) -> list[list[list[list[float]]]]:
    """Return a (Multi)Polygon geometry as a list of polygons; raise if it is not one."""
    if not isinstance(geometry, dict):
        raise BoundaryImportError(f"{where}: no geometry")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        coordinates = [coordinates]
    elif kind != "MultiPolygon":
        raise BoundaryImportError(f"{where}: geometry type {kind!r} is not a (Multi)Polygon")
    if not isinstance(coordinates, list) or not coordinates:
        raise BoundaryImportError(f"{where}: the geometry has no coordinates")
    polygons = []
    for polygon in coordinates:
        if not isinstance(polygon, list) or not polygon:
            raise BoundaryImportError(f"{where}: a polygon has no rings")
        polygons.append([_positions(ring, where) for ring in polygon])
    return polygons


def simplify_geometry(
    polygons: list[list[list[list[float]]]], tolerance: float = TOLERANCE_DEGREES
) -> dict[str, Any]:
    """Return a simplified MultiPolygon; keep at least the largest polygon's outline."""
    kept = []
    for polygon in polygons:
        outer = _simplify_ring(polygon[0], tolerance)
        if outer is None:
            continue
        holes = [hole for hole in (_simplify_ring(r, tolerance) for r in polygon[1:]) if hole]
        kept.append([outer, *holes])
    if not kept:
        largest = max(polygons, key=lambda p: len(p[0]))
        kept = [[_simplify_ring(largest[0], 0.0) or largest[0]]]
    return {"type": "MultiPolygon", "coordinates": kept}


def _count_points(geometry: dict[str, Any]) -> int:
    """Return how many positions a geometry has."""
    return sum(len(ring) for polygon in geometry["coordinates"] for ring in polygon)


def _code_property(features: list[Any], requested: str | None) -> str:
    """Return the property holding municipality codes: the one named, or a usual name."""
    if requested:
        return requested
    for feature in features:
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(properties, dict):
            lowered = {key.lower(): key for key in properties}
            for name in CODE_PROPERTIES:
                if name in lowered:
                    return lowered[name]
    raise BoundaryImportError(
        "no feature has a municipality code property; expected one of "
        f"{', '.join(CODE_PROPERTIES)} (or name it with --code-property)"
    )


def parse_boundaries(
    data: bytes, known_codes: set[str], code_property: str | None = None
) -> BoundaryImport:
    """Read a GeoJSON FeatureCollection; raise BoundaryImportError naming the bad feature."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise BoundaryImportError("the file is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise BoundaryImportError(
            f"the file is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise BoundaryImportError("the file is not a GeoJSON FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise BoundaryImportError("the FeatureCollection has no features")
    result = BoundaryImport(code_property=_code_property(features, code_property))
    errors: list[str] = []
    collected: dict[str, list[list[list[list[float]]]]] = {}
    for number, feature in enumerate(features, start=1):
        try:
            code, polygons = _read_feature(feature, number, result.code_property)
        except BoundaryImportError as error:
            errors.append(str(error))
            if len(errors) >= MAX_ERRORS:
                errors.append("(more errors left out)")
                break
            continue
        if code not in known_codes:
            result.unknown_codes.append(code)
            continue
        collected.setdefault(code, []).extend(polygons)
    if errors:
        raise BoundaryImportError("\n".join(errors))
    if not collected:
        raise BoundaryImportError("no feature has the code of a known municipality")
    for code, polygons in collected.items():
        result.points_before += sum(len(ring) for polygon in polygons for ring in polygon)
        result.geometries[code] = simplify_geometry(polygons)
        result.points_after += _count_points(result.geometries[code])
    return result


def _read_feature(
    feature: Any, number: int, code_property: str
) -> tuple[str, list[list[list[list[float]]]]]:
    """Return a feature's municipality code and polygons; raise naming the feature."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise BoundaryImportError(f"feature {number}: not a GeoJSON Feature")
    properties = feature.get("properties")
    raw = properties.get(code_property) if isinstance(properties, dict) else None
    match = _CODE.fullmatch(str(raw)) if isinstance(raw, str | int) else None
    if match is None:
        shown = "" if raw is None else f" ({str(raw)[:40]!r})"
        raise BoundaryImportError(
            f"feature {number}: no municipality code in property {code_property!r}{shown}"
        )
    where = f"feature {number} (code {raw})"
    return str(int(match.group(1))), _polygons(feature.get("geometry"), where)


def import_boundaries(
    session: so.Session, data: bytes, code_property: str | None = None
) -> BoundaryImport:
    """Read the file and store one simplified outline per municipality; flush."""
    known = set(session.scalars(sa.select(Municipality.code)))
    result = parse_boundaries(data, known, code_property)
    existing = {b.municipality_code: b for b in session.scalars(sa.select(MunicipalityBoundary))}
    now = utcnow()
    for code, geometry in result.geometries.items():
        text = json.dumps(geometry, separators=(",", ":"))
        stored = existing.get(code)
        if stored is None:
            session.add(
                MunicipalityBoundary(municipality_code=code, geometry=text, imported_at=now)
            )
            result.added += 1
        else:
            stored.geometry, stored.imported_at = text, now
            result.updated += 1
    session.flush()
    logger.info("Imported %d municipality boundaries", len(result.geometries))
    return result


def has_boundaries(session: so.Session) -> bool:
    """Return whether any boundaries have been imported."""
    return bool(session.scalar(sa.select(sa.literal(1)).select_from(MunicipalityBoundary).limit(1)))


def boundaries_geojson(session: so.Session) -> dict[str, Any]:
    """Return every imported outline as one FeatureCollection keyed by municipality code."""
    rows = session.execute(
        sa.select(MunicipalityBoundary.municipality_code, MunicipalityBoundary.geometry).order_by(
            MunicipalityBoundary.municipality_code
        )
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": code}, "geometry": json.loads(geometry)}
            for code, geometry in rows
        ],
    }
