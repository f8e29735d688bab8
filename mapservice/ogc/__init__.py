"""OGC API Features (Part 1: Core, GeoJSON, HTML, OpenAPI 3.0) and OGC API Tiles at ``/ogc``.

Collections are the layers of the catalogue; their rows, visibility and filters come from
``mapservice.tiles.sources`` so the OGC API shows exactly what the tiles show.

    params       query parameters: f, bbox, limit, offset, cursor — with 400s
    documents    landing page, conformance, collections, queryables
    items        one page of features, built in PostGIS, keyset ``next`` links
    tilesets     OGC API Tiles metadata and the WebMercatorQuad tile matrix set
    openapi      the OpenAPI 3.0 description linked as ``service-desc``
    html         simple HTML views of the same documents
"""
