"""Tiles and items under load: our server against tipg and against the database alone.

    .venv/bin/python -m bench.bench_tiles [--seconds 10] [--no-tipg]

What it does (issue 4, section "Performance — bench/"), in one throw-away PostGIS cluster:

1. Generates the dataset (``bench.tiles_dataset``): 200,000 point observations clustered in
   12 quarters, 5,000 small areas, 2,000 walkthrough tracks; ANALYZE.
2. tipg (from PyPI, in its own venv under ``var/bench/tipg-venv``, made on first use) with 2
   uvicorn workers, restricted to the observation table and the four properties we serve
   (id, kind, rating, title), its default cap of 10,000 features per tile: MVT at z12, z14,
   z16 and items with bbox and limit 500.
3. The database ceiling: our raw-point MVT SQL as a plain prepared query over 2 psycopg
   connections, no HTTP.
4. Our server (``karte serve --workers 2``) with raw points and the same cap as tipg (the
   "identical output" comparison), cache off; items.
5. Our server as it ships (points clustered below z15, default cap), cache off ("cold"), MVT
   and GeoJSON; then with the LRU on, the same lists again ("warm"); resident memory of each
   worker.

Load: a fixed tile list around the quarters per zoom, 32 concurrent connections, wrk when it
is installed (``apt-get install wrk``), else an asyncio + httpx client (which on 2 cores is the
bottleneck itself — the output says so). Bodies are requested without Accept-Encoding, so
both servers send the same uncompressed bytes. Every figure is printed on one line with its
target; the process exits 0 whether targets are met or not (a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import httpx

from bench import throwaway_database
from bench.tiles_dataset import LAYER_ID, item_boxes, load_dataset, tile_list, write_layers
from bench.tiles_load import (
    CpuMeter,
    LoadResult,
    Server,
    StatementStats,
    have_wrk,
    run_db,
    run_http,
)
from mapservice.access import PUBLIC
from mapservice.catalog import load_catalog
from mapservice.catalog.model import DEFAULT_CLUSTER_BELOW_ZOOM
from mapservice.config import REPO_ROOT
from mapservice.db.cluster import free_port
from mapservice.tiles.grid import TileAddress
from mapservice.tiles.queries import tile_sql
from mapservice.tiles.runtime import Runtime
from mapservice.tiles.service import TileJob, _params
from mapservice.tiles.settings import TileSettings
from mapservice.tiles.sources import source_for

ZOOMS = (12, 14, 16)
#: tipg's default cap; our "identical output" run uses the same.
TIPG_CAP = 10_000
ITEMS_LIMIT = 500
CONNECTIONS = 32
TIPG_VENV = REPO_ROOT / "var" / "bench" / "tipg-venv"
TIPG_COLLECTION = "public.observation"
PROPERTIES = ("id", "kind", "rating", "title")
#: Reads do not need durability; the cluster loads faster without it. pg_stat_statements
#: tells how many database queries each request cost and how long they ran.
PG_OPTIONS = (
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
    "-c shared_preload_libraries=pg_stat_statements",
)
#: The same session settings as our tile pool (mapservice.tiles.runtime).
DB_OPTIONS = "-c jit=off -c max_parallel_workers_per_gather=0 -c TimeZone=UTC"

#: SQL LIKE patterns that pick the statements of one kind of request in pg_stat_statements.
OURS_MVT, OURS_GEOJSON, OURS_ITEMS = "%ST_AsMVT(f,%", "%ST_ClipByBox2D%", "%WITH page AS%"
TIPG_MVT, TIPG_ITEMS = "%ST_AsMVT(t.*%", '%"public"."observation"%'
VERSION_READS = "SELECT lv.layer_id%"  # mapservice.tiles.versions.VERSIONS_SQL


# -- reporting ---------------------------------------------------------------------------------


@dataclass
class Report:
    """Prints each figure as it is measured and keeps the verdicts for the summary."""

    verdicts: list[tuple[str, bool]] = field(default_factory=list)

    def note(self, text: str) -> None:
        print(text, flush=True)

    def figure(self, label: str, result: LoadResult, unit: str = "tiles/s", tail: str = "") -> None:
        """One line: rate, p50/p99, mean body, database queries per request and their time."""
        db = ""
        if result.db_calls_per_request is not None:
            db = f"  db {result.db_calls_per_request:4.2f} q/req"
            if result.db_mean_ms is not None:
                db += f" {result.db_mean_ms:6.1f} ms/q"
        if result.version_reads_per_request:
            db += f"  ver {result.version_reads_per_request:4.2f} q/req"
        cpu = ""
        if result.cpu_ours is not None and result.cpu_other is not None:
            cpu = f"  cpu {result.cpu_ours:3.1f}+{result.cpu_other:3.1f}"
        err = f"  ERRORS {result.errors} {result.statuses}" if result.errors else ""
        print(
            f"{label:<30}{result.rate:8.1f} {unit:<7} p50 {result.p50_ms:6.1f} ms"
            f"  p99 {result.p99_ms:7.1f} ms  mean {result.mean_bytes / 1024:6.1f} KB"
            f"{db}{cpu}{err}{'  | ' + tail if tail else ''}",
            flush=True,
        )

    def target(self, name: str, ok: bool) -> str:
        self.verdicts.append((name, ok))
        return "OK" if ok else "MISSED"

    def summary(self) -> None:
        met = sum(ok for _, ok in self.verdicts)
        print(f"\nTargets met: {met} of {len(self.verdicts)}", flush=True)
        for name, ok in self.verdicts:
            if not ok:
                print(f"  missed: {name}", flush=True)


def ratio(a: float, b: float | None) -> float | None:
    return a / b if b else None


def fmt_ratio(r: float | None) -> str:
    return f"{r:.2f}×" if r is not None else "n/a"


# -- servers -----------------------------------------------------------------------------------


def clean_env(drop_prefixes: tuple[str, ...], drop: tuple[str, ...] = ()) -> dict[str, str]:
    """The environment minus settings that would change the server under test."""
    return {
        k: v for k, v in os.environ.items() if not k.startswith(drop_prefixes) and k not in drop
    }


def ours(
    base: Path,
    url: str,
    layers: Path,
    cap: int | None,
    cache_bytes: int,
    buffer_px: int | None = None,
) -> Server:
    """``karte serve --workers 2`` on a free port; ``cap=None`` and ``buffer_px=None`` keep
    the shipped defaults."""
    env = clean_env(("KARTE_",))
    env.update(
        KARTE_DATABASE_URL=url,
        KARTE_LAYERS_DIR=str(layers),
        KARTE_DATA_DIR=str(base / "data"),
        KARTE_LOG_LEVEL="WARNING",  # no access log line per request, as for tipg
        KARTE_TILES_CACHE_BYTES=str(cache_bytes),
    )
    if cap is not None:
        env["KARTE_TILES_FEATURE_CAP"] = str(cap)
    if buffer_px is not None:
        env["KARTE_TILES_BUFFER_PX"] = str(buffer_px)
    port = free_port()
    cmd = [sys.executable, "-m", "mapservice.cli", "serve", "--workers", "2",
           "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    name = f"ours-{layers.name}-cache{cache_bytes}"
    return Server(name, cmd, env, port, base, f"/tiles/{LAYER_ID}/tilejson.json").start()


def ensure_tipg(venv: Path) -> Path:
    """tipg's interpreter, creating ``venv`` with tipg and uvicorn[standard] (uvloop and
    httptools, as our server has) when it is missing."""
    python = venv / "bin" / "python"
    if python.exists() and subprocess.run([python, "-c", "import tipg"]).returncode == 0:
        return python
    print(f"creating {venv} and installing tipg from PyPI …", flush=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([python, "-m", "pip", "install", "-q", "tipg", "uvicorn[standard]"], check=True)
    return python


def tipg_version(python: Path) -> str:
    out = subprocess.run(
        [python, "-c", "import tipg; print(tipg.__version__)"], capture_output=True, text=True
    )
    return out.stdout.strip() or "?"


def tipg(base: Path, python: Path, url: str) -> Server:
    """tipg on the same database: the observation table only, our four properties, no
    function collections (PostGIS has hundreds in ``public``), cap 10,000, 2 workers."""
    env = clean_env(("TIPG_", "POSTGRES_", "KARTE_"), ("DATABASE_URL",))
    env.update(
        DATABASE_URL=url,
        TIPG_DB_SCHEMAS='["public"]',
        TIPG_DB_TABLES=f'["{TIPG_COLLECTION}"]',
        TIPG_DB_EXCLUDE_FUNCTION_SCHEMAS='["public"]',
        TIPG_TABLE_CONFIG__public_observation__properties=json.dumps(list(PROPERTIES)),
        TIPG_MAX_FEATURES_PER_TILE=str(TIPG_CAP),
    )
    port = free_port()
    cmd = [str(python), "-m", "uvicorn", "tipg.main:app", "--host", "127.0.0.1", "--port",
           str(port), "--workers", "2", "--log-level", "warning", "--no-access-log"]  # fmt: skip
    tipg_dir = base / "tipg"  # its own cwd: tipg reads a .env file from there
    tipg_dir.mkdir(exist_ok=True)
    return Server("tipg", cmd, env, port, tipg_dir, f"/collections/{TIPG_COLLECTION}").start()


# -- request lists -----------------------------------------------------------------------------


def ours_tiles(z: int, fmt: str) -> list[str]:
    return [f"/tiles/{LAYER_ID}/{t[0]}/{t[1]}/{t[2]}.{fmt}" for t in tile_list(z)]


def tipg_tiles(z: int) -> list[str]:
    return [
        f"/collections/{TIPG_COLLECTION}/tiles/WebMercatorQuad/{t[0]}/{t[1]}/{t[2]}"
        for t in tile_list(z)
    ]


def _bbox(b: tuple[float, float, float, float]) -> str:
    return ",".join(f"{v:.6f}" for v in b)


def ours_items() -> list[str]:
    return [
        f"/ogc/collections/{LAYER_ID}/items?bbox={_bbox(b)}&limit={ITEMS_LIMIT}"
        for b in item_boxes()
    ]


def tipg_items() -> list[str]:
    return [
        f"/collections/{TIPG_COLLECTION}/items?bbox={_bbox(b)}&limit={ITEMS_LIMIT}"
        for b in item_boxes()
    ]


# -- measuring ---------------------------------------------------------------------------------


@dataclass
class Bench:
    """Shared state of one run: durations, pg_stat_statements, the CPU meter, the report."""

    seconds: float
    warmup: float
    quiet_wait: float
    stats: StatementStats | None
    cpu: CpuMeter
    report: Report

    def wait_quiet(self) -> None:
        """Wait (at most ``quiet_wait`` s) until other jobs on the machine use less than a
        quarter of a core, so the next figure is measured on the whole machine."""
        deadline = time.monotonic() + self.quiet_wait
        while time.monotonic() < deadline:
            before = self.cpu.snapshot()
            time.sleep(1.0)
            if self.cpu.cores(before, self.cpu.snapshot())[1] < 0.25:
                return

    def load(
        self, server: Server, paths: Sequence[str], pattern: str | None, prime: bool = False
    ) -> LoadResult:
        """Warm up, then measure; attach the database's queries per request, their mean time
        and who used the CPU meanwhile.

        The warm-up primes prepared statements and the database's buffers; with ``prime``
        it goes on until both workers' LRUs hold the whole list (see ``prime``), so the
        measurement that follows is of cache hits.
        """
        if self.warmup > 0:
            run_http(server.base, paths, self.warmup, CONNECTIONS)
        if prime:
            self.prime(server, paths, pattern)
        time.sleep(1.0)  # requests the warm-up left in flight finish before the count
        self.wait_quiet()
        if self.stats is not None:
            self.stats.reset()
        before = self.cpu.snapshot()
        result = run_http(server.base, paths, self.seconds, CONNECTIONS)
        result.cpu_ours, result.cpu_other = self.cpu.cores(before, self.cpu.snapshot())
        if self.stats is not None and result.requests:
            if pattern is not None:
                calls, total_ms = self.stats.read(pattern)
                result.db_calls_per_request = calls / result.requests
                result.db_mean_ms = total_ms / calls if calls else None
            result.version_reads_per_request = self.stats.read(VERSION_READS)[0] / result.requests
        return result

    def prime(self, server: Server, paths: Sequence[str], pattern: str | None) -> None:
        """Repeat the list until (almost) no request reaches the database any more: each
        worker has its own LRU and wrk's connections land on either, so one pass is not
        enough. Without pg_stat_statements: a fixed three passes at about 200 tiles/s."""
        if self.stats is None or pattern is None:
            run_http(server.base, paths, max(2.0, len(paths) * 3 / 200), CONNECTIONS)
            return
        for _ in range(4):  # a list bigger than the LRU never gets there
            self.stats.reset()
            r = run_http(server.base, paths, max(2.0, len(paths) / 100), CONNECTIONS)
            calls, _ms = self.stats.read(pattern)
            if r.requests and calls / r.requests < 0.01:
                return


def db_ceiling(bench: Bench, url: str, layers: Path) -> dict[int, LoadResult]:
    """Our raw-point MVT SQL with the same parameters as the server, as plain prepared
    queries over 2 connections (one per core): what PostGIS alone delivers per zoom."""
    layer = load_catalog(layers).get(LAYER_ID)
    source = source_for(layer, PUBLIC)
    sql = tile_sql(source, "mvt", clustered=False)
    # _params is what the server binds; it reads only .settings of the runtime.
    shim = cast(Runtime, SimpleNamespace(settings=TileSettings(feature_cap=TIPG_CAP, buffer_px=0)))
    out = {}
    for z in ZOOMS:
        params = [
            _params(shim, TileJob(layer, PUBLIC, TileAddress(*t), "mvt"), source)
            for t in tile_list(z)
        ]
        run_db(url, sql, params, min(bench.warmup, 2), 2, DB_OPTIONS)
        bench.wait_quiet()
        before = bench.cpu.snapshot()
        out[z] = run_db(url, sql, params, bench.seconds, 2, DB_OPTIONS)
        out[z].cpu_ours, out[z].cpu_other = bench.cpu.cores(before, bench.cpu.snapshot())
        bench.report.figure(f"database alone MVT z{z} (2 conns)", out[z])
    return out


# -- identical output check --------------------------------------------------------------------


def sample_tiles() -> list[tuple[int, int, int]]:
    """Every z12 and z14 tile of the lists and every 4th z16 tile."""
    return [t for z in ZOOMS for i, t in enumerate(tile_list(z)) if z < 16 or i % 4 == 0]


def fetch_ids(
    server: Server, path_of: Callable[[tuple[int, int, int]], str]
) -> dict[tuple[int, int, int], tuple[set[str], set[str]]] | None:
    """Feature ids and property names of each sampled MVT tile (None without the decoder)."""
    try:
        import mapbox_vector_tile  # dev dependency: the check is skipped without it
    except ImportError:
        return None
    out = {}
    with httpx.Client(base_url=server.base, timeout=60) as client:
        for t in sample_tiles():
            body = client.get(path_of(t)).content
            ids: set[str] = set()
            names: set[str] = set()
            for layer in (mapbox_vector_tile.decode(body) if body else {}).values():
                for feat in layer["features"]:
                    ids.add(str(feat["properties"].get("id")))
                    names.update(feat["properties"])
            out[t] = (ids, names)
    return out


def compare_output(
    report: Report,
    mine: dict[tuple[int, int, int], tuple[set[str], set[str]]] | None,
    theirs: dict[tuple[int, int, int], tuple[set[str], set[str]]] | None,
) -> None:
    """Say per zoom how identical the "identical output" really is: a ratio of tiles/s
    means little if one side sends different features or properties."""
    if mine is None or theirs is None:
        report.note("identical output: not checked (mapbox-vector-tile is not installed)")
        return
    for z in ZOOMS:
        tiles = [t for t in mine if t[0] == z and t in theirs]
        same = sum(mine[t][0] == theirs[t][0] for t in tiles)
        superset = sum(mine[t][0] >= theirs[t][0] for t in tiles)
        n_mine = sum(len(mine[t][0]) for t in tiles)
        n_theirs = sum(len(theirs[t][0]) for t in tiles)
        props_mine = sorted(set().union(*(mine[t][1] for t in tiles)))
        props_theirs = sorted(set().union(*(theirs[t][1] for t in tiles)))
        report.note(
            f"identical output z{z}: {len(tiles)} tiles decoded, same feature ids in {same}, "
            f"ours ⊇ tipg in {superset}; features ours {n_mine:,} / tipg {n_theirs:,}; "
            f"properties ours {props_mine} / tipg {props_theirs}"
        )


def postmaster_pid(pgdata: Path) -> int | None:
    """The cluster's postmaster (first line of postmaster.pid), for the CPU meter."""
    try:
        return int((pgdata / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


# -- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="length of each measurement")
    parser.add_argument("--warmup", type=float, default=2, help="warm-up before each one")
    parser.add_argument("--points", type=int, default=200_000)
    parser.add_argument("--areas", type=int, default=5_000)
    parser.add_argument("--tracks", type=int, default=2_000)
    parser.add_argument("--no-tipg", action="store_true", help="skip the tipg comparison")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=20,
        help="before each figure, wait up to this many seconds for other jobs on the machine "
        "to use less than 0.25 cores (0 = do not wait)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    report = Report()
    client = "wrk (C, 2 threads)" if have_wrk() else "asyncio + httpx (Python)"
    report.note(f"client: {client}, {CONNECTIONS} connections, {args.seconds:g} s per figure")
    if not have_wrk():
        report.note(
            "WARNING: wrk is not installed ('apt-get install -y wrk'); the Python client shares "
            "the 2 cores with the servers and is itself the bottleneck — figures are too low."
        )
    sizes = ", ".join(f"z{z} {len(tile_list(z))}" for z in ZOOMS)
    report.note(f"tile lists: {sizes} tiles; items: {len(item_boxes())} bboxes")

    with throwaway_database(PG_OPTIONS) as (_engine, sa_url, base):
        url = sa_url.replace("postgresql+psycopg://", "postgresql://", 1)  # libpq, tipg, psycopg
        figures = load_dataset(url, args.points, args.areas, args.tracks)
        report.note(
            f"dataset: {figures.points:,} points, {figures.areas:,} areas, "
            f"{figures.tracks:,} tracks in 12 quarters, loaded in {figures.seconds:.1f} s"
        )
        stats = StatementStats(url)
        cpu = CpuMeter(postmaster_pid(base / "pg"))
        have_stats = stats if stats.available() else None
        bench = Bench(args.seconds, args.warmup, args.quiet_wait, have_stats, cpu, report)
        before = cpu.snapshot()
        time.sleep(2)
        _mine, other = cpu.cores(before, cpu.snapshot())
        loadavg = Path("/proc/loadavg").read_text()[:14]
        report.note(
            f"machine: {os.cpu_count()} cores, load average {loadavg}, "
            f"other jobs use {other:.1f} cores before the start"
            + (" — figures will be too low" if other > 0.3 else "")
        )
        report.note(
            "columns: rate, latency p50/p99, mean body, database queries per request and their "
            "mean time (ver: reads of the data versions), CPU cores used by the benchmark + by "
            "other jobs on the machine"
        )
        raw_layers = write_layers(base / "layers-raw", cluster_below_zoom=0)
        served_layers = write_layers(
            base / "layers-served", cluster_below_zoom=DEFAULT_CLUSTER_BELOW_ZOOM
        )
        servers: list[Server] = []
        try:
            run_all(bench, args, url, base, raw_layers, served_layers, servers)
        finally:
            for server in servers:
                server.stop()
    report.summary()
    print(f"(whole run {time.perf_counter() - started:.0f} s)", flush=True)
    return 0


def run_all(
    bench: Bench,
    args: argparse.Namespace,
    url: str,
    base: Path,
    raw_layers: Path,
    served_layers: Path,
    servers: list[Server],
) -> None:
    """The phases in order; every started server goes into ``servers`` for the cleanup."""
    report = bench.report
    tipg_mvt: dict[int, LoadResult] = {}
    tipg_items_result: LoadResult | None = None
    theirs = None

    # 1. tipg ------------------------------------------------------------------------------
    if not args.no_tipg:
        python = ensure_tipg(TIPG_VENV)
        report.note(f"\n-- tipg {tipg_version(python)} (2 workers, cap {TIPG_CAP:,}, no cache)")
        server = tipg(base, python, url)
        servers.append(server)
        for z in ZOOMS:
            tipg_mvt[z] = bench.load(server, tipg_tiles(z), TIPG_MVT)
            report.figure(f"tipg MVT z{z}", tipg_mvt[z])
        tipg_items_result = bench.load(server, tipg_items(), TIPG_ITEMS)
        report.figure(f"tipg items bbox limit {ITEMS_LIMIT}", tipg_items_result, "req/s")
        tipg_floor = bench.load(server, ["/conformance"], None)
        report.figure("tipg floor: /conformance, no db", tipg_floor, "req/s")
        theirs = fetch_ids(
            server,
            lambda t: f"/collections/{TIPG_COLLECTION}/tiles/WebMercatorQuad/{t[0]}/{t[1]}/{t[2]}",
        )
        server.stop()

    # 2. the database alone ----------------------------------------------------------------
    report.note("\n-- database ceiling: our raw MVT SQL, cap 10,000, 2 psycopg connections")
    ceiling = db_ceiling(bench, url, raw_layers)

    # 3. ours, identical output ------------------------------------------------------------
    report.note(f"\n-- ours, identical output: raw points, cap {TIPG_CAP:,}, LRU off (cold)")
    server = ours(base, url, raw_layers, TIPG_CAP, cache_bytes=0, buffer_px=0)
    servers.append(server)
    goals = {14: 1.3, 16: 1.8}
    for z in ZOOMS:
        r = bench.load(server, ours_tiles(z, "mvt"), OURS_MVT)
        vs_tipg = ratio(r.rate, tipg_mvt[z].rate if z in tipg_mvt else None)
        vs_db = ratio(r.rate, ceiling[z].rate)
        tail = f"{fmt_ratio(vs_tipg)} tipg"
        if z in goals and vs_tipg is not None:
            ok = vs_tipg >= goals[z]
            tail += f" (≥ {goals[z]}×) {report.target(f'z{z} ≥ {goals[z]}× tipg', ok)}"
        tail += f"; {fmt_ratio(vs_db)} of database alone"
        if z in goals and vs_db is not None:
            ok = vs_db >= 1 / 1.25
            tail += f" (≥ 0.80×) {report.target(f'z{z} within 1.25× of database time', ok)}"
        report.figure(f"ours MVT z{z} raw", r, tail=tail)
    mine = fetch_ids(server, lambda t: f"/tiles/{LAYER_ID}/{t[0]}/{t[1]}/{t[2]}.mvt")
    r = bench.load(server, ours_items(), OURS_ITEMS)
    vs = ratio(r.rate, tipg_items_result.rate if tipg_items_result else None)
    tail = f"{fmt_ratio(vs)} tipg (≥ 1.5×)"
    if vs is not None:
        tail += f" {report.target('items ≥ 1.5× tipg', vs >= 1.5)}"
    report.figure(f"ours items bbox limit {ITEMS_LIMIT}", r, "req/s", tail)
    rss_raw = server.worker_rss_mb()
    server.stop()
    compare_output(report, mine, theirs)

    # 4. ours as shipped, cold -------------------------------------------------------------
    report.note(
        f"\n-- ours as shipped: points clustered below z{DEFAULT_CLUSTER_BELOW_ZOOM}, "
        f"cap {TileSettings().feature_cap:,} (default), LRU off (cold)"
    )
    server = ours(base, url, served_layers, None, cache_bytes=0)
    servers.append(server)
    for z in ZOOMS:
        r = bench.load(server, ours_tiles(z, "mvt"), OURS_MVT)
        tail = f"max {r.max_bytes / 1024:.1f} KB"
        if z == 12:
            ok = r.rate >= 500 and r.max_bytes < 50 * 1024
            tail += (
                f" (≥ 500 tiles/s, < 50 KB) {report.target('z12 clustered ≥ 500/s, < 50 KB', ok)}"
            )
        report.figure(f"ours MVT z{z} as shipped", r, tail=tail)
    for z in ZOOMS:
        r = bench.load(server, ours_tiles(z, "geojson"), OURS_GEOJSON)
        vs = ratio(r.rate, tipg_mvt[z].rate if z in tipg_mvt else None)
        tail = f"{fmt_ratio(vs)} tipg MVT z{z} (≥ 1×)"
        if vs is not None:
            tail += f" {report.target(f'GeoJSON z{z} ≥ tipg MVT', vs >= 1.0)}"
        report.figure(f"ours GeoJSON z{z} as shipped", r, tail=tail)
    server.stop()

    # 5. ours as shipped, warm -------------------------------------------------------------
    cache = TileSettings().cache_bytes
    report.note(
        f"\n-- ours as shipped, LRU on ({cache // 2**20} MB per worker), lists repeated (warm)"
    )
    server = ours(base, url, served_layers, None, cache_bytes=cache)
    servers.append(server)
    for fmt in ("mvt", "geojson"):
        for z in ZOOMS:
            pattern = OURS_MVT if fmt == "mvt" else OURS_GEOJSON
            r = bench.load(server, ours_tiles(z, fmt), pattern, prime=True)
            ok = r.rate >= 2000
            tail = f"(≥ 2,000 req/s) {report.target(f'warm {fmt} z{z} ≥ 2,000 req/s', ok)}"
            report.figure(f"ours {fmt} z{z} warm", r, "req/s", tail)
    floor = bench.load(server, ["/ogc/conformance"], None)
    report.figure("ours floor: /ogc/conformance", floor, "req/s", "no database: the framework")
    rss = server.worker_rss_mb()
    server.stop()

    # 6. memory ----------------------------------------------------------------------------
    for label, found in (("raw, cap 10,000, LRU off", rss_raw), ("as shipped, LRU warm", rss)):
        if not found:
            report.note(f"RSS ({label}): no worker processes found")
            continue
        worst = max(found.values())
        values = ", ".join(f"{mb:.0f}" for mb in sorted(found.values()))
        verdict = report.target(f"RSS < 300 MB per worker ({label})", worst < 300)
        report.note(
            f"{'RSS per worker (' + label + ')':<34}{worst:9.0f} MB max  [{values}] "
            f"(< 300 MB) {verdict}"
        )


if __name__ == "__main__":
    sys.exit(main())
