"""Dataset and request lists of the tile benchmark (``bench.bench_tiles``).

The data has the shape of real use, not of a uniform grid: 12 quarters of about 1.8 × 1.4 km
around German cities, 200,000 point observations crowded around 25 hot spots per quarter
(streets and squares people walk along) with a thinner spread over the rest of the quarter,
5,000 small areas (observation polygons of 15–60 m) and 2,000 walkthrough tracks (random walks
of 40 m steps). Dense tiles next to nearly empty ones is what makes low zooms expensive and
high zooms cheap, so only such a shape gives figures that mean something.

Everything is generated in SQL (``INSERT … SELECT generate_series``) with a fixed seed, so a
run takes seconds and every run sees the same rows. All rows are ``published``: the public
(and tipg, which knows nothing of status) see the same features.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import psycopg

#: Layer the observations belong to; the benchmark writes its own catalogue file for it.
LAYER_ID = "bench-beobachtungen"
#: 12 quarters: (slug, city, centre lon, centre lat).
QUARTERS: tuple[tuple[str, str, float, float], ...] = (
    ("bochum-ehrenfeld", "Bochum", 7.2100, 51.4760),
    ("leipzig-connewitz", "Leipzig", 12.3740, 51.3100),
    ("freiburg-vauban", "Freiburg im Breisgau", 7.8290, 47.9800),
    ("kassel-nordstadt", "Kassel", 9.4980, 51.3260),
    ("bremen-neustadt", "Bremen", 8.7950, 53.0650),
    ("dresden-neustadt", "Dresden", 13.7560, 51.0660),
    ("nuernberg-gostenhof", "Nürnberg", 11.0560, 49.4480),
    ("hannover-linden", "Hannover", 9.7120, 52.3670),
    ("muenster-hansaviertel", "Münster", 7.6420, 51.9600),
    ("erfurt-ilversgehofen", "Erfurt", 11.0300, 50.9980),
    ("karlsruhe-oststadt", "Karlsruhe", 8.4200, 49.0120),
    ("rostock-kroepeliner-tor", "Rostock", 12.1050, 54.0880),
)
#: Half the width and half the height of a quarter in metres.
HALF_W_M, HALF_H_M = 900.0, 700.0
HOTSPOTS_PER_QUARTER = 25
KINDS = ("strength", "problem", "potential", "idea")

LAYER_TOML = f'''# Written by bench/bench_tiles.py: one layer holding every generated observation.
id = "{LAYER_ID}"
source = "observations"
title_de = "Benchmark-Beobachtungen"
title_en = "Benchmark observations"
description_de = "Erzeugte Beobachtungen für den Kachel-Benchmark."
description_en = "Generated observations for the tile benchmark."
dimension = "ökologisch"
sdg = [11]
geometry_types = ["Point", "Polygon"]
public = true
min_zoom = 0
max_zoom = 22
cluster_below_zoom = {{cluster_below_zoom}}
icon = "bus"
popup_fields = ["title", "kind", "rating"]

[style]
stroke_color = "#FFFFFF"
stroke_width = 1.5
fill_opacity = 0.85

[style.colors]
strength = "#009E73"
problem = "#D55E00"
potential = "#E69F00"
idea = "#0072B2"

[legend.strength]
de = "Stärke"
en = "Strength"

[legend.problem]
de = "Problem"
en = "Problem"

[legend.potential]
de = "Potenzial"
en = "Potential"

[legend.idea]
de = "Idee"
en = "Idea"
'''


def write_layers(folder: Path, cluster_below_zoom: int) -> Path:
    """A catalogue folder with only the benchmark layer; ``cluster_below_zoom = 0`` means
    raw points at every zoom (the catalogue has no "off" value, and no zoom is below 0)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{LAYER_ID}.toml").write_text(
        LAYER_TOML.replace("{cluster_below_zoom}", str(cluster_below_zoom)), encoding="utf-8"
    )
    return folder


@dataclass(frozen=True)
class DatasetFigures:
    """What was loaded and how long it took."""

    points: int
    areas: int
    tracks: int
    seconds: float


def _quarter_rows() -> list[tuple[int, str, str, str]]:
    """(id, slug, city, WKT) of each quarter: an irregular octagon around the centre."""
    rows = []
    for i, (slug, city, lon, lat) in enumerate(QUARTERS, start=1):
        kx, ky = 1 / (111_320 * math.cos(math.radians(lat))), 1 / 110_540
        ring = []
        for step in range(8):
            angle = math.pi / 4 * step + 0.2
            wobble = 1.0 + 0.12 * math.sin(3 * step + i)  # not a perfect shape
            dx = HALF_W_M * 1.35 * wobble * math.cos(angle)
            dy = HALF_H_M * 1.35 * wobble * math.sin(angle)
            ring.append((lon + dx * kx, lat + dy * ky))
        ring.append(ring[0])
        coords = ", ".join(f"{x:.7f} {y:.7f}" for x, y in ring)
        rows.append((i, slug, city, f"MULTIPOLYGON((({coords})))"))
    return rows


