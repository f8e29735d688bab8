#!/usr/bin/env python3
"""Deterministic generator of the demo's earlier round "2024" for Bochum-Hamme (synthetic).

    .venv/bin/python data/demo/rounds.py

The walkthroughs and observations of ``walkthroughs.geojson`` / ``observations.geojson`` are
the round "2026". This writes ``round2024_walkthroughs.geojson`` and
``round2024_observations.geojson`` (a synthetic round "2024", every row labelled synthetic)
and ``round2024_truth.json`` (the planted answer: which 2024 observation is which 2026
one, and the class each should get):

- persisting: a 2026 observation seen in 2024 a few metres away, same rating;
- fixed by rating: seen in 2024 with a rating 2 lower (or as a problem, now a strength);
- worse: seen in 2024 with a rating 1 higher;
- fixed, not seen again: a 2024 problem on a street walked again in 2026, nothing there now;
- not walked again: 2024 problems on a street no 2026 walkthrough took.

Anchors are chosen so the planted answer is unambiguous (no other 2026 observation of the
layer with a similar text within 60 m). Seeded: two runs give byte-identical files.
"""

from __future__ import annotations

import json
import math
import random
import uuid
from pathlib import Path

from pyproj import Transformer
from rapidfuzz import fuzz, utils
from shapely import union_all
from shapely.geometry import Point, shape
from shapely.ops import transform

HERE = Path(__file__).resolve().parent
QUARTER = "bochum-hamme"
NS = uuid.UUID("6f1c2a7e-15ab-4c15-9e15-000000002024")
TO_M = Transformer.from_crs(4326, 25832, always_xy=True).transform
TO_DEG = Transformer.from_crs(25832, 4326, always_xy=True).transform
FIXED_TEXTS = [
    ("sicherheit", "Defekte Straßenlaterne", "Seit Wochen dunkel, abends unangenehm."),
    ("umwelt", "Wilder Sperrmüll am Straßenrand", "Matratzen und Möbel liegen seit Tagen da."),
    ("mobilitaet", "Schlagloch auf dem Radweg", "Tiefes Loch, gefährlich im Dunkeln."),
    ("barrierefreiheit", "Bordstein ohne Absenkung", "Mit Rollator kommt man nicht hinüber."),
    ("gruen-freiraum", "Verwahrloste Baumscheibe", "Hundekot und Müll statt Blumen."),
    ("mobilitaet", "Fehlende Fahrradbügel", "Räder werden an Laternen angeschlossen."),
]
UNWALKED_TEXTS = [
    ("mobilitaet", "Gehweg durch Hecke zugewachsen", "Man muss auf die Fahrbahn ausweichen."),
    ("umwelt", "Glascontainer überfüllt", "Scherben liegen rund um den Container."),
    ("sicherheit", "Dunkle Unterführung", "Keine Beleuchtung, viele meiden den Weg."),
    ("barrierefreiheit", "Treppe ohne Handlauf", "Ältere Menschen kommen kaum hinauf."),
    ("gruen-freiraum", "Spielgerät gesperrt", "Absperrband seit dem letzten Sommer."),
]


def uid(name: str) -> str:
    return str(uuid.uuid5(NS, name))


def metric(geom):  # type: ignore[no-untyped-def]
    return transform(TO_M, geom)  # shapely.ops: pyproj's transform takes x, y


def to_2024(stamp: str) -> str:
    return "2024" + stamp[4:]


def text_of(p: dict) -> str:
    return f"{p['title']} {p.get('description', '')}"


