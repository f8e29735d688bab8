"""The current data version of every layer, read from ``layer_version`` as cheaply as correct.

A cache hit still needs the current version (it is part of the cache key and ETag). Reading
it is one tiny query; under load, requests that arrive while a read is running wait for the
*next* read and share it. A shared read therefore always starts after the request arrived,
so a client that wrote and then asks for a tile sees its write (read-your-writes) while the
database answers at most one version query per round trip, however many requests come in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

from mapservice.db.replicas import PRIMARY, ROUTE, ReplicaSet, current_target

if TYPE_CHECKING:
    import psycopg

    from mapservice.db.changes import ChangeListener

#: A layer's data version as a token: the counter the write triggers bump, then the time of
#: the last bump in ms, so a re-created database (whose counters restart) never repeats a
#: token a client may still hold in its cache.
TOKEN = "lv.version || '.' || (extract(epoch FROM lv.changed_at) * 1000)::bigint"
VERSIONS_SQL = f"SELECT lv.layer_id, {TOKEN} FROM layer_version lv"
#: The same token inside a tile or items query, read in the query's own snapshot.
VERSION_SQL = (
    f"(SELECT coalesce(max({TOKEN}), '0') FROM layer_version lv "
    "WHERE lv.layer_id = %(version_key)s::text)"
)


class VersionBook:
    """Batched, read-your-writes access to ``layer_version``."""

    def __init__(self, connection: Callable[[], AbstractAsyncContextManager[Any]]) -> None:
        self._connection = connection
        self._lock = asyncio.Lock()
        self._next: asyncio.Future[dict[str, str]] | None = None
        self._tasks: set[asyncio.Task[None]] = set()  # the loop holds tasks only weakly
        self.reads = 0

    async def snapshot(self) -> dict[str, str]:
        """Versions by layer id, from a read that starts no earlier than this call."""
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
            task = asyncio.ensure_future(self._read())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await asyncio.shield(self._next)

    async def _read(self) -> None:
        async with self._lock:  # one read at a time; latecomers gather for the next one
            future, self._next = self._next, None
            assert future is not None
            try:
                async with self._connection() as conn:
                    cur = await conn.execute(VERSIONS_SQL)
                    rows = await cur.fetchall()
                self.reads += 1
                future.set_result({layer: str(token) for layer, token in rows})
            except Exception as exc:  # every waiter must hear of it
                future.set_exception(exc)
            except BaseException:
                future.cancel()
                raise


def read_versions(conn: psycopg.Connection[Any]) -> dict[str, str]:
    """All versions on a plain (sync) connection: what the change listener re-reads."""
    return {layer: str(token) for layer, token in conn.execute(VERSIONS_SQL).fetchall()}


class Versions:
    """The version books of one app: one per server (a request reads the versions of the
    server its reads go to, so key and data agree), or the change listener's copy.

    With ``from_notify`` and a live listener, a request whose client wrote nothing recently
    takes the listener's versions (no round trip); the others, and every request while the
    listener is disconnected, read them as before.
    """

    def __init__(
        self,
        connection: Callable[[str], AbstractAsyncContextManager[Any]],
        replicas: ReplicaSet | None = None,
        listener: ChangeListener | None = None,
        *,
        from_notify: bool = False,
    ) -> None:
        self._connection = connection
        self.replicas = replicas
        self.listener = listener
        self.from_notify = from_notify
        self.books: dict[str, VersionBook] = {}

    def book(self, target: str) -> VersionBook:
        found = self.books.get(target)
        if found is None:
            found = self.books[target] = VersionBook(lambda: self._connection(target))
        return found

    @property
    def reads(self) -> int:
        return sum(book.reads for book in self.books.values())

    async def snapshot(self) -> dict[str, str]:
        route = ROUTE.get()
        listener = self.listener
        if (
            self.from_notify
            and listener is not None
            and listener.live
            and route is not None
            and route.min_lsn == 0
        ):
            return listener.versions
        target = current_target(self.replicas) if route is not None else PRIMARY
        return await self.book(target).snapshot()
