-- Shared part of the clustered tiles: one index scan over the buffered tile, kept lean.
-- "hits" holds every visible row of the tile once: its id, whether it is a point, and for
-- points the Web Mercator x/y (plain arithmetic from lon/lat, no PROJ call per point:
-- x = R·λ, y = R·ln tan(45° + φ/2)) and the kind. Points are counted per grid cell; lines
-- and areas are fetched again by id (at most %(cap1)s of them) with their properties.
-- The grid starts at the world's top-left corner and %(n)s cells of %(cell)s metres span a
-- tile, so cells never straddle tiles: each point falls in exactly one cell of exactly one
-- tile, and the counts of all tiles of a zoom add up to the number of visible points.
-- A cluster sits at the mean of its points (inside its cell, hence inside the tile).
hits AS MATERIALIZED (
  SELECT h.ord, h.point, h.kind,
         CASE WHEN h.point THEN ST_X(h.g) * 111319.49079327358 END AS mx,
         CASE WHEN h.point THEN ln(tan(radians(45 + ST_Y(h.g) / 2))) * 6378137 END AS my
    FROM (SELECT {{id}} AS ord, {{geom}} AS g, {{kind}} AS kind,
                 ST_GeometryType({{geom}}) = 'ST_Point' AS point
            FROM (SELECT * FROM {{table}} {{alias}}
                   WHERE {{geom}} && ST_Transform(ST_TileEnvelope(%(z)s::int, %(x)s::int, %(y)s::int,
                                                               margin => %(margin)s::float8), 4326)
                  OFFSET 0) {{alias}}{{joins}}
           WHERE {{where}}) h
),
cells AS (
  SELECT floor((mx + 20037508.342789244) / %(cell)s::float8) AS cx,
         floor((20037508.342789244 - my) / %(cell)s::float8) AS cy, mx, my, kind
    FROM hits
   WHERE point
),
clusters AS (
  SELECT %(cap1)s::int + (cy - %(y)s::int * %(n)s::int) * %(n)s::int
                       + (cx - %(x)s::int * %(n)s::int) AS k,
         avg(mx) AS mx, avg(my) AS my, count(*) AS count{{kind_counts}}
    FROM cells
   WHERE floor(cx / %(n)s::int) = %(x)s::int AND floor(cy / %(n)s::int) = %(y)s::int
   GROUP BY cx, cy
),
raw AS (
  SELECT row_number() OVER (ORDER BY s.ord) AS rn, s.*
    FROM (SELECT {{select}}
            FROM {{table}} {{alias}}{{joins}}
           WHERE {{where}}
             AND {{id}} = ANY (ARRAY(SELECT ord FROM hits WHERE NOT point
                                      ORDER BY ord LIMIT %(cap1)s::int))
           ORDER BY ord) s
)
