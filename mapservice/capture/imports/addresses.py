"""Rows with an address instead of coordinates, placed through the gazetteer.

Cities publish lists with only "Surweg 12" or a street and a house number column (Bochum's
sports facilities: ISO-8859-1, ``;``, "Straße" + "Hausnummer"). Each row is resolved on its own
(:class:`mapservice.georef.gazetteer.Gazetteer`) and keeps how precisely it was placed
(``address`` at the door, ``street`` somewhere on the street, ``crossing``, ``place``); a row
the gazetteer cannot place, or one without an address, is refused with its reason — the rest
of the file is not held hostage by it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, text

from mapservice.capture.imports.columns import GeometryColumns, find_column
from mapservice.georef.gazetteer import Gazetteer

ADDRESS_NAMES = ("adresse", "anschrift", "address", "str_hausnr", "strasse_hausnr",
                 "straße_hausnr", "standort", "addr")  # fmt: skip
STREET_NAMES = ("strasse", "straße", "street", "str", "strassenname", "straßenname")
NUMBER_NAMES = ("hausnummer", "hausnr", "hnr", "housenumber", "haus_nr", "nr_haus")
PLACED = ("address", "crossing", "street", "place")


@dataclass(frozen=True)
class AddressColumns:
    """Where a row's address is: one column, or a street and a house number column."""

    address: str | None = None
    street: str | None = None
    number: str | None = None

    def texts(self, frame: pd.DataFrame) -> list[str]:
        if self.address:
            return [str(v or "").strip() for v in frame[self.address].tolist()]
        streets = [str(v or "").strip() for v in frame[str(self.street)].tolist()]
        if not self.number:
            return streets
        numbers = [str(v or "").strip() for v in frame[self.number].tolist()]
        return [f"{s} {n}".strip() if s else "" for s, n in zip(streets, numbers, strict=True)]

    def as_dict(self) -> dict[str, str | None]:
        return {"address": self.address, "street": self.street, "number": self.number}


def address_columns(columns: list[str], chosen: str | None = None) -> AddressColumns | None:
    """The address columns of a table (``chosen`` names one: "Adresse" or "Straße+Nr")."""
    if chosen:
        street, _, number = chosen.partition("+")
        if street in columns and (not number or number in columns):
            return AddressColumns(street=street, number=number or None) if number else (
                AddressColumns(address=street))  # fmt: skip
        return None
    single = find_column(columns, ADDRESS_NAMES)
    if single:
        return AddressColumns(address=single)
    street = find_column(columns, STREET_NAMES)
    if street:
        return AddressColumns(street=street, number=find_column(columns, NUMBER_NAMES))
    return None


@dataclass
class Placement:
    """Points in EPSG:4326 per row, the method of each placed row, the problem of the rest."""

    geometry: GeometryColumns
    methods: list[str | None]
    matched: list[str | None]
    texts: list[str]
    counts: dict[str, int] = field(default_factory=dict)


def as_point(geom: BaseGeometry) -> BaseGeometry:
    """One point for any gazetteer geometry: the middle of a street line, a point on an area."""
    if geom.geom_type == "Point":
        return geom
    if geom.geom_type in ("LineString", "MultiLineString"):
        merged = shapely.line_merge(geom) if geom.geom_type == "MultiLineString" else geom
        if merged.geom_type == "LineString":
            return merged.interpolate(0.5, normalized=True)
    return geom.point_on_surface()


def quarter_id(conn: Connection, slug: str | None) -> int | None:
    if not slug:
        return None
    found = conn.execute(text("SELECT id FROM quarter WHERE slug = :s"), {"s": slug}).first()
    return int(found[0]) if found else None


def place_addresses(
    conn: Connection, frame: pd.DataFrame, columns: AddressColumns, quarter: str | None
) -> Placement:
    """Resolve every row's address in the quarter's gazetteer (all quarters when None)."""
    qid = quarter_id(conn, quarter)
    gazetteer = Gazetteer.load(conn, qid)
    addresses = columns.texts(frame)
    n = len(addresses)
    xs, ys = np.full(n, np.nan), np.full(n, np.nan)
    problem: list[str | None] = [None] * n
    detail: list[str | None] = [None] * n
    methods: list[str | None] = [None] * n
    matched: list[str | None] = [None] * n
    cache: dict[str, tuple[str, BaseGeometry | None, str, str]] = {}
    for i, address in enumerate(addresses):
        if not address:
            problem[i], detail[i] = "address_missing", ""
            continue
        if address not in cache:
            found = gazetteer.resolve(address, qid)
            cache[address] = (found.method, found.geometry, found.matched, found.explanation_de)
        method, geom, name, _ = cache[address]
        if method not in PLACED or geom is None:
            problem[i], detail[i] = "address_not_found", address[:80]
            continue
        point = as_point(geom)
        xs[i], ys[i] = point.x, point.y
        methods[i], matched[i] = method, name
    geometry = GeometryColumns.points(xs, ys)
    if any(p is not None for p in problem):
        geometry.problem, geometry.detail = problem, detail
    geometry.lon, geometry.lat = geometry.x.copy(), geometry.y.copy()
    counts = dict(Counter(m for m in methods if m).most_common())
    return Placement(geometry, methods, matched, addresses, counts)


def placed_frame(frame: pd.DataFrame, placement: Placement) -> gpd.GeoDataFrame:
    """The table with the placed points as geometry (None where a row was not placed)."""
    g = placement.geometry
    points = shapely.points(g.x, g.y)
    points[np.isnan(g.x) | np.isnan(g.y)] = None
    return gpd.GeoDataFrame(frame, geometry=points, crs=4326)
