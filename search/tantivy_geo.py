"""Places in the embedded engine: exact radius clauses, distances and distance order.

A radius is exact. Every located offer carries grid-cell terms at 15 levels (see
``search.analysis``); a place-only search matches the cells inside the circle plus the
offers of a thin band of edge cells that are within the distance; a search with words or
filters instead excludes what lies beyond the circle's exact bounds (fast-field ranges), in
the box's corner cells, or on the band beyond the distance. Only when more than
``EXACT_BAND_LIMIT`` offers lie on the edge under no filter does a band cell count by its
centre (an error under 1/20 of the radius). Remote offers have no place and stay in unless
``include_remote`` is False. Distance order searches boxes that grow (or shrink) until they
hold the page; relevance near a point adds a bonus for lying within 1, 3, 10, 30 and
100 km, so nearer wins among similar scores.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import tantivy

from search.analysis import CircleCover, QueryWord, box_cover, circle_bounds, circle_cover
from search.base import EARTH_RADIUS_KM, GeoPoint, SearchQuery, haversine_km
from search.tantivy_query import (
    all_of,
    any_of,
    cells,
    float_range,
    one_of,
    score_scale,
    term,
    total,
)

EXACT_BAND_LIMIT = 256
COUNTRY_RADIUS_KM = 120.0  # Denmark's area as a disc, for a first guess of the box size
ANTIPODE_KM = 20_040.0  # no two places on Earth are farther apart
NEAR_STEPS_KM = (1.0, 3.0, 10.0, 30.0, 100.0)
NEAR_BONUS = 0.3
REMOTE_AS_KM = 25.0  # how near a remote offer counts for relevance
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180
_Q, _MUST, _SHOULD = tantivy.Query, tantivy.Occur.Must, tantivy.Occur.Should

Found = tuple[float, tantivy.DocAddress, float | None]  # score, address, distance

# --- Distances ----------------------------------------------------------------------------


def distances(
    searcher: tantivy.Searcher, addresses: list[tantivy.DocAddress], point: GeoPoint
) -> list[float | None]:
    """Return the distance of each located document (None for the others)."""
    lats = searcher.fast_field_values("lat", addresses)
    lons = searcher.fast_field_values("lon", addresses)
    # haversine_km, unrolled: this runs for up to FETCH_ALL documents per search
    sin, cos, radians = math.sin, math.cos, math.radians
    lat0, lon0 = radians(point.lat), radians(point.lon)
    cos0 = cos(lat0)
    result: list[float | None] = []
    for lat, lon in zip(lats, lons, strict=True):
        if lat is None or lon is None:
            result.append(None)
            continue
        phi = radians(float(lat))
        dlon = radians(float(lon)) - lon0
        h = sin((phi - lat0) / 2) ** 2 + cos0 * cos(phi) * sin(dlon / 2) ** 2
        result.append(2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h))))
    return result


def _near(point: GeoPoint, radius_km: float, lat: Any, lon: Any) -> bool:
    """Return whether (lat, lon) is within radius_km (flat-earth check, haversine at the edge)."""
    if lat is None or lon is None:
        return False
    dy = (lat - point.lat) * KM_PER_DEGREE
    dx = (lon - point.lon) * KM_PER_DEGREE * math.cos(math.radians((lat + point.lat) / 2))
    flat = dx * dx + dy * dy
    if radius_km <= 100 and flat < (radius_km * 0.99) ** 2:
        return True
    if radius_km <= 100 and flat > (radius_km * 1.01) ** 2:
        return False
    return haversine_km(point, float(lat), float(lon)) <= radius_km


# --- The place clause ---------------------------------------------------------------------


@dataclass
class Place:
    """What a result must and must not match to be in the place asked for."""

    must: tantivy.Query | None = None
    exclude: list[tantivy.Query] = field(default_factory=list)


def remote_and_local(
    query: SearchQuery, municipality: tantivy.Query | None
) -> tuple[tantivy.Query | None, tantivy.Query | None]:
    """Return the remote clause (if remote offers stay in) and the municipality-or-remote one."""
    remote = term("flag", "remote") if query.include_remote else None
    local = any_of(municipality, remote) if municipality is not None else None
    return remote, local


def place_query(
    searcher: tantivy.Searcher,
    query: SearchQuery,
    filters: tantivy.Query | None,
    municipality: tantivy.Query | None,
) -> Place:
    """Translate the place; remote offers stay in unless include_remote is False."""
    remote, local = remote_and_local(query, municipality)
    if not query.has_place:
        return Place()
    if query.point is None or query.radius_km is None:
        return Place(local)
    if query.text.strip() or filters is not None:
        context = all_of(filters, municipality)
        return Place(local, outside_many(searcher, query.point, query.radius_km, context))
    extra = ["remote"] if remote and not municipality else []
    circle = _circle(searcher, query.point, query.radius_km, all_of(filters, municipality), extra)
    if municipality:
        return Place(any_of(all_of(municipality, circle), remote))
    return Place(circle)


def beyond(point: GeoPoint, radius_km: float) -> list[tantivy.Query]:
    """Match offers beyond the circle's exact bounds (four fast-field ranges)."""
    min_lat, max_lat, min_lon, max_lon = circle_bounds(point.lat, point.lon, radius_km)
    return [
        float_range(name, low, high, exclusive=True)
        for name, low, high in (
            ("lat", None, min_lat),
            ("lat", max_lat, None),
            ("lon", None, min_lon),
            ("lon", max_lon, None),
        )
    ]


