"""The embedded cluster comes back on the port it had: kept in ``pg.port`` beside it."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from mapservice.db.cluster import Cluster, free_port
from mapservice.errors import DatabaseError
from tests.conftest import FAST, make_temp_dir
from tests.test_cli import assert_readable_failure, karte


@pytest.fixture()
def base() -> Iterator[Path]:
    path = make_temp_dir("karte-port-")
    yield path
    Cluster(path / "pg").stop()
    shutil.rmtree(path, ignore_errors=True)


def _answers(cluster: Cluster) -> int:
    url = cluster.url("postgres").replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, connect_timeout=5) as conn:
        return int(conn.execute("SELECT current_setting('port')::int").fetchone()[0])


def test_stop_start_and_crash_start_keep_the_port(base: Path) -> None:
    cluster = Cluster(base / "pg", options=FAST)
    port = cluster.start()
    assert cluster.port_file == base / "pg.port"
    assert cluster.port_file.read_text().strip() == str(port)

    cluster.stop()
    # A new Cluster object (as a new `karte db start` process builds) reads the kept port.
    assert Cluster(base / "pg", options=FAST).start() == port
    assert _answers(cluster) == port

    cluster.kill()
    assert Cluster(base / "pg", options=FAST).start() == port
    assert _answers(cluster) == port


def test_explicit_port_wins_and_is_kept(base: Path) -> None:
    Cluster(base / "pg", options=FAST).start()
    Cluster(base / "pg").stop()
    chosen = free_port()
    assert Cluster(base / "pg", port=chosen, options=FAST).start() == chosen
    Cluster(base / "pg").stop()
    assert Cluster(base / "pg", options=FAST).start() == chosen, "the explicit port is kept"


def test_a_taken_port_is_named_not_silently_changed(base: Path) -> None:
    cluster = Cluster(base / "pg", options=FAST)
    port = cluster.start()
    cluster.stop()
    squatter = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    squatter.bind(("127.0.0.1", port))
    squatter.listen()
    try:
        with pytest.raises(DatabaseError) as info:
            cluster.start()
        assert info.value.code == "port_taken"
        assert str(port) in info.value.message_de and str(port) in info.value.message_en
        assert str(cluster.port_file) in info.value.message_de
        assert "KARTE_PG_PORT" in info.value.message_en
        assert not cluster.status().running
        assert cluster.port_file.read_text().strip() == str(port), "the kept port stays"

        status = karte("db", "status", KARTE_DATA_DIR=str(base))
        assert status.returncode == 3
        assert f"startet wieder auf Port {port}" in " ".join(status.stdout.split())
        # The CLI says the same in one paragraph, German and English, exit status 1.
        result = karte("db", "start", KARTE_DATA_DIR=str(base))
        assert_readable_failure(result, f"Port {port}", "belegt", "taken by another program")
    finally:
        squatter.close()
    assert cluster.start() == port, "once the port is free again, the cluster takes it back"
