"""Where and when a layer's visible features lie, for TileJSON and OGC collections.

Computed in PostGIS from exactly the rows the viewer may see (``sources``), so a bounding
box never reveals where drafts are. Cached per layer version, scope and filters; a write
bumps the version and the next request computes it anew.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mapservice.access import Viewer
from mapservice.catalog import Layer
from mapservice.tiles.filters import NO_FILTERS, Filters
from mapservice.tiles.queries import fill, template
from mapservice.tiles.runtime import Runtime
from mapservice.tiles.sources import Source, source_for, version_key

WORLD = (-180.0, -85.0511287798066, 180.0, 85.0511287798066)
_MAX_ENTRIES = 2048


@dataclass(frozen=True)
class Extent:
    """Lon/lat box (``None`` when nothing is visible), time span, feature count, version,
    and the geometry types the visible features have (PostGIS spelling: ``POLYGON`` …)."""

    bbox: tuple[float, float, float, float] | None
    start: str | None
    end: str | None
    count: int
    version: str
    geometry_types: tuple[str, ...] = ()

    def bounds(self) -> tuple[float, float, float, float]:
        """The box, or the whole Web Mercator world when the layer shows nothing yet."""
        return self.bbox or WORLD


def extent_sql(source: Source) -> str:
    slots = {
        "geom": source.geom,
        "from": source.from_sql,
        "where": source.where,
        "time_start": source.time_start or "NULL::timestamptz",
        "time_end": source.time_end or "NULL::timestamptz",
    }
    return fill(template("extent"), slots)


async def visible_extent(
    rt: Runtime, layer: Layer, viewer: Viewer, filters: Filters = NO_FILTERS
) -> Extent:
    """The extent of ``layer`` as ``viewer`` sees it with ``filters`` (filters pre-checked)."""
    source = source_for(layer, viewer, filters)
    versions = await rt.versions.snapshot()
    key: tuple[Any, ...] = (
        layer.id,
        versions.get(version_key(layer), "0"),
        source.scope,
        filters.key(),
    )
    cached = rt.memo.get(key)
    if cached is not None:
        return cached
    params = {**source.params, "version_key": version_key(layer)}
    x0, y0, x1, y1, start, end, count, version, types = await rt.fetchone(
        extent_sql(source), params, prepare=False
    )
    bbox = None if x0 is None else (float(x0), float(y0), float(x1), float(y1))
    found = tuple(sorted(t for t in (types or ()) if t))
    extent = Extent(bbox, start, end, int(count), str(version), found)
    if len(rt.memo) >= _MAX_ENTRIES:
        rt.memo.clear()
    rt.memo[(layer.id, version, source.scope, filters.key())] = extent
    return extent
