"""The embedded cluster: first start, stop, restart after a crash keeps the data, locking."""

from __future__ import annotations

import shutil
import threading

import psycopg
import pytest

from mapservice.db.cluster import Cluster
from mapservice.db.engine import ensure_database, ensure_postgis
from mapservice.errors import DatabaseError
from tests.conftest import FAST, make_temp_dir


def _libpq(cluster: Cluster, db: str = "postgres") -> str:
    return cluster.url(db).replace("postgresql+psycopg://", "postgresql://")


def test_cluster_lifecycle_survives_a_crash_with_its_data() -> None:
    base = make_temp_dir("karte-cluster-")
    cluster = Cluster(base / "pg", options=FAST)
    try:
        assert not cluster.status().initialised
        port = cluster.start()
        status = cluster.status()
        assert status.initialised and status.running and status.port == port
        ensure_database(cluster.url("postgres"), "karte")
        assert ensure_postgis(cluster.url()).startswith("3.")
        with psycopg.connect(_libpq(cluster, "karte"), autocommit=True) as conn:
            conn.execute("CREATE TABLE kept (n int)")
            conn.execute("INSERT INTO kept VALUES (42)")

        assert cluster.start() == port, "a second start of a running cluster is a no-op"
        assert cluster.stop() is True
        assert not cluster.status().running
        assert cluster.stop() is False

        cluster.start()
        cluster.kill()  # simulated crash: postmaster.pid stays behind
        assert cluster.pid_file.exists()
        assert not cluster.status().running
        cluster.start()
        with psycopg.connect(_libpq(cluster, "karte")) as conn:
            assert conn.execute("SELECT n FROM kept").fetchone() == (42,)
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


def test_two_processes_starting_at_once_share_one_server() -> None:
    base = make_temp_dir("karte-lock-")
    ports: list[int] = []
    try:
        clusters = [Cluster(base / "pg", options=FAST) for _ in range(3)]
        threads = [threading.Thread(target=lambda c=c: ports.append(c.start())) for c in clusters]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(ports) == 3 and len(set(ports)) == 1
        assert (base / "pg" / "PG_VERSION").read_text().strip().isdigit()
    finally:
        Cluster(base / "pg").stop()
        shutil.rmtree(base, ignore_errors=True)


def test_unwritable_data_folder_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(DatabaseError) as info:
        Cluster(blocker / "sub" / "pg").start()
    assert info.value.code == "data_dir_not_writable"
    assert "KARTE_DATA_DIR" in info.value.message_de


def test_url_of_stopped_cluster_says_how_to_start(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DatabaseError) as info:
        Cluster(tmp_path / "pg").url()
    assert "karte db start" in info.value.message_de
