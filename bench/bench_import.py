"""Bulk import: 100,000 observations from GeoJSON and from CSV (x/y in EPSG:25832).

Target (issue 3): at least 20,000 rows/s on 2 cores — with every row checked (geometry, CRS
area of use before transforming, layer, kind, rating, dates, quarter, duplicates) and the file
all-or-nothing in one transaction. Measured end to end through ``run_import`` (the code path
of ``karte import`` and ``POST /api/imports``): reading and parsing the file, COPY into the
staging table, the set-based checks, the INSERT and the commit.

    .venv/bin/python -m bench.bench_import [--rows 100000] [--runs 3]

The GeoJSON carries ids and 7 properties (as the demo data); the CSV has no id column (ids are
derived from the content), 6 properties and coordinates in UTM 32N, so it also pays for the
transformation. Each run starts from an empty observation table. Compare with ``ogr2ogr``
(which checks nothing) when GDAL's command-line tools are installed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text

from bench import add_box_quarter, median, throwaway_database, verdict
from mapservice.access import Viewer
from mapservice.capture.imports import ImportOptions, run_import
from mapservice.catalog import Catalog, LayerSource, load_catalog
from mapservice.georef.crs import transformer

TARGET = 20_000
BOX = (7.190, 51.480, 7.215, 51.497)  # a quarter-sized box in Bochum
KINDS = ("strength", "problem", "potential", "idea")


def make_files(folder: Path, n: int, layers: list[str]) -> tuple[Path, Path]:
    rnd = random.Random(42)
    x0, y0, x1, y1 = BOX
    lons = [rnd.uniform(x0 + 0.0005, x1 - 0.0005) for _ in range(n)]
    lats = [rnd.uniform(y0 + 0.0005, y1 - 0.0005) for _ in range(n)]
    props = [
        {
            "layer": rnd.choice(layers),
            "kind": rnd.choice(KINDS),
            "rating": rnd.randint(-2, 2),
            "title": f"Beobachtung {i}",
            "description": "Gehweg zugeparkt, Kinderwagen muss auf die Straße.",
            "observed_at": f"2026-04-{1 + i % 28:02d}T10:{i % 60:02d}:00+02:00",
        }
        for i in range(n)
    ]
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"id": str(uuid.UUID(int=rnd.getrandbits(128), version=4)), **p},
        }
        for lon, lat, p in zip(lons, lats, props, strict=True)
    ]
    geojson = folder / "observations.geojson"
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    xs, ys = transformer(4326, 25832).transform(lons, lats)
    table = folder / "observations.csv"
    with open(table, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(
            [
                "rechtswert",
                "hochwert",
                "ebene",
                "art",
                "bewertung",
                "titel",
                "beschreibung",
                "datum",
            ]
        )
        for x, y, p in zip(xs, ys, props, strict=True):
            writer.writerow(
                [
                    f"{x:.2f}",
                    f"{y:.2f}",
                    p["layer"],
                    p["kind"],
                    p["rating"],
                    p["title"],
                    p["description"],
                    p["observed_at"],
                ]
            )
    return geojson, table


def empty(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE observation CASCADE"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE observation"))
        conn.execute(text("CHECKPOINT"))


def _backend_cpu(pid: int) -> float:
    """CPU seconds a server process has used (Linux /proc; 0 where unavailable)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_once(
    engine: Engine, catalog: Catalog, path: Path, options: ImportOptions
) -> tuple[float, dict[str, float]]:
    """One import into an empty table: wall seconds, and where the time went."""
    empty(engine)
    marks: dict[str, float] = {}
    pids: set[int] = set()

    def progress(phase: str, done: int, total: int | None) -> None:
        marks.setdefault(phase, time.perf_counter())

    def remember(conn: Any, *_: Any) -> None:
        pids.add(conn.connection.driver_connection.info.backend_pid)

    event.listen(engine, "before_cursor_execute", remember)
    cpu_before = {pid: _backend_cpu(pid) for pid in _server_pids(engine)}
    started, python_started = time.perf_counter(), time.process_time()
    result = run_import(engine, catalog, path, options, Viewer("admin", name="bench"),
                        on_progress=progress)  # fmt: skip
    elapsed = time.perf_counter() - started
    event.remove(engine, "before_cursor_execute", remember)
    if not result.written or result.report.inserted != result.report.read:
        raise SystemExit(f"import failed: {result.summary()[1]} {result.refused[:3]}")
    return elapsed, {
        "until first chunk": marks["stage"] - started,
        "chunks (convert ‖ COPY, check, insert)": marks["check"] - marks["stage"],
        "cross-chunk checks + commit": started + elapsed - marks["check"],
        "CPU python": time.process_time() - python_started,
        "CPU postgres": sum(_backend_cpu(p) - cpu_before.get(p, 0.0) for p in pids),
        "load average": os.getloadavg()[0],
    }


