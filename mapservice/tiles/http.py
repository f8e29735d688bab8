"""HTTP semantics of tile answers: status, media type, ETag, Cache-Control, gzip, Vary.

Kept apart from the routers so the XYZ and the OGC tile endpoints answer alike, and
framework-free (status, headers, body) so it is easy to test and to reason about.

Empty tiles: an MVT without features is ``204 No Content`` with an empty body (what
martin and most MVT clients expect); a GeoJSON tile is always ``200`` with a
FeatureCollection, empty if need be, because GeoJSON clients parse every body as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

from mapservice.access import Viewer
from mapservice.tiles.service import Outcome
from mapservice.tiles.settings import TileSettings

MEDIA_TYPES = {"mvt": "application/vnd.mapbox-vector-tile", "geojson": "application/geo+json"}


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def accepts_gzip(accept_encoding: str | None) -> bool:
    """True when ``Accept-Encoding`` lists gzip (or ``*``) without ``q=0``."""
    for part in (accept_encoding or "").lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() in ("gzip", "*"):
            q = params.strip().removeprefix("q=").strip()
            if not (q and q.replace(".", "").strip("0") == ""):
                return True
    return False


def cache_control(viewer: Viewer, settings: TileSettings, versioned: bool) -> str:
    """Public tiles may sit in any cache for ``max_age``; a URL that names the current data
    version (``?v=``) never changes meaning for that version, so it may stay longer.
    Authenticated answers are private and revalidated every time (cheap: a 304)."""
    if viewer.is_public:
        age = settings.versioned_max_age if versioned else settings.max_age
        return f"public, max-age={age}" + (", immutable" if versioned else "")
    return "private, no-cache"


def tile_answer(
    outcome: Outcome,
    fmt: str,
    viewer: Viewer,
    settings: TileSettings,
    *,
    gzip: bool,
    requested_version: str | None = None,
) -> Answer:
    """Turn a served tile (or a matching ETag) into status, headers and body."""
    versioned = requested_version is not None and requested_version == outcome.version
    headers = {
        "Cache-Control": cache_control(viewer, settings, versioned),
        "Vary": "Accept-Encoding" if viewer.is_public else "Accept-Encoding, Authorization",
        "X-Data-Version": outcome.version,
    }
    tile = outcome.tile
    if tile is None:
        return Answer(304, {**headers, "ETag": outcome.etag}, b"")
    headers["X-Tile-Features"] = str(tile.features)
    headers["X-Tile-Truncated"] = "true" if tile.truncated else "false"
    if fmt == "mvt" and tile.features == 0:
        return Answer(204, {**headers, "ETag": outcome.etag}, b"")
    headers["Content-Type"] = MEDIA_TYPES[fmt]
    if gzip and tile.gzipped is not None:
        etag = outcome.etag[:-1] + '-gz"'  # another encoding is another strong ETag
        return Answer(200, {**headers, "ETag": etag, "Content-Encoding": "gzip"}, tile.gzipped)
    return Answer(200, {**headers, "ETag": outcome.etag}, tile.body)
