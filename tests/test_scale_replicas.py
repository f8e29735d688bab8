"""Reads on a real streaming replica of the session's PostGIS (issue 16).

A hot standby of the test cluster is made with ``pg_basebackup -R`` in a temp folder and a
second app is served that reads from it. The replica's replay is paused where a test needs
it to be behind (``pg_wal_replay_pause()``): then what a request sees tells which server
answered — the primary has the new row, the replica does not yet.
"""

from __future__ import annotations

import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import mapbox_vector_tile
import morecantile
import psycopg
import pytest
from sqlalchemy import Engine, text

from mapservice.config import Settings
from mapservice.db.cluster import Cluster
from mapservice.db.replica_cluster import create_replica
from tests.capture_fixtures import Team, observation_body
from tests.conftest import FAST, LiveServer, make_temp_dir

TMS = morecantile.tms.get("WebMercatorQuad")
#: A corner of the capture tests' Frankfurt square that no other module writes to.
SPOT = (8.6812, 50.1108)
MAX_LAG_S = 1.5


@pytest.fixture(scope="module")
def replica(pg_cluster: Cluster, database_url: str, team: Team) -> Iterator[Cluster]:
    """A hot standby of the session cluster (after the Frankfurt quarter exists)."""
    base = make_temp_dir("karte-replica-")
    standby = create_replica(pg_cluster, base / "pg-replica1", options=FAST)
    standby.start()
    yield standby
    standby.stop()
    shutil.rmtree(base, ignore_errors=True)


def replica_url(replica: Cluster) -> str:
    return replica.url("karte_test")


def on_replica(replica: Cluster, sql: str) -> list[tuple[Any, ...]]:
    info = replica_url(replica).replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(info, autocommit=True, connect_timeout=5) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture(scope="module")
def server(settings: Settings, replica: Cluster) -> Iterator[LiveServer]:
    routed = settings.model_copy(
        update={
            "database_read_urls": [replica_url(replica)],
            "replica_max_lag_s": MAX_LAG_S,
            "replica_check_s": 0.2,
        }
    )
    with LiveServer(routed) as live:
        yield live


@pytest.fixture()
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


def runtime(server: LiveServer) -> Any:
    return server.server.config.app.state.tiles


def wait_for(check: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def replica_healthy(server: LiveServer) -> bool:
    return all(r.healthy for r in runtime(server).replicas.replicas)


@pytest.fixture()
def caught_up(server: LiveServer, replica: Cluster) -> Iterator[None]:
    """The replica replays and the app uses it; afterwards replay runs again."""
    on_replica(replica, "SELECT pg_wal_replay_resume()")
    wait_for(lambda: replica_healthy(server))
    yield
    if replica.status().running:  # the last test kills it
        on_replica(replica, "SELECT pg_wal_replay_resume()")


def insert_published(engine: Engine, title: str, where: tuple[float, float] = SPOT) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO observation (id, layer_id, kind, title, geom, status) VALUES "
                "(gen_random_uuid(), 'mobilitaet', 'idea', :t, "
                "ST_SetSRID(ST_MakePoint(:x, :y), 4326), 'published')"
            ),
            {"t": title, "x": where[0], "y": where[1]},
        )


def titles(http: httpx.Client, z: int = 17, where: tuple[float, float] = SPOT, **kw: Any) -> set:
    t = TMS.tile(*where, z)
    response = http.get(f"/tiles/mobilitaet/{t.z}/{t.x}/{t.y}.mvt", **kw)
    assert response.status_code in (200, 204), response.text
    if response.status_code == 204:
        return set()
    layer = mapbox_vector_tile.decode(response.content).get("mobilitaet", {"features": []})
    return {f["properties"].get("title") for f in layer["features"]}


def test_public_reads_are_answered_by_the_replica(
    client: httpx.Client, server: LiveServer, replica: Cluster, engine: Engine, caught_up: None
) -> None:
    before = f"Vor der Pause {uuid.uuid4().hex[:6]}"
    insert_published(engine, before)
    wait_for(lambda: before in titles(client))  # replayed and served
    on_replica(replica, "SELECT pg_wal_replay_pause()")
    wait_for(
        lambda: on_replica(replica, "SELECT pg_get_wal_replay_pause_state()")[0][0] == "paused"
    )
    after = f"Während der Pause {uuid.uuid4().hex[:6]}"
    insert_published(engine, after)
    seen = titles(client, z=18)  # a tile not cached yet: a query, on the replica
    assert before in seen and after not in seen
    # the replica's tile connections ran the tile query; the app named them
    rows = on_replica(
        replica,
        "SELECT application_name, query FROM pg_stat_activity "
        "WHERE application_name LIKE 'karte-tiles-r%'",
    )
    assert rows and any("WITH hit AS" in (q or "") for _, q in rows), rows  # tile SQL
    items = client.get(
        "/ogc/collections/mobilitaet/items", params={"bbox": f"{SPOT[0] - 1e-4},"
        f"{SPOT[1] - 1e-4},{SPOT[0] + 1e-4},{SPOT[1] + 1e-4}", "limit": 100}
    )  # fmt: skip
    assert items.status_code == 200
    item_titles = {f["properties"].get("title") for f in items.json()["features"]}
    assert before in item_titles and after not in item_titles


