"""Which server answers a read: the primary, or a streaming replica that is current enough.

Why: public traffic (tiles, OGC items, maps, figures, exports) is nearly all reads and comes
in spikes; replicas take it off the primary. Two rules keep that invisible to users:

- **Read-your-writes by WAL position.** After a client's write commits, the LSN at that
  moment is remembered for the client (``WriteLog``, keyed by a hash of its bearer token,
  shared with the other processes through ``mapservice.db.changes``). A later read of that
  client may go to a replica only when the replica has replayed past it; otherwise it goes
  to the primary. PostgreSQL 15 has no ``WAIT FOR LSN``, so we compare, never wait.
  ``pg_current_wal_insert_lsn()`` rather than ``pg_current_wal_lsn()``: with asynchronous
  commit the write position can still be *before* the commit record.
- **Skip what is broken or behind.** A checker thread asks every replica each
  ``replica_check_s`` for ``pg_last_wal_replay_lsn()`` and the primary for its LSN; lag is
  the age of the oldest primary position a replica has not replayed yet (an idle primary
  means no lag, however old the last transaction). A replica that does not answer or lags
  more than ``replica_max_lag_s`` gets no reads until it is back; none left → the primary.

One request is pinned to one server (``Route.target``), so a request never mixes two
servers' snapshots, and a transaction never spans servers (every write goes to the primary).
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

PRIMARY = ""  # the target name of the primary in a ``Route``


def parse_lsn(text: str | None) -> int:
    """``'16/B374D848'`` → an integer that orders like the WAL position."""
    if not text:
        return 0
    high, _, low = str(text).partition("/")
    return (int(high, 16) << 32) | int(low, 16)


def libpq(url: str) -> str:
    """A libpq conninfo from a SQLAlchemy or plain PostgreSQL URL."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def sqlalchemy_url(url: str) -> str:
    return (
        make_url(libpq(url))
        .set(drivername="postgresql+psycopg")
        .render_as_string(hide_password=False)
    )


class WriteLog:
    """The LSN after each client's last write, for ``keep_s`` seconds (then it no longer
    matters: a replica that has not replayed it by then lags beyond any sane bound)."""

    def __init__(self, keep_s: float = 120.0) -> None:
        self.keep_s = keep_s
        self._lsns: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def record(self, client: str, lsn: int) -> None:
        now = time.monotonic()
        with self._lock:
            old = self._lsns.get(client)
            if old is None or old[0] < lsn:
                self._lsns[client] = (lsn, now)
            if len(self._lsns) > 10_000:
                self._lsns = {k: v for k, v in self._lsns.items() if now - v[1] < self.keep_s}

    def min_lsn(self, client: str | None) -> int:
        """The position a read of ``client`` must see (0: any replica will do)."""
        if not client:
            return 0
        found = self._lsns.get(client)
        if found is None or time.monotonic() - found[1] > self.keep_s:
            return 0
        return found[0]


@dataclass
class ReplicaState:
    """What the checker last learned about one replica."""

    url: str  # SQLAlchemy URL (psycopg driver)
    healthy: bool = False
    replay_lsn: int = 0
    lag_s: float = float("inf")
    error: str | None = None
    checked_at: float = 0.0
    conn: Any = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)


