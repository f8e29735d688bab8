"""Read replicas and cross-worker invalidation (issue 16).

    .venv/bin/python -m bench.bench_replicas                 # about 2 minutes
    .venv/bin/python -m bench.bench_replicas --seconds 5 --points 20000   # shorter

Sets up a throw-away primary in /tmp with the tile benchmark's data (``tiles_dataset``) and a
streaming replica of it (``pg_basebackup -R``, ``mapservice.db.replica_cluster``), then:

1. **Public tile throughput, one replica vs none**: ``karte serve --workers 2`` with the LRU
   off (every tile is a query) on the z14 + z16 tile lists, once reading from the primary,
   once with ``KARTE_DATABASE_READ_URLS`` = the replica. The share of transactions each
   server ran (``pg_stat_database.xact_commit``) shows where the reads went. On one machine
   the replica shares the same cores, so the figure shows the routing's cost, not the gain
   of a second host (which is where replicas pay: the primary's CPU goes to writes).
2. **Cross-worker invalidation delay**: two single-worker ``karte serve`` processes on the
   primary; a field write through A, then B is polled for the tile (as a planner, who sees
   drafts) until it holds the new entry — with the versions read per request (``query``)
   and from the change listener (``notify``).

Prints one line per figure with its target; exits 0 either way (a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg

from bench.tiles_dataset import LAYER_ID, load_dataset, tile_list, write_layers
from bench.tiles_load import Server, have_wrk, run_http
from mapservice.db.cluster import Cluster, free_port
from mapservice.db.engine import ensure_database, ensure_postgis, make_engine
from mapservice.db.migrate import upgrade
from mapservice.db.replica_cluster import create_replica

REPO = Path(__file__).resolve().parents[1]
FAST = ("-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off")


def libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def commits(url: str) -> int:
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    return int(row[0]) if row else 0


def serve(base: Path, name: str, env_extra: dict[str, str], workers: int, ready: str) -> Server:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KARTE_")}
    env.update(PYTHONPATH=str(REPO), KARTE_LOG_LEVEL="WARNING", **env_extra)
    port = free_port()
    cmd = [sys.executable, "-m", "mapservice.cli", "serve", "--workers", str(workers),
           "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    return Server(name, cmd, env, port, base, ready).start()


def throughput(args: argparse.Namespace, base: Path, url: str, replica_url: str) -> None:
    layers = write_layers(base / "layers", cluster_below_zoom=15)
    paths = [f"/tiles/{LAYER_ID}/{z}/{x}/{y}.mvt" for z in (14, 16) for z, x, y in tile_list(z)]
    common = {
        "KARTE_DATABASE_URL": url,
        "KARTE_LAYERS_DIR": str(layers),
        "KARTE_DATA_DIR": str(base / "data"),
        "KARTE_TILES_CACHE_BYTES": "0",
    }
    client = "wrk" if have_wrk() else "Python client (wrk missing: the client shares the cores)"
    print(f"tile list z14+z16: {len(paths)} tiles, LRU off, 16 connections, {client}")
    rates = {}
    for label, extra in (("none", {}), ("1 replica", {"KARTE_DATABASE_READ_URLS": replica_url})):
        server = serve(
            base, f"replicas-{len(rates)}", {**common, **extra}, 2,
            f"/tiles/{LAYER_ID}/tilejson.json",
        )  # fmt: skip
        try:
            run_http(server.base, paths, args.warmup, connections=16)
            before = commits(url), commits(replica_url)
            result = run_http(server.base, paths, args.seconds, connections=16)
            time.sleep(1.5)  # standbys and idle backends flush their statistics
            after = commits(url), commits(replica_url)
        finally:
            server.stop()
        on_primary, on_replica = after[0] - before[0], after[1] - before[1]
        share = on_replica / max(on_primary + on_replica, 1)
        rates[label] = result.rate
        print(
            f"public MVT, {label:<9} {result.rate:8.1f} tiles/s  p50 {result.p50_ms:7.1f} ms  "
            f"p99 {result.p99_ms:7.1f} ms  errors {result.errors}  "
            f"transactions: primary {on_primary}, replica {on_replica} ({share:.0%} replica)",
            flush=True,
        )
    ratio = rates["1 replica"] / rates["none"] if rates["none"] else 0
    verdict = "OK" if ratio >= 0.9 else "MISSED"
    print(
        f"replica / none: {ratio:.2f}×  (target on one shared machine ≥ 0.9×: routing costs "
        f"little; a replica on its own host adds its cores) {verdict}"
    )


def invalidation(args: argparse.Namespace, base: Path, url: str) -> None:
    from mapservice.access import create_account, create_token

    engine = make_engine(url)
    suffix = uuid.uuid4().hex[:6]
    with engine.begin() as conn:
        create_account(conn, f"feld-{suffix}", "field")
        create_account(conn, f"plan-{suffix}", "planner")
        field_token = create_token(conn, f"feld-{suffix}")
        planner_token = create_token(conn, f"plan-{suffix}")
        slug = conn.exec_driver_sql("SELECT slug FROM quarter ORDER BY id LIMIT 1").scalar()
        lon, lat = conn.exec_driver_sql(
            "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(boundary) AS c FROM quarter "
            "WHERE slug = %(s)s) q",
            {"s": slug},
        ).one()
    engine.dispose()
    layers = base / "layers"
    for mode in ("query", "notify"):
        env = {
            "KARTE_DATABASE_URL": url,
            "KARTE_LAYERS_DIR": str(layers),
            "KARTE_DATA_DIR": str(base / "data"),
            "KARTE_TILES_VERSIONS_FROM": mode,
        }
        a = serve(base, f"inval-a-{mode}", env, 1, "/health")
        b = serve(base, f"inval-b-{mode}", env, 1, "/health")
        delays = []
        try:
            with (
                httpx.Client(base_url=a.base, timeout=30) as ca,
                httpx.Client(base_url=b.base, timeout=30) as cb,
            ):
                for i in range(args.rounds):
                    point = (lon + (i % 10) * 3e-4, lat + (i // 10) * 3e-4)
                    z, x, y = 17, *_tile(point, 17)
                    path = f"/tiles/{LAYER_ID}/{z}/{x}/{y}.geojson"
                    auth = {"Authorization": f"Bearer {planner_token}"}
                    title = f"bench {uuid.uuid4().hex[:8]}"
                    cb.get(path, headers=auth)  # B caches the tile
                    body = {
                        "id": str(uuid.uuid4()), "layer": LAYER_ID, "kind": "idea",
                        "title": title, "geometry": {"type": "Point", "coordinates": point},
                        "observed_at": "2026-04-12T10:35:00+02:00",
                    }  # fmt: skip
                    made = ca.post(
                        "/api/observations",
                        json=body,
                        headers={"Authorization": f"Bearer {field_token}"},
                    )
                    if made.status_code != 201:
                        print(f"write refused: {made.status_code} {made.text[:300]}")
                        return
                    written = time.perf_counter()
                    while title not in cb.get(path, headers=auth).text:
                        if time.perf_counter() - written > 5:
                            break
                    delays.append(time.perf_counter() - written)
        finally:
            a.stop()
            b.stop()
        p50, worst = statistics.median(delays) * 1000, max(delays) * 1000
        verdict = "OK" if worst < 1000 else "MISSED"
        print(
            f"invalidation A→B [{mode:<6}] {len(delays)} writes: p50 {p50:6.1f} ms  max "
            f"{worst:6.1f} ms  (target < 1000 ms; includes B's own tile render) {verdict}",
            flush=True,
        )


def _tile(point: tuple[float, float], z: int) -> tuple[int, int]:
    from bench.tiles_dataset import lonlat_to_tile

    return lonlat_to_tile(point[0], point[1], z)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=50_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="karte-bench-replicas-", dir="/tmp"))
    base.chmod(0o755)
    primary = Cluster(base / "pg", options=FAST)
    replica = None
    try:
        primary.start()
        ensure_database(primary.url("postgres"), "bench")
        url = primary.url("bench")
        ensure_postgis(url)
        upgrade(make_engine(url))
        started = time.perf_counter()
        load_dataset(libpq(url), args.points, args.points // 40, args.points // 100)
        print(f"data: {args.points} points loaded in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        replica = create_replica(primary, base / "pg-replica1", options=FAST)
        replica.start()
        print(f"replica: pg_basebackup -R and start in {time.perf_counter() - started:.1f} s")
        replica_url = replica.url("bench")
        throughput(args, base, url, replica_url)
        invalidation(args, base, url)
    finally:
        if replica is not None:
            replica.stop()
        primary.stop()
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
