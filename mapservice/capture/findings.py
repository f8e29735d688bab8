"""Interview findings: statements placed through the gazetteer, with a public geometry.

A statement names a place as people say it ("Ecke Hofsteder Straße / Amtsstraße"); we
resolve it against the quarter's gazetteer, record how precisely (method + confidence), flag
what could not be placed for review, and derive the public geometry — generalised when the
place is somebody's home address.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from shapely import wkb
from sqlalchemy import Connection, text

from mapservice.capture.reasons import refuse
from mapservice.catalog import Catalog, LayerSource
from mapservice.georef.gazetteer import Gazetteer
from mapservice.georef.privacy import generalise

KINDS = {"strength", "problem", "potential", "idea"}


@dataclass
class FindingRecord:
    statement: str
    kind: str
    quarter: str
    interview_id: uuid.UUID | str
    layer_ids: list[str] = field(default_factory=list)
    place_text: str = ""
    status: str = "draft"
    id: uuid.UUID | str | None = None
    synthetic: bool = False


def check_finding(catalog: Catalog, rec: FindingRecord) -> None:
    """Refuse a finding with an unknown layer or kind, or an empty statement."""
    if not rec.statement.strip():
        raise refuse("title_missing", "statement")
    if len(rec.statement) > 10_000 or len(rec.place_text) > 500:
        raise refuse("text_too_long")
    if rec.kind not in KINDS:
        raise refuse("unknown_kind", rec.kind[:40])
    observation_layers = {layer.id for layer in catalog.of_source(LayerSource.OBSERVATIONS)}
    unknown = [lid for lid in rec.layer_ids if lid not in observation_layers]
    if unknown or not rec.layer_ids:
        raise refuse("unknown_layer", ", ".join(unknown)[:200] or "layers")


def store_findings(
    conn: Connection, catalog: Catalog, records: Iterable[FindingRecord]
) -> list[dict[str, Any]]:
    """Georeference and insert findings (existing ids are left alone); returns placements."""
    gazetteers: dict[int, Gazetteer] = {}
    quarter_ids: dict[str, int] = dict(conn.execute(text("SELECT slug, id FROM quarter")).all())
    placed: list[dict[str, Any]] = []
    for rec in records:
        check_finding(catalog, rec)
        quarter_id = quarter_ids.get(rec.quarter)
        if quarter_id is None:
            raise refuse("unknown_quarter", rec.quarter[:64])
        if quarter_id not in gazetteers:
            gazetteers[quarter_id] = Gazetteer.load(conn, quarter_id=quarter_id)
        res = gazetteers[quarter_id].resolve(rec.place_text, quarter_id=quarter_id)
        geom = res.geometry
        public = (
            generalise(geom, res.method, from_home_address=res.from_home_address)
            if geom is not None
            else None
        )
        fid = rec.id or uuid.uuid4()
        conn.execute(
            text(
                "INSERT INTO finding (id, interview_id, quarter_id, statement, layer_ids, kind, "
                "place_text, geom, georef_method, georef_confidence, from_home_address, "
                "public_geom, needs_review, status, synthetic) VALUES (:id, :iv, :q, :st, "
                ":layers, :kind, :place, ST_GeomFromWKB(:g, 4326), :method, :conf, :home, "
                "ST_GeomFromWKB(:pg, 4326), :review, :status, :syn) "
                "ON CONFLICT (id) DO NOTHING"
            ),
            {
                "id": fid, "iv": rec.interview_id, "q": quarter_id, "st": rec.statement.strip(),
                "layers": rec.layer_ids, "kind": rec.kind, "place": rec.place_text,
                "g": wkb.dumps(geom) if geom is not None else None, "method": res.method,
                "conf": round(float(res.confidence), 3), "home": res.from_home_address,
                "pg": wkb.dumps(public) if public is not None else None,
                "review": res.needs_review, "status": rec.status, "syn": rec.synthetic,
            },
        )  # fmt: skip
        placed.append({"id": str(fid), "method": res.method, "confidence": res.confidence})
    return placed
