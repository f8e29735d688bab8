#!/usr/bin/env python3
"""Check the generated demo data; run by generate.py, or on its own:

    .venv/bin/python data/demo/check.py

Every geometry valid and inside its quarter, RFC 7946 (CCW rings, no crs, <= 6 decimals),
walkthroughs following the gazetteer streets, observations within 40 m of their walk and inside
its time span, findings pointing to an interview. Prints the counts per quarter.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
import sys
from collections import Counter
from pathlib import Path

from shapely.geometry import Point, shape

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import network as N  # noqa: E402
import texts as T  # noqa: E402

DEMO, GAZ = HERE, HERE.parent / "gazetteer"
KINDS = ("strength", "problem", "potential", "idea")
STATUSES = ("draft", "review", "published", "rejected")


def features(path):
    fc = json.loads(path.read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection" and "crs" not in fc, path
    return fc["features"]


def rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def check():
    quarters = {
        f["properties"]["slug"]: shape(f["geometry"]) for f in features(DEMO / "quarters.geojson")
    }
    assert all(q.is_valid and q.exterior.is_ccw for q in quarters.values())
    assert not any(a.intersects(b) for a, b in itertools.combinations(quarters.values(), 2))
    streets = {}
    for f in features(GAZ / "streets.geojson"):
        assert 2 <= len(f["geometry"]["coordinates"]) <= 8
        streets.setdefault(f["properties"]["quarter"], []).append(N.to_m(shape(f["geometry"])))
    walks, counts = {}, Counter()
    for path in (
        GAZ / "streets.geojson",
        GAZ / "places.geojson",
        DEMO / "walkthroughs.geojson",
        DEMO / "observations.geojson",
    ):
        for f in features(path):
            g, p = shape(f["geometry"]), f["properties"]
            assert g.is_valid and quarters[p["quarter"]].contains(g), (path.name, p)
            assert not re.search(r"\.\d{7}", json.dumps(f["geometry"]["coordinates"]))
            if g.geom_type == "Polygon":
                assert g.exterior.is_ccw, p
            counts[p["quarter"], path.stem + ("/" + p["kind"] if "kind" in p else "")] += 1
            if path.name == "walkthroughs.geojson":
                track = N.to_m(g)
                walks[p["id"]] = (track, p["started_at"], p["ended_at"])
                assert 1500 <= track.length <= 4000 and p["started_at"] < p["ended_at"]
                assert all(
                    min(s.distance(Point(c)) for s in streets[p["quarter"]]) < 5
                    for c in track.coords
                ), f"walk {p['id']} leaves the streets"
            if path.name == "observations.geojson":
                assert p["layer"] in T.LAYERS and p["kind"] in KINDS
                assert p["status"] in STATUSES and -2 <= p["rating"] <= 2
                assert (p["accuracy_m"] is not None) == (g.geom_type == "Point")
                if p["walkthrough"]:
                    track, t0, t1 = walks[p["walkthrough"]]
                    assert t0 <= p["observed_at"] <= t1, p
                    assert g.geom_type != "Point" or track.distance(N.to_m(g)) <= 40, p
    interviews = rows(DEMO / "interviews.csv")
    ids = {r["id"] for r in interviews}
    for r in interviews:
        counts[r["quarter"], "interviews"] += 1
    for r in rows(DEMO / "findings.csv"):
        assert r["interview_id"] in ids and set(r["layers"].split(",")) <= set(T.LAYERS)
        assert r["kind"] in KINDS and r["status"] in STATUSES
        counts[r["quarter"], "findings"] += 1
    for q in quarters:
        print(f"{q}: " + ", ".join(f"{k} {n}" for (qq, k), n in sorted(counts.items()) if qq == q))
    print("check ok: geometries valid and inside their quarter, walks on streets, times ok")


if __name__ == "__main__":
    check()
