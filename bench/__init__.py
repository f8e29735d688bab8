"""Benchmarks with their targets (not timed tests). ``python -m bench`` runs them all.

Each ``bench/bench_*.py`` is a module with a ``main()`` that prints one line per figure with
its target. Benchmarks that need a database start a throw-away PostGIS cluster of their own
(:func:`throwaway_database`), as the tests do, and never touch a server already running here.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from mapservice.db.cluster import Cluster
from mapservice.db.engine import ensure_database, ensure_postgis, make_engine
from mapservice.db.migrate import upgrade


@contextmanager
def throwaway_database(options: Sequence[str] = ()) -> Iterator[tuple[Engine, str, Path]]:
    """A migrated database in a fresh cluster in a temporary folder: (engine, url, folder).

    Without ``options`` the server runs with PostgreSQL's defaults (fsync on), i.e. as the
    embedded cluster of ``karte serve`` does — figures then mean what a user will see.
    """
    base = Path(tempfile.mkdtemp(prefix="karte-bench-", dir="/tmp"))
    base.chmod(0o755)  # reachable by the postgres user when run as root
    cluster = Cluster(base / "pg", options=tuple(options))
    try:
        cluster.start()
        ensure_database(cluster.url("postgres"), "karte_bench")
        url = cluster.url("karte_bench")
        ensure_postgis(url)
        engine = make_engine(url)
        upgrade(engine)
        yield engine, url, base
        engine.dispose()
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


def add_box_quarter(conn: Connection, box: tuple[float, float, float, float]) -> None:
    """The quarter 'bench': a plain rectangle, enough for the write benchmarks' rows to
    fall inside a quarter (the trigger that derives an observation's quarter needs one)."""
    x0, y0, x1, y1 = box
    conn.execute(
        text(
            "INSERT INTO quarter (slug, name, city, boundary) VALUES ('bench', 'Bench', "
            "'Bochum', ST_Multi(ST_MakeEnvelope(:a, :b, :c, :d, 4326)))"
        ),
        {"a": x0, "b": y0, "c": x1, "d": y1},
    )


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"
