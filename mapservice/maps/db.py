"""Database access for the map pages: the serving path's psycopg pool behind a tiny interface.

The pool of ``app.state.tiles`` (autocommit, JIT off, prepared statements, psycopg-style
``%(name)s`` placeholders) serves the map pages too; the map code only sees ``fetchall`` and
``versions``, so tests or another back-end can stand in for it.

Many of the map's queries are unions of per-layer fragments built by
``mapservice.tiles.sources`` — the one place that knows who may see what. ``suffixed``
renames a fragment's placeholders so several of them can share one statement.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


class Db(Protocol):
    async def fetchall(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]: ...

    async def versions(self) -> dict[str, int]: ...


class RuntimeDb:
    """The tile runtime's pool; its version book batches the ``layer_version`` reads."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime

    async def fetchall(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        return await self.runtime.fetchall(sql, params)

    async def versions(self) -> dict[str, int]:
        return dict(await self.runtime.versions.snapshot())


def db_for(state: Any) -> Db:
    """The map pages' database: the app's serving runtime (``app.state.tiles``)."""
    return RuntimeDb(state.tiles)


def suffixed(sql: str, params: dict[str, Any], n: int) -> tuple[str, dict[str, Any]]:
    """``%(layer)s`` → ``%(layer__3)s`` in ``sql`` and in ``params``, for UNION ALL queries."""
    renamed = _PLACEHOLDER.sub(lambda m: f"%({m[1]}__{n})s", sql)
    return renamed, {f"{key}__{n}": value for key, value in params.items()}
