"""The tile path's connection pool, which heals itself when the database went away and came back.

``psycopg_pool`` alone gets two things wrong for us after a restart of PostgreSQL: it hands
out idle connections without looking at them (so tiles answered 503 once per dead pooled
connection after ``/health`` was fine again), and it reconnects in the background with an
exponential backoff (1, 2, 4, 8 … s), so a fresh connection may come only about as long after
the database is back as the outage lasted. ``HealingPool`` wraps one pool and adds:

- before a pooled connection is used, a look at its socket (``select`` with no wait, no round
  trip): readable on an idle connection means EOF or a FATAL message from a shutdown; only
  then is a real check query sent;
- a dead connection (found there or while a query ran) marks the database *down*: requests
  then fail at once with a 503 instead of waiting for the pool's timeout, and at most one
  probe per ``PROBE_INTERVAL_S`` tries a real connect;
- the first probe that connects replaces the pool — its dead connections and backoff timers
  go with it — so the next request runs on a fresh connection.
"""

from __future__ import annotations

import asyncio
import select
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from mapservice.db.outage import is_disconnect, unavailable

#: Seconds between two connection probes while the database is down.
PROBE_INTERVAL_S = 0.25
#: Seconds a probe (and the new pool's first connection) may take to connect.
PROBE_TIMEOUT_S = 3

Connection = psycopg.AsyncConnection[Any]


class HealingPool:
    """An ``AsyncConnectionPool`` that is replaced when the database came back after an outage."""

    def __init__(
        self,
        conninfo: str,
        *,
        kwargs: dict[str, Any],
        min_size: int,
        max_size: int,
        timeout: float,
        name: str,
    ) -> None:
        self._conninfo = conninfo
        self._kwargs = kwargs
        self._sizes = (min_size, max_size)
        self._timeout = timeout
        self._name = name
        self.pool = self._new_pool()
        self.down = False
        #: how often the pool was replaced after an outage (read by tests and benchmarks)
        self.renewals = 0
        self._lock = asyncio.Lock()
        self._last_probe = 0.0
        self._closing: set[asyncio.Task[None]] = set()

    def _new_pool(self) -> AsyncConnectionPool:
        return AsyncConnectionPool(
            self._conninfo,
            min_size=self._sizes[0],
            max_size=self._sizes[1],
            kwargs=self._kwargs,
            timeout=self._timeout,
            open=False,
            name=self._name,
        )

    async def open(self, timeout: float) -> None:
        """Open the first pool, waiting until its first connection works."""
        await self.pool.open(wait=True, timeout=timeout)

    async def close(self) -> None:
        await self.pool.close()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        """A working pooled connection; raises a 503 ``DatabaseError`` while the database is down.

        Other failures (``PoolTimeout`` under load, query errors) pass through unchanged.
        """
        pool, conn = await self._checkout()
        try:
            yield conn
        except Exception as exc:
            if is_disconnect(exc) and not isinstance(exc, PoolTimeout):
                self.down = True
            raise
        finally:
            await pool.putconn(conn)

    async def _checkout(self) -> tuple[AsyncConnectionPool, Connection]:
        if self.down:
            await self._recover()
        pool = self.pool
        try:
            conn = await pool.getconn()
        except PoolTimeout:
            # Overloaded, or no connection can be made at all? Only a probe tells.
            if not await self._probe():
                self.down = True
                raise unavailable() from None
            raise
        if await _alive(conn):
            return pool, conn
        await conn.close()  # the pool drops a closed connection when it is returned
        await pool.putconn(conn)
        self.down = True
        await self._recover()
        pool = self.pool
        return pool, await pool.getconn()

    async def _recover(self) -> None:
        """Probe the database (one request at a time, rate-limited) and renew the pool."""
        async with self._lock:
            if not self.down:
                return  # another request recovered while this one waited
            if time.monotonic() - self._last_probe < PROBE_INTERVAL_S:
                raise unavailable()
            if not await self._probe():
                raise unavailable()
            fresh = self._new_pool()
            try:
                await fresh.open(wait=True, timeout=PROBE_TIMEOUT_S)
            except PoolTimeout:
                await fresh.close()
                raise unavailable() from None
            old, self.pool = self.pool, fresh
            self.down = False
            self.renewals += 1
            task = asyncio.ensure_future(old.close(timeout=PROBE_TIMEOUT_S))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def _probe(self) -> bool:
        """Can a new connection be made right now?"""
        self._last_probe = time.monotonic()
        try:
            conn = await psycopg.AsyncConnection.connect(
                self._conninfo, autocommit=True, connect_timeout=PROBE_TIMEOUT_S
            )
        except psycopg.OperationalError:
            return False
        await conn.close()
        return True


async def _alive(conn: Connection) -> bool:
    """Is this idle pooled connection still connected? A round trip only when in doubt."""
    if conn.closed or conn.broken:
        return False
    try:
        readable, _, _ = select.select([conn.pgconn.socket], [], [], 0)
    except (OSError, ValueError, psycopg.OperationalError):
        return False
    if not readable:
        return True  # nothing arrived on an idle connection: the server did not hang up
    try:
        await AsyncConnectionPool.check_connection(conn)
    except psycopg.Error:
        return False
    return True
