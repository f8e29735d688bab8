"""The moderation queue ("Freigabe") with 10,000 waiting entries: list, page and bulk publish.

Targets (issue 13): the moderation list for 10,000 waiting entries renders in < 1 s, and
bulk-publishing 10,000 takes < 5 s. Set-up: a throw-away PostGIS cluster with default
settings, one quarter, 9,500 observations and 500 interview findings in ``review`` beside
20,000 published observations (the queue must not walk them slowly), the service as
``karte serve`` runs it (uvicorn, one worker), a planner's token. Figures:

- ``GET /api/review`` first page (200 rows, with the total of 10,000) and the whole queue in
  one answer (``limit=10000``), ``GET /api/review/counts``: medians of several requests.
- The page ``/planung/freigabe`` in headless Chromium (Debian's): from navigation until the
  list, the counts and the first entry's detail are drawn (``html[data-freigabe=loaded]``).
- ``POST /api/review/bulk`` publish with the filter "this quarter" (all 10,000, with a
  ``moderation_event`` row each); reset by SQL between rounds, median of 3.

    .venv/bin/python -m bench.bench_review [--rounds 3] [--no-browser]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import text

from bench import add_box_quarter, throwaway_database, verdict
from mapservice.access import create_account, create_token
from mapservice.db.cluster import free_port

BOX = (7.190, 51.480, 7.215, 51.497)
WAITING_OBS, WAITING_FINDINGS, PUBLISHED = 9_500, 500, 20_000
TARGET_LIST_S, TARGET_BULK_S = 1.0, 5.0
CHROMIUM = os.environ.get("KARTE_CHROMIUM", "/usr/bin/chromium")


def fill(engine: object) -> str:
    """The data and a planner token."""
    x0, y0, x1, y1 = BOX
    with engine.begin() as conn:  # type: ignore[attr-defined]
        add_box_quarter(conn, BOX)
        create_account(conn, "bench-planner", "planner", display_name="Bench")
        token = create_token(conn, "bench-planner")
        for n, status in ((WAITING_OBS, "review"), (PUBLISHED, "published")):
            conn.execute(
                text(
                    "INSERT INTO observation (id, quarter_id, layer_id, kind, rating, title, "
                    "description, geom, status, author, observed_at) "
                    "SELECT gen_random_uuid(), (SELECT id FROM quarter WHERE slug = 'bench'), "
                    "(ARRAY['mobilitaet','umwelt','wohnen','gemeinwesen'])[1 + g % 4], "
                    "(ARRAY['strength','problem','potential','idea'])[1 + g % 4], g % 5 - 2, "
                    "'Eintrag ' || g, 'Text', ST_SetSRID(ST_MakePoint(:x0 + random() * :dx, "
                    ":y0 + random() * :dy), 4326), :st, 'feld-' || (g % 7), "
                    "now() - g * interval '1 minute' FROM generate_series(1, :n) g"
                ),
                {"x0": x0 + 0.001, "dx": x1 - x0 - 0.002, "y0": y0 + 0.001,
                 "dy": y1 - y0 - 0.002, "st": status, "n": n},
            )  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO interview (id, quarter_id, held_on, participant_group, pseudonym) "
                "SELECT gen_random_uuid(), id, '2026-05-01', 'residents', 'B1' FROM quarter"
            )
        )
        conn.execute(
            text(
                "INSERT INTO finding (id, interview_id, quarter_id, statement, layer_ids, kind, "
                "status) SELECT gen_random_uuid(), i.id, i.quarter_id, 'Aussage ' || g, "
                "ARRAY['gemeinwesen'], 'idea', 'review' FROM interview i, "
                "generate_series(1, :n) g"
            ),
            {"n": WAITING_FINDINGS},
        )
        conn.execute(text("ANALYZE"))
    return token


def start_server(url: str, folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "KARTE_DATABASE_URL": url, "KARTE_DATA_DIR": str(folder)}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "mapservice.api.app:app_from_env", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--log-level",
         "warning", "--no-access-log"],
        env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            raise SystemExit("server did not start")
        time.sleep(0.2)


def timed(http: httpx.Client, path: str, rounds: int) -> tuple[float, dict]:
    seconds, body = [], {}
    for _ in range(rounds + 1):  # the first warms the worker's caches
        started = time.perf_counter()
        r = http.get(path)
        seconds.append(time.perf_counter() - started)
        r.raise_for_status()
        body = r.json()
    return statistics.median(seconds[1:]), body


def page_seconds(base: str, token: str, rounds: int) -> float | None:
    if not Path(CHROMIUM).exists():
        return None
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for _ in range(rounds + 1):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.route(
                "**/*",
                lambda route: (
                    route.continue_() if "127.0.0.1" in route.request.url else route.abort()
                ),
            )
            context.add_init_script(f"sessionStorage.setItem('karte-token', {token!r});")
            page = context.new_page()
            started = time.perf_counter()
            page.goto(f"{base}/planung/freigabe?quarter=bench")
            page.wait_for_selector("html[data-freigabe=loaded]", state="attached")
            page.wait_for_selector("#fg-body:not([hidden])")
            results.append(time.perf_counter() - started)
            rows = page.evaluate("() => document.querySelectorAll('#fg-rows tr.fg-row').length")
            assert rows == 200, rows
            context.close()
        browser.close()
    return statistics.median(results[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    with throwaway_database() as (engine, url, folder):
        started = time.perf_counter()
        token = fill(engine)
        print(f"set-up: {WAITING_OBS + WAITING_FINDINGS:,} waiting + {PUBLISHED:,} published "
              f"entries in {time.perf_counter() - started:.1f} s")  # fmt: skip
        server, base = start_server(url, folder)
        try:
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
                first, body = timed(http, "/api/review?quarter=bench&limit=200", args.rounds * 3)
                assert body["total"] == WAITING_OBS + WAITING_FINDINGS, body["total"]
                whole, body = timed(http, "/api/review?quarter=bench&limit=10000", args.rounds)
                assert len(body["items"]) == 10_000
                counts, body = timed(http, "/api/review/counts", args.rounds * 3)
                assert body["total"]["waiting"] == 10_000
                page = None if args.no_browser else page_seconds(base, token, args.rounds)
                bulk = []
                for n in range(args.rounds):
                    if n:  # back to 10,000 waiting (the published background stays)
                        with engine.begin() as conn:
                            conn.execute(text(
                                "UPDATE observation o SET status = 'review' FROM "
                                "moderation_event e WHERE e.observation_id = o.id"))  # fmt: skip
                            conn.execute(text(
                                "UPDATE finding SET status = 'review'"))  # fmt: skip
                            conn.execute(text("DELETE FROM moderation_event"))
                    started = time.perf_counter()
                    r = http.post(
                        "/api/review/bulk",
                        json={"action": "publish", "filter": {"quarter": "bench"}},
                    )
                    bulk.append(time.perf_counter() - started)
                    r.raise_for_status()
                    assert r.json()["moved"] == 10_000, r.json()
                with engine.connect() as conn:
                    events = conn.execute(text("SELECT count(*) FROM moderation_event")).scalar()
        finally:
            server.terminate()
            server.wait(timeout=30)
    bulk_s = statistics.median(bulk)
    load = os.getloadavg()[0]
    print(f"GET /api/review first page (200 of 10,000, with total): {first * 1000:.0f} ms "
          f"· target < {TARGET_LIST_S:.0f} s {verdict(first < TARGET_LIST_S)}")  # fmt: skip
    print(f"GET /api/review all 10,000 in one answer: {whole * 1000:.0f} ms "
          f"· target < {TARGET_LIST_S:.0f} s {verdict(whole < TARGET_LIST_S)}")  # fmt: skip
    print(f"GET /api/review/counts (per quarter and layer): {counts * 1000:.0f} ms")
    if page is not None:
        print(f"page /planung/freigabe drawn (list of 200, counts, first detail): "
              f"{page * 1000:.0f} ms · target < {TARGET_LIST_S:.0f} s "
              f"{verdict(page < TARGET_LIST_S)}")  # fmt: skip
    else:
        print("page: not measured (no Chromium or --no-browser)")
    print(f"bulk publish 10,000 over the filter (with {events:,} moderation_event rows): "
          f"{bulk_s:.2f} s (rounds: {', '.join(f'{b:.2f}' for b in bulk)}) "
          f"· target < {TARGET_BULK_S:.0f} s {verdict(bulk_s < TARGET_BULK_S)}")  # fmt: skip
    print(f"   load average {load:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
