"""What the serving path keeps per app: a psycopg 3 pool, the tile LRU, the version book.

Opened in the app's lifespan (``open_runtime``) and closed there, held in
``app.state.tiles``: no globals, so tests can run several apps side by side. The hot path
uses psycopg directly (no ORM): autocommit connections (no BEGIN/COMMIT round trips),
statements prepared on first use, JIT off (PostGIS functions carry high costs that make the
JIT compile for many milliseconds on every tile), no parallel workers (a tile is small; under
load, worker start-up and the extra processes cost more than they save), UTC time zone.
The pool heals itself after the database went away (``mapservice.tiles.pool``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy import Engine

from mapservice.access import Viewer
from mapservice.catalog import Layer
from mapservice.db.outage import outage_of
from mapservice.tiles.cache import ByteLRU
from mapservice.tiles.filters import Filters
from mapservice.tiles.pool import HealingPool
from mapservice.tiles.settings import TileSettings
from mapservice.tiles.sources import Source, source_for
from mapservice.tiles.versions import VersionBook


@dataclass
class Runtime:
    """Pool, caches and settings of the tile and OGC endpoints of one app."""

    settings: TileSettings
    pool: HealingPool
    cache: ByteLRU
    versions: VersionBook = field(init=False)
    inflight: dict[Any, asyncio.Future[Any]] = field(default_factory=dict)
    #: small results keyed by data version: visible extents and item counts
    memo: dict[Any, Any] = field(default_factory=dict)

    #: ``source_for`` results: the SQL fragments of a layer depend only on the layer, the
    #: viewer and the filters, and building them is a measurable part of a cache hit
    sources: dict[tuple[str, Viewer, Filters], Source] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.versions = VersionBook(self.connection)

    def source(self, layer: Layer, viewer: Viewer, filters: Filters) -> Source:
        """``sources.source_for``, remembered (bounded: filter values are the caller's)."""
        key = (layer.id, viewer, filters)
        found = self.sources.get(key)
        if found is None:
            if len(self.sources) >= 4096:
                self.sources.clear()
            found = self.sources[key] = source_for(layer, viewer, filters)
        return found

    async def fetchone(
        self,
        sql: str,
        params: dict[str, Any],
        *,
        prepare: bool | None = None,
        binary: bool = False,
    ) -> tuple[Any, ...]:
        """Run one statement on a pooled connection and return its single row.

        Tile statements are prepared (their plans do not depend on the values: the tile is
        found by the GiST index alone). Pass ``prepare=False`` where the best plan does depend
        on the values — items of a small layer want the layer index, of a big one the id
        order — so PostgreSQL plans them afresh each time instead of using a generic plan.
        """
        async with self.connection() as conn:
            cur = await conn.execute(sql, params, prepare=prepare, binary=binary)
            row = await cur.fetchone()
        assert row is not None, "tile and items queries always return one row"
        return tuple(row)

    async def fetchall(
        self, sql: str, params: dict[str, Any], *, prepare: bool | None = None
    ) -> list[tuple[Any, ...]]:
        async with self.connection() as conn:
            cur = await conn.execute(sql, params, prepare=prepare)
            return [tuple(r) for r in await cur.fetchall()]

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        """A pooled connection; an unreachable, overloaded or too slow database is a 503."""
        try:
            async with self.pool.connection() as conn:
                yield conn
        except psycopg.Error as exc:
            outage = outage_of(exc)
            if outage is None:
                raise
            raise outage from None

    async def close(self) -> None:
        await self.pool.close()


def conninfo(engine: Engine) -> str:
    """libpq connection string of the app's SQLAlchemy engine (same database, same user)."""
    url = engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


async def open_runtime(engine: Engine, settings: TileSettings | None = None) -> Runtime:
    """Open the pool (waiting until the first connection works) and the empty caches."""
    settings = settings or TileSettings()
    options = (
        "-c jit=off -c max_parallel_workers_per_gather=0 -c TimeZone=UTC "
        f"-c statement_timeout={settings.statement_timeout_ms}"
    )
    pool = HealingPool(
        conninfo(engine),
        min_size=settings.pool_min,
        max_size=settings.pool_max,
        kwargs={"autocommit": True, "prepare_threshold": 0, "options": options},
        timeout=10,
        name="karte-tiles",
    )
    await pool.open(timeout=30)
    cache = ByteLRU(settings.cache_bytes, settings.cache_entry_max_bytes)
    return Runtime(settings=settings, pool=pool, cache=cache)
