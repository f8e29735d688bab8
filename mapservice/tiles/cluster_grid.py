"""Clustered tiles from the cluster grid: when ``cluster_cell`` can answer a tile, and how.

A clustered tile (below the layer's ``cluster_below_zoom``) counts points per cell of an
n × n grid over the tile. Walking every point of the tile for that costs ~160 ms at z12 over
a busy quarter. ``cluster_cell`` (migration 0002) keeps the same counts per cell of a fixed
fine grid, the XYZ tiles of zoom 18, maintained by triggers on every write. A cluster cell of
zoom z is then exactly the union of 2^s × 2^s level-18 cells with s = 18 − (z + log2 n): the
cluster grid of clusters.sql starts at the world's corner too and halves per level, and
⌊⌊t⌋ / 2^s⌋ = ⌊t / 2^s⌋, so every point lands in the same cluster by either path. The
mean position comes from the stored sums of x/y, so it equals the live mean up to float
rounding. A tile adds up a few hundred cell rows found by one primary-key range scan: the
Morton code of the cells makes every tile one contiguous range of codes.

The grid knows layer, status, kind and (since 0015) quarter of a point, so it answers
exactly the viewers and filters that need no more: the public (status 'published'), planners
and admins (every status, optionally one; restricted ones by layer and quarter), with or
without a kind or quarter filter. A field user sees published points *and their own drafts*,
and time and walkthrough filters look at columns the grid does not have: those tiles keep
the live SQL (``sql/clusters.sql``), which is still right, only slower. So do zooms whose
cluster cells are finer than level 18.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mapservice.access import Viewer, observation_visibility
from mapservice.catalog import Layer, LayerSource
from mapservice.tiles.filters import QUARTER_ID, Filters
from mapservice.tiles.grid import TileAddress

#: Zoom level of the fine grid (must agree with migration 0002).
LEVEL = 18
_SPREAD_STEPS = (
    (16, 0x0000FFFF0000FFFF),
    (8, 0x00FF00FF00FF00FF),
    (4, 0x0F0F0F0F0F0F0F0F),
    (2, 0x3333333333333333),
    (1, 0x5555555555555555),
)


def spread_bits(v: int) -> int:
    """Bit i of ``v`` (< 2^32) moved to bit 2i, as SQL ``karte_spread_bits`` does."""
    for shift, mask in _SPREAD_STEPS:
        v = (v | (v << shift)) & mask
    return v


def morton(x: int, y: int) -> int:
    """Z-order number of a cell: x in the even bits, y in the odd ones (``karte_morton``)."""
    return spread_bits(x) | (spread_bits(y) << 1)


def code_range(tile: TileAddress) -> tuple[int, int]:
    """[lo, hi) of the level-18 cell codes inside ``tile`` (z ≤ 18): the cells of a tile
    share the tile's Morton number as their leading bits, so they are one range."""
    shift = 2 * (LEVEL - tile.z)
    m = morton(tile.x, tile.y)
    return m << shift, (m + 1) << shift


@dataclass(frozen=True)
class GridPlan:
    """How the grid answers one tile: ``where`` (SQL on ``cluster_cell g``, stable per
    viewer scope and filter shape) and the bound values of this tile."""

    where: str
    params: dict[str, Any]


def grid_plan(
    layer: Layer, viewer: Viewer, filters: Filters, tile: TileAddress, n: int
) -> GridPlan | None:
    """The grid plan for a clustered tile, or ``None`` when only the live SQL is right."""
    if layer.source != LayerSource.OBSERVATIONS:
        return None
    if not (viewer.is_public or viewer.sees_everything):
        return None  # a field user also sees their own drafts: the grid has no authors
    if filters.walkthrough or filters.has_time:
        return None  # the grid counts per quarter (0015), not per walkthrough or time
    levels = n.bit_length() - 1
    if n < 1 or n != 1 << levels or tile.z + levels > LEVEL:
        return None
    clauses = [observation_visibility(viewer, "g", "NULL")]  # scope: g.quarter_id, g.layer_id
    if filters.quarter is not None:
        clauses.append(f"g.quarter_id = {QUARTER_ID}")
    if filters.kind is not None:
        clauses.append("g.kind = %(kind)s::text")
    if filters.status is not None:
        clauses.append("g.status = %(status)s::text")
    lo, hi = code_range(tile)
    return GridPlan(
        where=" AND ".join(f"({c})" for c in clauses),
        params={"grid_lo": lo, "grid_hi": hi, "grid_shift": LEVEL - tile.z - levels},
    )
