"""The synthetic demo: three quarters, walkthroughs, observations, interviews, reference data.

Everything goes through the same import code a planner uses (bulk observation loader,
gazetteer import, reference import, findings with gazetteer georeferencing), so the demo is
also a smoke test of those paths. Loading twice changes nothing: rows carry fixed UUIDs and
replaced sources.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.progress import Progress
from shapely import wkb
from shapely.geometry import MultiPolygon, shape
from sqlalchemy import Engine, text

from mapservice.capture.bulk import bulk_load_observations
from mapservice.capture.findings import FindingRecord, store_findings
from mapservice.capture.readers import read_geojson
from mapservice.capture.reference import import_reference, read_reference
from mapservice.catalog import load_catalog
from mapservice.config import REPO_ROOT, Settings
from mapservice.errors import KarteError
from mapservice.georef.gazetteer_import import import_file
from mapservice.programme.actors import demo as _demo_actors

DEMO = REPO_ROOT / "data" / "demo"
GAZETTEER = REPO_ROOT / "data" / "gazetteer"
BOCHUM = REPO_ROOT / "data" / "bochum-opendata"
BOCHUM_SOURCE = "Stadt Bochum Open Data (CC0)"
REFERENCE_FILES = {
    "referenz-schulen": "bochum_schools.shp",
    "referenz-kitas": "bochum_daycare_centers.shp",
    "referenz-spielplaetze": "bochum_playgrounds.shp",
}


def bochum_dir() -> Path | None:
    """The real Bochum open data (CC0) shipped in ``data/bochum-opendata``."""
    return BOCHUM if (BOCHUM / "bochum_schools.shp").exists() else None


def _features(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def _load_quarters(conn: Any) -> int:
    features = _features(DEMO / "quarters.geojson")
    for feature in features:
        props = feature["properties"]
        geom = shape(feature["geometry"])
        if geom.geom_type == "Polygon":
            geom = MultiPolygon([geom])
        conn.execute(
            text(
                "INSERT INTO quarter (slug, name, city, description, boundary, synthetic) "
                "VALUES (:s, :n, :c, :d, ST_GeomFromWKB(:g, 4326), true) "
                "ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, city = EXCLUDED.city, "
                "description = EXCLUDED.description, boundary = EXCLUDED.boundary"
            ),
            {"s": props["slug"], "n": props["name"], "c": props["city"],
             "d": props.get("description", ""), "g": wkb.dumps(geom)},
        )  # fmt: skip
    return len(features)


def _load_walkthroughs(conn: Any, name: str = "walkthroughs.geojson") -> int:
    features = _features(DEMO / name)
    rows = []
    for feature in features:
        p = feature["properties"]
        rows.append(
            {
                "id": p["id"], "q": p["quarter"], "title": p["title"],
                "started_at": p["started_at"], "ended_at": p.get("ended_at"),
                "team": p.get("team", ""), "residents": p.get("residents", 0),
                "multipliers": p.get("multipliers", 0), "experts": p.get("experts", 0),
                "administration": p.get("administration", 0), "notes": p.get("notes", ""),
                "g": wkb.dumps(shape(feature["geometry"])),
            }
        )  # fmt: skip
    conn.execute(
        text(
            "INSERT INTO walkthrough (id, quarter_id, title, started_at, ended_at, team, "
            "residents, multipliers, experts, administration, notes, track, author, synthetic) "
            "SELECT CAST(:id AS uuid), q.id, :title, CAST(:started_at AS timestamptz), "
            "CAST(:ended_at AS timestamptz), :team, :residents, :multipliers, :experts, "
            ":administration, :notes, ST_GeomFromWKB(:g, 4326), 'demo', true "
            "FROM quarter q WHERE q.slug = :q ON CONFLICT (id, quarter_id) DO NOTHING"
        ),
        rows,
    )
    return len(rows)


def _load_interviews(conn: Any) -> tuple[int, list[FindingRecord]]:
    with open(DEMO / "interviews.csv", encoding="utf-8", newline="") as handle:
        interviews = list(csv.DictReader(handle))
    conn.execute(
        text(
            "INSERT INTO interview (id, quarter_id, held_on, participant_group, pseudonym, "
            "synthetic) SELECT CAST(:id AS uuid), q.id, CAST(:date AS date), "
            ":participant_group, :pseudonym, true FROM quarter q WHERE q.slug = :quarter "
            "ON CONFLICT (id, quarter_id) DO NOTHING"
        ),
        interviews,
    )
    with open(DEMO / "findings.csv", encoding="utf-8", newline="") as handle:
        findings = [
            FindingRecord(
                id=row["id"],
                interview_id=row["interview_id"],
                quarter=row["quarter"],
                statement=row["statement"],
                layer_ids=[part.strip() for part in row["layers"].split(",") if part.strip()],
                kind=row["kind"],
                place_text=row["place_text"],
                status=row["status"],
                synthetic=True,
            )
            for row in csv.DictReader(handle)
        ]
    return len(interviews), findings


def load_demo(engine: Engine, settings: Settings, *, progress: bool = False) -> dict[str, int]:
    """Load (or refresh) the demo in one transaction; returns what is in the database."""
    catalog = load_catalog(settings.layers_dir)
    steps: list[tuple[str, Callable[[Any], Any]]] = []
    counts: dict[str, int] = {}
    bochum = bochum_dir()

    def observations(conn: Any, name: str = "observations.geojson") -> None:
        report = bulk_load_observations(conn, catalog, read_geojson(DEMO / name))
        if not report.ok:
            first = report.refused[0]
            raise KarteError(
                f"Demodaten fehlerhaft (Zeile {first.row}: {first.message_de})",
                f"Demo data broken (row {first.row}: {first.message_en})",
                code="demo_broken",
            )

    def gazetteer(conn: Any) -> None:
        for name in ("places.geojson", "streets.geojson"):
            import_file(conn, GAZETTEER / name, source=f"demo:{name}", replace=True)

    def reference(conn: Any) -> None:
        if bochum is None:
            return
        for layer_id, filename in REFERENCE_FILES.items():
            frame = read_reference(bochum / filename)
            import_reference(conn, catalog, layer_id, frame, source=BOCHUM_SOURCE)

    def interviews(conn: Any) -> None:
        _, findings = _load_interviews(conn)
        store_findings(conn, catalog, findings)

    def programme(conn: Any) -> None:
        from mapservice.programme.demo import load_programme  # measures of Hamme (0010)

        load_programme(conn, catalog, DEMO)

    def rounds(conn: Any) -> None:
        """Hamme's rounds 2024 (synthetic earlier round, data/demo/rounds.py) and 2026."""
        _load_walkthroughs(conn, "round2024_walkthroughs.geojson")
        observations(conn, "round2024_observations.geojson")
        conn.execute(
            text(
                "INSERT INTO walk_round (quarter_id, label, period_from, period_to, synthetic) "
                "SELECT q.id, r.label, CAST(r.f AS date), CAST(r.t AS date), true "
                "FROM quarter q, (VALUES ('2024', '2024-01-01', '2024-12-31'), "
                "('2026', '2026-01-01', '2026-12-31')) AS r(label, f, t) "
                "WHERE q.slug = 'bochum-hamme' ON CONFLICT (quarter_id, label) DO NOTHING"
            )
        )

    steps = [
        ("Quartiere", _load_quarters),
        ("Ortsverzeichnis (Gazetteer)", gazetteer),
        ("Referenzdaten Stadt Bochum", reference),
        ("Begehungen", _load_walkthroughs),
        ("Beobachtungen", observations),
        ("Begehungsrunden 2024 und 2026 (Hamme)", rounds),
        ("Interviews und Aussagen", interviews),
        ("Handlungsprogramm", programme),
        ("Akteure & Angebote", lambda conn: _demo_actors.load_actors(conn, DEMO)),
    ]
    with engine.begin() as conn, Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("Demodaten (synthetisch) laden", total=len(steps))
        for label, step in steps:
            bar.update(task, description=f"Demodaten: {label}")
            step(conn)
            bar.advance(task)
        for table in ("quarter", "walkthrough", "observation", "interview", "finding", "measure"):
            counts[table] = conn.execute(
                text(f"SELECT count(*) FROM {table} WHERE synthetic")
            ).scalar_one()
        counts["reference_feature"] = conn.execute(
            text("SELECT count(*) FROM reference_feature WHERE source = :s"),
            {"s": BOCHUM_SOURCE},
        ).scalar_one()
    return counts


def reset_demo(engine: Engine, settings: Settings) -> int:
    """Remove the demo quarters (with everything in them) and the demo reference data."""
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM reference_feature WHERE source = :s"), {"s": BOCHUM_SOURCE})
        conn.execute(text("DELETE FROM gazetteer_entry WHERE source LIKE 'demo:%'"))
        conn.execute(text("UPDATE measure c SET parent_id = NULL FROM measure p WHERE "
                          "p.id = c.parent_id AND p.synthetic AND NOT c.synthetic"))  # fmt: skip
        conn.execute(text("DELETE FROM measure WHERE synthetic"))
        conn.execute(text("DELETE FROM actor WHERE source = 'demo'"))  # Akteure (0013)
        return int(conn.execute(text("DELETE FROM quarter WHERE synthetic")).rowcount)
