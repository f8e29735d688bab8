"""Akteure & Angebote: who organises and advises in a quarter, and what they offer.

    vocab.py    kinds (QM-Büro … Person als Kümmerer*in), consent fields, OSM tag rules
    hours.py    opening hours in OpenStreetMap syntax (parsed by ``opening_hours``)
    schemas.py  request bodies, and the one check every write path runs (API and imports)
    reads.py    who sees which actor and which of its fields (consent per field)
    writes.py   create, change, delete, consent; per-quarter scope of planners
    rows.py     reading CSV, GeoJSON and OSM extracts into rows of values
    imports.py  upsert by OSM id / external id, per-row refusals, all or nothing
    exports.py  CSV (the import's format) and GeoJSON of what the viewer may read
    ogc.py      the OGC API Features collection ``akteure``
    tiles.py    vector tiles (MVT, GeoJSON) of the public view, keyed by data version
    demo.py     the synthetic actors of Bochum-Hamme

Privacy is one rule (``reads.field_sql``): a public output shows a field only when the
actor consented to publishing it; a person is never public without consent to the name.
Every output (API, OGC items, tiles, exports, maps) reads through that rule, and every
write bumps the ``akteure`` data version, so a withdrawn consent vanishes at once.
"""