def _edge(
    searcher: tantivy.Searcher, point: GeoPoint, radius_km: float, context: tantivy.Query
) -> tuple[CircleCover, tantivy.SearchResult]:
    """Return the circle's cells and up to EXACT_BAND_LIMIT + 1 offers on its edge band."""
    cover = circle_cover(point.lat, point.lon, radius_km)
    band = all_of(context, cells(cover.band_terms())) if cover.band else _Q.empty_query()
    return cover, searcher.search(band, limit=EXACT_BAND_LIMIT + 1)


def outside_many(
    searcher: tantivy.Searcher, point: GeoPoint, radius_km: float, context: tantivy.Query
) -> list[tantivy.Query]:
    """Exclude everything beyond the radius by ranges and cells (for a dense area).

    Beyond the exact bounds, fast-field ranges; in the corners of the box, cells (fewer
    documents to collect than the whole circle); on the edge, the band's documents
    outside the radius, checked under the cheap filters (``context``) when there are
    few, else the band cells whose centre is outside.
    """
    cover, result = _edge(searcher, point, radius_km, context)
    outside = cover.outside
    keys: list[tantivy.Query] = []
    if total(result) > EXACT_BAND_LIMIT:
        outside = outside + cover.band_terms_by_centre(inside=False)
    else:
        addresses = [address for _, address in result.hits]
        lats = searcher.fast_field_values("lat", addresses)
        lons = searcher.fast_field_values("lon", addresses)
        pairs = zip(addresses, lats, lons, strict=True)
        far = [a for a, la, lo in pairs if not _near(point, radius_km, la, lo)]
        keys = [term("key", key) for key in searcher.fast_field_values("key", far)]
    excluded = [cells(outside)] if outside else []
    return [*beyond(point, radius_km), *excluded, *keys, term("kind", "elsewhere")]


def _circle(
    searcher: tantivy.Searcher,
    point: GeoPoint,
    radius_km: float,
    context: tantivy.Query,
    extra_cells: list[str],
) -> tantivy.Query:
    """Match located documents within ``radius_km`` by grid cells (see the module docstring).

    The band is checked under the cheap filters only (``context``), not the text query.
    ``extra_cells`` (the "remote" cell) join the same term set.
    """
    cover, result = _edge(searcher, point, radius_km, context)
    if total(result) > EXACT_BAND_LIMIT:
        return cells(cover.inside + cover.band_terms_by_centre(inside=True) + extra_cells)
    addresses = [address for _, address in result.hits]
    keys = searcher.fast_field_values("key", addresses)
    measured = distances(searcher, addresses, point)
    near = [k for k, d in zip(keys, measured, strict=True) if d is not None and d <= radius_km]
    inside = cover.inside + extra_cells
    circle = any_of(cells(inside) if inside else None, *(term("key", key) for key in near))
    return circle or _Q.empty_query()


# --- Nearness bonus -----------------------------------------------------------------------


def near_steps(
    searcher: tantivy.Searcher, query: SearchQuery, words: Sequence[QueryWord]
) -> tuple[list[float], float]:
    """Return the distances that earn a bonus (those within the radius) and the bonus each."""
    steps = [km for km in NEAR_STEPS_KM if km < (query.radius_km or math.inf)]
    return steps, score_scale(searcher, words) * NEAR_BONUS / len(NEAR_STEPS_KM)


