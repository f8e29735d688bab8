"""Streaming replicas of the embedded cluster: ``karte db start --replicas N``.

Why: read scaling (``mapservice.db.replicas``) must be something a ``make run`` user can try
and the tests can exercise against real servers, not a setting only production has. A
replica is a ``pg_basebackup -R`` copy of the primary in its own folder beside it
(``var/pg-replica1``), started as a hot standby on its own port, which is kept beside the
folder like the primary's (``var/pg-replica1.port``). The primary needs nothing special:
PostgreSQL 15 defaults to ``wal_level=replica`` and ``max_wal_senders=10``, and the
``pg_hba.conf`` that initdb writes trusts replication connections from 127.0.0.1.

No replication slot: a slot keeps WAL on the primary forever once its replica is deleted,
which on a laptop fills the disk; a replica that fell too far behind is rebuilt instead
(``rebuild``: delete its folder, start again).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mapservice.db.cluster import SUPERUSER, Cluster, find_bindir
from mapservice.errors import DatabaseError


def replica_dir(primary_dir: Path, number: int) -> Path:
    """``var/pg`` → ``var/pg-replica1`` …"""
    primary_dir = Path(primary_dir).absolute()
    return primary_dir.parent / f"{primary_dir.name}-replica{number}"


def replicas_of(primary_dir: Path) -> list[Cluster]:
    """The replica folders that exist beside the primary, in number order."""
    found: list[Cluster] = []
    number = 1
    while replica_dir(primary_dir, number).exists():
        found.append(Cluster(replica_dir(primary_dir, number)))
        number += 1
    return found


def create_replica(primary: Cluster, directory: Path, options: tuple[str, ...] = ()) -> Cluster:
    """Copy the running ``primary`` into ``directory`` with ``pg_basebackup -R`` (once).

    ``-R`` writes ``standby.signal`` and ``primary_conninfo``, so the copy starts as a
    standby streaming from the primary; ``-X stream`` copies the WAL written meanwhile, so
    the copy is consistent on its own. A folder that already holds a cluster is kept.
    """
    replica = Cluster(directory, options=options)
    if replica.initialised:
        return replica
    status = primary.status()
    if not status.running or not status.port:
        raise DatabaseError(
            "Für ein Replikat muss die eingebettete Datenbank laufen ('karte db start').",
            "A replica needs the embedded database running ('karte db start').",
            code="database_not_running",
        )
    with replica.locked():
        if replica.directory.exists():
            shutil.rmtree(replica.directory)  # a half-made copy of an earlier attempt
        replica.directory.mkdir(parents=True)
        replica._hand_to_service_user()
        result = replica._run(
            str(find_bindir() / "pg_basebackup"),
            "-D",
            str(replica.directory),
            "-h",
            "127.0.0.1",
            "-p",
            str(status.port),
            "-U",
            SUPERUSER,
            "-R",
            "-X",
            "stream",
            "--checkpoint=fast",
            "--no-sync",
            timeout=600,
        )
        if result.returncode != 0:
            shutil.rmtree(replica.directory, ignore_errors=True)
            raise DatabaseError(
                f"pg_basebackup ist fehlgeschlagen: {result.stderr.strip()[-600:]}",
                f"pg_basebackup failed: {result.stderr.strip()[-600:]}",
                code="basebackup_failed",
            )
        # The copy must not inherit the primary's log or pid file.
        for name in ("server.log", "postmaster.pid", "postmaster.opts"):
            (replica.directory / name).unlink(missing_ok=True)
    return replica


def start_replicas(
    primary: Cluster, count: int, options: tuple[str, ...] = ()
) -> list[tuple[Cluster, int]]:
    """Make (first time) and start replicas 1..count of ``primary``; their ports."""
    started = []
    for number in range(1, count + 1):
        replica = create_replica(primary, replica_dir(primary.directory, number), options)
        started.append((replica, replica.start()))
    return started


def running_replica_urls(primary_dir: Path, database: str) -> list[str]:
    """URLs of the embedded replicas that run now (the read URLs of an embedded setup)."""
    urls = []
    for replica in replicas_of(primary_dir):
        status = replica.status()
        if status.running:
            urls.append(f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{status.port}/{database}")
    return urls
