-- One GeoJSON tile (a FeatureCollection) of one layer, built as text in PostGIS and returned
-- as UTF-8 bytes. Features are filtered by the buffered tile, simplified to a pixel,
-- clipped with ST_ClipByBox2D in lon/lat (a Web Mercator tile is a lon/lat box, so this
-- is exact), outer rings made counter-clockwise (RFC 7946) and rounded to %(digits)s
-- decimals. Cap, order, truncation, version and the index fence as in raw_mvt.sql.
WITH raw AS (
  SELECT row_number() OVER (ORDER BY s.ord) AS rn, s.*
    FROM (SELECT {{select}}
            FROM (SELECT * FROM {{table}} {{alias}}
                   WHERE {{geom}} && ST_Transform(ST_TileEnvelope(%(z)s::int, %(x)s::int, %(y)s::int,
                                                               margin => %(margin)s::float8), 4326)
                  OFFSET 0) {{alias}}{{joins}}
           WHERE {{where}}
           ORDER BY ord
           LIMIT %(cap1)s::int) s
),
feats AS (
  SELECT r.rn AS k,
         CASE WHEN NOT ST_IsEmpty(c.g) THEN
           '{"type":"Feature","id":' || to_json(r.ord)::text
           || ',"geometry":' || ST_AsGeoJSON(ST_ForcePolygonCCW(c.g), %(digits)s::int)
           || ',"properties":' || {{json_row}} || '}'
         END AS feat
    FROM raw r,
         LATERAL (SELECT ST_ClipByBox2D(
                    ST_Simplify(r.geom, %(tol)s::float8, true),
                    ST_Transform(ST_TileEnvelope(%(z)s::int, %(x)s::int, %(y)s::int,
                                                 margin => %(margin)s::float8), 4326)::box2d
                  ) AS g) c
   WHERE r.rn <= %(cap)s::int
)
SELECT convert_to('{"type":"FeatureCollection","features":['
                  || coalesce(string_agg(feat, ',' ORDER BY k), '') || ']'
                  || CASE WHEN (SELECT count(*) FROM raw) > %(cap)s::int
                          THEN ',"truncated":true' ELSE '' END
                  || '}', 'UTF8') AS body,
       count(feat) AS features,
       (SELECT count(*) FROM raw) > %(cap)s::int AS truncated,
       {{version}} AS version
  FROM feats
