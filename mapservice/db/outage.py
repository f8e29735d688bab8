"""Which database failures mean "away for a moment, try again" — one rule for every path.

The ORM path (SQLAlchemy + psycopg) and the tile path (psycopg pool) fail in different
wrappers when PostgreSQL is stopped, crashes, restarts or is overloaded: connection refused,
"server closed the connection unexpectedly", ``57P01 admin_shutdown`` while it stops,
``57P03 cannot_connect_now`` while it starts, a pool that finds no connection in time, a
statement cancelled by its timeout. None of them is the client's fault and none is a bug:
each is a 503 with ``Retry-After``, so the field app keeps its queue and tries again.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
from psycopg_pool import PoolTimeout
from sqlalchemy import exc as sa_exc

from mapservice.errors import DatabaseError

#: Seconds a client should wait before asking again (a restart of the embedded cluster takes
#: one to three seconds; crash recovery a little longer).
RETRY_AFTER_S = 2


def unavailable() -> DatabaseError:
    return DatabaseError(
        "Die Datenbank ist gerade nicht erreichbar. Bitte in ein paar Sekunden erneut "
        "versuchen; nichts wurde gespeichert.",
        "The database is not reachable right now. Please try again in a few seconds; "
        "nothing was stored.",
        code="database_unavailable",
    )


def busy() -> DatabaseError:
    return DatabaseError(
        "Die Datenbank ist gerade ausgelastet. Bitte gleich erneut versuchen.",
        "The database is busy right now. Please try again shortly.",
        code="database_busy",
    )


def query_timeout() -> DatabaseError:
    return DatabaseError(
        "Die Abfrage hat zu lange gedauert und wurde abgebrochen; bitte näher zoomen "
        "oder Filter setzen.",
        "The query took too long and was cancelled; please zoom in or add filters.",
        code="query_timeout",
    )


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception, what it wraps (``.orig``, ``__cause__``) and a group's members."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        err = todo.pop()
        if id(err) in seen:
            continue
        seen.add(id(err))
        yield err
        if isinstance(err, BaseExceptionGroup):
            todo.extend(err.exceptions)
        orig = getattr(err, "orig", None)
        if isinstance(orig, BaseException):
            todo.append(orig)
        if err.__cause__ is not None:
            todo.append(err.__cause__)


def outage_of(exc: BaseException) -> DatabaseError | None:
    """The 503 that ``exc`` stands for, or None when it is something else (a bug, bad data).

    ``__context__`` is not followed on purpose: an error raised *while* handling a lost
    connection is its own error.
    """
    for err in _causes(exc):
        if isinstance(err, DatabaseError):
            return err
        if isinstance(err, psycopg.errors.QueryCanceled):
            return query_timeout()
        if isinstance(err, (PoolTimeout, sa_exc.TimeoutError)):
            return busy()
        if isinstance(err, psycopg.OperationalError):  # refused, closed, shutdown, starting
            return unavailable()
        if isinstance(err, sa_exc.DBAPIError) and err.connection_invalidated:
            return unavailable()
    return None


def is_disconnect(exc: BaseException) -> bool:
    """Did the connection itself fail (as opposed to one statement being refused)?"""
    found = outage_of(exc)
    return found is not None and found.code == "database_unavailable"
