"""Serve one tile: cache key and ETag from the data version, LRU, one query per cold tile.

    outcome = await serve_tile(runtime, TileJob(layer, viewer, tile, "mvt", filters))

Everything a tile's bytes depend on is in its key: the layer's data version (bumped by every
write), the tile, the format, the viewer's scope (public, one field user, or "sees
everything"), the filters and the render settings. The strong ETag is a hash of that key,
so a conditional request is answered from the version alone, without touching the tile.
Concurrent requests for the same cold tile share one database query.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from typing import Any

from mapservice.access import Viewer
from mapservice.catalog import Layer
from mapservice.tiles.cache import Tile
from mapservice.tiles.cluster_grid import grid_plan
from mapservice.tiles.filters import NO_FILTERS, Filters
from mapservice.tiles.grid import TileAddress
from mapservice.tiles.queries import Format, tile_sql
from mapservice.tiles.runtime import Runtime
from mapservice.tiles.sources import Source, check_filters, version_key

#: Bump when the SQL or the output shape changes, so caches and ETags of old code expire.
RENDER_REVISION = 1
WORLD_M = 2 * 20037508.342789244


@dataclass(frozen=True)
class TileJob:
    """What a tile request asks for, already validated."""

    layer: Layer
    viewer: Viewer
    tile: TileAddress
    fmt: Format
    filters: Filters = NO_FILTERS

    @property
    def clustered(self) -> bool:
        """Points are aggregated below the layer's ``cluster_below_zoom``."""
        below = self.layer.cluster_below_zoom
        return below is not None and self.tile.z < below


@dataclass(frozen=True)
class Outcome:
    """The answer: the ETag, the data version, and the tile (``None`` = not modified)."""

    etag: str
    version: str
    tile: Tile | None


def etag_of(key: tuple[Any, ...]) -> str:
    return '"' + hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest() + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison, as If-None-Match demands; ``-gz`` variants count too."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = etag.strip('"')
    for candidate in if_none_match.split(","):
        tag = candidate.strip().removeprefix("W/").strip('"')
        if tag in (wanted, f"{wanted}-gz"):
            return True
    return False


def _key(rt: Runtime, job: TileJob, source: Source, version: str) -> tuple[Any, ...]:
    t = job.tile
    return (
        RENDER_REVISION, job.layer.id, version, job.fmt, t.z, t.x, t.y, source.scope,
        job.filters.key(), rt.settings.feature_cap, rt.settings.cells_per_tile(), job.clustered,
        rt.settings.buffer_px,
    )  # fmt: skip


def _params(rt: Runtime, job: TileJob, source: Source) -> dict[str, Any]:
    t, cap, n = job.tile, rt.settings.feature_cap, rt.settings.cells_per_tile()
    return {
        **source.params,
        "z": t.z, "x": t.x, "y": t.y, "tol": t.tolerance(),
        # the margin as a fraction of the tile (selection, lon/lat clip) and in MVT units
        "margin": rt.settings.buffer_px / 256, "buffer": rt.settings.buffer_px * 16,
        "digits": t.digits, "cap": cap, "cap1": cap + 1, "n": n,
        "cell": WORLD_M / 2**t.z / n, "version_key": version_key(job.layer),
    }  # fmt: skip


async def serve_tile(
    rt: Runtime, job: TileJob, if_none_match: str | None = None, *, gzip: bool = False
) -> Outcome:
    """The tile for ``job``, from the LRU or PostGIS; ``tile=None`` when the ETag matches.

    ``gzip``: the client accepts it, so make sure the tile carries its gzip form. A tile is
    compressed the first time a client wants it that way, not on every render: a server
    whose clients do not ask for gzip never spends the CPU.
    """
    check_filters(job.layer, job.viewer, job.filters)
    source = rt.source(job.layer, job.viewer, job.filters)
    versions = await rt.versions.snapshot()
    version = versions.get(version_key(job.layer), "0")
    key = _key(rt, job, source, version)
    etag = etag_of(key)
    if matches(if_none_match, etag):
        return Outcome(etag, version, None)
    tile = rt.cache.get(key)
    if tile is None:
        tile = await _render_once(rt, job, source, key)
    if tile.version != version:  # the data moved on between the version read and the query
        key = _key(rt, job, source, tile.version)
        etag = etag_of(key)
    if gzip and tile.gzipped is None and len(tile.body) >= rt.settings.gzip_min_bytes:
        if len(tile.body) > 64 * 1024:  # big bodies are compressed off the event loop
            await asyncio.to_thread(tile.compress, rt.settings.gzip_min_bytes)
        else:
            tile.compress(rt.settings.gzip_min_bytes)
        rt.cache.put(key, tile)  # again: the entry grew by its gzip form
    return Outcome(etag, tile.version, tile)


async def _render_once(rt: Runtime, job: TileJob, source: Source, key: tuple[Any, ...]) -> Tile:
    """Render, letting concurrent requests for the same key wait for the same query."""
    pending = rt.inflight.get(key)
    if pending is not None:
        return await asyncio.shield(pending)
    future: asyncio.Future[Tile] = asyncio.get_running_loop().create_future()
    rt.inflight[key] = future
    try:
        tile = await render(rt, job, source)
        rt.cache.put(_key(rt, job, source, tile.version), tile)
        future.set_result(tile)
        return tile
    except Exception as exc:
        future.set_exception(exc)
        future.exception()  # mark retrieved: waiters, if any, re-raise it themselves
        raise
    except BaseException:  # cancelled (client went away): waiters must not hang
        future.cancel()
        raise
    finally:
        rt.inflight.pop(key, None)


async def render(rt: Runtime, job: TileJob, source: Source | None = None) -> Tile:
    """Run the tile query (no cache): body bytes straight from PostGIS."""
    source = source or rt.source(job.layer, job.viewer, job.filters)
    params = _params(rt, job, source)
    # A clustered tile counts its points from the cluster grid when that is exact for this
    # viewer and these filters (cluster_grid.py); the output is the same, ~50× cheaper.
    grid = (
        grid_plan(job.layer, job.viewer, job.filters, job.tile, params["n"])
        if job.clustered
        else None
    )
    sql = tile_sql(source, job.fmt, job.clustered, grid.where if grid else None)
    params.update(grid.params if grid else {})
    # binary: the body arrives as raw bytes, not as hex text twice its size to decode
    body, features, truncated, version = await rt.fetchone(sql, params, binary=True)
    return Tile(bytes(body), int(features), bool(truncated), str(version))
