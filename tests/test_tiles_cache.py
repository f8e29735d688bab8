"""The machinery behind fast tiles: byte-bounded LRU, batched version reads, one query per
cold tile however many clients ask for it at once.

Async code runs on its own event loop in a worker thread, so these tests also work when a
browser test elsewhere in the session keeps an event loop running in the main thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import morecantile
import pytest
from sqlalchemy import Engine, text

from mapservice.access import PUBLIC
from mapservice.catalog import load_catalog
from mapservice.tiles.cache import ByteLRU, Tile
from mapservice.tiles.grid import TileAddress
from mapservice.tiles.runtime import Runtime, open_runtime
from mapservice.tiles.service import TileJob, serve_tile
from mapservice.tiles.settings import TileSettings
from tests.test_tiles_seed import World, seed

T = TypeVar("T")
TMS = morecantile.tms.get("WebMercatorQuad")
BOX = (13.60, 52.45, 13.64, 52.49)


def run(make: Callable[[Runtime], Awaitable[T]], engine: Engine, **settings: Any) -> T:
    """Open a runtime on a fresh loop in a thread, run ``make(runtime)``, close it."""
    result: dict[str, Any] = {}

    async def main() -> None:
        rt = await open_runtime(engine, TileSettings(**settings))
        try:
            result["value"] = await make(rt)
        finally:
            await rt.close()

    def target() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # re-raised in the test's thread
            result["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(120)
    if "error" in result:
        raise result["error"]
    return result["value"]


@pytest.fixture(scope="module")
def world(engine: Engine) -> World:
    return seed(engine, "puffer", BOX, "leerstand")


def test_lru_is_bounded_by_bytes_and_forgets_the_least_recently_used() -> None:
    lru = ByteLRU(capacity=3 * 1200, entry_max=2000)
    for name in "abc":
        lru.put(name, Tile(b"x" * 1000, 1, False, "1"))
    assert lru.get("a") is not None  # a is now the most recent
    lru.put("d", Tile(b"y" * 1000, 1, False, "1"))
    assert lru.get("b") is None and lru.get("a") is not None and lru.get("d") is not None
    assert lru.bytes <= lru.capacity
    lru.put("huge", Tile(b"z" * 5000, 1, False, "1"))
    assert lru.get("huge") is None  # bigger than entry_max: served, never cached


def test_gzip_form_is_made_once_and_counted() -> None:
    tile = Tile(b'{"type":"FeatureCollection","features":[]}' * 50, 0, False, "1")
    before = tile.size
    assert tile.compress(512).gzipped is not None and tile.size > before
    small = Tile(b"{}", 0, False, "1").compress(512)
    assert small.gzipped is None


def test_concurrent_requests_share_version_reads_and_see_a_finished_write(
    engine: Engine, world: World
) -> None:
    async def scenario(rt: Runtime) -> tuple[int, str, str]:
        before = (await rt.versions.snapshot()).get("leerstand", "0")
        reads = rt.versions.reads
        await asyncio.gather(*(rt.versions.snapshot() for _ in range(200)))
        batched = rt.versions.reads - reads
        await asyncio.to_thread(_write, engine, world)
        after = (await rt.versions.snapshot())["leerstand"]
        return batched, before, after

    batched, before, after = run(scenario, engine)
    assert 1 <= batched <= 2  # 200 callers, at most two queries
    assert after != before  # read-your-writes: the write is seen by the next request


def _write(engine: Engine, world: World) -> None:
    x0, y0, x1, y1 = world.box
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO observation (layer_id, kind, title, geom, status) VALUES "
                "('leerstand', 'idea', 'Version', ST_SetSRID(ST_MakePoint(:x, :y), 4326), "
                "'published')"
            ),
            {"x": (x0 + x1) / 2, "y": (y0 + y1) / 2},
        )


def test_one_query_per_cold_tile_however_many_ask_at_once(engine: Engine, world: World) -> None:
    layer = load_catalog().get("leerstand")
    x0, y0, x1, y1 = world.box
    t = TMS.tile(x0 + (x1 - x0) * 0.3, y0 + (y1 - y0) * 0.3, 16)
    job = TileJob(layer, PUBLIC, TileAddress(t.z, t.x, t.y), "mvt")

    async def scenario(rt: Runtime) -> tuple[int, set[str], int]:
        queries = 0
        original = rt.fetchone

        async def counting(sql: str, params: dict[str, Any], **kw: Any) -> tuple[Any, ...]:
            nonlocal queries
            queries += 1
            return await original(sql, params, **kw)

        rt.fetchone = counting  # type: ignore[method-assign]
        outcomes = await asyncio.gather(*(serve_tile(rt, job) for _ in range(30)))
        again = await serve_tile(rt, job)  # now from the LRU
        assert again.tile is outcomes[0].tile
        return queries, {o.etag for o in outcomes}, len(outcomes[0].tile.body)  # type: ignore[union-attr]

    queries, etags, size = run(scenario, engine)
    assert queries == 1 and len(etags) == 1 and size > 0


def test_cache_off_still_serves(engine: Engine, world: World) -> None:
    layer = load_catalog().get("leerstand")
    t = TMS.tile(world.box[0] + 0.01, world.box[1] + 0.01, 15)
    job = TileJob(layer, PUBLIC, TileAddress(t.z, t.x, t.y), "geojson")

    async def scenario(rt: Runtime) -> int:
        first = await serve_tile(rt, job)
        second = await serve_tile(rt, job)
        assert first.tile is not second.tile and first.tile.body == second.tile.body  # type: ignore[union-attr]
        return len(rt.cache)

    assert run(scenario, engine, cache_bytes=0) == 0
