"""Find the nearest of many points quickly: a grid of cells searched ring by ring.

Distances are great-circle (haversine) distances. A point whose cell is ``r``
rings away from the query's cell is at least ``(r - 1)`` cells away in
latitude or longitude, which bounds how far the search must look once a
candidate has been found.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from search.base import GeoPoint, haversine_km

# Cells of 0.1 degrees of latitude by 0.2 of longitude: about 11 by 12 km in Denmark.
CELL_LAT = 0.1
CELL_LON = 0.2
# The least distance one cell step can mean: 0.1 degrees of latitude is 11.1 km,
# and 0.2 degrees of longitude is at least 10 km up to 60 degrees north (with a
# margin for great circles, which bend towards the pole).
MIN_KM_PER_CELL = 10.0


class NearestPoints:
    """Answer "how far is the nearest point?" for many questions about one set of points."""

    def __init__(self, points: Iterable[tuple[float, float]]) -> None:
        """Sort the points into grid cells."""
        self._cells: dict[tuple[int, int], list[tuple[float, float]]] = defaultdict(list)
        self._count = 0
        for lat, lon in points:
            self._cells[self._cell(lat, lon)].append((lat, lon))
            self._count += 1

    def __len__(self) -> int:
        """Return how many points there are."""
        return self._count

    @staticmethod
    def _cell(lat: float, lon: float) -> tuple[int, int]:
        """Return the grid cell of a point."""
        return math.floor(lat / CELL_LAT), math.floor(lon / CELL_LON)

    def _ring(self, row: int, column: int, radius: int) -> Iterable[tuple[int, int]]:
        """Yield the cells exactly ``radius`` steps from a cell."""
        if radius == 0:
            yield row, column
            return
        for dc in range(-radius, radius + 1):
            yield row - radius, column + dc
            yield row + radius, column + dc
        for dr in range(-radius + 1, radius):
            yield row + dr, column - radius
            yield row + dr, column + radius

    def nearest_km(self, lat: float, lon: float) -> float | None:
        """Return the distance in km to the nearest point, or None when there are none."""
        if not self._count:
            return None
        origin = GeoPoint(lat, lon)
        row, column = self._cell(lat, lon)
        farthest = max(
            max(abs(r - row), abs(c - column)) for r, c in self._cells
        )  # no ring beyond this holds a point
        best = math.inf
        for radius in range(farthest + 1):
            ring = list(self._ring(row, column, radius))
            if len(ring) > len(self._cells):
                # Sparse points far apart: scanning the occupied cells is cheaper.
                return min(best, self._scan(origin))
            for cell in ring:
                for point_lat, point_lon in self._cells.get(cell, ()):
                    best = min(best, haversine_km(origin, point_lat, point_lon))
            if best <= radius * MIN_KM_PER_CELL:
                break
        return best

    def _scan(self, origin: GeoPoint) -> float:
        """Return the distance to the nearest point, looking at every point."""
        return min(
            haversine_km(origin, lat, lon) for points in self._cells.values() for lat, lon in points
        )
