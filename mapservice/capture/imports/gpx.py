"""GPX from a phone or GPS unit: the track becomes a walkthrough, waypoints its observations.

A Quartiersbegehung recorded with any GPS app is one GPX file: the route walked (``<trk>``) and
the spots where the group stopped (``<wpt>``: name, description, type). The walkthrough's id
is derived from the file's bytes and each waypoint's id from the walkthrough and the waypoint,
so importing the same file twice changes nothing. Waypoint ``<type>`` is read as the kind
("Problem", "Stärke", "Idee" …); layer and kind can also come from the import options.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gpxpy
import gpxpy.gpx
from shapely.geometry import Point
from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.capture import walkthroughs
from mapservice.capture.bulk import ImportReport, ObservationRecord, bulk_load_observations
from mapservice.capture.imports.options import ImportOptions
from mapservice.capture.imports.table import empty_file
from mapservice.capture.readers import record_from_properties
from mapservice.capture.walkthroughs import WalkthroughIn, track_from_gpx
from mapservice.catalog import Catalog
from mapservice.errors import InvalidInput, NotFound
from mapservice.georef.quarters import assign_quarter

NAMESPACE = uuid.UUID("5b0f1b8e-6a43-4e0c-9d1e-2f6c4b7a9e10")  # ids of imported GPX content


def parse(data: bytes, name: str) -> gpxpy.gpx.GPX:
    if not data.strip():
        raise empty_file(name)
    try:
        return gpxpy.parse(data.decode("utf-8-sig"))
    except (gpxpy.gpx.GPXException, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(
            f"GPX-Datei {name} ist nicht lesbar: {str(exc)[:200]}",
            f"GPX file {name} cannot be read: {str(exc)[:200]}",
            code="malformed_gpx",
        ) from None


def _times(gpx: gpxpy.gpx.GPX) -> tuple[datetime | None, datetime | None]:
    bounds = gpx.get_time_bounds()
    start = bounds.start_time or gpx.time
    return start, bounds.end_time


def _quarter_slug(conn: Connection, options: ImportOptions, track: Any) -> str:
    if options.quarter:
        return options.quarter
    quarter_id = assign_quarter(conn, track)  # refuses naming the nearest quarter
    return str(conn.execute(text("SELECT slug FROM quarter WHERE id = :q"),
                            {"q": quarter_id}).scalar_one())  # fmt: skip


def _walkthrough(
    conn: Connection, viewer: Viewer, gpx: gpxpy.gpx.GPX, data: bytes, name: str,
    options: ImportOptions,
) -> tuple[dict[str, Any] | None, uuid.UUID | None]:  # fmt: skip
    """Create (or find) the walkthrough of the track and attach the track."""
    has_track = any(s.points for t in gpx.tracks for s in t.segments) or any(
        r.points for r in gpx.routes
    )
    if options.walkthrough:
        wid = options.walkthrough
        if not has_track:
            walkthroughs.fetch(conn, wid)  # 404 when unknown
            return {"id": str(wid), "created": False, "track_points": 0}, wid
    elif not has_track:
        return None, None
    else:
        wid = uuid.uuid5(NAMESPACE, hashlib.sha256(data).hexdigest())
    track = track_from_gpx(data)
    created = False
    if not options.walkthrough:
        start, end = _times(gpx)
        title = gpx.name or (gpx.tracks[0].name if gpx.tracks else None) or Path(name).stem
        body = WalkthroughIn(
            id=wid, quarter=_quarter_slug(conn, options, track), title=title[:200],
            started_at=start or datetime.now(UTC), ended_at=end,
            notes=(gpx.description or "")[:10_000],
        )  # fmt: skip
        _, created = walkthroughs.create(conn, viewer, body)
    row = walkthroughs.set_track(conn, viewer, wid, track, "EPSG:4326")
    info = {
        "id": str(wid), "created": created, "title": row["title"], "quarter": row["quarter"],
        "track_points": len(track.coords), "length_m": row["length_m"],
    }  # fmt: skip
    return info, wid


def waypoint_records(
    gpx: gpxpy.gpx.GPX, wid: uuid.UUID | None, options: ImportOptions
) -> list[ObservationRecord]:
    """One observation record per waypoint, linked to the walkthrough."""
    defaults = options.defaults()
    walkthrough = str(wid) if wid is not None else defaults.get("walkthrough_id")
    records = []
    for n, wpt in enumerate(gpx.waypoints, start=1):
        props = {
            "name": wpt.name, "description": wpt.description or wpt.comment or "",
            "art": wpt.type or defaults.get("kind"), "date": wpt.time,
            "accuracy": _accuracy(wpt), "walkthrough": walkthrough,
        }  # fmt: skip
        rec = record_from_properties(props, Point(wpt.longitude, wpt.latitude), n, defaults)
        seed = f"{wid or 'none'}:{n}:{wpt.latitude:.7f}:{wpt.longitude:.7f}:{wpt.name or ''}"
        rec.id = rec.id or uuid.uuid5(NAMESPACE, seed)
        if rec.title is None and wpt.name is None:
            rec.title = wpt.description or wpt.comment
        records.append(rec)
    return records


def _accuracy(wpt: gpxpy.gpx.GPXWaypoint) -> float | None:
    """Horizontal dilution of precision × 5 m is a common rough estimate of the error."""
    return round(wpt.horizontal_dilution * 5.0, 1) if wpt.horizontal_dilution else None


def import_gpx(
    conn: Connection, catalog: Catalog, viewer: Viewer, data: bytes, name: str,
    options: ImportOptions,
) -> tuple[ImportReport, dict[str, Any] | None]:  # fmt: skip
    """Walkthrough from the track, observations from the waypoints, in the caller's
    transaction; the caller rolls back when rows were refused."""
    gpx = parse(data, name)
    if (
        not gpx.waypoints
        and not any(s.points for t in gpx.tracks for s in t.segments)
        and not (any(r.points for r in gpx.routes))
    ):
        raise empty_file(name)
    try:
        info, wid = _walkthrough(conn, viewer, gpx, data, name, options)
    except NotFound as exc:
        raise InvalidInput(exc.message_de, exc.message_en, code="unknown_walkthrough") from None
    records = waypoint_records(gpx, wid, options)
    report = ImportReport(dry_run=options.dry_run)
    if records:
        report = bulk_load_observations(
            conn, catalog, records, dry_run=options.dry_run, skip_invalid=options.skip_invalid
        )
    return report, info
