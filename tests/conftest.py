"""Test session: a throw-away PostGIS cluster, a migrated database, the app on a real port.

Nothing here touches a database server that happens to run on the machine: the cluster lives
in a temporary folder and listens on its own free port.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine, text

from mapservice.api.app import create_app
from mapservice.config import Settings
from mapservice.db.cluster import Cluster, free_port
from mapservice.db.engine import ensure_database, ensure_postgis, make_engine
from mapservice.db.migrate import upgrade

pytest_plugins = ["tests.capture_fixtures"]

FAST = ("-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off")


def make_temp_dir(prefix: str) -> Path:
    """A folder the unprivileged ``postgres`` user can reach when the tests run as root."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    path.chmod(0o755)
    return path


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    base = make_temp_dir("karte-test-")
    cluster = Cluster(base / "pg", options=FAST)
    cluster.start()
    yield cluster
    cluster.stop()
    shutil.rmtree(base, ignore_errors=True)


def fresh_database(cluster: Cluster, name: str) -> str:
    ensure_database(cluster.url("postgres"), name)
    url = cluster.url(name)
    ensure_postgis(url)
    return url


@pytest.fixture(scope="session")
def database_url(pg_cluster: Cluster) -> str:
    url = fresh_database(pg_cluster, "karte_test")
    upgrade(make_engine(url))
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Engine:
    return make_engine(database_url)


@pytest.fixture(scope="session")
def data_dir() -> Iterator[Path]:
    path = make_temp_dir("karte-data-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def settings(database_url: str, data_dir: Path) -> Settings:
    return Settings(database_url=database_url, data_dir=data_dir)


class LiveServer:
    """The real app under uvicorn in a background thread, reached over real HTTP."""

    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(settings) as server:
        yield server


@pytest.fixture()
def http(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        yield client


def count(engine: Engine, table: str, where: str = "true") -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table} WHERE {where}")).scalar_one())


@pytest.fixture(scope="session")
def demo_loaded(engine: Engine, settings: Settings) -> dict[str, int]:
    """The synthetic demo (three quarters) in the session database, loaded once."""
    from mapservice.capture.demo import load_demo

    return load_demo(engine, settings)
