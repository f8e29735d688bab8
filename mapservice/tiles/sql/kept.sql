-- Shared part of the raw tiles: the visible rows of the buffered tile, at most %(cap)s.
-- "hit" takes up to cap + 1 rows in whatever order the GiST index yields them (no sort);
-- "cut" says whether there were more; only then "kept" reads the tile again ordered by id
-- and keeps the first cap rows, so a capped tile is the same subset in every render.
hit AS MATERIALIZED (
  SELECT {{select}}
    FROM (SELECT * FROM {{table}} {{alias}}
           WHERE {{geom}} && ST_Transform(ST_TileEnvelope(%(z)s::int, %(x)s::int, %(y)s::int,
                                                       margin => %(margin)s::float8), 4326)
          OFFSET 0) {{alias}}{{joins}}
   WHERE {{where}}
   LIMIT %(cap1)s::int
),
cut AS (SELECT count(*) > %(cap)s::int AS truncated FROM hit),
kept AS (
  SELECT * FROM hit WHERE NOT (SELECT truncated FROM cut)
  UNION ALL
  SELECT * FROM (SELECT {{select}}
                   FROM (SELECT * FROM {{table}} {{alias}}
                          WHERE {{geom}} && ST_Transform(ST_TileEnvelope(%(z)s::int, %(x)s::int,
                                                 %(y)s::int, margin => %(margin)s::float8), 4326)
                         OFFSET 0) {{alias}}{{joins}}
                  WHERE {{where}}
                  ORDER BY ord
                  LIMIT %(cap)s::int) s
   WHERE (SELECT truncated FROM cut)
)