STORED = (
    "id, quarter_id, walkthrough_id, layer_id, kind, rating, title, description, geom, "
    "accuracy_m, observed_at, status, author, synthetic, georef_method"
)


def storing_alone(engine: Engine) -> tuple[float, float]:
    """Seconds PostgreSQL needs just to store the imported rows again, nothing read or checked:
    into the observation table as it is (its 7 indexes, 2 foreign keys, CHECK constraints and
    the cluster-grid and version triggers), and into a bare table of the same columns (no
    index, no constraint, no trigger: the floor of one backend writing these rows). Both in a
    transaction that is rolled back, so the table keeps the import's rows."""
    timings = []
    with engine.connect() as conn:
        transaction = conn.begin()
        conn.execute(text("SET LOCAL jit = off"))
        conn.execute(text(f"CREATE TEMP TABLE again ON COMMIT DROP AS SELECT {STORED} "
                          "FROM observation ORDER BY id"))  # fmt: skip
        conn.execute(
            text("CREATE TEMP TABLE bare (LIKE observation INCLUDING DEFAULTS) ON COMMIT DROP")
        )
        conn.execute(text("TRUNCATE observation CASCADE"))
        for table in ("observation", "bare"):
            started = time.perf_counter()
            conn.execute(text(f"INSERT INTO {table} ({STORED}) SELECT {STORED} FROM again"))
            timings.append(time.perf_counter() - started)
        transaction.rollback()
    return timings[0], timings[1]


def _server_pids(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT pid FROM pg_stat_activity")).scalars())


def ogr2ogr(url: str, path: Path, options: list[str]) -> float | None:
    binary = shutil.which("ogr2ogr")
    if binary is None:
        return None
    dsn = "PG:" + url.replace("postgresql+psycopg://", "postgresql://")
    started = time.perf_counter()
    subprocess.run(
        [
            binary,
            "-f",
            "PostgreSQL",
            dsn,
            str(path),
            "-nln",
            "ogr_bench",
            "-overwrite",
            "-lco",
            "GEOMETRY_NAME=geom",
            "-t_srs",
            "EPSG:4326",
            "--config",
            "PG_USE_COPY",
            "YES",
            *options,
        ],
        check=True,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    catalog = load_catalog()
    layers = [layer.id for layer in catalog.of_source(LayerSource.OBSERVATIONS)]
    with throwaway_database() as (engine, url, folder):
        with engine.begin() as conn:
            add_box_quarter(conn, BOX)
        geojson, table = make_files(folder, args.rows, layers)
        cases = [
            ("GeoJSON", geojson, ImportOptions(), ["-oo", "FLATTEN_NESTED_ATTRIBUTES=NO"]),
            (
                "CSV (x/y EPSG:25832)",
                table,
                ImportOptions(x="rechtswert", y="hochwert", crs="25832"),
                [
                    "-oo",
                    "X_POSSIBLE_NAMES=rechtswert",
                    "-oo",
                    "Y_POSSIBLE_NAMES=hochwert",
                    "-s_srs",
                    "EPSG:25832",
                ],
            ),
        ]
        for label, path, options, ogr_options in cases:
            times, phases = [], []
            for _ in range(args.runs):
                elapsed, phase = run_once(engine, catalog, path, options)
                times.append(elapsed)
                phases.append(phase)
            rate = args.rows / median(times)
            print(
                f"import {label}, {args.rows:,} rows: {rate:,.0f} rows/s "
                f"(median of {args.runs}: {median(times):.2f} s; target ≥ {TARGET:,} rows/s) "
                f"{verdict(rate >= TARGET)}"
            )
            split = ", ".join(f"{k} {median([p[k] for p in phases]):.2f}" for k in phases[0])
            print(f"   medians (s): {split}")
            schema, bare = storing_alone(engine)
            print(
                f"   storing alone (no reading, no checks): {args.rows / schema:,.0f} rows/s "
                f"into the observation table with its indexes, keys and triggers; "
                f"{args.rows / bare:,.0f} rows/s into a bare table of the same columns"
            )
            ogr = ogr2ogr(url, path, ogr_options)
            if ogr is None:
                print(
                    "   ogr2ogr: not installed here (PEERS.md, same kind of machine: GeoJSON "
                    "≈ 30,000 rows/s, CSV 25832→4326 ≈ 32,000 rows/s, no checks)"
                )
            else:
                print(
                    f"   ogr2ogr (no checks, a new table: primary key, GiST index): "
                    f"{args.rows / ogr:,.0f} rows/s"
                )


if __name__ == "__main__":
    main()
