"""Writes announced to every process: ``NOTIFY karte_changes`` on the primary, one listener
thread per process.

Why: a process must learn of writes made through any other worker or server — for the
read-your-writes positions of clients (``replicas.WriteLog``) and for the layer versions
behind its tile LRU and memoised counts. Each successful write request publishes
``'<client> <lsn>'`` after its commit (``publish``); the listener records the position and
re-reads all layer versions. Notifications are lost while the listener is disconnected and
LISTEN does not work on a standby, so the listener connects to the primary, reconnects
after a failure and then re-reads everything; it also re-reads every ``check_s`` so writes
that bypass the web service (the CLI, ``psql``) are seen within that bound too.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg

from mapservice.db.replicas import WriteLog, parse_lsn

log = logging.getLogger(__name__)

CHANNEL = "karte_changes"
#: After a write commits: its position, announced with the client it belongs to.
PUBLISH_SQL = (
    "SELECT lsn::text, pg_notify('karte_changes', %(client)s || ' ' || lsn::text) "
    "FROM pg_current_wal_insert_lsn() AS lsn"
)

Reader = Callable[[psycopg.Connection[Any]], dict[str, str]]


class ChangeListener:
    """LISTEN on the primary in a daemon thread; ``versions`` is current while ``live``."""

    def __init__(
        self, conninfo: str, read_versions: Reader, writes: WriteLog, *, check_s: float = 1.0
    ) -> None:
        self.conninfo = conninfo
        self.read_versions = read_versions
        self.writes = writes
        self.check_s = check_s
        self.versions: dict[str, str] = {}
        self.read_at = 0.0  # monotonic time of the last successful read of all versions
        self.notified = 0
        self.reconnects = 0
        self._connected = False
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="karte-changes", daemon=True)

    @property
    def live(self) -> bool:
        """Connected and read recently: ``versions`` is at most ~``check_s`` behind."""
        return self._connected and time.monotonic() - self.read_at < 2 * self.check_s + 1

    def start(self, wait_s: float = 5.0) -> None:
        self._thread.start()
        self._ready.wait(wait_s)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(
                    self.conninfo,
                    autocommit=True,
                    connect_timeout=3,
                    application_name="karte-changes",
                ) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._reread(conn)  # whatever was missed while disconnected
                    self._connected = True
                    self._ready.set()
                    self._listen(conn)
            except psycopg.Error as exc:
                log.info("change listener reconnects: %s", str(exc).strip()[:200])
            finally:
                self._connected = False
            if not self._stop.is_set():
                self.reconnects += 1
                self._stop.wait(0.25)

    def _listen(self, conn: psycopg.Connection[Any]) -> None:
        while not self._stop.is_set():
            changed = False
            for note in conn.notifies(timeout=self.check_s, stop_after=1):
                changed = True
                self._note(note.payload)
            if changed:  # take whatever else arrived meanwhile before reading once
                for note in conn.notifies(timeout=0.0):
                    self._note(note.payload)
            self._reread(conn)

    def _note(self, payload: str) -> None:
        self.notified += 1
        client, _, lsn = payload.partition(" ")
        if client and client != "-" and lsn:
            self.writes.record(client, parse_lsn(lsn))

    def _reread(self, conn: psycopg.Connection[Any]) -> None:
        self.versions = self.read_versions(conn)  # one reference swap: readers never see half
        self.read_at = time.monotonic()


async def publish(conn: psycopg.AsyncConnection[Any], client: str | None) -> int:
    """Announce a committed write on ``conn`` (the primary); returns its position."""
    cur = await conn.execute(PUBLISH_SQL, {"client": client or "-"}, prepare=False)
    row = await cur.fetchone()
    return parse_lsn(row[0]) if row else 0
