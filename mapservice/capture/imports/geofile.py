"""GeoPackage and Shapefile (also zipped, as a browser uploads it) through pyogrio.

GDAL reads the file in C and hands over WKB; shapely 2 turns the whole column into x/y numbers
(points) or back into WKB (anything else) in single vectorised calls. The CRS comes from the
file (``.prj``, GeoPackage metadata); a caller's ``--crs`` overrides it — and is then checked
against the coordinates like any other CRS, so a wrong override is refused, not obeyed.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import shapely

from mapservice.capture.imports.columns import (
    GeometryColumns,
)
from mapservice.capture.imports.table import empty_file
from mapservice.errors import InvalidInput
from mapservice.georef.crs import crs_from_prj

if TYPE_CHECKING:
    import geopandas as gpd


def unreadable(name: str, exc: Exception) -> InvalidInput:
    return InvalidInput(
        f"Datei {name} ist nicht lesbar: {str(exc)[:200]}",
        f"File {name} cannot be read: {str(exc)[:200]}",
        code="file_unreadable",
    )


SHAPEFILE_NEEDS = (".shx", ".dbf")  # GDAL cannot read a .shp without its index and table


def check_shapefile_parts(path: Path, name: str) -> None:
    """Refuse a Shapefile (alone or zipped) whose .shx or .dbf is missing, naming the part.

    GDAL's own message ("Unable to open … .shx") reached users as a 500 for a zip; a planner
    needs to hear which file to add.
    """
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
    elif path.suffix.lower() == ".shp":
        names = [p.name for p in path.parent.iterdir()]
    else:
        return
    lower = {n.lower() for n in names}
    shapes = [n for n in names if n.lower().endswith(".shp")]
    if not shapes and zipfile.is_zipfile(path) and not any(n.endswith(".gpkg") for n in lower):
        raise InvalidInput(
            f"{name}: im ZIP ist kein Shapefile (.shp) und kein GeoPackage.",
            f"{name}: the zip holds no Shapefile (.shp) and no GeoPackage.",
            code="shapefile_incomplete",
        )
    for shp in shapes:
        stem = shp[:-4]
        missing = [ext for ext in SHAPEFILE_NEEDS if (stem + ext).lower() not in lower]
        if missing:
            parts = ", ".join(f"{Path(stem).name}{ext}" for ext in missing)
            raise InvalidInput(
                f"{name}: zum Shapefile {Path(shp).name} fehlt {parts} (ein Shapefile besteht "
                "mindestens aus .shp, .shx und .dbf; bitte alle zusammen zippen).",
                f"{name}: the Shapefile {Path(shp).name} lacks {parts} (a Shapefile is at least "
                ".shp, .shx and .dbf; zip them together).",
                code="shapefile_incomplete",
            )


def _layer_name(path: Path, wanted: str | None) -> str | None:
    import pyogrio

    layers = [str(row[0]) for row in pyogrio.list_layers(path)]
    if not layers:
        return None
    if wanted and wanted in layers:
        return wanted
    return layers[0]


def read_geofile(
    path: Path, name: str, *, epsg: int | None, layer: str | None = None
) -> tuple[gpd.GeoDataFrame, int]:
    """The features of the file (first layer, or the one named like the thematic layer) and
    their EPSG code; ``epsg`` overrides the file's own CRS."""
    import pyogrio  # GDAL: loaded by the first GeoPackage/Shapefile, not by CSV or GeoJSON

    check_shapefile_parts(path, name)
    try:
        frame = pyogrio.read_dataframe(path, layer=_layer_name(path, layer))
    except (
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,
        ValueError,
        IndexError,
    ) as exc:  # fmt: skip  (IndexError: pyogrio finds no layer at all)
        raise unreadable(name, exc) from None
    if frame.empty:
        raise empty_file(name)
    if epsg is not None:
        return frame.set_crs(epsg, allow_override=True), epsg
    if frame.crs is None:
        raise InvalidInput(
            f"{name} hat kein Koordinatensystem (.prj fehlt); mit --crs angeben.",
            f"{name} has no coordinate reference system (missing .prj); give it with --crs.",
            code="crs_missing",
        )
    found = frame.crs.to_epsg() or crs_from_prj(frame.crs.to_wkt())
    return frame, int(found)


def frame_geometry(frame: gpd.GeoDataFrame) -> GeometryColumns:
    """x/y for non-empty points, WKB for the rest (None stays None)."""
    geoms = np.asarray(frame.geometry.array, dtype=object)
    present = ~shapely.is_missing(geoms)
    points = present & (shapely.get_type_id(geoms) == 0) & ~shapely.is_empty(geoms)
    x = np.where(points, shapely.get_x(geoms), np.nan)
    y = np.where(points, shapely.get_y(geoms), np.nan)
    result = GeometryColumns.points(x, y)
    others = present & ~points
    if others.any():
        wkbs = np.full(len(geoms), None, dtype=object)
        wkbs[others] = shapely.to_wkb(geoms[others])
        result.wkb = wkbs.tolist()
    return result
