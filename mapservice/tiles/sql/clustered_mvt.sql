-- One Mapbox Vector Tile below the layer's cluster zoom: points are aggregated per grid cell
-- into one feature with cluster=true, count and counts per kind; lines and areas stay
-- features of their own (simplified, capped as in raw_mvt.sql). Both come from clusters.sql.
-- Features and clusters share one MVT layer named after the layer id; NULL properties are
-- left out.
WITH {{clusters}},
tile AS MATERIALIZED (  -- once per tile, also in the prepared statement's generic plan
  SELECT ST_TileEnvelope(%(z)s::int, %(x)s::int, %(y)s::int) AS env
),
feats AS (
  SELECT r.rn AS k,
         ST_AsMVTGeom(ST_Transform(ST_Simplify(r.geom, %(tol)s::float8, true), 3857),
                      t.env, 4096, %(buffer)s::int, true) AS geom,
         {{raw_props}}, NULL::boolean AS cluster, NULL::bigint AS count{{null_counts}}
    FROM raw r, tile t
   WHERE r.rn <= %(cap)s::int
  UNION ALL
  SELECT c.k,
         ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(c.mx, c.my), 3857), t.env, 4096, %(buffer)s::int,
                      true),
         {{null_props}}, true, c.count{{cluster_counts}}
    FROM clusters c, tile t
)
SELECT coalesce(ST_AsMVT(f, %(layer)s::text, 4096, 'geom' ORDER BY u.k), ''::bytea) AS body,
       count(f.geom) AS features,
       (SELECT count(*) FROM raw) > %(cap)s::int AS truncated,
       {{version}} AS version
  FROM feats u, LATERAL (SELECT u.geom, {{row_props}}, u.cluster, u.count{{row_counts}}) f
