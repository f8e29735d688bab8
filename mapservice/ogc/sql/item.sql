-- One OGC API item by id, only if the viewer may see it (the visibility is in {{where}}).
SELECT '{"type":"Feature","id":' || to_json(r.ord)::text
       || ',"geometry":' || {{geometry}}
       || ',"properties":' || {{json_row}} || '}'
  FROM (SELECT {{select}} FROM {{from}} WHERE {{where}} AND {{id}} = %(fid)s::{{id_type}}) r