# The quarter's box in degrees, per quarter: centre ± half size.
_BOX = f"""
  SELECT q.id AS qid, ST_X(c) AS lon, ST_Y(c) AS lat,
         {HALF_W_M} / (111320 * cos(radians(ST_Y(c)))) AS hw, {HALF_H_M} / 110540.0 AS hh
    FROM quarter q, LATERAL (SELECT ST_Centroid(q.boundary) AS c) s
"""

_HOTSPOTS = f"""
CREATE TEMP TABLE bench_hot AS
SELECT b.qid, h, b.lon + (random() * 1.6 - 0.8) * b.hw AS lon,
       b.lat + (random() * 1.6 - 0.8) * b.hh AS lat,
       b.lon AS clon, b.lat AS clat, b.hw, b.hh, 30 + random() * 120 AS sigma_m
  FROM ({_BOX}) b, generate_series(0, {HOTSPOTS_PER_QUARTER - 1}) h
"""

_TRACKS = """
INSERT INTO walkthrough (id, quarter_id, title, started_at, ended_at, team, residents,
                         multipliers, experts, administration, track, synthetic)
SELECT md5('track' || t)::uuid, w.qid, 'Begehung ' || t,
       timestamptz '2025-04-01 10:00+02' + (t %% 180) * interval '1 day',
       timestamptz '2025-04-01 12:00+02' + (t %% 180) * interval '1 day',
       'Team ' || (t %% 7), t %% 9, t %% 4, t %% 3, t %% 2,
       w.track, true
  FROM (SELECT t, min(qid) AS qid,
               ST_MakeLine(array_agg(ST_MakePoint(x, y) ORDER BY i)) AS track
          FROM (SELECT t, i, qid,
                       lon + sum(dx) OVER (PARTITION BY t ORDER BY i) AS x,
                       lat + sum(dy) OVER (PARTITION BY t ORDER BY i) AS y
                  FROM (SELECT t, i, hs.qid, hs.lon, hs.lat,
                               CASE WHEN i = 0 THEN 0
                                    ELSE (random() - 0.5) * 80 * hs.hw / %(half_w)s END AS dx,
                               CASE WHEN i = 0 THEN 0
                                    ELSE (random() - 0.5) * 80 * hs.hh / %(half_h)s END AS dy
                          FROM generate_series(1, %(tracks)s) t
                          JOIN bench_hot hs ON hs.qid = 1 + t %% 12
                                            AND hs.h = (t / 12) %% %(hot)s,
                               generate_series(0, 29 + t %% 30) i) steps) walk
         GROUP BY t) w
"""

# Points: 70 % around a hot spot (Gaussian, Box–Muller), 30 % anywhere in the quarter's box.
_POINTS = """
INSERT INTO observation (id, quarter_id, walkthrough_id, layer_id, kind, rating, title,
                         description, geom, accuracy_m, observed_at, status, author, synthetic)
SELECT md5('obs' || g)::uuid, p.qid,
       md5('track' || (12 * (1 + (g / 12) %% (%(tracks)s / 12 - 1)) + p.qid - 1))::uuid,
       %(layer)s, (%(kinds)s::text[])[1 + g %% 4], (g %% 5) - 2,
       (ARRAY['Gehweg zugeparkt', 'Schöner Platz', 'Baum fehlt', 'Bank kaputt',
              'Radweg endet', 'Idee: Quartiersgarten', 'Leerstand', 'Laute Kreuzung'])
         [1 + g %% 8] || ' ' || g,
       'Beobachtung aus der Begehung', ST_SetSRID(ST_MakePoint(p.x, p.y), 4326), 5,
       timestamptz '2025-04-01 10:00+02' + (g %% 365) * interval '1 day',
       'published', 'bench', true
  FROM (SELECT g, hs.qid,
               CASE WHEN g %% 10 < 7
                    THEN hs.lon + u.r * cos(u.a) * hs.sigma_m * hs.hw / %(half_w)s
                    ELSE hs.clon + (random() * 2 - 1) * hs.hw END AS x,
               CASE WHEN g %% 10 < 7
                    THEN hs.lat + u.r * sin(u.a) * hs.sigma_m * hs.hh / %(half_h)s
                    ELSE hs.clat + (random() * 2 - 1) * hs.hh END AS y
          FROM (SELECT g, sqrt(-2 * ln(1 - random())) AS r, 2 * pi() * random() AS a
                  FROM generate_series(1, %(points)s) g) u
          JOIN bench_hot hs ON hs.qid = 1 + u.g %% 12 AND hs.h = (u.g / 12) %% %(hot)s) p
"""

