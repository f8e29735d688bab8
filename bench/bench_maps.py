"""Map pages: generation time (warm) per quarter, HTML size, and first meaningful paint of the
embed in headless Chromium — with 200,000 observations in the database.

Targets (issue 5): page generation < 100 ms per quarter (warm), HTML < 100 KB whatever the
data size, first meaningful paint of /embed < 2 s on the loopback; over HTTP the start page
< 1 s and a quarter's summary < 500 ms (these were timed unit tests before; timing belongs
here, the tests check what the pages say).

    .venv/bin/python -m bench.bench_maps [--observations 200000]

Runs on a throw-away PostGIS cluster (like the tests): the synthetic demo quarters, then
observations added inside their boundaries until the database holds the requested number.
"First meaningful paint" is the ``karte-ready`` performance mark: the moment the map has
drawn the data of its first view (basemap requests are answered with a blank tile: there is
no internet here). Cold = the service's tile cache is empty; warm = a second visit.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import uvicorn
from sqlalchemy import text

from mapservice.api.app import create_app
from mapservice.capture.demo import load_demo
from mapservice.catalog import load_catalog
from mapservice.config import Settings
from mapservice.db.cluster import Cluster, free_port
from mapservice.db.engine import ensure_database, ensure_postgis, make_engine
from mapservice.db.migrate import upgrade
from mapservice.maps.page import render_map_page
from mapservice.maps.service import page_input
from mapservice.tiles.runtime import open_runtime
from tests.chromium import ARGS, CHROMIUM

BLANK_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
FILL_SQL = """
INSERT INTO observation (id, quarter_id, layer_id, kind, rating, title, description, geom,
                         observed_at, status, synthetic)
SELECT gen_random_uuid(), q.id, (CAST(:layers AS text[]))[1 + floor(random() * :nl)::int],
       (ARRAY['strength','problem','potential','idea'])[1 + floor(random() * 4)::int],
       floor(random() * 5)::int - 2, 'Bench-Beobachtung ' || d.path[1], 'synthetisch', d.geom,
       '2026-01-01'::timestamptz + random() * interval '150 days',
       CASE WHEN random() < 0.9 THEN 'published' ELSE 'review' END, true
  FROM quarter q, LATERAL ST_Dump(ST_GeneratePoints(q.boundary, :n)) d
 WHERE q.slug = :slug
