"""Matching two rounds of 5,000 observations each in one quarter (issue 15).

Target: < 2 s for the whole comparison (``mapservice.change.service.change``: SQL fetch of
both rounds, candidate search, global assignment, walked-area test, classification), and
the matcher alone. 12 layers, 1.4 × 1.1 km quarter, 70 % of the earlier observations seen
again 0–10 m away with one word added, 30 % new; texts from a 300-word vocabulary.
"""

from __future__ import annotations

import random
import statistics
import time
import uuid

from sqlalchemy import text

from bench import add_box_quarter, throwaway_database
from mapservice.access import Viewer
from mapservice.catalog import load_catalog
from mapservice.change.matching import match
from mapservice.change.rounds import quarter_id, round_by_label
from mapservice.change.service import change, compare_rounds, fetch

BOX = (7.19, 51.49, 7.21, 51.50)
N = 5000


def main() -> None:
    rnd = random.Random(15)
    catalog = load_catalog(None)
    layers = [layer.id for layer in catalog.of_source("observations")][:12]
    words = ["".join(rnd.choice("abcdefghiklmnoprstuw") for _ in range(7)) for _ in range(300)]
    with throwaway_database(("-c fsync=off", "-c synchronous_commit=off")) as (engine, _, _):
        with engine.begin() as conn:
            add_box_quarter(conn, BOX)
            qid = quarter_id(conn, "bench")
            for label, year in (("2024", 2024), ("2026", 2026)):
                conn.execute(
                    text(
                        "INSERT INTO walk_round (quarter_id, label, period_from, period_to) "
                        "VALUES (:q, :l, make_date(:y, 1, 1), make_date(:y, 12, 31))"
                    ),
                    {"q": qid, "l": label, "y": year},
                )
            walks = {}
            for year in (2024, 2026):
                walks[year] = str(uuid.uuid4())
                conn.execute(
                    text(
                        "INSERT INTO walkthrough (id, quarter_id, title, started_at, track) "
                        "VALUES (:i, :q, 'Bench', make_timestamptz(:y, 4, 1, 10, 0, 0), "
                        "ST_GeomFromText('LINESTRING(7.19 51.495, 7.21 51.495)', 4326))"
                    ),
                    {"i": walks[year], "q": qid, "y": year},
                )
            rows = []
            for k in range(N):
                x, y = rnd.uniform(BOX[0], BOX[2]), rnd.uniform(BOX[1], BOX[3])
                layer, words4 = layers[k % len(layers)], " ".join(rnd.sample(words, 4))
                rows.append((walks[2024], layer, x, y, words4))
                if k < int(N * 0.7):
                    dx, dy = rnd.uniform(-1e-4, 1e-4), rnd.uniform(-6e-5, 6e-5)
                    again = words4 + " " + rnd.choice(words)
                    rows.append((walks[2026], layer, x + dx, y + dy, again))
            for k in range(N - int(N * 0.7)):
                x, y = rnd.uniform(BOX[0], BOX[2]), rnd.uniform(BOX[1], BOX[3])
                rows.append((walks[2026], layers[k % len(layers)], x, y,
                             " ".join(rnd.sample(words, 4))))  # fmt: skip
            conn.execute(
                text(
                    "INSERT INTO observation (id, quarter_id, walkthrough_id, layer_id, kind, "
                    "rating, title, geom, status) VALUES (gen_random_uuid(), :q, :w, :l, "
                    "'problem', -1, :t, ST_SetSRID(ST_MakePoint(:x, :y), 4326), 'published')"
                ),
                [{"q": qid, "w": w, "l": la, "x": x, "y": y, "t": t} for w, la, x, y, t in rows],
            )
            conn.execute(text("ANALYZE observation"))
        viewer = Viewer(role="admin", name="bench")
        whole, matcher = [], []
        for _ in range(5):
            with engine.connect() as conn:
                started = time.perf_counter()
                body = change(conn, catalog, viewer, "bench", "2024", "2026")
                whole.append(time.perf_counter() - started)
                a, b = round_by_label(conn, qid, "2024"), round_by_label(conn, qid, "2026")
                started = time.perf_counter()
                compare_rounds(conn, catalog, viewer, qid, a, b)
                matcher.append(time.perf_counter() - started)
        print(
            f"change 2024→2026, {N:,} + {N:,} observations: "
            f"{statistics.median(whole):.2f} s median of 5 (target: < 2 s); "
            f"{len(body['pairs']):,} pairs (planted {int(N * 0.7):,})"
        )
        print(f"fetch + match only: {statistics.median(matcher):.2f} s median of 5")
        with engine.connect() as conn:
            started = time.perf_counter()
            obs = fetch(conn, qid, viewer, [a.id, b.id])
            took = time.perf_counter() - started
        print(f"SQL fetch of both rounds: {took:.2f} s ({len(obs):,} rows)")
        e = [o.item() for o in obs if o.round_id == a.id]
        later = [o.item() for o in obs if o.round_id == b.id]
        started = time.perf_counter()
        match(e, later, {layer.id: layer.match_distance_m for layer in catalog})
        print(f"matcher alone (candidates + assignment): {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
