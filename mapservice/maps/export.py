"""Static export of a quarter map: HTML, assets and data files that any web server can host.

    karte render bochum-hamme --out site/    →   site/index.html (German), site/en.html,
                                                 site/assets/…, site/data/tiles/…, data/list.json

The pages are the service's own map page in ``static`` mode (relative URLs, public data
only) and the tiles are the very GeoJSON tiles the service would answer, rendered by the same
tile function for every zoom the client can ask for inside the quarter. What the export
cannot do without a server: the period and moderation filters (they filter in the database)
and photo thumbnails; the kind filter, layers, popups and the list work as in the service.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from mapservice.access import PUBLIC
from mapservice.catalog import Catalog, Layer
from mapservice.config import Settings
from mapservice.maps.page import render_map_page
from mapservice.maps.service import assets, maps_data, page_input
from mapservice.maps.style import NATIVE_MAX_ZOOM
from mapservice.tiles.filters import Filters
from mapservice.tiles.grid import TileAddress, tiles_for
from mapservice.tiles.runtime import Runtime
from mapservice.tiles.service import TileJob, render
from mapservice.tiles.sources import visible_layers

LIST_LIMIT = 20_000
README = """Karte der Nachhaltigkeit – statischer Export / static export: {name}

Mit jedem Webserver ausliefern, z. B. / serve with any web server, e.g.:
    python3 -m http.server --directory {folder} 8000   →   http://localhost:8000/

index.html (Deutsch), en.html (English); assets/ = Leaflet & Co. (self-hosted);
data/tiles/ = GeoJSON-Kacheln (nur freigegebene Einträge / published items only).
Zeitraum- und Freigabe-Filter und Fotos gibt es nur im laufenden Dienst.
The period and moderation filters and photos need the running service.
"""


def zooms(layer: Layer) -> range:
    return range(layer.min_zoom, min(layer.max_zoom, NATIVE_MAX_ZOOM) + 1)


#: The map client's address of a tile inside the export's PMTiles archive (karte-pmtiles.js).
PMTILES_TILE = "pmtiles:data/tiles.pmtiles#{layer}/{z}/{x}/{y}"
PMTILES_README = """
data/tiles.pmtiles = alle öffentlichen Ebenen als ein PMTiles-Archiv (MVT) statt des
Kachelordners. Der Webserver muss Range-Anfragen beantworten (nginx, Apache, Caddy, jedes
CDN/S3; python3 -m http.server kann das nicht).
data/tiles.pmtiles = every public layer as one PMTiles archive (MVT) instead of the tile
folder. The web server must answer range requests (nginx, Apache, Caddy, any CDN/S3;
python3 -m http.server cannot).
"""


def static_urls(other_lang: str, pmtiles: bool = False) -> dict[str, Any]:
    return {
        "tile": PMTILES_TILE if pmtiles else "data/tiles/{layer}/{z}/{x}/{y}.geojson",
        "items": "",
        "list": "data/list.json",
        "counts": "",
        "session": "",
        "photos": "",
        "full": "index.html",
        "share": "",
        "embed": "",
        "other_lang": other_lang,
    }


@dataclass
class ExportResult:
    pages: int
    tiles: int
    features: int
    assets: int
    bytes: int


async def export_quarter(
    state: Any,
    slug: str,
    out: Path,
    progress: Callable[[int, int], None] | None = None,
    *,
    pmtiles: bool = False,
) -> ExportResult:
    """Write the site for ``slug`` into ``out`` (created if missing; files are overwritten).

    ``pmtiles``: the tiles as one PMTiles archive (``data/tiles.pmtiles``, MVT) instead of a
    folder of GeoJSON files — one file to upload to a CDN instead of thousands.
    """
    out.mkdir(parents=True, exist_ok=True)
    pages = {"index.html": ("de", "en.html"), "en.html": ("en", "index.html")}
    quarter_page = None
    for name, (lang, other) in pages.items():
        quarter_page = await page_input(
            state,
            slug,
            mode="static",
            lang=lang,
            layers_param=None,
            viewer=PUBLIC,
            urls=static_urls(other, pmtiles),
            asset_base="assets",
        )
        (out / name).write_text(render_map_page(quarter_page), encoding="utf-8")
    assert quarter_page is not None
    quarter = quarter_page.quarter
    layers = visible_layers(state.catalog, PUBLIC)
    rows, total = await maps_data(state).list_rows(
        layers, PUBLIC, Filters(quarter=quarter.slug), LIST_LIMIT
    )
    data = out / "data"
    data.mkdir(exist_ok=True)
    (data / "list.json").write_text(
        json.dumps({"rows": rows, "total": total}, ensure_ascii=False, separators=(",", ":")),
        encoding="utf-8",
    )
    if pmtiles:
        written = await _write_archive(state, quarter, data / "tiles.pmtiles", progress)
    else:
        jobs = [
            (layer, t) for layer in layers for z in zooms(layer) for t in tiles_for(quarter.bbox, z)
        ]
        written = await _write_tiles(state.tiles, jobs, quarter.slug, data / "tiles", progress)
    copied = assets(state).export(out / "assets")
    (out / "README.txt").write_text(
        README.format(name=f"{quarter.name} ({quarter.city})", folder=out)
        + (PMTILES_README if pmtiles else ""),
        encoding="utf-8",
    )
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return ExportResult(len(pages), written, len(rows), copied, size)


async def _write_tiles(
    rt: Runtime,
    jobs: list[tuple[Layer, TileAddress]],
    slug: str,
    folder: Path,
    progress: Callable[[int, int], None] | None,
) -> int:
    """Render the tiles a few at a time (the pool is small) and write each as a file."""
    gate = asyncio.Semaphore(4)
    done = 0

    async def one(layer: Layer, tile: TileAddress) -> None:
        nonlocal done
        async with gate:
            job = TileJob(layer, PUBLIC, tile, "geojson", Filters(quarter=slug))
            result = await render(rt, job)
        path = folder / layer.id / str(tile.z) / str(tile.x) / f"{tile.y}.geojson"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(result.body)
        done += 1
        if progress:
            progress(done, len(jobs))

    await asyncio.gather(*(one(layer, tile) for layer, tile in jobs))
    return done


async def _write_archive(
    state: Any, quarter: Any, path: Path, progress: Callable[[int, int], None] | None
) -> int:
    """The archive ``karte export-pmtiles`` writes, over the zooms the static client asks for."""
    from mapservice.tiles.archive import Area, write_archives

    area = Area(quarter.slug, quarter.name, (tuple(quarter.bbox),))
    result = await write_archives(
        state.tiles, state.catalog, area, path, max_zoom=NATIVE_MAX_ZOOM, progress=progress
    )
    return result.tiles


async def run_export(
    settings: Settings,
    engine: Any,
    catalog: Catalog,
    slug: str,
    out: Path,
    progress: Callable[[int, int], None] | None = None,
    *,
    pmtiles: bool = False,
) -> ExportResult:
    """Open the serving runtime for the export's lifetime, like the app's lifespan does."""
    from mapservice.tiles.runtime import open_runtime

    state = SimpleNamespace(settings=settings, catalog=catalog, engine=engine)
    state.tiles = await open_runtime(engine)
    try:
        return await export_quarter(state, slug, out, progress, pmtiles=pmtiles)
    finally:
        await state.tiles.close()
