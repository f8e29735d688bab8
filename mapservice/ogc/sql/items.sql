-- One page of OGC API items of one layer: the features as GeoJSON text ({{geometry}}: by
-- default RFC 7946 lon/lat, outer rings counter-clockwise, 7 decimals ≈ 1 cm; or the CRS the
-- client asked for, see ogc/crs.py), joined by commas and returned as UTF-8
-- bytes, in id order. One row more than the limit is read to know whether a next page
-- exists; "last" is the id the next page starts after (keyset paging: page 1,000 costs what
-- page 1 costs). {{matched}} counts all matches up to a cap, or is NULL when the count is
-- already known for this data version. Values are bound; {{…}} come from tiles.sources.
WITH page AS (
  SELECT row_number() OVER (ORDER BY s.ord) AS rn, s.*
    FROM (SELECT {{select}}
            FROM {{from}}
           WHERE {{where}}{{bbox}}{{after}}
           ORDER BY ord
           LIMIT %(limit1)s::int OFFSET %(offset)s::int) s
)
SELECT convert_to(coalesce(string_agg(
         '{"type":"Feature","id":' || to_json(r.ord)::text
         || ',"geometry":' || {{geometry}}
         || ',"properties":' || {{json_row}} || '}',
         ',' ORDER BY r.rn) FILTER (WHERE r.rn <= %(limit)s::int), ''), 'UTF8') AS features,
       count(*) FILTER (WHERE r.rn <= %(limit)s::int) AS returned,
       count(*) > %(limit)s::int AS more,
       (array_agg(r.ord::text ORDER BY r.rn DESC) FILTER (WHERE r.rn <= %(limit)s::int))[1] AS last,
       {{matched}} AS matched,
       {{version}} AS version
  FROM page r
