-- One GeoJSON tile below the layer's cluster zoom: point clusters (clusters.sql) as Point
-- features with properties cluster=true, count and counts per kind, plus the layer's lines
-- and areas as in raw_geojson.sql.
WITH {{clusters}},
box AS MATERIALIZED (  -- once per tile, also in the prepared statement's generic plan
  SELECT ST_Transform(ST_TileEnvelope(%(z)s::int, %(x)s::int, %(y)s::int,
                                      margin => %(margin)s::float8), 4326)::box2d AS b
),
feats AS (
  SELECT r.rn AS k,
         CASE WHEN NOT ST_IsEmpty(c.g) THEN
           '{"type":"Feature","id":' || to_json(r.ord)::text
           || ',"geometry":' || ST_AsGeoJSON(ST_ForcePolygonCCW(c.g), %(digits)s::int)
           || ',"properties":' || {{json_row}} || '}'
         END AS feat
    FROM raw r, box,
         LATERAL (SELECT ST_ClipByBox2D(ST_Simplify(r.geom, %(tol)s::float8, true), box.b) AS g) c
   WHERE r.rn <= %(cap)s::int
  UNION ALL
  SELECT c.k,
         '{"type":"Feature","geometry":'
         || ST_AsGeoJSON(ST_Transform(ST_SetSRID(ST_MakePoint(c.mx, c.my), 3857), 4326),
                         %(digits)s::int)
         || ',"properties":'
         || (SELECT row_to_json(p) FROM (SELECT true AS cluster, c.count{{cluster_counts}}) p)::text
         || '}'
    FROM clusters c
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