"""


def database(base: Path, observations: int) -> tuple[Cluster, str]:
    cluster = Cluster(base / "pg", options=("-c fsync=off", "-c synchronous_commit=off"))
    cluster.start()
    ensure_database(cluster.url("postgres"), "karte_bench")
    url = cluster.url("karte_bench")
    ensure_postgis(url)
    engine = make_engine(url)
    upgrade(engine)
    load_demo(engine, Settings(database_url=url, data_dir=base))
    catalog = load_catalog()
    layers = [layer.id for layer in catalog if layer.source.value == "observations"]
    with engine.begin() as conn:
        have = conn.execute(text("SELECT count(*) FROM observation")).scalar_one()
        slugs = conn.execute(text("SELECT slug FROM quarter ORDER BY slug")).scalars().all()
        missing = max(0, observations - have)
        for i, slug in enumerate(slugs):
            n = missing // len(slugs) + (1 if i < missing % len(slugs) else 0)
            conn.execute(
                text(FILL_SQL), {"layers": layers, "nl": len(layers), "n": n, "slug": slug}
            )
        conn.execute(text("ANALYZE"))
        total = conn.execute(text("SELECT count(*) FROM observation")).scalar_one()
    engine.dispose()
    print(f"database: {total:,} observations in {len(slugs)} quarters")
    return cluster, url


async def page_times(settings: Settings, slugs: list[str], runs: int) -> None:
    """In-process page generation (data + folium + template), as the router runs it."""
    state = SimpleNamespace(settings=settings, catalog=load_catalog(settings.layers_dir))
    state.engine = make_engine(str(settings.database_url))
    state.tiles = await open_runtime(state.engine)
    try:
        for mode in ("maps", "embed"):
            for slug in slugs:
                cold_start = time.perf_counter()
                html = render_map_page(
                    await page_input(state, slug, mode=mode, lang="de", layers_param=None)
                )
                cold = time.perf_counter() - cold_start
                samples = []
                for _ in range(runs):
                    started = time.perf_counter()
                    html = render_map_page(
                        await page_input(state, slug, mode=mode, lang="de", layers_param=None)
                    )
                    samples.append(time.perf_counter() - started)
                samples.sort()
                print(
                    f"/{mode}/{slug}: generation warm median {statistics.median(samples) * 1e3:.1f}"
                    f" ms, p95 {samples[int(len(samples) * 0.95) - 1] * 1e3:.1f} ms (first call "
                    f"{cold * 1e3:.0f} ms); HTML {len(html.encode()):,} bytes "
                    "(targets: < 100 ms, < 100,000 bytes)"
                )
    finally:
        await state.tiles.close()
        state.engine.dispose()


class Server:
    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def paint_times(server_url: str, slugs: list[str], size: tuple[int, int]) -> None:
    """First meaningful paint of /embed in headless Chromium, cold and warm, per quarter."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for slug in slugs:
            results = []
            for _visit in ("cold", "warm"):
                context = browser.new_context(viewport={"width": size[0], "height": size[1]})
                context.route(
                    "https://**",
                    lambda r: r.fulfill(status=200, body=BLANK_PNG, content_type="image/png"),
                )
                page = context.new_page()
                page.goto(f"{server_url}/embed/{slug}")
                page.wait_for_selector("html[data-karte-ready]", state="attached", timeout=60_000)
                ready = page.evaluate(
                    "() => performance.getEntriesByName('karte-ready')[0].startTime"
                )
                first = page.evaluate(
                    "() => performance.getEntriesByName('karte-first-data')[0].startTime"
                )
                fcp = page.evaluate(
                    "() => (performance.getEntriesByName('first-contentful-paint')[0] || {})"
                    ".startTime"
                )
                items = page.evaluate(
                    "() => Object.values(Karte.stats()).reduce((a, l) => a + l.items, 0)"
                )
                tiles = page.evaluate(
                    "() => performance.getEntriesByType('resource')"
                    ".filter((e) => e.name.includes('/tiles/')).length"
                )
                results.append((ready, first, fcp, items, tiles))
                context.close()
            (cold, first_cold, fcp_cold, items, tiles), (warm, first_warm, fcp_warm, _, _) = results
            print(
                f"/embed/{slug} {size[0]}×{size[1]}: all layers drawn cold {cold:.0f} ms, warm "
                f"{warm:.0f} ms; first data drawn {first_cold:.0f}/{first_warm:.0f} ms; first "
                f"contentful paint {fcp_cold:.0f}/{fcp_warm:.0f} ms ({items:,} items from "
                f"{tiles} tiles) (target: < 2,000 ms)"
            )
        browser.close()


def http_times(server_url: str, slugs: list[str], runs: int) -> None:
    """Start page and per-quarter summary over real HTTP (warm), median and p95 per request."""
    import httpx

    with httpx.Client(base_url=server_url, timeout=30) as client:
        for path, target in [("/", 1000)] + [(f"/api/quarters/{s}/summary", 500) for s in slugs]:
            client.get(path).raise_for_status()  # warm
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                client.get(path).raise_for_status()
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            p95 = times[int(0.95 * (len(times) - 1))]
            print(
                f"GET {path}: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms "
                f"(target: < {target} ms)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--observations", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="karte-bench-", dir="/tmp"))
    base.chmod(0o755)
    cluster, url = database(base, args.observations)
    try:
        settings = Settings(database_url=url, data_dir=base)
        engine = make_engine(url)
        with engine.connect() as conn:
            slugs = list(conn.execute(text("SELECT slug FROM quarter ORDER BY slug")).scalars())
        engine.dispose()
        asyncio.run(page_times(settings, slugs, args.runs))
        if Path(CHROMIUM).exists():
            with Server(settings) as server:
                http_times(server.url, slugs, args.runs)
                paint_times(server.url, slugs, (800, 500))
        else:
            print(f"{CHROMIUM} missing: first meaningful paint not measured")
            with Server(settings) as server:
                http_times(server.url, slugs, args.runs)
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
