"""GPS tracks of a walkthrough: one recording per device, the walkthrough's track their union.

Two phones on the same walk each upload their recording (``PUT …/track``). Stored as one
column, the second upload replaced the first. Each recording is now its own row of
``walkthrough_track``, keyed by a recording id the device sends (``?recording=…``; without
one, the account's name, so two accounts never collide). A re-upload of the same recording
— the field app sends the whole, grown track on each stop — replaces that row only.

A track stored without a recording (demo data, imports) becomes the recording ``bestand``
when the first device uploads, so it is kept.
``walkthrough.track`` stays what every map, tile and export reads: the single recording as a
LineString (as before), or a MultiLineString of all recordings (ordered by recording id).
The walk's length (``length_m``, figures, exports) is that of its longest recording: two
phones on one walk walked it once.

Stopping a recording ends the walk: ``ended_at`` becomes the end the client reports
(``?ended_at=…``; the field app sends the time of the last fix), else the time of the last
GPX point, else the upload time when the walk had no end yet. It only ever moves later, and
never before ``started_at``.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import gpxpy
import gpxpy.gpx
from shapely import wkb
from shapely.geometry import LineString
from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.errors import InvalidInput

MAX_AHEAD = timedelta(days=1)  # a phone's clock may be off, not by years
RECORDING = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")

UNION_SQL = """
UPDATE walkthrough w
   SET track = u.track,
       ended_at = CASE
         WHEN CAST(:ended AS timestamptz) IS NOT NULL
           THEN greatest(w.started_at, w.ended_at, CAST(:ended AS timestamptz))
         WHEN :fallback_now AND w.ended_at IS NULL THEN greatest(w.started_at, now())
         ELSE w.ended_at END
  FROM (SELECT CASE WHEN count(*) = 1 THEN ST_GeometryN(ST_Collect(t.track), 1)
                    ELSE ST_Multi(ST_Collect(t.track ORDER BY t.recording)) END AS track
          FROM walkthrough_track t WHERE t.walkthrough_id = :id) u
 WHERE w.id = :id
"""


def recording_id(viewer: Viewer, given: str | None) -> str:
    """The recording a track belongs to: the device's id, or the account's name."""
    if given is None or given == "":
        return f"konto:{viewer.name or 'unbekannt'}"[:64]
    if not RECORDING.fullmatch(given):
        raise InvalidInput(
            "Aufzeichnungs-Kennung: 1–64 Zeichen aus A–Z, a–z, 0–9, Punkt, Doppelpunkt, "
            "Binde- und Unterstrich.",
            "Recording id: 1–64 characters of A–Z, a–z, 0–9, dot, colon, hyphen, underscore.",
            code="invalid_recording",
        )
    return given


def gpx_end(data: bytes) -> datetime | None:
    """The time of the last point of a GPX file, if it has times."""
    try:
        gpx = gpxpy.parse(data.decode("utf-8-sig"))
    except (gpxpy.gpx.GPXException, UnicodeDecodeError, ValueError):
        return None
    bounds = gpx.get_time_bounds()
    end = bounds.end_time if bounds else None
    return end if end is not None and end.tzinfo is not None else None


def record(
    conn: Connection,
    viewer: Viewer,
    wid: uuid.UUID,
    quarter_id: int,
    line: LineString,
    *,
    recording: str | None = None,
    ended_at: datetime | None = None,
) -> None:
    """Store one device's recording and rebuild the walkthrough's track and end."""
    key = recording_id(viewer, recording)
    if ended_at is not None and ended_at > datetime.now(UTC) + MAX_AHEAD:
        raise InvalidInput(
            "Das Ende der Aufzeichnung liegt mehr als einen Tag in der Zukunft.",
            "The end of the recording lies more than a day in the future.",
            code="date_in_future",
        )
    # A track written without a recording (demo, GPX import, before migration 0004) is kept
    # as the recording "bestand" rather than dropped by the union.
    conn.execute(
        text(
            "INSERT INTO walkthrough_track (walkthrough_id, recording, quarter_id, author, "
            "track, points, ended_at) SELECT w.id, 'bestand', w.quarter_id, w.author, "
            "ST_GeometryN(w.track, 1), ST_NPoints(w.track), w.ended_at FROM walkthrough w "
            "WHERE w.id = :id AND GeometryType(w.track) = 'LINESTRING' AND NOT EXISTS "
            "(SELECT 1 FROM walkthrough_track t WHERE t.walkthrough_id = w.id)"
        ),
        {"id": wid},
    )
    conn.execute(
        text(
            "INSERT INTO walkthrough_track (walkthrough_id, recording, quarter_id, author, "
            "track, points, ended_at) VALUES (:id, :r, :q, :a, ST_GeomFromWKB(:g, 4326), :n, "
            ":e) ON CONFLICT (walkthrough_id, recording, quarter_id) DO UPDATE "
            "SET track = EXCLUDED.track, points = EXCLUDED.points, ended_at = EXCLUDED.ended_at, "
            "author = EXCLUDED.author, updated_at = now()"
        ),
        {"id": wid, "r": key, "q": quarter_id, "a": viewer.name, "g": wkb.dumps(line),
         "n": len(line.coords), "e": ended_at},
    )  # fmt: skip
    conn.execute(text(UNION_SQL), {"id": wid, "ended": ended_at, "fallback_now": ended_at is None})


def recordings(conn: Connection, wid: uuid.UUID) -> int:
    return int(
        conn.execute(
            text("SELECT count(*) FROM walkthrough_track WHERE walkthrough_id = :id"),
            {"id": wid},
        ).scalar_one()
    )
