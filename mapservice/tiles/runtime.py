"""What the serving path keeps per app: a psycopg 3 pool, the tile LRU, the version book.

Opened in the app's lifespan (``open_runtime``) and closed there, held in
``app.state.tiles``: no globals, so tests can run several apps side by side. The hot path
uses psycopg directly (no ORM): autocommit connections (no BEGIN/COMMIT round trips),
statements prepared on first use, JIT off (PostGIS functions carry high costs that make the
JIT compile for many milliseconds on every tile), no parallel workers (a tile is small; under
load, worker start-up and the extra processes cost more than they save), UTC time zone.
The pool heals itself after the database went away (``mapservice.tiles.pool``).

With read replicas (``mapservice.db.replicas``) there is one pool per server; a request's
reads go to the server its ``Route`` names. A replica that fails at checkout is skipped
for the primary on the spot; one that fails mid-query marks the request, which the
``ReadRouting`` middleware then runs again on the primary.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy import Engine

from mapservice.access import Viewer
from mapservice.catalog import Layer
from mapservice.db.changes import ChangeListener
from mapservice.db.outage import outage_of
from mapservice.db.replicas import PRIMARY, ROUTE, ReplicaSet, WriteLog, current_target, libpq
from mapservice.tiles.cache import ByteLRU
from mapservice.tiles.filters import Filters
from mapservice.tiles.pool import HealingPool
from mapservice.tiles.settings import TileSettings
from mapservice.tiles.sources import Source, source_for
from mapservice.tiles.versions import Versions, read_versions


@dataclass
class Runtime:
    """Pool, caches and settings of the tile and OGC endpoints of one app."""

    settings: TileSettings
    pool: HealingPool
    cache: ByteLRU
    versions: Versions = field(init=False)
    #: streaming replicas (None: reads go to the primary) and their pools by URL
    replicas: ReplicaSet | None = None
    replica_pools: dict[str, HealingPool] = field(default_factory=dict)
    #: positions of recent writes by client, and the LISTEN thread that shares them
    writes: WriteLog = field(default_factory=WriteLog)
    listener: ChangeListener | None = None
    inflight: dict[Any, asyncio.Future[Any]] = field(default_factory=dict)
    #: small results keyed by data version: visible extents and item counts
    memo: dict[Any, Any] = field(default_factory=dict)

    #: ``source_for`` results: the SQL fragments of a layer depend only on the layer, the
    #: viewer and the filters, and building them is a measurable part of a cache hit
    sources: dict[tuple[str, Viewer, Filters], Source] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.versions = Versions(
            self.connection_to,
            self.replicas,
            self.listener,
            from_notify=self.settings.versions_from == "notify",
        )

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

    def connection(self) -> AbstractAsyncContextManager[psycopg.AsyncConnection[Any]]:
        """A pooled connection to the server this request reads from (see ``Route``)."""
        return self.connection_to(current_target(self.replicas))

    @asynccontextmanager
    async def connection_to(self, target: str) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        """A pooled connection to ``target``; an unreachable, overloaded or too slow database
        is a 503. A replica that cannot give a connection is left for the primary."""
        pool = self.replica_pools.get(target) if target != PRIMARY else None
        if pool is not None:
            async with AsyncExitStack() as stack:
                try:
                    conn = await stack.enter_async_context(pool.connection())
                except Exception as exc:
                    if outage_of(exc) is None:
                        raise
                    self._replica_failed(str(exc))
                else:
                    try:
                        yield conn
                        return
                    except psycopg.Error as exc:
                        outage = outage_of(exc)
                        if outage is None:
                            raise
                        self._replica_failed(str(exc))
                        raise outage from None
            target = PRIMARY  # checkout failed: this request reads from the primary
        try:
            async with self.pool.connection() as conn:
                yield conn
        except psycopg.Error as exc:
            outage = outage_of(exc)
            if outage is None:
                raise
            raise outage from None

    def replica_engine(self, url: str) -> Engine:
        """The SQLAlchemy engine of a replica (ORM reads: figures, exports)."""
        from mapservice.db.engine import make_engine

        return make_engine(url)

    def _replica_failed(self, reason: str) -> None:
        route = ROUTE.get()
        if route is not None:
            route.failed(self.replicas, reason.strip().splitlines()[0] if reason else "error")
            route.target = PRIMARY

    async def close(self) -> None:
        if self.listener is not None:
            await asyncio.to_thread(self.listener.stop)
        if self.replicas is not None:
            await asyncio.to_thread(self.replicas.stop)
        for pool in self.replica_pools.values():
            await pool.close()
        await self.pool.close()


def conninfo(engine: Engine) -> str:
    """libpq connection string of the app's SQLAlchemy engine (same database, same user)."""
    url = engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


async def open_runtime(
    engine: Engine,
    settings: TileSettings | None = None,
    *,
    read_urls: list[str] | None = None,
    max_lag_s: float = 5.0,
    check_s: float = 1.0,
    listen: bool = True,
) -> Runtime:
    """Open the pools (waiting until the primary's first connection works), the checker of
    the replicas in ``read_urls``, the change listener and the empty caches."""
    settings = settings or TileSettings()
    options = (
        "-c jit=off -c max_parallel_workers_per_gather=0 -c TimeZone=UTC "
        f"-c statement_timeout={settings.statement_timeout_ms}"
    )

    def make_pool(info: str, name: str) -> HealingPool:
        return HealingPool(
            info,
            min_size=settings.pool_min,
            max_size=settings.pool_max,
            kwargs={
                "autocommit": True,
                "prepare_threshold": 0,
                "options": options,
                "application_name": name,  # which server serves what, in pg_stat_activity
            },
            timeout=10,
            name=name,
        )

    pool = make_pool(conninfo(engine), "karte-tiles")
    await pool.open(timeout=30)
    replicas, replica_pools = None, {}
    if read_urls:
        replicas = ReplicaSet(conninfo(engine), read_urls, max_lag_s=max_lag_s, check_s=check_s)
        await asyncio.to_thread(replicas.start)
        for number, replica in enumerate(replicas.replicas, 1):
            replica_pools[replica.url] = make_pool(libpq(replica.url), f"karte-tiles-r{number}")
            # not waiting: a replica that is down now is skipped until the checker sees it
            await replica_pools[replica.url].pool.open(wait=False)
    writes = WriteLog()
    listener = None
    if listen:
        listener = ChangeListener(conninfo(engine), read_versions, writes, check_s=check_s)
        await asyncio.to_thread(listener.start)
    cache = ByteLRU(settings.cache_bytes, settings.cache_entry_max_bytes)
    return Runtime(
        settings=settings,
        pool=pool,
        cache=cache,
        replicas=replicas,
        replica_pools=replica_pools,
        writes=writes,
        listener=listener,
    )
