"""Reference features keyed by the file's own id column: insert new, update changed, remove
what the file no longer has — and leave unchanged rows alone.

A city republishes its list of sports facilities with two entries corrected: re-importing it
must change exactly those two rows (same database ids, so links and popups stay valid), not
delete and re-add all 300. The key is (layer, source, the file's id value); PostgreSQL's
``INSERT … ON CONFLICT … DO UPDATE … WHERE`` does the comparison in one statement and
``xmax = 0`` tells inserted rows from updated ones.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
from shapely import wkb
from sqlalchemy import Connection, text

from mapservice.capture.bulk import ImportReport
from mapservice.capture.reference import _jsonable

UPSERT = """
INSERT INTO reference_feature AS r (layer_id, source, source_key, geom, properties, quarter_id,
                                    georef_method)
SELECT :l, :s, :k, g, CAST(:p AS jsonb),
       (SELECT q.id FROM quarter q WHERE ST_Covers(q.boundary, g) LIMIT 1), :m
  FROM ST_GeomFromWKB(:g, 4326) AS g
ON CONFLICT (layer_id, source, source_key) WHERE source_key IS NOT NULL DO UPDATE
   SET geom = EXCLUDED.geom, properties = EXCLUDED.properties,
       quarter_id = EXCLUDED.quarter_id, georef_method = EXCLUDED.georef_method
 WHERE NOT ST_Equals(r.geom, EXCLUDED.geom) OR r.properties <> EXCLUDED.properties
    OR r.georef_method IS DISTINCT FROM EXCLUDED.georef_method
RETURNING (xmax = 0) AS inserted
"""
REMOVE = """
DELETE FROM reference_feature WHERE layer_id = :l AND source = :s
   AND (source_key IS NULL OR NOT (source_key = ANY(CAST(:keys AS text[]))))
"""


def upsert_reference(
    conn: Connection, layer_id: str, frame: gpd.GeoDataFrame, geoms: np.ndarray, *,
    source: str, keys: list[str | None], methods: list[str | None] | None,
    report: ImportReport, skip_invalid: bool,
) -> tuple[ImportReport, int]:  # fmt: skip
    """Write the checked rows (``geoms`` None = refused) by key; returns the report and how
    many features of this source were removed because the file no longer has them."""
    present = int(
        conn.execute(
            text("SELECT count(*) FROM reference_feature WHERE layer_id = :l AND source = :s "
                 "AND source_key = ANY(CAST(:keys AS text[]))"),
            {"l": layer_id, "s": source, "keys": [k for k in keys if k]},
        ).scalar_one()
    )  # fmt: skip
    if report.dry_run or (report.refused and not skip_invalid):
        report.existing = present
        return report, 0
    columns = [c for c in frame.columns if c != frame.geometry.name]
    rows = []
    for i, values in enumerate(frame[columns].itertuples(index=False)):
        geom = geoms[i]
        if geom is None or not keys[i]:
            continue
        properties = {c: _jsonable(v) for c, v in zip(columns, values, strict=True)}
        rows.append({
            "l": layer_id, "s": source, "k": keys[i], "g": wkb.dumps(geom),
            "p": json.dumps(properties), "m": methods[i] if methods else None,
        })  # fmt: skip
    inserted = updated = 0
    for row in rows:  # one statement per row: RETURNING per row tells insert from update
        for (was_insert,) in conn.execute(text(UPSERT), row):
            inserted += int(bool(was_insert))
            updated += int(not was_insert)
    kept = [k for k in keys if k]  # a refused row keeps its earlier version
    removed = int(
        conn.execute(text(REMOVE), {"l": layer_id, "s": source, "keys": kept}).rowcount or 0
    )
    report.inserted, report.updated = inserted, updated
    report.existing = len(rows) - inserted
    return report, removed
