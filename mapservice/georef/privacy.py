"""Public geometry of findings: never the exact house an interviewee lives in.

A finding placed from a home address ("bei mir vor der Tür, Hofsteder Straße 12a") would
publish where a person lives. Its public geometry is therefore the centre of the 50 m grid
cell (EPSG:25832, the metric CRS of German municipal data) that contains the house: all
houses of one cell share one public point, and the point says nothing finer than the cell.
A fixed grid (rather than random jitter) means repeated publication cannot be averaged back
to the house, and two findings from the same home land on the same public point.

Crossings, streets, named places and whole quarters are not homes and keep their geometry;
lines and polygons are never generalised (they are streets or areas, not houses).
"""

from __future__ import annotations

import math

import shapely
from shapely.geometry import MultiPoint, Point
from shapely.geometry.base import BaseGeometry

from mapservice.georef.crs import from_metric, to_metric

HOME_CELL_M = 50.0


def _cell_centre(x: float, y: float, cell_m: float) -> tuple[float, float]:
    return (
        (math.floor(x / cell_m) + 0.5) * cell_m,
        (math.floor(y / cell_m) + 0.5) * cell_m,
    )


def grid_cell_centre(point_4326: Point, cell_m: float = HOME_CELL_M) -> Point:
    """The centre (4326) of the ``cell_m`` grid cell in EPSG:25832 that contains the point."""
    metric = to_metric(point_4326)
    return from_metric(Point(*_cell_centre(metric.x, metric.y, cell_m)))


def is_home(method: str, from_home_address: bool | None = None) -> bool:
    """Whether a finding's position stands for somebody's home.

    ``from_home_address`` decides when known (an address that is a school is not a home; a
    GPS point taken at the door may be); without it, method ``address`` counts as a home.
    """
    if from_home_address is not None:
        return from_home_address
    return method == "address"


def generalise(
    geom_4326: BaseGeometry,
    method: str,
    *,
    from_home_address: bool | None = None,
    cell_m: float = HOME_CELL_M,
) -> BaseGeometry:
    """The public geometry (4326) of a finding's geometry.

    Home positions (see :func:`is_home`) that are points become the centre of their grid
    cell; everything else is returned unchanged.
    """
    if cell_m <= 0:
        raise ValueError("cell_m must be positive")
    if geom_4326.is_empty or not is_home(method, from_home_address):
        return geom_4326
    if geom_4326.geom_type == "Point":
        return grid_cell_centre(geom_4326, cell_m)
    if geom_4326.geom_type == "MultiPoint":
        centres = {_cell_centre(p.x, p.y, cell_m) for p in shapely.get_parts(to_metric(geom_4326))}
        cells = [Point(c) for c in sorted(centres)]
        return from_metric(cells[0] if len(cells) == 1 else MultiPoint(cells))
    return geom_4326
