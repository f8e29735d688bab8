"""Two ``karte serve`` processes on one database: a write through one is in the other's
tiles within a second (issue 16, cache coherence across workers and servers).

Both ways a process can learn the layers' data versions are checked: ``query`` (read per
request) and ``notify`` (the process's change listener, LISTEN on the primary, fed by the
other process's publish after its commit).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import mapbox_vector_tile
import morecantile
import pytest
from sqlalchemy import Engine, text

from mapservice.config import REPO_ROOT
from mapservice.db.cluster import free_port
from tests.capture_fixtures import Team, observation_body

TMS = morecantile.tms.get("WebMercatorQuad")
SPOT = (8.6905, 50.1178)  # a corner of the capture tests' Frankfurt square


class Serve:
    """``karte serve`` in a subprocess on a free port."""

    def __init__(self, database_url: str, data_dir: Path, versions_from: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO_ROOT),
            "KARTE_DATABASE_URL": database_url,
            "KARTE_DATA_DIR": str(data_dir),
            "KARTE_PORT": str(self.port),
            "KARTE_LOG_LEVEL": "WARNING",
            "KARTE_TILES_VERSIONS_FROM": versions_from,
        }
        env.pop("KARTE_DATABASE_READ_URLS", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mapservice.cli", "serve"],
            env=env,
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(self.proc.stderr.read().decode()[-2000:])  # type: ignore[union-attr]
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("karte serve did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(params=["query", "notify"])
def two_servers(request: pytest.FixtureRequest, database_url: str, data_dir: Path,
                team: Team) -> Iterator[tuple[str, str, str]]:  # fmt: skip
    servers = [Serve(database_url, data_dir, request.param) for _ in range(2)]
    try:
        for server in servers:
            server.wait()
        yield servers[0].url, servers[1].url, request.param
    finally:
        for server in servers:
            server.stop()


def titles(http: httpx.Client, token: str, where: tuple[float, float]) -> set[str]:
    t = TMS.tile(*where, 17)
    response = http.get(f"/tiles/mobilitaet/{t.z}/{t.x}/{t.y}.mvt", headers=Team.auth(token))
    assert response.status_code in (200, 204), response.text
    if response.status_code == 204:
        return set()
    layer = mapbox_vector_tile.decode(response.content).get("mobilitaet", {"features": []})
    return {f["properties"].get("title") for f in layer["features"]}


def test_a_write_through_one_server_is_in_the_other_servers_tile_within_a_second(
    two_servers: tuple[str, str, str], team: Team
) -> None:
    url_a, url_b, mode = two_servers
    with (
        httpx.Client(base_url=url_a, timeout=30) as a,
        httpx.Client(base_url=url_b, timeout=30) as b,
    ):
        delays = []
        for round_ in range(3):
            spot = (SPOT[0] - round_ * 2e-4, SPOT[1])
            title = f"Über A {uuid.uuid4().hex[:6]}"
            seen = titles(b, team.planner, spot)  # B renders and caches the tile
            assert title not in seen and titles(b, team.planner, spot) == seen  # a cache hit
            body = observation_body(
                title=title, geometry={"type": "Point", "coordinates": list(spot)}
            )
            created = a.post("/api/observations", json=body, headers=Team.auth(team.field))
            assert created.status_code == 201, created.text
            written = time.monotonic()
            while title not in titles(b, team.planner, spot):
                assert time.monotonic() - written < 5, "B never served the new tile"
                time.sleep(0.01)
            delays.append(time.monotonic() - written)
    print(f"\n[{mode}] write via A → new tile from B after "
          + ", ".join(f"{d * 1000:.0f} ms" for d in delays))  # fmt: skip
    assert max(delays) < 1.0


def test_the_listener_reconnects_and_rereads_what_it_missed(engine: Engine, team: Team) -> None:
    """Notifications sent while the listener is away are lost: after a reconnect it reads
    all versions again. Its periodic re-read is set long here, so only the reconnect can
    bring the write in time."""
    from mapservice.tiles.runtime import open_runtime
    from mapservice.tiles.settings import TileSettings

    async def scenario() -> tuple[float, int]:
        rt = await open_runtime(engine, TileSettings(versions_from="notify"), check_s=30)
        try:
            listener = rt.listener
            assert listener is not None and listener.live
            before = listener.versions.get("mobilitaet")
            with engine.begin() as conn:
                conn.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = 'karte-changes' AND pid <> pg_backend_pid()"
                ))  # fmt: skip
                conn.execute(
                    text(
                        "INSERT INTO observation (id, layer_id, kind, title, geom, status) "
                        "VALUES (gen_random_uuid(), 'mobilitaet', 'idea', 'Verpasst', "
                        "ST_SetSRID(ST_MakePoint(:x, :y), 4326), 'published')"
                    ),
                    {"x": SPOT[0] - 0.001, "y": SPOT[1] - 0.001},
                )
            written = time.monotonic()
            while listener.versions.get("mobilitaet") == before:
                assert time.monotonic() - written < 10, "the listener never caught up"
                await asyncio.sleep(0.01)
            return time.monotonic() - written, listener.reconnects
        finally:
            await rt.close()

    delay, reconnects = asyncio.run(scenario())
    print(f"\nlistener cut off: version seen again after {delay * 1000:.0f} ms")
    assert reconnects >= 1 and delay < 2.0


def test_a_write_outside_the_service_is_announced_by_the_database(engine: Engine) -> None:
    """A write straight into PostgreSQL (as ``karte import`` or psql do) reaches the listener
    through the trigger on layer_version (migration 0014), not only at its periodic re-read
    (set to 30 s here, so only the notification can bring it in time)."""
    from mapservice.tiles.runtime import open_runtime
    from mapservice.tiles.settings import TileSettings

    async def scenario() -> tuple[float, int]:
        rt = await open_runtime(engine, TileSettings(versions_from="notify"), check_s=30)
        try:
            listener = rt.listener
            assert listener is not None and listener.live
            before, notified = listener.versions.get("mobilitaet"), listener.notified
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO observation (id, layer_id, kind, title, geom, status) "
                        "VALUES (gen_random_uuid(), 'mobilitaet', 'idea', 'Von außen', "
                        "ST_SetSRID(ST_MakePoint(:x, :y), 4326), 'published')"
                    ),
                    {"x": SPOT[0] - 0.002, "y": SPOT[1] - 0.002},
                )
            written = time.monotonic()
            while listener.versions.get("mobilitaet") == before:
                assert time.monotonic() - written < 5, "no notification from the database"
                await asyncio.sleep(0.005)
            return time.monotonic() - written, listener.notified - notified
        finally:
            await rt.close()

    delay, notes = asyncio.run(scenario())
    print(f"\nwrite outside the service: version seen after {delay * 1000:.0f} ms")
    assert notes >= 1 and delay < 1.0
