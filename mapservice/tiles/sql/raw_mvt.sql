-- One Mapbox Vector Tile of one layer: every visible feature that meets the tile (plus its
-- buffer of %(margin)s of a tile), at most %(cap)s of them; "truncated" says whether more
-- existed. The layer version is read in the same snapshot, so the tile is cached under the
-- version of the data it really contains.
-- The cap costs nothing while it is not reached: "hit" takes up to cap + 1 rows in index
-- order. Only when there are more does "kept" fetch the tile again, ordered by id, so a
-- capped tile keeps a deterministic subset (the same in every worker and every render).
-- Points, most of the rows, skip PostGIS's projection and clipping: their tile pixel is
-- plain arithmetic from lon/lat (x = R·λ, y = R·ln tan(45° + φ/2), then offset and scale of
-- the tile), about half the cost of ST_Transform + ST_AsMVTGeom per point. Lines and areas
-- are simplified to a pixel in lon/lat first, then projected and clipped by ST_AsMVTGeom.
-- A point just outside the buffer (the index compares float4 boxes, rounded outwards) is
-- dropped as ST_AsMVTGeom would drop it: ST_AsMVT skips rows whose geometry is NULL.
-- "tile" is MATERIALIZED so its values are computed once per tile even in the generic plan
-- of the prepared statement (which cannot fold the parameters into constants): inlined,
-- the envelope would be rebuilt for every row.
-- The inner "SELECT * … OFFSET 0" finds the tile's rows by the GiST index alone. Without
-- that fence PostgreSQL may walk the primary key for "ORDER BY id LIMIT" (reading the whole
-- table when a tile holds few rows) or AND in the layer/status b-tree (tens of ms per tile
-- on a big layer); with it, a tile costs what the rows inside it cost.
-- {{…}} are filled from mapservice.tiles.sources (table, visibility, filters, properties);
-- every value is a bound parameter, so the text is stable per layer shape.
WITH {{kept}},
tile AS MATERIALIZED (
  SELECT ST_TileEnvelope(%(z)s::int, %(x)s::int, %(y)s::int) AS env,
         -20037508.342789244 + %(x)s::int * s AS x0,
         20037508.342789244 - %(y)s::int * s AS y1,
         4096 / s AS scale
    FROM (SELECT 40075016.685578488 / 2 ^ %(z)s::int AS s) t
),
px AS (
  SELECT r.*, t.env,
         CASE WHEN r.point THEN
           round((ST_X(r.geom) * 111319.49079327358 - t.x0) * t.scale) END AS px,
         CASE WHEN r.point THEN
           round((t.y1 - ln(tan(radians(45 + ST_Y(r.geom) / 2))) * 6378137) * t.scale) END AS py
    FROM (SELECT k.*, ST_GeometryType(k.geom) = 'ST_Point' AS point FROM kept k OFFSET 0) r,
         tile t
),
feats AS (
  SELECT CASE WHEN NOT r.point THEN
           ST_AsMVTGeom(ST_Transform(ST_Simplify(r.geom, %(tol)s::float8, true), 3857),
                        r.env, 4096, %(buffer)s::int, true)
         WHEN r.px BETWEEN -%(buffer)s::int AND 4096 + %(buffer)s::int
          AND r.py BETWEEN -%(buffer)s::int AND 4096 + %(buffer)s::int THEN
           ST_MakePoint(r.px, r.py)
         END AS geom,
         {{raw_props}}
    FROM px r
)
SELECT coalesce(ST_AsMVT(f, %(layer)s::text, 4096, 'geom'), ''::bytea) AS body,
       count(f.geom) AS features,
       (SELECT truncated FROM cut) AS truncated,
       {{version}} AS version
  FROM feats f
