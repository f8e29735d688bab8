"""The demo's interview place texts against the demo gazetteer, without a database.

The place texts in ``data/demo/findings.csv`` are written the way people talk ("Hofsteder
Str./Haldenstr.", "am Quartiersbüro", "Schlute-Heuthaus-Straße 18"); this checks that the
gazetteer files in ``data/gazetteer`` and the resolver understand them.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from shapely.geometry import shape

from mapservice.georef.crs import from_metric, to_metric
from mapservice.georef.gazetteer import Entry, Gazetteer, QuarterArea
from mapservice.georef.gazetteer_import import read_geofile

ROOT = Path(__file__).resolve().parents[1]
GAZETTEER = ROOT / "data" / "gazetteer"
DEMO = ROOT / "data" / "demo"
FILES = [GAZETTEER / "streets.geojson", GAZETTEER / "places.geojson", DEMO / "quarters.geojson"]


@pytest.fixture(scope="module")
def demo() -> tuple[Gazetteer, dict[str, int], dict[int, object]]:
    features = json.loads((DEMO / "quarters.geojson").read_text(encoding="utf-8"))["features"]
    ids = {f["properties"]["slug"]: i for i, f in enumerate(features, start=1)}
    boundaries = {ids[f["properties"]["slug"]]: shape(f["geometry"]) for f in features}
    quarters = [
        QuarterArea(
            ids[f["properties"]["slug"]],
            f["properties"]["name"],
            boundaries[ids[f["properties"]["slug"]]].representative_point(),
            f["properties"]["city"],
        )
        for f in features
    ]
    entries = []
    for path in FILES[:2]:
        records, skipped = read_geofile(path)
        assert not skipped
        entries += [
            Entry(r.kind, r.name, r.geometry, ids[r.quarter_slug], r.street, r.housenumber)
            for r in records
            if r.quarter_slug in ids
        ]
    return Gazetteer(entries, quarters), ids, boundaries


def findings() -> list[dict[str, str]]:
    with (DEMO / "findings.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_demo_place_texts_resolve_inside_their_quarter(demo) -> None:  # type: ignore[no-untyped-def]
    gazetteer, ids, boundaries = demo
    rows = findings()
    results = [(row, gazetteer.resolve(row["place_text"], ids[row["quarter"]])) for row in rows]
    methods = [r.method for _, r in results]
    assert methods.count("quarter") <= len(rows) * 0.25, methods
    for row, r in results:
        text, quarter_id = row["place_text"], ids[row["quarter"]]
        assert r.geometry is not None and r.quarter_id == quarter_id
        near = from_metric(to_metric(boundaries[quarter_id]).buffer(100))
        assert near.contains(r.geometry.representative_point()), (text, r.matched)
        if re.search(r"\b(ecke|kreuzung)\b", text, re.IGNORECASE):
            assert r.method == "crossing", (text, r.explanation_de)
        if re.search(r"[a-zß.] \d+\s?[a-z]?$", text):
            assert r.method == "address", (text, r.explanation_de)
        if r.method == "quarter":
            assert r.needs_review


@pytest.mark.parametrize(
    ("quarter", "text", "method", "matched"),
    [
        (
            "bochum-hamme",
            "Hofsteder Str./Haldenstr.",
            "crossing",
            "Hofsteder Straße / Haldenstraße",
        ),
        ("bochum-hamme", "am Quartiersbüro", "place", "Quartiersbüro Hamme"),
        (
            "bochum-hamme",
            "Kath. Kita / Familienzentrum Herz-Jesus-Hamme",
            "place",
            "Kath.Kindertageseinrichtung / Familienzentrum Herz-Jesus-Hamme",
        ),
        ("dortmund-marten", "Schlute-Heuthaus-Straße 18", "address", "Schulte-Heuthaus-Straße 18"),
        ("dortmund-marten", "Martener Forum (In der Meile 2)", "place", None),
        ("herne-wanne-sued", "Könistraße", "street", "Königstraße"),
        ("herne-wanne-sued", "überall", "quarter", "Wanne-Süd"),
    ],
)
def test_typical_demo_phrases(demo, quarter: str, text: str, method: str, matched: str | None):  # type: ignore[no-untyped-def]
    gazetteer, ids, _ = demo
    r = gazetteer.resolve(text, ids[quarter])
    assert r.method == method, r.explanation_de
    if matched:
        assert r.matched == matched
