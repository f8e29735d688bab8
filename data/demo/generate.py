#!/usr/bin/env python3
"""Deterministic generator of the demo data of "Karte der Nachhaltigkeit".

    .venv/bin/python data/demo/generate.py

Writes data/demo/{quarters,walkthroughs,observations}.geojson, data/demo/{interviews,findings}.csv
and data/gazetteer/{streets,places}.geojson, then reads them back and checks them. Everything is
synthetic except the Bochum open-data places (City of Bochum, CC0), read from
../shared/data/bochum-opendata (or $KARTE_BOCHUM_OPENDATA). Seeded with random.Random(2026):
two runs give byte-identical files. Source geometry: quarters_src.py; network and geometry
helpers: network.py; interviews and findings: interviews.py; German texts: texts.py;
shared random generator: common.py.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import os
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path
from string import Formatter

from shapely.geometry import Point
from shapely.geometry.polygon import orient
from shapely.ops import substring

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import check  # noqa: E402
import interviews  # noqa: E402
import network as N  # noqa: E402
import quarters_src as Q  # noqa: E402
import texts as T  # noqa: E402
from common import DST_2026, an_street, iso, new_id, pick, rng, spring_day, stamp  # noqa: E402

DEMO, GAZ = HERE, HERE.parent / "gazetteer"
OPEN_DATA = Path(
    os.environ.get("KARTE_BOCHUM_OPENDATA", HERE.parents[2] / "shared" / "data" / "bochum-opendata")
)
SYN = "synthetisch"
PLACE_GROUPS = {
    "park": ("park",),
    "playground": ("playground",),
    "school": ("school",),
    "kita": ("kita",),
    "stop": ("stop", "station"),
    "church": ("church",),
    "market": ("market", "square"),
}
START_CATS = ("market", "office", "station", "church", "square", "youth")


# --- walkthroughs -------------------------------------------------------------------------------
def make_walkthroughs(ctx):
    q, graph = ctx["q"], ctx["graph"]
    nodes = sorted(
        k for k, es in graph["adj"].items() if any(graph["edges"][e]["len"] >= 8 for e in es)
    )
    n = rng.randint(5, 7)
    types = [T.WALK_TYPES[0], *rng.sample(T.WALK_TYPES[1:], n - 1)]
    walks = []
    for (title_t, hours, groups, focus), day in zip(
        types, sorted(spring_day(1, 90) for _ in range(n)), strict=True
    ):
        while True:
            start = rng.choice([p for p in ctx["places"] if p["cat"] in START_CATS])
            node = min(nodes, key=lambda k, s=start: math.hypot(k[0] - s["m"].x, k[1] - s["m"].y))
            res = N.random_walk(rng, graph, node, rng.uniform(1700, 3500))
            if not res:
                continue
            path, by_name = res
            track_ll = N.ll(N.jittered_track(rng, path))
            track_m = N.to_m(track_ll)
            if 1500 <= track_m.length <= 4000 and ctx["poly_ll"].contains(track_ll):
                break
        main = by_name.most_common(1)[0][0]
        evening = title_t.startswith("Abend")
        hour = (19 if day < DST_2026 else 20) if evening else rng.choice(hours)
        t0 = stamp(day, hour * 60 + rng.choice((0, 0, 15, 30)))
        minutes = 5 * round(
            min(max(track_m.length / rng.uniform(16, 25), 90), 120 if evening else 180) / 5
        )
        counts = [rng.randint(*g) for g in groups]
        wid, title = new_id(), title_t.format(main=main, start=start["name"])
        notes = rng.choice(T.WALK_NOTES).format(
            start=start["name"], an_main=an_street(main), weather=rng.choice(T.WEATHER)
        )
        walks.append(
            {
                "id": wid,
                "t0": t0,
                "min": minutes,
                "path": path,
                "track_m": track_m,
                "track_ll": track_ll,
                "names": by_name,
                "focus": focus,
                "props": {
                    "id": wid,
                    "quarter": q["slug"],
                    "title": title,
                    "started_at": iso(t0),
                    "ended_at": iso(t0 + timedelta(minutes=minutes)),
                    "team": rng.choice(q["teams"]),
                    "residents": counts[0],
                    "multipliers": counts[1],
                    "experts": counts[2],
                    "administration": counts[3],
                    "notes": notes,
                    "author": q["authors"][0],
                    "synthetic": True,
                },
            }
        )
    return walks


# --- observations -------------------------------------------------------------------------------
def text_ctx(ctx, g_m, street):
    """Placeholders of the templates: street, and names of nearby places (within 250 m)."""
    c = {"street": street, "an_street": an_street(street)}
    for key, cats in PLACE_GROUPS.items():
        near = [(p["m"].distance(g_m), i) for i, p in enumerate(ctx["places"]) if p["cat"] in cats]
        near = [x for x in near if x[0] <= 250]
        if near:
            p = ctx["places"][min(near)[1]]
            c[key], c["at_" + key] = p["short"], p["at"]
    return c


def obs_geometry(ctx, walk, gtype):
    """(geometry lon/lat, street name, fraction of the walk) or None to try again."""
    streets = ctx["streets"]
    if gtype == "L":  # a 50-300 m stretch of one street, on the walk if there is one
        if walk:
            names = sorted(walk["names"])
            name = rng.choices(names, [walk["names"][k] for k in names])[0]
            street = next(s for s in streets if s["name"] == name)
        else:
            street = rng.choices(streets, [s["m"].length for s in streets])[0]
        length = street["m"].length
        if length < 60:
            return None
        seg = rng.uniform(50, min(300, length - 5))
        s0 = rng.uniform(0, length - seg)
        g = N.ll(substring(street["m"], s0, s0 + seg))
        frac = walk["path"].project(N.to_m(g).centroid) / walk["path"].length if walk else None
        return (g, street["name"], frac) if 50 <= N.to_m(g).length <= 300 else None
    if walk:
        d = rng.uniform(0, walk["path"].length)
        frac, base = d / walk["path"].length, walk["path"].interpolate(d)
    else:
        s = rng.choices(streets, [s["m"].length for s in streets])[0]
        frac, base = None, s["m"].interpolate(rng.uniform(0, s["m"].length))
    ang = rng.uniform(0, 2 * math.pi)
    if gtype == "P":
        g = N.ll(N.offset(base, rng.uniform(0, 30), ang))
        if walk and walk["track_m"].distance(N.to_m(g)) > 40:
            return None
    else:
        g = N.star_polygon(
            rng, N.offset(base, rng.uniform(15, 45), ang), rng.uniform(15, 70), rng.randint(5, 9)
        )
        g = orient(N.ll(g), 1.0)
        ring = N.to_m(g).exterior.coords
        across = max(Point(a).distance(Point(b)) for a, b in itertools.combinations(ring, 2))
        if not (g.is_valid and g.exterior.is_ccw and 30 <= across <= 150):
            return None
    g_m = N.to_m(g)
    return g, min(streets, key=lambda s: s["m"].distance(g_m))["name"], frac


def one_observation(ctx, walks, gtype):
    q = ctx["q"]
    walk = None
    if gtype == "P" or rng.random() < (0.6 if gtype == "L" else 0.5):
        walk = rng.choices(walks, [w["track_m"].length for w in walks])[0]
    weights = {
        k: v
        * T.QUARTER_LAYER_BOOST[q["slug"]].get(k, 1)
        * (2.2 if walk and k in walk["focus"] else 1)
        for k, v in T.LAYER_WEIGHTS.items()
    }
    layer = pick(weights)
    kind = pick(T.KIND_BY_LAYER.get(layer, T.KIND_WEIGHTS))
    templates = [t for t in T.OBS[layer][kind] if t[0] == gtype]
    res = obs_geometry(ctx, walk, gtype) if templates else None
    if not res or not ctx["poly_ll"].contains(res[0]):
        return None
    g, street, frac = res
    tctx = text_ctx(ctx, N.to_m(g), street)
    usable = [
        t for t in templates if all(f in tctx for _, f, _, _ in Formatter().parse(t[1] + t[2]) if f)
    ]
    if not usable:
        return None
    _, title, desc = rng.choice(usable)
    title, desc = title.format(**tctx), desc.format(**tctx)
    if rng.random() < 0.4:
        desc += " " + rng.choice(T.EXTRA[kind])
    if rng.random() < 0.35:
        pool = "neg" if kind == "problem" else "pos" if kind == "strength" else "idea"
        quote = rng.choice(T.QUOTES[layer][pool])
        desc += f" „{quote.rstrip('.')}“, {rng.choice(T.SPEAKERS)}."
    if walk:
        end = walk["t0"] + timedelta(minutes=walk["min"])
        t = walk["t0"] + timedelta(minutes=frac * walk["min"] + rng.uniform(-1.5, 1.5))
        t = min(max(t, walk["t0"]), end)
    else:
        t = stamp(spring_day(), rng.uniform(9 * 60, 18 * 60))
    values, wts = T.RATINGS[kind]
    return g, {
        "id": new_id(),
        "quarter": q["slug"],
        "walkthrough": walk["id"] if walk else None,
        "layer": layer,
        "kind": kind,
        "rating": rng.choices(values, wts)[0],
        "title": title,
        "description": desc,
        "observed_at": iso(t),
        "status": None,
        "author": rng.choice(q["authors"]),
        "accuracy_m": int(3 + 22 * rng.random() ** 2) if gtype == "P" else None,
        "synthetic": True,
    }


def make_observations(ctx, walks):
    """300 per quarter: 255 points, 30 lines, 15 areas; status 70/15/10/5 %."""
    gtypes = ["P"] * 255 + ["L"] * 30 + ["A"] * 15
    statuses = ["published"] * 210 + ["review"] * 45 + ["draft"] * 30 + ["rejected"] * 15
    rng.shuffle(gtypes)
    rng.shuffle(statuses)
    out = []
    for gtype, status in zip(gtypes, statuses, strict=True):
        res = None
        while res is None:
            res = one_observation(ctx, walks, gtype)
        res[1]["status"] = status
        out.append(res)
    return out


# --- output and checks --------------------------------------------------------------------------
def feature(g, props):
    return {
        "type": "Feature",
        "geometry": {"type": g.geom_type, "coordinates": N.coords(g)},
        "properties": props,
    }


def write_geojson(path, feats):
    body = ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in feats)
    path.write_text(
        '{"type":"FeatureCollection","features":[\n' + body + "\n]}\n", encoding="utf-8"
    )


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def place_props(
    q,
    name,
    kind,
    cat=None,
    sub=None,
    street=None,
    hn=None,
    address=None,
    source=SYN,
    source_id=None,
):
    return {
        "name": name,
        "quarter": q["slug"],
        "kind": kind,
        "category": cat,
        "subcategory": sub,
        "street": street,
        "housenumber": hn,
        "address": address,
        "source": source,
        "source_id": source_id,
    }


def main():
    out = {k: [] for k in ("quarters", "streets", "places", "walks", "obs", "iv", "fi")}
    for q in Q.QUARTERS:
        print(f"{q['slug']}:")
        poly_ll, poly_m = N.build_quarter(q)
        streets = N.build_streets(q, poly_m)
        graph = N.build_graph(streets)
        places = [
            {
                "cat": c,
                "name": n,
                "short": n,
                "at": at,
                "ll": Point(round(x, 6), round(y, 6)),
                "address": None,
                "sub": None,
                "source": SYN,
                "source_id": None,
            }
            for c, n, at, x, y in q["places"]
        ]
        n_syn = len(places)
        if q["slug"] == "bochum-hamme":
            places += N.open_data_places(OPEN_DATA, poly_ll)
        for p in places:
            assert poly_ll.contains(p["ll"]), p["name"]
            p["m"] = N.to_m(p["ll"])
        ctx = {
            "q": q,
            "poly_ll": poly_ll,
            "poly_m": poly_m,
            "streets": streets,
            "graph": graph,
            "places": places,
        }
        ctx["addresses"] = N.make_addresses(rng, streets, poly_m, rng.randint(200, 260))
        walks = make_walkthroughs(ctx)
        obs = make_observations(ctx, walks)
        ivs, findings = interviews.make_interviews(ctx)
        out["quarters"].append(
            feature(
                poly_ll,
                {k: q[k] for k in ("slug", "name", "city", "description")} | {"synthetic": True},
            )
        )
        out["streets"] += [
            feature(
                s["ll"],
                {
                    "name": s["name"],
                    "quarter": q["slug"],
                    "kind": "street",
                    "source": SYN,
                    "synthetic_geometry": True,
                },
            )
            for s in streets
        ]
        out["places"] += [
            feature(
                p["ll"],
                place_props(
                    q,
                    p["name"],
                    "place",
                    p["cat"],
                    p["sub"],
                    address=p["address"],
                    source=p["source"],
                    source_id=p["source_id"],
                ),
            )
            for p in places
        ]
        out["places"] += [
            feature(
                a["ll"],
                place_props(
                    q,
                    f"{a['street']} {a['hn']}",
                    "address",
                    street=a["street"],
                    hn=a["hn"],
                    address=f"{a['street']} {a['hn']}",
                ),
            )
            for a in ctx["addresses"]
        ]
        out["walks"] += [feature(w["track_ll"], w["props"]) for w in walks]
        out["obs"] += [feature(g, p) for g, p in obs]
        out["iv"] += ivs
        out["fi"] += findings
        geoms = Counter(g.geom_type for g, _ in obs)
        print(
            f"  {poly_m.area / 1e6:.2f} km², {len(streets)} streets, "
            f"{len(graph['corners'])} corners, {n_syn} places + {len(places) - n_syn} from "
            f"open data, {len(ctx['addresses'])} addresses\n  {len(walks)} walkthroughs "
            f"{[round(w['track_m'].length / 1000, 2) for w in walks]} km, {len(obs)} "
            f"observations {dict(sorted(geoms.items()))}, {len(ivs)} interviews, "
            f"{len(findings)} findings"
        )
    GAZ.mkdir(exist_ok=True)
    write_geojson(DEMO / "quarters.geojson", out["quarters"])
    write_geojson(DEMO / "walkthroughs.geojson", out["walks"])
    write_geojson(DEMO / "observations.geojson", out["obs"])
    write_geojson(GAZ / "streets.geojson", out["streets"])
    write_geojson(GAZ / "places.geojson", out["places"])
    write_csv(DEMO / "interviews.csv", out["iv"])
    write_csv(DEMO / "findings.csv", out["fi"])
    print("layers:", dict(Counter(f["properties"]["layer"] for f in out["obs"]).most_common()))
    check.check()


if __name__ == "__main__":
    main()
