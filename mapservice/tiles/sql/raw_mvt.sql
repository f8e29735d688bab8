-- One Mapbox Vector Tile of one layer: every visible feature that meets the tile (plus its
-- buffer), simplified to a pixel in lon/lat first, then projected and clipped by
-- ST_AsMVTGeom. At most %(cap)s features in a deterministic order; "truncated" says whether
-- more existed. The layer version is read in the same snapshot, so the tile is cached under
-- the version of the data it really contains.
-- The inner "SELECT * … OFFSET 0" finds the tile's rows by the GiST index alone. Without
-- that fence PostgreSQL may walk the primary key for "ORDER BY id LIMIT" (reading the whole
-- table when a tile holds few rows) or AND in the layer/status b-tree (tens of ms per tile
-- on a big layer); with it, a tile costs what the rows inside it cost.
-- {{…}} are filled from mapservice.tiles.sources (table, visibility, filters, properties);
-- every value is a bound parameter, so the text is stable per layer shape.
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
         ST_AsMVTGeom(ST_Transform(ST_Simplify(r.geom, %(tol)s::float8, true), 3857),
                      ST_TileEnvelope(%(z)s::int, %(x)s::int, %(y)s::int), 4096, 256, true) AS geom,
         {{raw_props}}
    FROM raw r
   WHERE r.rn <= %(cap)s::int
)
SELECT coalesce(ST_AsMVT(f, %(layer)s::text, 4096, 'geom' ORDER BY u.k), ''::bytea) AS body,
       count(f.geom) AS features,
       (SELECT count(*) FROM raw) > %(cap)s::int AS truncated,
       {{version}} AS version
  FROM feats u, LATERAL (SELECT u.geom, {{row_props}}) f