class ReplicaSet:
    """The configured replicas, their health and lag, checked by a background thread."""

    def __init__(
        self, primary_url: str, urls: list[str], *, max_lag_s: float = 5.0, check_s: float = 1.0
    ) -> None:
        self.primary = libpq(primary_url)
        self.replicas = [ReplicaState(sqlalchemy_url(u)) for u in urls]
        self.max_lag_s = max_lag_s
        self.check_s = check_s
        self._samples: deque[tuple[float, int]] = deque(maxlen=4096)
        self._primary_conn: psycopg.Connection[Any] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._turn = itertools.count()
        #: reads served per target (``PRIMARY`` or a replica URL): for tests and benchmarks
        self.served: dict[str, int] = {}

    # -- choosing ------------------------------------------------------------------------
    def pick(self, min_lsn: int = 0) -> str:
        """A healthy replica that has replayed ``min_lsn`` (round robin), else ``PRIMARY``."""
        usable = [r for r in self.replicas if r.healthy and r.replay_lsn >= min_lsn]
        if not usable:
            return PRIMARY
        return usable[next(self._turn) % len(usable)].url

    def mark_down(self, url: str, reason: str) -> None:
        """A request found the replica broken: no reads until the checker sees it well."""
        for replica in self.replicas:
            if replica.url == url and replica.healthy:
                replica.healthy = False
                replica.error = reason
                log.warning("replica %s skipped: %s", replica.name, reason)

    # -- checking ------------------------------------------------------------------------
    def start(self) -> None:
        """Check once now (so the first requests already use the replicas), then each
        ``check_s`` in a daemon thread."""
        self.check()
        self._thread = threading.Thread(target=self._loop, name="karte-replicas", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        for conn in [self._primary_conn, *(r.conn for r in self.replicas)]:
            if conn is not None:
                conn.close()

    def _loop(self) -> None:
        while not self._stop.wait(self.check_s):
            try:
                self.check()
            except Exception:  # the checker must survive anything
                log.exception("replica check failed")

    def check(self) -> None:
        now = time.monotonic()
        primary_lsn = self._primary_lsn()
        if primary_lsn is not None:
            self._samples.append((now, primary_lsn))
        for replica in self.replicas:
            self._check_replica(replica, now)

    def _primary_lsn(self) -> int | None:
        try:
            if self._primary_conn is None or self._primary_conn.closed:
                self._primary_conn = _connect(self.primary)
            row = self._primary_conn.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()
            return parse_lsn(row[0]) if row else None
        except psycopg.Error:
            if self._primary_conn is not None:
                self._primary_conn.close()
            self._primary_conn = None
            return None

    def _check_replica(self, replica: ReplicaState, now: float) -> None:
        try:
            if replica.conn is None or replica.conn.closed:
                replica.conn = _connect(libpq(replica.url))
            row = replica.conn.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text"
            ).fetchone()
        except psycopg.Error as exc:
            if replica.conn is not None:
                replica.conn.close()
            replica.conn = None
            replica.healthy, replica.error = False, _first_line(exc)
            replica.checked_at = now
            return
        assert row is not None
        in_recovery, replay = bool(row[0]), parse_lsn(row[1])
        behind = [t for t, lsn in self._samples if lsn > replay]
        replica.replay_lsn = replay
        replica.lag_s = now - behind[0] if behind else 0.0
        replica.checked_at = now
        if not in_recovery:
            replica.healthy, replica.error = False, "not a standby (promoted?)"
        elif replica.lag_s > self.max_lag_s:
            replica.healthy, replica.error = False, f"lags {replica.lag_s:.1f} s"
        else:
            if not replica.healthy:
                log.info("replica %s serves reads (lag %.1f s)", replica.name, replica.lag_s)
            replica.healthy, replica.error = True, None

    def status(self) -> list[dict[str, Any]]:
        return [
            {"replica": r.name, "healthy": r.healthy, "lag_s": r.lag_s, "error": r.error}
            for r in self.replicas
        ]


def _connect(conninfo: str) -> psycopg.Connection[Any]:
    return psycopg.connect(
        conninfo, autocommit=True, connect_timeout=2, application_name="karte-replica-check"
    )


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@dataclass
class Route:
    """Where the reads of one request may go; decided once, at the first read.

    ``replica_ok``: the request is a read of a public kind (tiles, OGC, maps, figures,
    exports). ``min_lsn``: what the client wrote last (0: nothing recently).
    """

    replica_ok: bool = False
    min_lsn: int = 0
    target: str | None = None
    #: a replica failed while this request used it (the request is retried on the primary)
    replica_failed: bool = False

    @property
    def used_replica(self) -> bool:
        return bool(self.target) or self.replica_failed

    def target_in(self, replicas: ReplicaSet | None) -> str:
        if self.target is None:
            ok = self.replica_ok and replicas is not None and not self.replica_failed
            self.target = replicas.pick(self.min_lsn) if ok and replicas else PRIMARY
        return self.target

    def failed(self, replicas: ReplicaSet | None, reason: str) -> None:
        if self.target and replicas is not None:
            replicas.mark_down(self.target, reason)
        self.replica_failed = True


#: The route of the request being served; None outside a request (CLI, jobs): the primary.
ROUTE: ContextVar[Route | None] = ContextVar("karte_route", default=None)


def current_target(replicas: ReplicaSet | None) -> str:
    route = ROUTE.get()
    return route.target_in(replicas) if route is not None else PRIMARY
