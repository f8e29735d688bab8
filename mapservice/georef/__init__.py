"""Georeferencing: CRS transforms, place-text look-up, quarter assignment, home privacy.

The way into the map for everything that is not already a 4326 geometry of a known quarter:

- :mod:`~mapservice.georef.crs` — any EPSG CRS → EPSG:4326 (lon/lat), checked;
- :mod:`~mapservice.georef.normalise` — German place text to comparable keys;
- :mod:`~mapservice.georef.gazetteer` — "Ecke Hofsteder Straße / Amtsstraße" → geometry;
- :mod:`~mapservice.georef.gazetteer_import` — CSV / GeoJSON / GeoPackage / OSM → gazetteer;
- :mod:`~mapservice.georef.quarters` — which quarter, or a refusal naming the nearest one;
- :mod:`~mapservice.georef.privacy` — public geometry that never shows a home.

The function ``normalise`` is not re-exported here: as a package attribute it would shadow
the module ``mapservice.georef.normalise`` (``import mapservice.georef.normalise as n``).
"""

from mapservice.georef.crs import (
    COMMON_CRS,
    area_bounds,
    area_of_use,
    check_area_of_use,
    check_world,
    crs_from_prj,
    from_metric,
    geometries_to_wgs84,
    geometry_to_wgs84,
    looks_swapped,
    many_to_wgs84,
    parse_epsg,
    swap_hint,
    to_metric,
    to_wgs84,
    transformer,
)
from mapservice.georef.gazetteer import Entry, Gazetteer, QuarterArea, Resolution
from mapservice.georef.gazetteer_import import (
    BOCHUM_OPENDATA,
    CsvMapping,
    GazetteerRecord,
    ImportResult,
    import_file,
    import_records,
    read_csv,
    read_geofile,
    reassign_quarters,
)
from mapservice.georef.normalise import match_key, parse_housenumber, split_address
from mapservice.georef.privacy import HOME_CELL_M, HomeGrid, generalise
from mapservice.georef.quarters import (
    NearestQuarter,
    OutsideQuarter,
    assign_quarter,
    check_inside_quarter,
    find_quarter,
    nearest_quarter,
)

__all__ = [
    "BOCHUM_OPENDATA",
    "COMMON_CRS",
    "HOME_CELL_M",
    "CsvMapping",
    "Entry",
    "Gazetteer",
    "GazetteerRecord",
    "HomeGrid",
    "ImportResult",
    "NearestQuarter",
    "OutsideQuarter",
    "QuarterArea",
    "Resolution",
    "area_bounds",
    "area_of_use",
    "assign_quarter",
    "check_area_of_use",
    "check_inside_quarter",
    "check_world",
    "crs_from_prj",
    "find_quarter",
    "from_metric",
    "generalise",
    "geometries_to_wgs84",
    "geometry_to_wgs84",
    "import_file",
    "import_records",
    "looks_swapped",
    "many_to_wgs84",
    "match_key",
    "nearest_quarter",
    "parse_epsg",
    "parse_housenumber",
    "read_csv",
    "read_geofile",
    "reassign_quarters",
    "split_address",
    "swap_hint",
    "to_metric",
    "to_wgs84",
    "transformer",
]