def test_lag_beyond_the_bound_routes_to_the_primary(
    client: httpx.Client, server: LiveServer, replica: Cluster, engine: Engine, caught_up: None
) -> None:
    on_replica(replica, "SELECT pg_wal_replay_pause()")
    title = f"Hinter der Grenze {uuid.uuid4().hex[:6]}"
    insert_published(engine, title)
    started = time.monotonic()
    wait_for(lambda: not replica_healthy(server), timeout=MAX_LAG_S + 5)
    skipped_after = time.monotonic() - started
    print(f"\nreplica paused: skipped {skipped_after:.2f} s after the write (bound {MAX_LAG_S} s)")
    assert skipped_after >= MAX_LAG_S - 0.3
    assert title in titles(client, z=16)  # the primary answers
    on_replica(replica, "SELECT pg_wal_replay_resume()")
    wait_for(lambda: replica_healthy(server))  # back once it caught up


def test_a_field_client_sees_its_own_write_at_once(
    client: httpx.Client, server: LiveServer, replica: Cluster, team: Team, caught_up: None
) -> None:
    on_replica(replica, "SELECT pg_wal_replay_pause()")
    spot = (SPOT[0] + 0.0004, SPOT[1] + 0.0003)
    body = observation_body(
        title=f"Eigene Beobachtung {uuid.uuid4().hex[:6]}",
        geometry={"type": "Point", "coordinates": list(spot)},
    )
    created = client.post("/api/observations", json=body, headers=Team.auth(team.field))
    assert created.status_code == 201, created.text
    assert replica_healthy(server)  # the replica is still in use …
    # … but not for this client: its draft comes from the primary, in a tile and in items
    assert body["title"] in titles(client, z=17, where=spot, headers=Team.auth(team.field))
    items = client.get(
        "/ogc/collections/mobilitaet/items",
        params={"bbox": f"{spot[0] - 1e-4},{spot[1] - 1e-4},{spot[0] + 1e-4},{spot[1] + 1e-4}"},
        headers=Team.auth(team.field),
    )
    assert body["title"] in {f["properties"].get("title") for f in items.json()["features"]}
    # a planner who wrote nothing reads from the replica, which has not replayed it yet
    assert body["title"] not in titles(client, z=17, where=spot, headers=Team.auth(team.planner))
    on_replica(replica, "SELECT pg_wal_replay_resume()")
    wait_for(
        lambda: body["title"] in titles(client, z=17, where=spot, headers=Team.auth(team.planner))
    )


def test_a_replica_stopped_under_load_causes_no_error(
    client: httpx.Client, server: LiveServer, replica: Cluster, caught_up: None
) -> None:
    """Last in the module: the replica is killed (SIGKILL, in-flight queries die)."""
    statuses: list[int] = []
    errors: list[str] = []
    stop = threading.Event()
    killed_at: list[float] = []
    after_kill = [0]

    def hammer(seed: int) -> None:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            n = 0
            while not stop.is_set():
                n += 1
                z = 14 + (n + seed) % 5
                t = TMS.tile(SPOT[0] + (n % 7) * 1e-3, SPOT[1] + (seed % 3) * 1e-3, z)
                try:
                    if n % 4 == 0:
                        r = http.get("/ogc/collections/mobilitaet/items", params={"limit": 5})
                    else:
                        r = http.get(f"/tiles/mobilitaet/{t.z}/{t.x}/{t.y}.mvt")
                except httpx.HTTPError as exc:
                    errors.append(repr(exc))
                    continue
                statuses.append(r.status_code)
                if killed_at:
                    after_kill[0] += 1

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(4)]
    for th in threads:
        th.start()
    time.sleep(1.5)
    replica.kill()
    killed_at.append(time.monotonic())
    time.sleep(2.5)
    stop.set()
    for th in threads:
        th.join(timeout=30)
    bad = [s for s in statuses if s >= 500]
    print(f"\n{len(statuses)} requests, {after_kill[0]} after the kill, 5xx: {len(bad)}")
    assert not errors and not bad, (errors[:3], bad[:3])
    assert after_kill[0] > 10
    assert not replica_healthy(server)
