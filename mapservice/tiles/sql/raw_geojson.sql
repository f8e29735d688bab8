-- One GeoJSON tile (a FeatureCollection) of one layer, built as text in PostGIS and returned
-- as UTF-8 bytes. Rows, cap and truncation as in raw_mvt.sql (sql/kept.sql). A point inside the
-- buffered tile needs no clipping or simplifying: it is written as it is, rounded to
-- %(digits)s decimals (one the index found just outside, its float4 box rounded outwards,
-- is dropped). Lines and areas are simplified to a pixel, clipped with
-- ST_ClipByBox2D in lon/lat (a Web Mercator tile is a lon/lat box, so this is exact), outer
-- rings made counter-clockwise (RFC 7946) and rounded; one that the clip leaves empty is
-- dropped. "box" is MATERIALIZED and "shaped" fenced (OFFSET 0) so the generic plan of the
-- prepared statement computes the tile box once per tile and each geometry once per row.
WITH {{kept}},
box AS MATERIALIZED (
  SELECT b, ST_XMin(b) AS w, ST_YMin(b) AS s, ST_XMax(b) AS e, ST_YMax(b) AS n
    FROM (SELECT ST_Transform(ST_TileEnvelope(%(z)s::int, %(x)s::int, %(y)s::int,
                                              margin => %(margin)s::float8), 4326)::box2d AS b) q
),
shaped AS (
  SELECT r.*,
         CASE WHEN ST_GeometryType(r.geom) <> 'ST_Point' THEN
                (SELECT ST_AsGeoJSON(ST_ForcePolygonCCW(c.g), %(digits)s::int)
                   FROM (SELECT ST_ClipByBox2D(ST_Simplify(r.geom, %(tol)s::float8, true),
                                               box.b) AS g) c
                  WHERE NOT ST_IsEmpty(c.g))
              WHEN ST_X(r.geom) BETWEEN box.w AND box.e
               AND ST_Y(r.geom) BETWEEN box.s AND box.n THEN
                ST_AsGeoJSON(r.geom, %(digits)s::int)
         END AS json
    FROM kept r, box
  OFFSET 0
),
feats AS (
  SELECT '{"type":"Feature","id":' || to_json(r.ord)::text
         || ',"geometry":' || r.json
         || ',"properties":' || {{json_row}} || '}' AS feat
    FROM shaped r
   WHERE r.json IS NOT NULL
)
SELECT convert_to('{"type":"FeatureCollection","features":['
                  || coalesce(string_agg(feat, ','), '') || ']'
                  || CASE WHEN (SELECT truncated FROM cut) THEN ',"truncated":true' ELSE '' END
                  || '}', 'UTF8') AS body,
       count(feat) AS features,
       (SELECT truncated FROM cut) AS truncated,
       {{version}} AS version
  FROM feats
