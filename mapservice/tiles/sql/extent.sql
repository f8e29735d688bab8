-- The extent of what a viewer may see of one layer (with filters): lon/lat box, time span,
-- number of features, the data version and the geometry types, all in one snapshot. Feeds TileJSON bounds and
-- OGC collection extents, so the public never learns where unpublished data lies.
SELECT ST_XMin(s.e), ST_YMin(s.e), ST_XMax(s.e), ST_YMax(s.e),
       to_char(s.t0 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       to_char(s.t1 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       s.n,
       {{version}} AS version,
       s.types
  FROM (SELECT ST_Extent({{geom}}) AS e, min({{time_start}})::timestamptz AS t0,
               max({{time_end}})::timestamptz AS t1, count(*) AS n,
               array_agg(DISTINCT GeometryType({{geom}})) AS types
          FROM {{from}}
         WHERE {{where}}) s
