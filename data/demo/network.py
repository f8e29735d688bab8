"""Geometry helpers, street network and gazetteer helpers of the demo generator (generate.py).

Metric work in ETRS89 / UTM 32N (EPSG:25832); what is written is lon/lat (EPSG:4326) rounded to
6 decimals. Street geometry comes from quarters_src.py; dangling street ends close to another
street are extended to cross it, so every corner ("Ecke A / B") is a real intersection.
"""

from __future__ import annotations

import csv
import itertools
import math
import re
from collections import Counter, defaultdict

import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.polygon import orient
from shapely.ops import substring

_TO_M = Transformer.from_crs(4326, 25832, always_xy=True)
_TO_LL = Transformer.from_crs(25832, 4326, always_xy=True)


def _projector(tr):
    def project(a):
        out = a.copy()
        out[:, 0], out[:, 1] = tr.transform(a[:, 0], a[:, 1])
        return out

    return project


def to_m(g):
    """lon/lat -> EPSG:25832."""
    return shapely.transform(g, _projector(_TO_M))


def ll(g_m):
    """EPSG:25832 -> lon/lat rounded to 6 decimals (exactly what is written)."""
    return shapely.transform(shapely.transform(g_m, _projector(_TO_LL)), lambda a: a.round(6))


def utm_to_ll(x, y):
    lon, lat = _TO_LL.transform(x, y)
    return round(lon, 6), round(lat, 6)


def coords(g):
    """GeoJSON coordinates of a Point, LineString or Polygon."""
    if g.geom_type == "Point":
        return [g.x, g.y]
    if g.geom_type == "LineString":
        return [list(c) for c in g.coords]
    return [[list(c) for c in r.coords] for r in (g.exterior, *g.interiors)]


def offset(p, dist, angle):
    return Point(p.x + dist * math.cos(angle), p.y + dist * math.sin(angle))


def build_quarter(q):
    poly = orient(Polygon([(round(x, 6), round(y, 6)) for x, y in q["boundary"]]), 1.0)
    assert poly.is_valid and poly.exterior.is_ccw, q["slug"]
    return poly, to_m(poly)


def build_streets(q, poly_m):
    """Streets as dicts: name, no (first house number), ll (written geometry), m (metric)."""
    inner = poly_m.buffer(-15)
    lines = [list(to_m(LineString(pts)).coords) for _, _, pts in q["streets"]]
    geoms = [LineString(c) for c in lines]
    for i, cs in enumerate(lines):  # dangling end near a street: cross it by 2 m
        for end, prev in ((0, 1), (-1, -2)):
            p = Point(cs[end])
            d, j = min((geoms[j].distance(p), j) for j in range(len(geoms)) if j != i)
            if 1e-6 < d < 30:
                hit = geoms[j].interpolate(geoms[j].project(p))
                dx, dy = hit.x - cs[prev][0], hit.y - cs[prev][1]
                n = math.hypot(dx, dy)
                cs[end] = (hit.x + 2 * dx / n, hit.y + 2 * dy / n)
        geoms[i] = LineString(cs)
    out = []
    for (name, no, _), g in zip(q["streets"], geoms, strict=True):
        if not inner.contains(g):
            print(f"  ! {name}: clipped to the quarter")
            parts = g.intersection(inner)
            g = max(getattr(parts, "geoms", [parts]), key=lambda x: x.length)
        g_ll = ll(g)
        assert 2 <= len(g_ll.coords) <= 8, name
        out.append({"name": name, "no": no, "ll": g_ll, "m": to_m(g_ll)})
    return out


def _key(x, y):
    return (round(x, 1), round(y, 1))


def build_graph(streets):
    """Split the streets at their intersections: edges, adjacency by node, corners."""
    cuts = [
        [(0.0, _key(*s["m"].coords[0])), (s["m"].length, _key(*s["m"].coords[-1]))] for s in streets
    ]
    corners = []
    for i in range(len(streets)):
        for j in range(i + 1, len(streets)):
            inter = streets[i]["m"].intersection(streets[j]["m"])
            for p in getattr(inter, "geoms", [inter]):
                if p.geom_type != "Point" or p.is_empty:
                    continue
                cuts[i].append((streets[i]["m"].project(p), _key(p.x, p.y)))
                cuts[j].append((streets[j]["m"].project(p), _key(p.x, p.y)))
                corners.append((streets[i]["name"], streets[j]["name"], p))
    edges, adj = [], defaultdict(list)
    for s, cs in zip(streets, cuts, strict=True):
        cs = sorted({k: d for d, k in cs}.items(), key=lambda kv: kv[1])
        for (k0, d0), (k1, d1) in itertools.pairwise(cs):
            if d1 - d0 > 0.05 and k0 != k1:
                edges.append(
                    {
                        "u": k0,
                        "v": k1,
                        "name": s["name"],
                        "len": d1 - d0,
                        "geom": substring(s["m"], d0, d1),
                    }
                )
                adj[k0].append(len(edges) - 1)
                adj[k1].append(len(edges) - 1)
    seen, todo = set(), [next(iter(adj))]
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo.extend(edges[e]["v"] if edges[e]["u"] == n else edges[e]["u"] for e in adj[n])
    assert len(seen) == len(adj), "street network is not connected"
    return {"edges": edges, "adj": adj, "corners": corners}


