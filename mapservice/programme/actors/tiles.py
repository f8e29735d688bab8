"""Vector tiles of actors (``/tiles/akteure/{z}/{x}/{y}.mvt|.geojson``), built in PostGIS.

The fields come from the consent rule (:func:`.reads.field_sql`), so a tile holds only what
the viewer may read. Encoded tiles sit in the app's tile LRU under a key that contains the
``akteure`` data version (bumped by every write, consent changes included), read in the
same snapshot as the tile: after a withdrawal the old tile is unreachable at once. Public
tiles are ``max-age=0, must-revalidate`` with an ETag: a city's CDN may keep them but must
ask every time (a cheap 304), so no cache anywhere serves a withdrawn phone number.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from mapservice.access import Viewer, scope_key
from mapservice.programme.actors.reads import field_sql, shown_sql, visible_sql
from mapservice.tiles.cache import ByteLRU, Tile
from mapservice.tiles.versions import VERSION_SQL

LAYER = "akteure"
MAX_ZOOM = 22
FIELDS = ("id", "name", "kind", "address", "phone", "email", "website", "offers")


def scope(viewer: Viewer) -> str:
    if not viewer.sees_everything:
        return "public"
    return "all" + (f"|{scope_key(viewer)}" if viewer.restricted else "")


def version(conn: Connection) -> str:
    return str(conn.execute(text(VERSION_SQL.replace("%(version_key)s", "'akteure'"))).scalar())


def _rows_sql(viewer: Viewer, quarter: bool) -> str:
    f = field_sql(viewer)
    offers = (
        "(SELECT string_agg(o.what, ' | ' ORDER BY o.position, o.id) FROM actor_offer o "
        f"WHERE o.actor_id = a.id AND {shown_sql(viewer, 'offers')})"
    )
    where = f"{visible_sql(viewer)} AND {f['location']} IS NOT NULL"
    if quarter:
        where += (
            " AND EXISTS (SELECT 1 FROM actor_quarter tq JOIN quarter tqq ON tqq.id = "
            "tq.quarter_id WHERE tq.actor_id = a.id AND tqq.slug = :quarter)"
        )
    return (
        f"SELECT a.id::text AS id, {f['name']} AS name, a.kind, {f['address']} AS address, "
        f"{f['phone']} AS phone, {f['email']} AS email, {f['website']} AS website, "
        f"{offers} AS offers, {f['location']} AS g FROM actor a, env "
        f"WHERE a.geom && ST_Transform(env.e, 4326) AND {where}"
    )


def render(
    conn: Connection, viewer: Viewer, z: int, x: int, y: int, fmt: str, quarter: str | None
) -> tuple[bytes, int]:
    """The tile's bytes and how many features it holds."""
    rows = _rows_sql(viewer, quarter is not None)
    env = "WITH env AS (SELECT ST_TileEnvelope(:z, :x, :y) AS e)"
    if fmt == "mvt":
        sql = (
            f"{env}, t AS (SELECT r.id, r.name, r.kind, r.address, r.phone, r.email, "
            "r.website, r.offers, ST_AsMVTGeom(ST_Transform(r.g, 3857), env.e, 4096, 64, true) "
            f"AS geom FROM ({rows}) r, env) "
            f"SELECT ST_AsMVT(t, '{LAYER}', 4096, 'geom'), count(*) FROM t WHERE geom IS NOT NULL"
        )
    else:
        sql = (
            f"{env} SELECT json_build_object('type', 'FeatureCollection', 'features', "
            "coalesce(json_agg(json_build_object('type', 'Feature', 'id', r.id, 'geometry', "
            "ST_AsGeoJSON(r.g, 7)::json, 'properties', json_strip_nulls(json_build_object("
            "'id', r.id, 'name', r.name, 'kind', r.kind, 'address', r.address, 'phone', "
            "r.phone, 'email', r.email, 'website', r.website, 'offers', r.offers)))), "
            f"'[]'::json))::text, count(*) FROM ({rows}) r"
        )
    params: dict[str, Any] = {"z": z, "x": x, "y": y, "quarter": quarter}
    body, count = conn.execute(text(sql), params).one()
    data = bytes(body) if fmt == "mvt" else str(body).encode()
    return data, int(count)


def serve(
    conn: Connection,
    cache: ByteLRU | None,
    viewer: Viewer,
    z: int,
    x: int,
    y: int,
    fmt: str,
    quarter: str | None,
) -> Tile:
    """The tile from the LRU (key with the data version) or freshly rendered."""
    current = version(conn)
    key = (LAYER, scope(viewer), quarter, fmt, z, x, y, current)
    tile = cache.get(key) if cache is not None else None
    if tile is None:
        body, count = render(conn, viewer, z, x, y, fmt, quarter)
        tile = Tile(body=body, features=count, truncated=False, version=current).compress(1024)
        if cache is not None:
            cache.put(key, tile)
    return tile