def main() -> None:
    rnd = random.Random(2024)
    walks = [f for f in json.loads((HERE / "walkthroughs.geojson").read_text())["features"]
             if f["properties"]["quarter"] == QUARTER]  # fmt: skip
    obs = [f for f in json.loads((HERE / "observations.geojson").read_text())["features"]
           if f["properties"]["quarter"] == QUARTER]  # fmt: skip
    streets = [f for f in json.loads((HERE.parent / "gazetteer" / "streets.geojson").read_text())[
        "features"] if f["properties"]["quarter"] == QUARTER]  # fmt: skip
    tracks = [metric(shape(w["geometry"])) for w in walks]
    walked = union_all(tracks)
    pts = [(f, metric(shape(f["geometry"]))) for f in obs]

    def clash(layer: str, where: Point, txt: str, skip: str | None = None) -> bool:
        """Another 2026 observation of the layer with a similar text within 60 m?"""
        for f, g in pts:
            p = f["properties"]
            if p["id"] == skip or p["layer"] != layer or g.distance(where) > 60:
                continue
            if fuzz.token_set_ratio(txt, text_of(p), processor=utils.default_process) >= 55:
                return True
        return False

    features: list[dict] = []
    truth: list[dict] = []
    # walkthroughs: the same routes two years earlier, and one street not walked in 2026
    for w in walks:
        p = dict(w["properties"])
        p.update(id=uid("walk-" + p["id"]), started_at=to_2024(p["started_at"]),
                 ended_at=to_2024(p["ended_at"]), title=p["title"] + " (2024, synthetisch)",
                 residents=max(1, p["residents"] - 3), synthetic=True)  # fmt: skip
        features.append({"type": "Feature", "geometry": w["geometry"], "properties": p})
    away = sorted(
        (s for s in streets if metric(shape(s["geometry"])).distance(walked) > 80),
        key=lambda s: -metric(shape(s["geometry"])).length,
    )[0]
    away_m = metric(shape(away["geometry"]))
    away_walk = {
        "id": uid("walk-unwalked"), "quarter": QUARTER,
        "title": f"Begehung {away['properties']['name']} (2024, synthetisch)",
        "started_at": "2024-05-14T10:00:00+02:00", "ended_at": "2024-05-14T11:30:00+02:00",
        "team": "Quartiersbüro Hamme", "residents": 6, "multipliers": 2, "experts": 1,
        "administration": 0, "author": "team-hamme", "synthetic": True,
        "notes": "Synthetische frühere Runde; 2026 nicht erneut begangen.",
    }  # fmt: skip
    features.append({"type": "Feature", "geometry": away["geometry"], "properties": away_walk})
    walk_of = {w["properties"]["id"]: uid("walk-" + w["properties"]["id"]) for w in walks}

    def add(props: dict, geom: Point, klass: str, partner: str | None) -> None:
        lon, lat = TO_DEG(geom.x, geom.y)
        props = {**props, "quarter": QUARTER, "status": "published", "author": "team-hamme",
                 "synthetic": True}  # fmt: skip
        features.append({"type": "Feature", "properties": props,
                         "geometry": {"type": "Point", "coordinates": [round(lon, 7),
                                                                      round(lat, 7)]}})  # fmt: skip
        truth.append({"id": props["id"], "partner": partner, "class": klass})

    anchors = [
        (f, g) for f, g in pts
        if f["geometry"]["type"] == "Point" and f["properties"]["status"] == "published"
        and f["properties"].get("walkthrough") and f["properties"]["rating"] is not None
        and not clash(f["properties"]["layer"], g, text_of(f["properties"]), f["properties"]["id"])
    ]  # fmt: skip
    rnd.shuffle(anchors)
    plans = {"besteht_weiter": 14, "behoben": 10, "verschlechtert": 4}
    for f, g in anchors:
        p = f["properties"]
        r = p["rating"]
        if plans["behoben"] and r >= 0:
            klass, rating, kind = "behoben", r - 2, "problem"
        elif plans["verschlechtert"] and r <= 1 and r >= -1 and p["kind"] == "problem":
            klass, rating, kind = "verschlechtert", r + 1, p["kind"]
        elif plans["besteht_weiter"]:
            klass, rating, kind = "besteht_weiter", r, p["kind"]
        else:
            continue
        plans[klass] -= 1
        angle, dist = rnd.uniform(0, 6.283), rnd.uniform(3, 12)
        where = Point(g.x + dist * math.cos(angle),
                      g.y + dist * math.sin(angle))  # fmt: skip
        title = p["title"]
        add({"id": uid("obs-" + p["id"]), "walkthrough": walk_of[p["walkthrough"]],
             "layer": p["layer"], "kind": kind, "rating": rating, "title": title,
             "description": p.get("description", ""),
             "observed_at": to_2024(p["observed_at"])}, where, klass, p["id"])  # fmt: skip
        if not any(plans.values()):
            break
    # fixed, not seen again: on a 2026 track, nothing similar of the layer within 60 m
    k = 0
    for n in range(400):
        if k >= 12:
            break
        track = tracks[n % len(tracks)]
        spot = track.interpolate(rnd.uniform(0, track.length))
        layer, title, desc = FIXED_TEXTS[k % len(FIXED_TEXTS)]
        where = Point(spot.x + rnd.uniform(-6, 6), spot.y + rnd.uniform(-6, 6))
        if clash(layer, where, f"{title} {desc}") or any(
            f["properties"]["layer"] == layer and g.distance(where) < 60 for f, g in pts
        ):
            continue
        walk = walks[n % len(walks)]["properties"]
        add({"id": uid(f"fixed-{k}"), "walkthrough": walk_of[walk["id"]], "layer": layer,
             "kind": "problem", "rating": -2, "title": title, "description": desc,
             "observed_at": to_2024(walk["started_at"])}, where, "behoben", None)  # fmt: skip
        k += 1
    # not walked again: along the street only 2024 took
    for k, (layer, title, desc) in enumerate(UNWALKED_TEXTS):
        spot = away_m.interpolate((k + 0.5) / len(UNWALKED_TEXTS), normalized=True)
        add({"id": uid(f"unwalked-{k}"), "walkthrough": away_walk["id"], "layer": layer,
             "kind": "problem", "rating": -1, "title": f"{title} ({away['properties']['name']})",
             "description": desc, "observed_at": "2024-05-14T10:40:00+02:00"}, spot,
            "nicht_erneut_begangen", None)  # fmt: skip
    walk_feats = [f for f in features if "layer" not in f["properties"]]
    obs_feats = [f for f in features if "layer" in f["properties"]]
    for name, feats in (("walkthroughs", walk_feats), ("observations", obs_feats)):
        out = {"type": "FeatureCollection", "name": f"Runde 2024 (synthetisch): {name}",
               "features": feats}  # fmt: skip
        (HERE / f"round2024_{name}.geojson").write_text(
            json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    (HERE / "round2024_truth.json").write_text(
        json.dumps({"quarter": QUARTER, "von": "2024", "bis": "2026", "synthetic": True,
                    "planted": truth}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )  # fmt: skip
    classes: dict[str, int] = {}
    for t in truth:
        classes[t["class"]] = classes.get(t["class"], 0) + 1
    print(f"round 2024: {len(features) - len(truth)} walkthroughs, {len(truth)} observations",
          classes, "unwalked street:", away["properties"]["name"])  # fmt: skip


if __name__ == "__main__":
    main()