def random_walk(rng, graph, start, target, max_len=3700):
    """Walk the network from node `start` until `target` metres: (path, metres by street)."""
    edges, adj = graph["edges"], graph["adj"]
    node, prev, pts, visits, by_name = start, None, [], Counter(), Counter()
    while sum(by_name.values()) < target:
        opts = [e for e in adj[node] if e != prev and edges[e]["len"] >= 8]
        opts = opts or ([prev] if prev is not None else [])
        if not opts:
            return None
        weights = [
            (0.3 if visits[e] else 3.0)
            * (1.8 if prev is not None and edges[e]["name"] == edges[prev]["name"] else 1.0)
            for e in opts
        ]
        e = rng.choices(opts, weights)[0]
        seg = list(edges[e]["geom"].coords)
        if edges[e]["u"] != node:
            seg.reverse()
        node = edges[e]["v"] if edges[e]["u"] == node else edges[e]["u"]
        pts.extend(seg if not pts else seg[1:])
        visits[e] += 1
        by_name[edges[e]["name"]] += edges[e]["len"]
        prev = e
    path = LineString(pts)
    return (substring(path, 0, max_len) if path.length > max_len else path), by_name


def jittered_track(rng, path, step=(15, 25), jitter=3):
    """Points every 15-25 m along `path`, each moved by up to +-3 m (GPS noise)."""
    d, pts = 0.0, []
    while d < path.length:
        p = path.interpolate(d)
        pts.append((p.x + rng.uniform(-jitter, jitter), p.y + rng.uniform(-jitter, jitter)))
        d += rng.uniform(*step)
    x, y = path.coords[-1]
    pts.append((x + rng.uniform(-jitter, jitter), y + rng.uniform(-jitter, jitter)))
    return LineString(pts)


def star_polygon(rng, center, radius, n):
    """A simple (star-shaped) polygon around `center`, `radius` metres, n vertices, CCW."""
    aspect, rot, ring = rng.uniform(0.6, 1), rng.uniform(0, math.pi), []
    for i in range(n):
        a = 2 * math.pi * (i + rng.uniform(-0.3, 0.3)) / n
        r = radius * rng.uniform(0.75, 1.0)
        x, y = r * math.cos(a), r * math.sin(a) * aspect
        ring.append(
            (
                center.x + x * math.cos(rot) - y * math.sin(rot),
                center.y + x * math.sin(rot) + y * math.cos(rot),
            )
        )
    return Polygon(ring)


# --- gazetteer: open-data places and house numbers ----------------------------------------------
OD_FILES = (
    ("bochum_schools.csv", "school"),
    ("bochum_daycare_centers.csv", "kita"),
    ("bochum_playgrounds.csv", "playground"),
)
OD_SOURCE = "Stadt Bochum Open Data (CC0)"


def open_data_places(folder, poly_ll):
    """Schools, Kitas and playgrounds of the Bochum open data inside `poly_ll`, as places."""
    out, n44809, outside = [], 0, []
    for fname, cat in OD_FILES:
        with open(folder / fname, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f, delimiter=";"):
                p = Point(utm_to_ll(float(r["rechts_utm"]), float(r["hoch_utm"])))
                if r["plz_ort"].startswith("44809") and 7.18 < p.x < 7.215 and p.y < 51.4985:
                    n44809 += 1  # 44809 south of the A40 (north of it: Hofstede, Hordel, Riemke)
                    if not poly_ll.contains(p):
                        outside.append(r["name"])
                if not poly_ll.contains(p) or any(
                    o["name"] == r["name"] and o["ll"].equals(p) for o in out
                ):
                    continue
                out.append(_od_place(cat, r, p))
    print(
        f"  open data, 44809 south of the A40: {n44809 - len(outside)} of {n44809} inside"
        + (f", outside: {outside}" if outside else "")
    )
    return out


def _od_place(cat, r, p):
    short = r["name"]
    for a, b in (
        ("Kinderspielplatz und Bolzplatz", "Spiel- und Bolzplatz"),
        ("Kinderspielplatz +", "Spiel- und"),
        ("Kinderspielplatz", "Spielplatz"),
        ("Kath.K", "Kath. K"),
        ("Kindertageseinrichtung", "Kita"),
        ("Schulverbund ", ""),
    ):
        short = short.replace(a, b)
    if cat != "playground":
        short = re.split(r",| für | - ", short)[0].strip()
    if cat == "playground":
        prep = "am "
    elif "Kita" in short or not re.search(r"kolleg|haus|zentrum", short, re.I):
        prep = "bei der "
    else:
        prep = "beim "  # das Berufskolleg, das Waldorfkinderhaus
    return {
        "cat": cat,
        "name": r["name"],
        "short": short,
        "at": prep + short,
        "ll": p,
        "address": r["str_hausnr"],
        "sub": r["kategorie"],
        "source": OD_SOURCE,
        "source_id": r["poi_id"],
    }


def make_addresses(rng, streets, poly_m, target):
    """`target` house numbers along the streets: odd left, even right, ~8 m off the centre."""
    cands = []
    for s in streets:
        line, length = s["m"], s["m"].length
        odd = s["no"] | 1
        even, d = odd + 1, rng.uniform(8, 14)
        while d < length - 5:
            a, b = line.interpolate(max(d - 2, 0)), line.interpolate(min(d + 2, length))
            ang = math.atan2(b.y - a.y, b.x - a.x) + math.pi / 2
            for side, no in ((0, odd), (math.pi, even)):
                p = offset(line.interpolate(d), rng.uniform(7, 9), ang + side)
                if poly_m.contains(p) and all(
                    o["m"].distance(p) > 6 for o in streets if o is not s
                ):
                    cands.append((s["name"], no, p))
            odd, even = odd + rng.choice((2, 2, 2, 4)), even + rng.choice((2, 2, 2, 4))
            d += rng.uniform(14, 26)
    out = []
    for i in sorted(rng.sample(range(len(cands)), target)):
        street, no, p = cands[i]
        hn = str(no) + (rng.choice(("a", "a", "b", " a")) if rng.random() < 0.08 else "")
        out.append({"street": street, "hn": hn, "ll": ll(p)})
    return out