def bonus(distance_km: float | None, steps: Sequence[float], step: float) -> float:
    """Return the nearness bonus: ``step`` for every step the distance is within."""
    distance = REMOTE_AS_KM if distance_km is None else distance_km
    return step * sum(distance <= km for km in steps)


def with_near_bonus(found: list[Found], steps: Sequence[float], step: float) -> list[Found]:
    """Return measured matches with the nearness bonus added, the best first."""
    near = [(score + bonus(d, steps, step), address, d) for score, address, d in found]
    return sorted(near, key=lambda f: -f[0])


def near_bonus_query(
    final: tantivy.Query, point: GeoPoint, steps: Sequence[float], step: float
) -> tantivy.Query:
    """Return ``final`` with the nearness bonus scored by Tantivy, from boxes of grid cells."""
    lat, lon = point.lat, point.lon
    bonuses = [one_of("cell", box_cover(lat, lon, km, cells_per_radius=1)) for km in steps]
    weights = [step] * len(steps)
    bonuses.append(one_of("kind", ["remote", "elsewhere"]))
    weights.append(bonus(None, steps, step))
    return _Q.boolean_query(
        [(_MUST, final)]
        + [(_SHOULD, _Q.const_score_query(b, w)) for b, w in zip(bonuses, weights, strict=True)]
    )


# --- Distance order -----------------------------------------------------------------------


def measured(
    searcher: tantivy.Searcher, result: tantivy.SearchResult, point: GeoPoint
) -> list[Found]:
    """Return a result's matches with their distances (None for those without a place)."""
    addresses = [address for _, address in result.hits]
    pairs = zip(result.hits, distances(searcher, addresses, point), strict=True)
    return [(score, address, distance) for (score, address), distance in pairs]


def sorted_by_distance(
    searcher: tantivy.Searcher, result: tantivy.SearchResult, point: GeoPoint
) -> list[tuple[float, tantivy.DocAddress]]:
    """Return a result's located matches with their distances, nearest first."""
    addresses = [address for _, address in result.hits]
    pairs = zip(distances(searcher, addresses, point), addresses, strict=True)
    return sorted(((d, a) for d, a in pairs if d is not None), key=lambda item: item[0])


def by_distance_from(
    searcher: tantivy.Searcher, query: tantivy.Query, point: GeoPoint, limit: int
) -> list[tuple[float, tantivy.DocAddress]]:
    """Return up to ``limit`` matches of ``query``, nearest first."""
    return sorted_by_distance(searcher, searcher.search(query, limit=max(1, limit)), point)


def nearest(
    searcher: tantivy.Searcher,
    located: tantivy.Query,
    point: GeoPoint,
    need: int,
    located_total: int,
    *,
    radius_km: float | None,
    unplaced: tantivy.Query,
    cap: int,
) -> list[tuple[float, tantivy.DocAddress]]:
    """Return the ``need`` nearest matches, searching boxes that grow until they hold them.

    The first box is sized for the average density (within the radius, or the country);
    a box holding more than ``cap`` matches shrinks, one with fewer than ``need`` grows.
    A box smaller than the radius needs no circle clause: the distance check implies it,
    so it narrows ``unplaced`` (the matches but for the radius) instead of ``located``.
    """
    widest = radius_km or ANTIPODE_KM
    inner = unplaced if radius_km else located
    guess = (radius_km or COUNTRY_RADIUS_KM) * math.sqrt(2 * need / located_total)
    radius, low, high = min(widest, max(0.3, guess)), 0.0, math.inf
    for _ in range(12):
        box = located
        if radius < widest:
            box = all_of(inner, cells(box_cover(point.lat, point.lon, radius)))
        result = searcher.search(box, limit=cap)
        count = total(result)
        if count > cap and radius > 0.05:
            high = radius
            radius = (low + radius) / 2 if low else radius * max(0.25, math.sqrt(cap / (2 * count)))
            continue
        if count > cap:
            result = searcher.search(box, limit=count)
        found = sorted_by_distance(searcher, result, point)
        within = [item for item in found if item[0] <= radius]
        if len(within) >= need or radius >= widest:
            return (found if radius >= widest else within)[:need]
        low = radius
        grow = 4.0 if not within else min(4.0, max(1.5, math.sqrt(2 * need / len(within))))
        radius = min(widest, radius * grow)
        if radius >= high:
            radius = (low + high) / 2
    return by_distance_from(searcher, located, point, located_total)[:need]
