"""Tiles: tiled GeoJSON and Mapbox Vector Tiles of every layer, built in PostGIS.

sources   layer → SQL with visibility (also used by the OGC API and the maps)
filters   quarter, kind, datetime, walkthrough, status: parsed and checked
grid      tile maths (morecantile's WebMercatorQuad), precision per zoom
queries   fills the SQL templates in sql/ once per layer shape
service   cache key, ETag, one query per cold tile
cache     the byte-bounded LRU of rendered tiles (with their gzip form)
versions  batched, read-your-writes reads of layer_version
http      status, headers and gzip of a tile answer
extent    what a viewer may see of a layer: bounds, time span, count
tilejson  TileJSON 3.0.0 documents
settings  the KARTE_TILES_* knobs
runtime   the psycopg pool, caches and version book of one app
"""
