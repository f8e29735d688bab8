"""Hamme's synthetic Handlungsprogramm: measures, milestones and links for the demo.

The measures go through the same CSV import a planner uses (upsert by external id), so
loading twice changes nothing and the demo also exercises the import. Milestones and links
are added only when not there yet. All of it is invented (``synthetic``, and each
description says so); the files are written by ``data/demo/programme.py`` from the demo's
observations and findings.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.catalog import Catalog
from mapservice.errors import KarteError
from mapservice.programme.csvio import import_csv

DEMO_LOADER = Viewer(role="admin", name="demo")


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_programme(conn: Connection, catalog: Catalog, folder: Path) -> dict[str, int]:
    """Load (or refresh) the demo measures; returns what the import reported."""
    path = folder / "measures.csv"
    report = import_csv(conn, catalog, DEMO_LOADER, path.read_bytes(), synthetic=True)
    if report.refused:
        first = report.refused[0]
        raise KarteError(
            f"Demodaten fehlerhaft ({path.name}, Zeile {first.row}: {first.message_de})",
            f"Demo data broken ({path.name}, line {first.row}: {first.message_en})",
            code="demo_broken",
        )
    ids = dict(conn.execute(text("SELECT external_id, id FROM measure WHERE synthetic")).all())
    stones: list[dict[str, Any]] = [
        {"m": ids[r["measure"]], "d": r["on_date"], "t": r["title"], "b": r["text"]}
        for r in _rows(folder / "measure_milestones.csv")
    ]
    if stones:
        conn.execute(
            text(
                "INSERT INTO measure_milestone (measure_id, on_date, title, body) "
                "SELECT :m, CAST(:d AS date), :t, :b WHERE NOT EXISTS (SELECT 1 FROM "
                "measure_milestone WHERE measure_id = :m AND on_date = CAST(:d AS date) "
                "AND title = :t)"
            ),
            stones,
        )
    links = _rows(folder / "measure_links.csv")
    for column, table in (("observation_id", "observation"), ("finding_id", "finding")):
        rows = [
            {"m": ids[r["measure"]], "t": r[column], "r": r["reason"]} for r in links if r[column]
        ]
        if rows:
            conn.execute(
                text(
                    f"INSERT INTO measure_link (measure_id, {column}, quarter_id, reason) "
                    f"SELECT :m, t.id, t.quarter_id, :r FROM {table} t "
                    f"WHERE t.id = CAST(:t AS uuid) "
                    f"ON CONFLICT (measure_id, {column}, quarter_id) "
                    f"WHERE {column} IS NOT NULL DO NOTHING"
                ),
                rows,
            )
    return {"read": report.read, "created": report.created, "updated": report.updated}
