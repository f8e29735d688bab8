"""Static tile archives for a CDN: the public layers of a quarter (or of all) as PMTiles v3.

A city that puts the map on its home page can serve these files from any static host or CDN
(HTTP range requests), with no database behind them. The tiles are the very MVT tiles
``/tiles`` answers the public — rendered by the same code with the public viewer, so the same
privacy rules hold: only published entries, public (generalised) geometry, no author.

One archive holds every layer (an MVT tile is a list of layers, so the layers' tiles of one
address are concatenated: protobuf merges repeated fields), or ``per_layer`` writes one
archive per layer. Tiles are gzip-compressed, as PMTiles readers expect for MVT; empty tiles
are left out (a reader answers "no tile" for them).
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer
from sqlalchemy import Engine, text

from mapservice.access import PUBLIC
from mapservice.catalog import Catalog, Layer
from mapservice.errors import NotFound
from mapservice.tiles.filters import NO_FILTERS, Filters
from mapservice.tiles.grid import TileAddress, tiles_for
from mapservice.tiles.runtime import Runtime
from mapservice.tiles.service import TileJob, render
from mapservice.tiles.sources import visible_layers
from mapservice.tiles.tilejson import vector_fields

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Area:
    """What an archive covers: one quarter (its slug) or all quarters (slug None)."""

    slug: str | None
    name: str
    boxes: tuple[tuple[float, float, float, float], ...]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return (
            min(b[0] for b in self.boxes),
            min(b[1] for b in self.boxes),
            max(b[2] for b in self.boxes),
            max(b[3] for b in self.boxes),
        )

    @property
    def filters(self) -> Filters:
        return Filters(quarter=self.slug) if self.slug else NO_FILTERS


@dataclass(frozen=True)
class ArchiveResult:
    files: tuple[Path, ...]
    tiles: int
    bytes: int


def find_area(engine: Engine, slug: str | None) -> Area:
    """The quarter's (or every quarter's) bounding box; an unknown quarter is a clear error."""
    sql = (
        "SELECT slug, name, ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) "
        "FROM (SELECT slug, name, boundary::box2d AS b FROM quarter) q"
    )
    with engine.connect() as conn:
        if slug is None:
            rows = conn.execute(text(sql + " ORDER BY slug")).all()
        else:
            rows = conn.execute(text(sql + " WHERE slug = :s"), {"s": slug}).all()
    if not rows:
        raise NotFound(
            f"Quartier '{(slug or '')[:64]}' gibt es nicht." if slug else "Es gibt kein Quartier.",
            f"No quarter '{(slug or '')[:64]}'." if slug else "There is no quarter.",
            code="unknown_quarter",
        )
    boxes = tuple((float(r[2]), float(r[3]), float(r[4]), float(r[5])) for r in rows)
    name = rows[0][1] if slug else "Alle Quartiere"
    return Area(slug, name, boxes)


def addresses(area: Area, layer: Layer, max_zoom: int) -> list[TileAddress]:
    """Every tile of the layer's zooms that touches one of the area's boxes, in tile-id order."""
    found: set[tuple[int, int, int]] = set()
    for z in range(layer.min_zoom, min(layer.max_zoom, max_zoom) + 1):
        for box in area.boxes:
            found.update((t.z, t.x, t.y) for t in tiles_for(box, z))
    ordered = sorted(found, key=lambda zxy: zxy_to_tileid(*zxy))
    return [TileAddress(z, x, y) for z, x, y in ordered]


async def write_archives(
    rt: Runtime,
    catalog: Catalog,
    area: Area,
    out: Path,
    *,
    per_layer: bool = False,
    max_zoom: int = 18,
    progress: Progress | None = None,
) -> ArchiveResult:
    """Render and write the archive(s); ``out`` is a file, or a folder when ``per_layer``."""
    from mapservice.programme.layer import MEASURES_LAYER  # published measures (not a file)

    layers = [*visible_layers(catalog, PUBLIC), MEASURES_LAYER]
    groups = [[layer] for layer in layers] if per_layer else [layers]
    plans = [(group, _plan(area, group, max_zoom)) for group in groups]
    total = sum(len(plan) for _, plan in plans)
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    files, tiles = [], 0
    if per_layer:
        out.mkdir(parents=True, exist_ok=True)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
    for group, plan in plans:
        path = out / f"{group[0].id}.pmtiles" if per_layer else out
        tiles += await _write_one(rt, area, group, plan, path, step)
        files.append(path)
    size = sum(p.stat().st_size for p in files)
    return ArchiveResult(tuple(files), tiles, size)


def _plan(area: Area, layers: list[Layer], max_zoom: int) -> list[tuple[TileAddress, list[Layer]]]:
    """Per tile address (in tile-id order), the layers that have a tile there."""
    per_address: dict[tuple[int, int, int], list[Layer]] = {}
    for layer in layers:
        for t in addresses(area, layer, max_zoom):
            per_address.setdefault((t.z, t.x, t.y), []).append(layer)
    ordered = sorted(per_address, key=lambda zxy: zxy_to_tileid(*zxy))
    return [(TileAddress(*zxy), per_address[zxy]) for zxy in ordered]


async def _write_one(
    rt: Runtime,
    area: Area,
    layers: list[Layer],
    plan: list[tuple[TileAddress, list[Layer]]],
    path: Path,
    step: Callable[[], None],
) -> int:
    """Render the plan a few tiles at a time (the pool is small) and write them in order."""
    gate = asyncio.Semaphore(4)

    async def body(address: TileAddress, group: list[Layer]) -> bytes:
        parts = []
        async with gate:
            for layer in group:
                tile = await render(rt, TileJob(layer, PUBLIC, address, "mvt", area.filters))
                if tile.features:
                    parts.append(tile.body)
        step()
        return b"".join(parts)

    written = 0
    zooms = [a.z for a, _ in plan] or [0]
    with path.open("wb") as f:
        writer = Writer(f)
        # Rendered in chunks but written strictly in tile-id order (a clustered archive).
        for start in range(0, len(plan), 64):
            chunk = plan[start : start + 64]
            bodies = await asyncio.gather(*(body(a, g) for a, g in chunk))
            for (address, _), data in zip(chunk, bodies, strict=True):
                if data:
                    tid = zxy_to_tileid(address.z, address.x, address.y)
                    writer.write_tile(tid, gzip.compress(data, mtime=0))
                    written += 1
        if not written:  # PMTiles needs at least one entry: an empty tile at the lowest zoom
            first = plan[0][0] if plan else TileAddress(0, 0, 0)
            writer.write_tile(zxy_to_tileid(first.z, first.x, first.y), gzip.compress(b""))
        writer.finalize(_header(area, min(zooms), max(zooms)), _metadata(rt, area, layers))
    return written


def _header(area: Area, min_zoom: int, max_zoom: int) -> dict[str, object]:
    west, south, east, north = area.bounds
    return {
        "tile_type": TileType.MVT,
        "tile_compression": Compression.GZIP,
        "min_lon_e7": int(west * 1e7),
        "min_lat_e7": int(south * 1e7),
        "max_lon_e7": int(east * 1e7),
        "max_lat_e7": int(north * 1e7),
        "center_zoom": max(min_zoom, min(max_zoom, 15)),
        "center_lon_e7": int((west + east) / 2 * 1e7),
        "center_lat_e7": int((south + north) / 2 * 1e7),
    }


def _metadata(rt: Runtime, area: Area, layers: list[Layer]) -> dict[str, object]:
    """TileJSON-like metadata with ``vector_layers``, as PMTiles viewers and MapLibre read it."""
    vector_layers = []
    for layer in layers:
        source = rt.source(layer, PUBLIC, area.filters)
        vector_layers.append(
            {
                "id": layer.id,
                "description": layer.title("de"),
                "minzoom": layer.min_zoom,
                "maxzoom": layer.max_zoom,
                "fields": vector_fields(layer, source),
            }
        )
    attribution = sorted({layer.attribution or "Karte der Nachhaltigkeit" for layer in layers})
    return {
        "name": f"Karte der Nachhaltigkeit – {area.name}",
        "description": "Öffentliche Ebenen (nur freigegebene Einträge) / public layers",
        "attribution": " · ".join(attribution),
        "vector_layers": vector_layers,
        "karte": json.dumps({"quarter": area.slug, "layers": [la.id for la in layers]}),
    }
