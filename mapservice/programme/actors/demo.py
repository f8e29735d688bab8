"""Hamme's demo actors and offers (``data/demo/actors.geojson``, see data/demo/actors.py).

Loaded through the same GeoJSON import a planner uses (upsert by external id), so loading
twice changes nothing. Synthetic actors (``HAM-AK-…``) are flagged ``synthetic`` and say so in
their description; the real facilities (``BO-POI-…``, City of Bochum open data, CC0) are not.
All demo actors get ``source = 'demo'`` so ``karte demo reset`` removes exactly them. Demo
measures whose ``responsible`` text names one of them are linked to it (only where no link
was set yet: a planner's own link stays).
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.errors import KarteError
from mapservice.programme.actors.imports import import_file

DEMO_LOADER = Viewer(role="admin", name="demo")


def load_actors(conn: Connection, folder: Path) -> dict[str, int]:
    path = folder / "actors.geojson"
    data = path.read_bytes()
    report = import_file(conn, DEMO_LOADER, data, filename=path.name)
    if report.refused:
        first = report.refused[0]
        raise KarteError(
            f"Demodaten fehlerhaft ({path.name}, Objekt {first.row}: {first.message_de})",
            f"Demo data broken ({path.name}, feature {first.row}: {first.message_en})",
            code="demo_broken",
        )
    ids = [f["properties"]["external_id"] for f in json.loads(data)["features"]]
    conn.execute(
        text(
            "UPDATE actor SET source = 'demo', synthetic = external_id LIKE 'HAM-AK-%' "
            "WHERE external_id = ANY(:ids) AND (source <> 'demo' "
            "OR synthetic <> (external_id LIKE 'HAM-AK-%'))"
        ),
        {"ids": ids},
    )
    links = json.loads(data).get("links_by_responsible", {})
    linked = 0
    for responsible, external_id in links.items():
        linked += conn.execute(
            text(
                "UPDATE measure m SET actor_id = a.id FROM actor a WHERE m.synthetic "
                "AND m.actor_id IS NULL AND m.responsible = :r AND a.external_id = :e"
            ),
            {"r": responsible, "e": external_id},
        ).rowcount
    return {"created": report.created, "updated": report.updated, "linked": linked}