# Areas: small polygons (8 corners, 15–60 m radius) near hot spots.
_AREAS = """
INSERT INTO observation (id, quarter_id, layer_id, kind, rating, title, description, geom,
                         observed_at, status, author, synthetic)
SELECT md5('area' || g)::uuid, hs.qid, %(layer)s, (%(kinds)s::text[])[1 + g %% 4],
       (g %% 5) - 2, 'Fläche ' || g, 'Bereich aus der Begehung',
       ST_Buffer(ST_SetSRID(ST_MakePoint(
                   hs.lon + (random() - 0.5) * 4 * hs.sigma_m * hs.hw / %(half_w)s,
                   hs.lat + (random() - 0.5) * 4 * hs.sigma_m * hs.hh / %(half_h)s),
                 4326)::geography, 15 + random() * 45, 'quad_segs=2')::geometry,
       timestamptz '2025-04-01 10:00+02' + (g %% 365) * interval '1 day',
       'published', 'bench', true
  FROM generate_series(1, %(areas)s) g
  JOIN bench_hot hs ON hs.qid = 1 + g %% 12 AND hs.h = (g / 12) %% %(hot)s
"""


def load_dataset(url: str, points: int, areas: int, tracks: int) -> DatasetFigures:
    """Fill the empty, migrated database at ``url``; ANALYZE at the end so the planner
    knows the real row counts before the first tile is asked for."""
    import time

    started = time.perf_counter()
    params = {
        "points": points, "areas": areas, "tracks": max(tracks, 12), "hot": HOTSPOTS_PER_QUARTER,
        "half_w": HALF_W_M, "half_h": HALF_H_M, "layer": LAYER_ID, "kinds": list(KINDS),
    }  # fmt: skip
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SELECT setseed(0.42)")
        with conn.transaction():
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO quarter (id, slug, name, city, boundary, synthetic) "
                    "VALUES (%s, %s, %s, %s, ST_GeomFromText(%s, 4326), true)",
                    [(i, slug, slug.split("-", 1)[1].title(), city, wkt)
                     for i, slug, city, wkt in _quarter_rows()],
                )  # fmt: skip
            conn.execute(_HOTSPOTS)
            conn.execute(_TRACKS, params)
            conn.execute(_POINTS, params)
            conn.execute(_AREAS, params)
        conn.execute("ANALYZE")
    return DatasetFigures(points, areas, max(tracks, 12), time.perf_counter() - started)


# -- request lists ------------------------------------------------------------------------


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """XYZ tile of a lon/lat position (Web Mercator, y from the top)."""
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tile_list(z: int, ring: int = 0) -> list[tuple[int, int, int]]:
    """Every tile that meets a quarter's box enlarged by half (the quarter and its edge), plus
    ``ring`` more tiles around it. The default (no ring) keeps the list to tiles that hold
    data: with a ring, 85 % of the z12 tiles would be empty and the figure would measure
    HTTP overhead rather than tiles.

    Quarters are interleaved (round robin) so consecutive requests hit different places,
    as many users at once would, instead of walking one quarter tile by tile.
    """
    per_quarter: list[list[tuple[int, int, int]]] = []
    for _slug, _city, lon, lat in QUARTERS:
        kx, ky = 1 / (111_320 * math.cos(math.radians(lat))), 1 / 110_540
        x0, y0 = lonlat_to_tile(lon - HALF_W_M * 1.5 * kx, lat + HALF_H_M * 1.5 * ky, z)
        x1, y1 = lonlat_to_tile(lon + HALF_W_M * 1.5 * kx, lat - HALF_H_M * 1.5 * ky, z)
        per_quarter.append(
            [
                (z, x, y)
                for x in range(x0 - ring, x1 + ring + 1)
                for y in range(y0 - ring, y1 + ring + 1)
            ]
        )
    out: list[tuple[int, int, int]] = []
    for i in range(max(len(t) for t in per_quarter)):
        out.extend(t[i] for t in per_quarter if i < len(t))
    return out


def item_boxes(per_quarter: int = 12) -> list[tuple[float, float, float, float]]:
    """Bounding boxes (lon/lat) of about a z15 tile each, spread over every quarter: what a
    client asks when it loads the features of the map view around a quarter's streets."""
    boxes = []
    for i in range(per_quarter):
        for _slug, _city, lon, lat in QUARTERS:
            kx, ky = 1 / (111_320 * math.cos(math.radians(lat))), 1 / 110_540
            fx, fy = math.sin(i * 2.1), math.cos(i * 1.3)
            cx, cy = lon + fx * HALF_W_M * 0.8 * kx, lat + fy * HALF_H_M * 0.8 * ky
            w, h = 600 * kx, 450 * ky
            boxes.append((cx - w, cy - h, cx + w, cy + h))
    return boxes
