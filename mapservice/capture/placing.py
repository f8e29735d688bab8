"""A planner places or confirms a finding the gazetteer could not place for sure.

A statement whose place text is unknown ("alter Kiosk hinterm Bunker", confidence 0.0) is
stored at the quarter's point with ``needs_review``; ``access.finding_visibility`` keeps such a
finding out of every public output (API, tiles, OGC API, exports, maps, figures) even when it
is published, so it never appears silently as "about the whole quarter". One call clears it:

- ``{"quarter_wide": true}``: the planner confirms the statement concerns the whole quarter;
- ``{"place_text": "Amtsplatz"}``: a better place text, resolved through the gazetteer (it must
  find something; the statement's place text becomes it);
- ``{"geometry": {...}}``: a GeoJSON geometry (EPSG:4326) inside the quarter (method
  ``manual``).

The public geometry is derived as on every write (generalised when the place is a home).
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from shapely import wkb
from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.capture.findings import QuarterPrivacy, fetch_finding
from mapservice.capture.geometry import check_world, ensure_valid, parse_geometry
from mapservice.errors import InvalidInput, NotFound
from mapservice.georef.quarters import check_inside_quarter


class PlacementIn(BaseModel):
    """Exactly one of: confirm quarter-wide, a place text, or a geometry."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"quarter_wide": True}, {"place_text": "Amtsplatz"}],
        },
    )
    quarter_wide: bool = False
    place_text: str | None = Field(default=None, min_length=1, max_length=500)
    geometry: dict[str, Any] | None = None


def _choice(body: PlacementIn) -> str:
    given = [name for name, on in (("quarter_wide", body.quarter_wide),
                                    ("place_text", body.place_text is not None),
                                    ("geometry", body.geometry is not None)) if on]  # fmt: skip
    if len(given) != 1:
        raise InvalidInput(
            "Genau eines angeben: quarter_wide (ganzes Quartier bestätigen), place_text "
            "oder geometry.",
            "Give exactly one of: quarter_wide (confirm the whole quarter), place_text or "
            "geometry.",
            code="placement_choice",
        )
    return given[0]


def place_finding(
    conn: Connection, viewer: Viewer, fid: uuid.UUID, body: PlacementIn
) -> dict[str, Any]:
    """Set or confirm the place of a finding and clear ``needs_review``."""
    viewer.require("planner", "admin")
    choice = _choice(body)
    row = conn.execute(
        text(
            "SELECT quarter_id, layer_ids, georef_method, georef_confidence, place_text, "
            "from_home_address, ST_AsBinary(geom) FROM finding WHERE id = :id FOR UPDATE"
        ),
        {"id": fid},
    ).first()
    if row is None:
        raise NotFound(
            f"Aussage {fid} nicht gefunden.", f"Finding {fid} not found.", code="not_found"
        )
    quarter_id = int(row[0])
    if viewer.restricted:
        viewer.require_scope(layers=list(row[1]), quarter_id=quarter_id)
    privacy = QuarterPrivacy.load(conn, quarter_id)
    place = row[4] or ""
    if choice == "quarter_wide":
        res = privacy.gazetteer.resolve("im ganzen Quartier", quarter_id)
        method, confidence, home = "quarter", res.confidence, False
        geom = res.geometry
    elif choice == "place_text":
        place = (body.place_text or "").strip()
        if "\x00" in place or not place:
            raise InvalidInput("Ungültiger Ortstext.", "Invalid place text.", code="invalid_value")
        res = privacy.gazetteer.resolve(place, quarter_id)
        if res.method == "quarter" and res.confidence == 0.0:
            raise InvalidInput(
                f"„{place[:80]}“ ist nicht im Ortsverzeichnis; bitte anders benennen, auf der "
                "Karte setzen (geometry) oder das ganze Quartier bestätigen (quarter_wide).",
                f"'{place[:80]}' is not in the gazetteer; name it differently, set it on the "
                "map (geometry) or confirm the whole quarter (quarter_wide).",
                code="place_not_found",
            )
        method, confidence, home = res.method, res.confidence, res.from_home_address
        geom = res.geometry
    else:
        geom = ensure_valid(parse_geometry(body.geometry))
        check_world(geom)
        check_inside_quarter(conn, geom, quarter_id)
        method, confidence, home = "manual", 1.0, bool(row[5])
    public = privacy.public_geometry(geom, method, home)
    conn.execute(
        text(
            "UPDATE finding SET geom = ST_GeomFromWKB(:g, 4326), georef_method = :m, "
            "georef_confidence = :c, from_home_address = :h, place_text = :p, "
            "public_place_text = :pp, public_geom = ST_GeomFromWKB(:pg, 4326), "
            "needs_review = false, version = version + 1, updated_at = now() WHERE id = :id"
        ),
        {
            "g": wkb.dumps(geom) if geom is not None else None, "m": method,
            "c": round(max(0.0, min(1.0, float(confidence))), 3), "h": home, "p": place,
            "pp": privacy.redactor.redact(place)[0],
            "pg": wkb.dumps(public) if public is not None else None, "id": fid,
        },
    )  # fmt: skip
    return fetch_finding(conn, viewer, fid)
