"""Public geometry of findings: never the house an interviewee lives in, never a lone house.

A finding placed from a home address ("bei mir vor der Tür, Haldenstraße 88") would publish
where a person lives. Coarsening alone (the centre of a small grid cell) is not enough: a
house near the centre of its cell is then published a few metres from its door. The rule
therefore guarantees two things, for every home position:

**Distance.** In EPSG:25832 (the metric CRS of German municipal data) lay a grid of square
cells of side ``c`` (:data:`HOME_CELL_M` = 160 m). A home is published at the *farther* of
two lattice points: the centre of its cell, or the cell corner nearest to it. Houses close
to a corner go to the centre, houses close to the centre go to a corner. Because the centre
and that corner are ``c·√2/2`` apart, the farther of the two is at least ``c·√2/4`` from the
house (triangle inequality): 56.6 m for ``c`` = 160 m, never less than :data:`MIN_DISTANCE_M`
(50 m). The public point is at most ``c·√2/2`` (113 m) from the house.

**Anonymity (k).** Each lattice point of a level is shared by a region of ``c²/2``. Over the
home addresses of the quarter's gazetteer (entries of kind ``address``; a place with an
address, such as a school, is not a home) we count how many addresses each public point
stands for. A point that stands for fewer than :data:`K_ANONYMITY` (5) addresses is not used:
its addresses move to the next level, a grid of twice the cell size (320, 640, 1280 m),
with the same distance rule (the minimum distance doubles too). Levels are settled from the
finest up, so the addresses published at a point are exactly the ones counted there: every
public point stands for at least k gazetteer addresses. A home whose point stands for fewer
than k addresses even at the coarsest level (an outlying house) goes to the nearest public
point that is at least 55 m away (a margin over 50 m for the projection's scale), which
already stands for ≥ k addresses. Only when the
quarter's gazetteer has fewer than k addresses altogether does a home get no public geometry
(it is then on no public map).

A home position that is not itself in the gazetteer (a house number we do not know) takes
the first level whose public point already stands for ≥ k gazetteer addresses. A fixed
lattice (rather than random jitter) means repeated publication cannot be averaged back to
the house, and two findings from the same home land on the same public point. The public
geometry is computed when a finding is stored, from the gazetteer at that time.

Crossings, streets, named places and whole quarters are not homes and keep their geometry;
lines and polygons are never generalised (they are streets or areas, not houses).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import shapely
from shapely.geometry import MultiPoint, Point
from shapely.geometry.base import BaseGeometry

from mapservice.georef.crs import from_metric, to_metric

HOME_CELL_M = 160.0
MIN_DISTANCE_M = 50.0
#: What the fallback asks for in grid metres: 10 % above MIN_DISTANCE_M, so the guarantee
#: holds on the ground too (the UTM 32N scale is off by < 0.3 % anywhere in Germany).
FALLBACK_DISTANCE_M = 55.0
K_ANONYMITY = 5
LEVELS = 4  # cells of 160, 320, 640 and 1280 m

#: A lattice point of one level, in units of half a cell: odd/odd is a cell centre,
#: even/even a cell corner.
Key = tuple[int, int, int]


def lattice_point(x: float, y: float, cell_m: float) -> tuple[int, int]:
    """The public lattice point (half-cell units) of metric ``x, y`` for cells of ``cell_m``.

    The farther of the cell's centre and the cell corner nearest to the point; ties go to
    the centre.
    """
    i, j = math.floor(x / cell_m), math.floor(y / cell_m)
    cx, cy = (i + 0.5) * cell_m, (j + 0.5) * cell_m
    vi, vj = round(x / cell_m), round(y / cell_m)
    vx, vy = vi * cell_m, vj * cell_m
    if math.hypot(x - cx, y - cy) >= math.hypot(x - vx, y - vy):
        return 2 * i + 1, 2 * j + 1
    return 2 * vi, 2 * vj


def _metric(key: Key, cell_m: float) -> tuple[float, float]:
    level, a, b = key
    half = cell_m * 2**level / 2
    return a * half, b * half


@dataclass
class HomeGrid:
    """Which public points of which level stand for ≥ k home addresses of a gazetteer."""

    cell_m: float = HOME_CELL_M
    k: int = K_ANONYMITY
    levels: int = LEVELS
    #: public point → number of gazetteer addresses published there
    groups: Counter[Key] = field(default_factory=Counter)
    check_k: bool = True
    #: the points settled level by level (each stood for ≥ k addresses on its own)
    published: list[Key] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        addresses: Iterable[tuple[float, float]],
        *,
        cell_m: float = HOME_CELL_M,
        k: int = K_ANONYMITY,
        levels: int = LEVELS,
    ) -> HomeGrid:
        """Settle every address (metric x, y; one per distinct house) level by level."""
        if cell_m <= 0 or k < 1 or levels < 1:
            raise ValueError("cell_m, k and levels must be positive")
        pending = sorted(set(addresses))  # one house listed twice is one house
        groups: Counter[Key] = Counter()
        for level in range(levels):
            size = cell_m * 2**level
            members: dict[tuple[int, int], list[tuple[float, float]]] = {}
            for x, y in pending:
                members.setdefault(lattice_point(x, y, size), []).append((x, y))
            pending = []
            for point, houses in members.items():
                if len(houses) >= k:
                    groups[(level, *point)] = len(houses)
                else:
                    pending.extend(houses)
            if not pending:
                break
        grid = cls(cell_m=cell_m, k=k, levels=levels, groups=groups)
        grid.published = sorted(groups)
        for x, y in pending:  # too few addresses even at the coarsest level
            key = grid.nearest(x, y)
            if key is not None:
                groups[key] += 1
        return grid

    def nearest(self, x: float, y: float) -> Key | None:
        """The nearest public point (of any level) at least :data:`FALLBACK_DISTANCE_M` away:
        where a home goes whose own point stands for fewer than k addresses at every level."""
        best: tuple[float, Key] | None = None
        for key in self.published:
            px, py = _metric(key, self.cell_m)
            d = math.hypot(px - x, py - y)
            if d >= FALLBACK_DISTANCE_M and (best is None or (d, key) < best):
                best = (d, key)
        return None if best is None else best[1]

    @classmethod
    def unchecked(cls, cell_m: float = HOME_CELL_M) -> HomeGrid:
        """The distance rule alone (first level, no k check), for callers without a
        gazetteer; stored findings always use :meth:`build`."""
        return cls(cell_m=cell_m, check_k=False)

    def key_for(self, x: float, y: float) -> Key | None:
        """The public lattice point of a metric home position, or None (not publishable)."""
        if not self.check_k:
            return (0, *lattice_point(x, y, self.cell_m))
        for level in range(self.levels):
            key = (level, *lattice_point(x, y, self.cell_m * 2**level))
            if self.groups.get(key, 0) >= self.k:
                return key
        return self.nearest(x, y)

    def public_metric(self, x: float, y: float) -> tuple[float, float] | None:
        key = self.key_for(x, y)
        return None if key is None else _metric(key, self.cell_m)

    def anonymity(self, x: float, y: float) -> int:
        """How many gazetteer addresses share the public point of this position."""
        key = self.key_for(x, y)
        return 0 if key is None else self.groups.get(key, 0)


def home_addresses(entries: Iterable[object]) -> list[tuple[float, float]]:
    """Metric positions of the home addresses among gazetteer entries (kind ``address``)."""
    points = [e.geometry for e in entries if getattr(e, "kind", None) == "address"]  # type: ignore[attr-defined]
    points = [p for p in points if p is not None and p.geom_type == "Point"]
    if not points:
        return []
    metric = shapely.get_coordinates(to_metric(MultiPoint(points)))
    return [(float(x), float(y)) for x, y in metric]


def grid_for_gazetteer(entries: Iterable[object]) -> HomeGrid:
    return HomeGrid.build(home_addresses(entries))


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
    grid: HomeGrid | None = None,
) -> BaseGeometry | None:
    """The public geometry (4326) of a finding's geometry, or None when a home cannot be
    published without being one of fewer than k addresses.

    Home positions (see :func:`is_home`) that are points move to their public lattice point
    (see the module docstring); everything else is returned unchanged.
    """
    if geom_4326.is_empty or not is_home(method, from_home_address):
        return geom_4326
    if geom_4326.geom_type not in ("Point", "MultiPoint"):
        return geom_4326
    grid = grid if grid is not None else HomeGrid.unchecked()
    metric = shapely.get_coordinates(to_metric(geom_4326))
    publics = {grid.public_metric(float(x), float(y)) for x, y in metric}
    points = sorted(p for p in publics if p is not None)
    if not points:
        return None
    if len(points) == 1:
        return from_metric(Point(points[0]))
    return from_metric(MultiPoint([Point(p) for p in points]))
