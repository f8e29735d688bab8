"""A walkthrough's GPS tracks to download: GeoJSON (default) or GPX.

``PUT /api/walkthroughs/{id}/track`` takes a recording per device (:mod:`.tracks`); this is
the way back out, for QGIS, a GPS device or an archive.

Who gets what follows the rules the rest of the service has for walkthroughs:

- planners and admins: every walkthrough, one track per recording with its recording id;
- a field team: its own walkthroughs the same way (the recording ids are its devices);
- everyone else — the public, and field teams for other teams' walks — gets the track only
  when the walkthrough layer is public (as tiles, OGC API and ``GET /api/walkthroughs/{id}``
  serve it): the union track as drawn on the map, never the recording ids (a recording made
  without a device id is named after the account) nor who recorded it. When no walkthrough
  layer is public they get 404, as for a walkthrough that does not exist.

Tracks store positions only (no times per point), so the GPX has none either.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import gpxpy
import gpxpy.gpx
from shapely import wkb
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.catalog import Catalog, LayerSource
from mapservice.errors import InvalidInput, NotFound

FORMATS = ("geojson", "gpx")
GPX_TYPE = "application/gpx+xml"
GEOJSON_TYPE = "application/geo+json"


@dataclass(frozen=True, slots=True)
class Recording:
    recording: str | None  # None when the viewer may not see recording ids
    track: BaseGeometry
    points: int
    length_m: float


@dataclass(frozen=True, slots=True)
class TrackDownload:
    id: uuid.UUID
    quarter: str
    title: str
    started_at: datetime
    ended_at: datetime | None
    recordings: list[Recording]

    def geojson(self) -> dict[str, Any]:
        """A FeatureCollection with one LineString feature per recording."""
        features = [
            {
                "type": "Feature",
                "id": f"{self.id}:{r.recording}" if r.recording else str(self.id),
                "geometry": mapping(r.track),
                "properties": {
                    "walkthrough": str(self.id),
                    "quarter": self.quarter,
                    "title": self.title,
                    "started_at": self.started_at.isoformat(),
                    "ended_at": self.ended_at.isoformat() if self.ended_at else None,
                    "recording": r.recording,
                    "points": r.points,
                    "length_m": round(r.length_m, 1),
                },
            }
            for r in self.recordings
        ]
        return {"type": "FeatureCollection", "features": features}

    def gpx(self) -> str:
        """GPX 1.1 with one ``<trk>`` per recording (positions only)."""
        doc = gpxpy.gpx.GPX()
        doc.name = self.title
        doc.description = f"Begehung / walkthrough {self.id} ({self.quarter})"
        doc.time = self.started_at
        for r in self.recordings:
            track = gpxpy.gpx.GPXTrack(name=self.title)
            if r.recording:
                track.description = f"Aufzeichnung / recording {r.recording}"
            segment = gpxpy.gpx.GPXTrackSegment()
            segment.points = [
                gpxpy.gpx.GPXTrackPoint(latitude=round(y, 7), longitude=round(x, 7))
                for x, y, *_ in r.track.coords
            ]
            track.segments.append(segment)
            doc.tracks.append(track)
        return doc.to_xml(version="1.1")


def wanted_format(format: str | None, accept: str | None) -> str:
    """``?format=`` wins; else ``Accept: application/gpx+xml`` asks for GPX; else GeoJSON."""
    if format:
        value = format.strip().lower()
        if value not in FORMATS:
            raise InvalidInput(
                f"Unbekanntes Format {format[:20]!r} (möglich: geojson, gpx).",
                f"Unknown format {format[:20]!r} (possible: geojson, gpx).",
                code="invalid_format",
            )
        return value
    return "gpx" if accept and GPX_TYPE in accept.lower() else "geojson"


def _not_found(wid: uuid.UUID) -> NotFound:
    return NotFound(
        f"Begehung {wid} nicht gefunden.", f"Walkthrough {wid} not found.", code="not_found"
    )


def track_download(
    conn: Connection, catalog: Catalog, viewer: Viewer, wid: uuid.UUID
) -> TrackDownload:
    """The tracks of a walkthrough as this viewer may have them (see the module docstring)."""
    row = conn.execute(
        text(
            "SELECT w.id, q.slug, w.title, w.started_at, w.ended_at, w.author, "
            "ST_AsBinary(w.track) AS track FROM walkthrough w "
            "JOIN quarter q ON q.id = w.quarter_id WHERE w.id = :id"
        ),
        {"id": wid},
    ).first()
    if row is None:
        raise _not_found(wid)
    own = viewer.role == "field" and viewer.name is not None and row.author == viewer.name
    detailed = viewer.sees_everything or own
    if not detailed and not any(
        layer.public for layer in catalog.of_source(LayerSource.WALKTHROUGHS)
    ):
        raise _not_found(wid)
    if row.track is None:
        raise NotFound(
            f"Die Begehung {wid} hat noch keinen GPS-Track.",
            f"The walkthrough {wid} has no GPS track yet.",
            code="no_track",
        )
    recordings: list[Recording] = []
    if detailed:
        for rec in conn.execute(
            text(
                "SELECT recording, ST_AsBinary(track), points, ST_Length(track::geography) "
                "FROM walkthrough_track WHERE walkthrough_id = :id ORDER BY recording"
            ),
            {"id": wid},
        ):
            recordings.append(Recording(rec[0], wkb.loads(bytes(rec[1])), rec[2], rec[3]))
    if not recordings:  # public view, or a track stored without recordings (demo, import)
        union = wkb.loads(bytes(row.track))
        for part in getattr(union, "geoms", [union]):
            length = conn.execute(
                text("SELECT ST_Length(ST_GeomFromWKB(:g, 4326)::geography)"),
                {"g": wkb.dumps(part)},
            ).scalar_one()
            recordings.append(Recording(None, part, len(part.coords), float(length)))
    return TrackDownload(row.id, row.slug, row.title, row.started_at, row.ended_at, recordings)
