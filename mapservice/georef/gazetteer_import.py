"""Loading streets, addresses and named places into ``gazetteer_entry``.

Sources a planner actually has:

- **CSV** with x/y (any EPSG CRS, or a sidecar ``.prj``) or lon/lat columns — official house
  coordinates, or the City of Bochum's open data (``;``-separated, EPSG:25832 in
  ``rechts_utm``/``hoch_utm``, "Von-der-Recke-Str. 53" in ``str_hausnr``; preset
  :data:`BOCHUM_OPENDATA`);
- **GeoJSON / GeoPackage / Shapefile** (geopandas + pyogrio), either our own layout
  (``name``, ``kind``, ``street``, ``housenumber``/``address``, ``quarter`` slug, ``source``)
  or an **OpenStreetMap extract**: named ``highway`` lines → streets; features with
  ``addr:street`` + ``addr:housenumber`` → addresses (or places when they also have a
  ``name``); other named features → places. GDAL's OSM layers with ``other_tags`` work too.

Every import is one transaction (all rows or none), reprojects to 4326 with the checks of
:mod:`mapservice.georef.crs`, and assigns ``quarter_id`` in SQL: the quarter named by the
row's ``quarter`` slug if it exists, else the quarter covering the point on surface (else the
first one intersecting); a street line is entered once for every quarter it runs through,
so crossings at a quarter's edge resolve from both sides. ``replace=True`` first deletes the
rows of the same import source, which makes re-running an import idempotent.

The stored ``source`` is the import's label (default: the file name), followed by the row's
own attribution when it has one — ``"places.geojson | Stadt Bochum Open Data (CC0)"`` — so
the origin of every entry stays visible while two files with the same attribution (streets
and places of one generator) never replace each other.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, text

from mapservice.errors import InvalidInput
from mapservice.georef.crs import WGS84, crs_from_prj, geometries_to_wgs84, parse_epsg
from mapservice.georef.normalise import display_street, parse_housenumber, split_address

KINDS = ("street", "address", "place")
MAX_NAME = 300
LINE_TYPES = ("LineString", "MultiLineString")

LON_NAMES = ("lon", "lng", "long", "longitude", "laenge", "länge", "x_wgs84")
LAT_NAMES = ("lat", "latitude", "breite", "y_wgs84")
X_NAMES = ("x", "rechtswert", "rechts_utm", "easting", "ostwert", "e", "utm_x")
Y_NAMES = ("y", "hochwert", "hoch_utm", "northing", "nordwert", "n", "utm_y")


@dataclass
class GazetteerRecord:
    """One gazetteer entry as read from a file, geometry already in EPSG:4326."""

    kind: str
    name: str
    geometry: BaseGeometry
    street: str | None = None
    housenumber: str | None = None
    quarter_slug: str | None = None
    source: str | None = None
    row: int = 0


@dataclass
class Skipped:
    """A row that was left out, and why (German and English)."""

    row: int
    reason_de: str
    reason_en: str


@dataclass
class ImportResult:
    """What an import wrote: rows per kind, rows outside every quarter, skipped rows."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    outside: int = 0
    deleted: int = 0
    existing: int = 0  # rows already present (same source, name, geometry): not added again
    source: str = ""
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "counts": dict(self.counts),
            "total": self.total,
            "outside": self.outside,
            "deleted": self.deleted,
            "existing": self.existing,
            "source": self.source,
            "skipped": [
                {"row": s.row, "reason_de": s.reason_de, "reason_en": s.reason_en}
                for s in self.skipped
            ],
        }


@dataclass(frozen=True)
class CsvMapping:
    """Which CSV columns mean what. ``None`` = detect from the header.

    ``kind`` fixes the kind of every row ("place" for a list of schools); otherwise a
    ``kind`` column decides, else a row with a name is a place and one with only an address
    an address. ``address`` is a column like "Von-der-Recke-Str. 53" that is split into
    street and house number. ``also_address`` adds an address entry for every named place
    that has a house number, so "Von-der-Recke-Str. 53" resolves even without the name.
    ``crs`` defaults to a sidecar ``.prj`` file, else 4326 for lon/lat columns.
    """

    name: str | None = "name"
    kind: str | None = None
    kind_column: str | None = "kind"
    street: str | None = "street"
    housenumber: str | None = "housenumber"
    address: str | None = None
    x: str | None = None
    y: str | None = None
    wkt: str | None = "wkt"
    crs: int | str | None = None
    quarter: str | None = "quarter"
    source: str | None = "source"
    also_address: bool = False
    delimiter: str | None = None
    encoding: str = "utf-8-sig"


BOCHUM_OPENDATA = CsvMapping(
    name="name",
    kind="place",
    address="str_hausnr",
    x="rechts_utm",
    y="hoch_utm",
    crs=25832,
    also_address=True,
    delimiter=";",
)


def _invalid(code: str, de: str, en: str) -> InvalidInput:
    return InvalidInput(de, en, code=code)


def _clean(value: Any) -> str | None:
    """A trimmed string, or None for empty / NaN / None (pandas gives NaN for missing)."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    text_value = " ".join(str(value).split())
    return text_value[:MAX_NAME] or None


# -- CSV -------------------------------------------------------------------------------------


def _pick(header: list[str], wanted: str | None, candidates: Iterable[str]) -> str | None:
    lower = {h.lower().strip(): h for h in header}
    if wanted:
        if wanted in header:
            return wanted
        return lower.get(wanted.lower())
    for name in candidates:
        if name in lower:
            return lower[name]
    return None


def _sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        return ";" if sample.count(";") > sample.count(",") else ","


def _number(value: str | None) -> float:
    """A coordinate as written in German or international CSV ("377150,5" or "377150.5")."""
    if value is None:
        return math.nan
    value = value.strip().replace(" ", "")
    if "," in value and "." not in value:
        value = value.replace(",", ".")
    try:
        return float(value)
    except ValueError:
        return math.nan


def read_csv(
    path: Path | str, mapping: CsvMapping = CsvMapping()
) -> tuple[list[GazetteerRecord], list[Skipped]]:
    """Read a CSV into records (4326). Unusable rows are skipped with a reason.

    A coordinate outside the CRS's area or the world refuses the whole file
    (``InvalidInput``): it almost always means the CRS is wrong for every row.
    """
    path = Path(path)
    try:
        raw = path.read_text(encoding=mapping.encoding)
    except UnicodeDecodeError:
        raw = path.read_text(encoding="cp1252")  # Excel's "CSV" on German Windows
    delimiter = mapping.delimiter or _sniff_delimiter(raw[:4096])
    reader = csv.DictReader(io.StringIO(raw, newline=""), delimiter=delimiter)
    header = list(reader.fieldnames or [])
    if not header:
        raise _invalid("csv_empty", "Die CSV-Datei ist leer.", "The CSV file is empty.")
    col = {
        "name": _pick(header, mapping.name, ()),
        "kind": _pick(header, mapping.kind_column, ()) if mapping.kind is None else None,
        "street": _pick(header, mapping.street, ("strasse", "addr:street")),
        "housenumber": _pick(header, mapping.housenumber, ("hausnummer", "addr:housenumber")),
        "address": _pick(header, mapping.address, ("address", "adresse", "str_hausnr")),
        "wkt": _pick(header, mapping.wkt, ("geometry", "geom_wkt")),
        "quarter": _pick(header, mapping.quarter, ()),
        "source": _pick(header, mapping.source, ()),
    }
    x_col = _pick(header, mapping.x, X_NAMES)
    y_col = _pick(header, mapping.y, Y_NAMES)
    crs = mapping.crs
    if not (x_col and y_col) and mapping.x is None:
        lon_col, lat_col = _pick(header, None, LON_NAMES), _pick(header, None, LAT_NAMES)
        if lon_col and lat_col:
            x_col, y_col, crs = lon_col, lat_col, crs or WGS84
    if crs is None:
        prj = path.with_suffix(".prj")
        if prj.exists():
            crs = crs_from_prj(prj.read_text(encoding="utf-8", errors="replace"))
    if not ((x_col and y_col) or col["wkt"]):
        raise _invalid(
            "csv_columns",
            "Keine Koordinatenspalten gefunden (x/y, lon/lat oder wkt). Vorhanden: "
            + ", ".join(header[:30]),
            "No coordinate columns found (x/y, lon/lat or wkt). Present: " + ", ".join(header[:30]),
        )
    if x_col and y_col and crs is None and x_col.lower() not in LON_NAMES:
        raise _invalid(
            "crs_required",
            f"Für die Spalten {x_col}/{y_col} fehlt das Koordinatensystem (EPSG-Code oder .prj).",
            f"The coordinate reference system of columns {x_col}/{y_col} is missing "
            "(EPSG code or .prj).",
        )
    epsg = parse_epsg(crs)

    rows: list[dict[str, str | None]] = []
    lines: list[int] = []
    geoms: list[BaseGeometry | None] = []
    skipped: list[Skipped] = []
    for row in reader:
        line_no = reader.line_num  # the file's line (quoted fields may span several)
        geom: BaseGeometry | None = None
        wkt = _clean(row.get(col["wkt"])) if col["wkt"] else None
        if wkt:
            try:
                geom = shapely.from_wkt(wkt)
            except shapely.errors.GEOSException:
                geom = None
        elif x_col and y_col:
            x, y = _number(row.get(x_col)), _number(row.get(y_col))
            if math.isfinite(x) and math.isfinite(y):
                geom = Point(x, y)
        if geom is None or geom.is_empty:
            skipped.append(
                Skipped(line_no, "Koordinaten fehlen oder sind unlesbar.", "Coordinates missing.")
            )
            continue
        geoms.append(geom)
        lines.append(line_no)
        rows.append({k: (row.get(c) if c else None) for k, c in col.items()})
    geoms_4326 = (
        geometries_to_wgs84(geoms, epsg, where=lambda i: f"Zeile/row {lines[i]}")
        if geoms
        else np.array([], dtype=object)
    )
    records: list[GazetteerRecord] = []
    for row, geom, line_no in zip(rows, geoms_4326, lines, strict=True):
        made, problem = _record(
            row,
            geom,
            line_no,
            fixed_kind=mapping.kind,
            also_address=mapping.also_address,
        )
        if problem:
            skipped.append(problem)
        records.extend(made)
    return records, skipped


def _record(
    values: Mapping[str, Any],
    geom: BaseGeometry,
    row: int,
    *,
    fixed_kind: str | None = None,
    also_address: bool = False,
    osm_tags: Mapping[str, str] | None = None,
) -> tuple[list[GazetteerRecord], Skipped | None]:
    """Turn one row's values into gazetteer records (a place may also yield an address)."""
    name = _clean(values.get("name"))
    street = _clean(values.get("street"))
    housenumber = _clean(values.get("housenumber"))
    address = _clean(values.get("address"))
    kind = (fixed_kind or _clean(values.get("kind")) or "").lower() or None
    tags = osm_tags or {}
    if street is None and tags.get("addr:street"):
        street = _clean(tags["addr:street"])
    if housenumber is None and tags.get("addr:housenumber"):
        housenumber = _clean(tags["addr:housenumber"].split(";")[0])
    if street and not housenumber and re.search(r"\d", street):
        street, housenumber = split_address(street)
    if address and not street:
        street, housenumber = split_address(address)
    if housenumber:
        housenumber = parse_housenumber(housenumber) or housenumber[:20]
    if street:
        street = display_street(street)
    line = geom.geom_type in LINE_TYPES
    if kind is None:
        # A "name" that is itself an address ("Hofsteder Str. 14") is an address: erring
        # this way treats it as a home, which only costs precision on the public map.
        named_address = bool(name) and not line and split_address(name or "")[1] is not None
        # In an OSM extract only highways are streets (a named river is a place); in our own
        # layout without a kind column every named line is a street.
        if line and name and (tags.get("highway") or osm_tags is None):
            kind = "street"
        elif named_address and not street:
            kind = "address"
            street, housenumber = split_address(name or "")
        elif name:
            kind = "place"
        elif street and housenumber:
            kind = "address"
    if kind not in KINDS:
        what = kind or "—"
        return [], Skipped(
            row,
            f"Art „{what}“ unbekannt oder kein Name (street, address, place).",
            f"Kind '{what}' unknown or no name (street, address, place).",
        )
    if kind == "address":
        if not (street and housenumber):
            if name:
                street, housenumber = split_address(name)
            if not (street and housenumber):
                return [], Skipped(
                    row, "Adresse ohne Straße/Hausnummer.", "Address without street/number."
                )
        name = name or f"{street} {housenumber}"
        if not geom.geom_type.endswith("Point"):
            geom = geom.point_on_surface()  # a building outline stands for its address
    if kind == "street" and not line:
        return [], Skipped(row, "Straße ohne Liniengeometrie.", "Street without a line.")
    if not name:
        return [], Skipped(row, "Name fehlt.", "Name missing.")
    geom = _valid(geom)
    if geom is None:
        return [], Skipped(row, "Geometrie ungültig oder leer.", "Geometry invalid or empty.")
    quarter = _clean(values.get("quarter"))
    source = _clean(values.get("source"))
    first = GazetteerRecord(kind, name, geom, street, housenumber, quarter, source, row)
    out = [first]
    if also_address and kind == "place" and street and housenumber:
        point = geom if geom.geom_type == "Point" else geom.point_on_surface()
        out.append(replace(first, kind="address", name=f"{street} {housenumber}", geometry=point))
    return out, None


def _valid(geom: BaseGeometry) -> BaseGeometry | None:
    """The geometry if the database will accept it, repaired polygons, else None."""
    if geom is None or geom.is_empty:
        return None
    if geom.is_valid:
        return geom
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        fixed = shapely.make_valid(geom)
        return fixed if fixed.is_valid and not fixed.is_empty else None
    return None


# -- GeoJSON / GeoPackage / Shapefile ----------------------------------------------------------

_OTHER_TAGS = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')


def parse_other_tags(value: str | None) -> dict[str, str]:
    """GDAL's OSM ``other_tags`` hstore text → dict ('"addr:street"=>"Amtsstraße",…')."""
    if not value or not isinstance(value, str):
        return {}
    return {k.replace('\\"', '"'): v.replace('\\"', '"') for k, v in _OTHER_TAGS.findall(value)}


# Attribute names a geodata file may use for what we need (first present wins).
PROPERTY_NAMES: dict[str, tuple[str, ...]] = {
    "name": ("name", "bezeichnung", "name_de"),
    "kind": ("kind", "art"),
    "street": ("street", "strasse", "straße", "addr:street"),
    "housenumber": ("housenumber", "hausnummer", "hausnr", "addr:housenumber"),
    "address": ("address", "adresse", "anschrift", "str_hausnr"),
    "quarter": ("quarter", "quartier"),
    "source": ("source", "quelle"),
}
OSM_ID_NAMES = ("osm_id", "osm_way_id", "@id", "osm_type")


def _canonical(values: Mapping[str, Any], osm: bool) -> dict[str, Any]:
    """The row's values under our names (see :data:`PROPERTY_NAMES`)."""
    lower = {str(k).lower(): v for k, v in values.items()}
    out: dict[str, Any] = {}
    for key, names in PROPERTY_NAMES.items():
        if osm and key in ("source", "kind", "quarter"):
            continue  # OSM "source" tags say "survey" or "Bing", not where our data is from
        out[key] = next((lower[n] for n in names if _clean(lower.get(n))), None)
    return out


def read_geofile(
    path: Path | str,
    *,
    layer: str | None = None,
    crs: int | str | None = None,
    also_address: bool = False,
) -> tuple[list[GazetteerRecord], list[Skipped]]:
    """Read GeoJSON, GeoPackage or Shapefile (all layers unless ``layer``) into records.

    The file's own CRS is used (GeoJSON without one is 4326 by RFC 7946); ``crs`` only
    fills in when the file declares none. ``also_address`` as in :class:`CsvMapping`.
    """
    import geopandas as gpd
    import pyogrio

    path = Path(path)
    try:
        layers = [layer] if layer else [str(row[0]) for row in pyogrio.list_layers(path)]
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise _invalid(
            "file_unreadable",
            f"Die Datei {path.name} ist nicht lesbar: {str(exc)[:200]}",
            f"The file {path.name} cannot be read: {str(exc)[:200]}",
        ) from None
    records: list[GazetteerRecord] = []
    skipped: list[Skipped] = []
    row_base = 0
    for layer_name in layers:
        frame = gpd.read_file(path, layer=layer_name, engine="pyogrio")
        if "geometry" not in frame or frame.empty:
            continue
        if frame.crs is not None:
            epsg = frame.crs.to_epsg(min_confidence=70)
            if epsg is None:
                frame = frame.to_crs(WGS84)
                epsg = WGS84
        else:
            epsg = parse_epsg(crs) if crs is not None else WGS84
        base = row_base
        geoms = geometries_to_wgs84(
            frame.geometry.to_numpy(),
            epsg,
            where=lambda i, base=base, name=layer_name: f"{name}, Objekt/feature {i + 1}",
        )
        columns = [c for c in frame.columns if c != frame.geometry.name]
        values_list = frame[columns].to_dict("records") if columns else [{}] * len(frame)
        for i, (values, geom) in enumerate(zip(values_list, geoms, strict=True)):
            row = base + i + 1
            if geom is None or geom.is_empty:
                skipped.append(Skipped(row, "Geometrie fehlt.", "Geometry missing."))
                continue
            tags = {k: str(v) for k, v in values.items() if ":" in k and _clean(v)}
            tags |= parse_other_tags(values.get("other_tags"))
            if _clean(values.get("highway")):
                tags["highway"] = str(values["highway"])
            osm = bool(tags) or any(n in values for n in OSM_ID_NAMES)
            made, problem = _record(
                _canonical(values, osm),
                geom,
                row,
                osm_tags=tags if osm else None,
                also_address=also_address,
            )
            if problem:
                skipped.append(problem)
            records.extend(made)
        row_base += len(frame)
    return records, skipped


# -- writing ---------------------------------------------------------------------------------

_STAGE = """
CREATE TEMP TABLE gazetteer_stage (
  row_no integer, kind text, name text, street text, housenumber text,
  quarter_slug text, source text, geom geometry(Geometry, 4326)
) ON COMMIT DROP
"""

# Rows with a known quarter slug keep it; others get the covering / first intersecting quarter;
# street lines get one row per quarter they run through.
_INSERT = """
WITH placed AS (
  SELECT coalesce(qs.id, qa.id, ql.id) AS quarter_id, s.kind, s.name, s.street, s.housenumber,
         s.geom, s.source
    FROM gazetteer_stage s
    LEFT JOIN quarter qs ON qs.slug = s.quarter_slug
    LEFT JOIN LATERAL (
         SELECT q.id FROM quarter q
          WHERE qs.id IS NULL AND s.kind <> 'street' AND ST_Intersects(q.boundary, s.geom)
          ORDER BY ST_Covers(q.boundary, ST_PointOnSurface(s.geom)) DESC, q.id
          LIMIT 1
    ) qa ON true
    LEFT JOIN LATERAL (
         SELECT q.id FROM quarter q
          WHERE qs.id IS NULL AND s.kind = 'street' AND ST_Intersects(q.boundary, s.geom)
    ) ql ON true
), inserted AS (
  INSERT INTO gazetteer_entry (quarter_id, kind, name, street, housenumber, geom, source)
  SELECT p.quarter_id, p.kind, p.name, p.street, p.housenumber, p.geom, p.source
    FROM placed p
   WHERE NOT EXISTS (  -- appending the same file twice adds nothing
         SELECT 1 FROM gazetteer_entry e
          WHERE e.geom ~= p.geom AND ST_Equals(e.geom, p.geom) AND e.kind = p.kind
            AND e.name = p.name AND e.source = p.source
            AND e.quarter_id IS NOT DISTINCT FROM p.quarter_id
            AND e.housenumber IS NOT DISTINCT FROM p.housenumber)
  RETURNING kind, quarter_id
)
SELECT kind, quarter_id FROM inserted
UNION ALL SELECT '_placed', count(*)::integer FROM placed
"""


def _transaction(conn: Connection) -> AbstractContextManager[Any]:
    """A savepoint inside the caller's transaction, or our own transaction."""
    return conn.begin_nested() if conn.in_transaction() else conn.begin()


SOURCE_SEPARATOR = " | "


def stored_source(label: str, own: str | None) -> str:
    """``label`` alone, or ``label | own attribution`` when the row names its origin."""
    if own and own != label:
        return f"{label}{SOURCE_SEPARATOR}{own}"
    return label


def _copy_rows(records: list[GazetteerRecord], label: str) -> Iterator[tuple[Any, ...]]:
    for r in records:
        ewkb = shapely.to_wkb(shapely.set_srid(r.geometry, WGS84), hex=True, include_srid=True)
        yield (
            r.row,
            r.kind,
            r.name[:MAX_NAME],
            r.street,
            r.housenumber,
            r.quarter_slug,
            stored_source(label, r.source),
            ewkb,
        )


def import_records(
    conn: Connection,
    records: Iterable[GazetteerRecord],
    *,
    source: str,
    replace: bool = True,
    keep_outside: bool = True,
) -> ImportResult:
    """Write records in one transaction (COPY into a staging table, one INSERT … SELECT).

    ``source`` labels the import (see :func:`stored_source`); with ``replace`` the rows of
    an earlier import with the same label are deleted first; without it rows are added,
    except those already present (same source, kind, name, number, quarter and geometry),
    so appending the same file twice is harmless too. ``keep_outside=False`` drops
    entries that lie in no quarter (they are never resolved against; re-import once the
    quarter exists), otherwise they are kept with ``quarter_id`` NULL.
    """
    items = list(records)
    source = " ".join(source.split())[:200]
    if not source or SOURCE_SEPARATOR.strip() in source:
        raise _invalid(
            "source_invalid",
            "Die Quelle braucht einen Namen ohne „|“.",
            "The source needs a name without '|'.",
        )
    result = ImportResult(source=source)
    with _transaction(conn):
        if replace:
            result.deleted = conn.execute(
                text(
                    "DELETE FROM gazetteer_entry WHERE source = :s OR "
                    "split_part(source, :sep, 1) = :s"
                ),
                {"s": source, "sep": SOURCE_SEPARATOR},
            ).rowcount
        conn.execute(text("DROP TABLE IF EXISTS gazetteer_stage"))
        conn.execute(text(_STAGE))
        driver = conn.connection.driver_connection
        with (
            driver.cursor() as cur,
            cur.copy(  # type: ignore[union-attr]
                "COPY gazetteer_stage (row_no, kind, name, street, housenumber, quarter_slug, "
                "source, geom) FROM STDIN"
            ) as copy,
        ):
            for row in _copy_rows(items, source):
                copy.write_row(row)
        dropped = 0
        if not keep_outside:
            dropped = conn.execute(
                text(
                    "DELETE FROM gazetteer_stage s WHERE NOT EXISTS (SELECT 1 FROM quarter q "
                    "WHERE q.slug = s.quarter_slug OR ST_Intersects(q.boundary, s.geom))"
                )
            ).rowcount
        answer = conn.execute(text(_INSERT)).all()
        conn.execute(text("DROP TABLE gazetteer_stage"))
    written = [(kind, quarter_id) for kind, quarter_id in answer if kind != "_placed"]
    placed = next(int(n) for kind, n in answer if kind == "_placed")
    result.existing = placed - len(written)
    counts = Counter(kind for kind, _ in written)
    result.counts = {kind: counts.get(kind, 0) for kind in KINDS}
    result.outside = dropped + sum(1 for _, quarter_id in written if quarter_id is None)
    return result


def import_file(
    conn: Connection,
    path: Path | str,
    *,
    source: str | None = None,
    replace: bool = True,
    keep_outside: bool = True,
    csv_mapping: CsvMapping | None = None,
    layer: str | None = None,
    crs: int | str | None = None,
    also_address: bool = False,
) -> ImportResult:
    """Read a CSV, GeoJSON, GeoPackage or Shapefile and write it (see :func:`import_records`).

    ``source`` defaults to the file name. ``crs`` is the CRS of a CSV's x/y columns (or of a
    geodata file that declares none). ``also_address`` adds an address entry for every
    named place with a house number (for CSVs: ``CsvMapping.also_address``).
    """
    path = Path(path)
    if not path.exists():
        raise _invalid("file_missing", f"Datei {path} nicht gefunden.", f"File {path} not found.")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        mapping = csv_mapping or CsvMapping()
        if crs is not None:
            mapping = replace_mapping(mapping, crs=crs)
        if also_address:
            mapping = replace_mapping(mapping, also_address=True)
        records, skipped = read_csv(path, mapping)
    elif suffix in (".geojson", ".json", ".gpkg", ".shp", ".fgb", ".gml", ".kml"):
        records, skipped = read_geofile(path, layer=layer, crs=crs, also_address=also_address)
    else:
        raise _invalid(
            "file_type",
            f"Dateityp {suffix or '?'} wird nicht unterstützt (CSV, GeoJSON, GeoPackage, "
            "Shapefile).",
            f"File type {suffix or '?'} is not supported (CSV, GeoJSON, GeoPackage, Shapefile).",
        )
    result = import_records(
        conn, records, source=source or path.name, replace=replace, keep_outside=keep_outside
    )
    result.skipped = skipped
    return result


def replace_mapping(mapping: CsvMapping, **changes: Any) -> CsvMapping:
    """A copy of ``mapping`` with some fields changed (``dataclasses.replace``)."""
    return replace(mapping, **changes)


def reassign_quarters(conn: Connection) -> int:
    """Give entries without a quarter the quarter they lie in (after a quarter was added)."""
    with _transaction(conn):
        return conn.execute(
            text(
                "UPDATE gazetteer_entry g SET quarter_id = ("
                " SELECT q.id FROM quarter q WHERE ST_Intersects(q.boundary, g.geom)"
                " ORDER BY ST_Covers(q.boundary, ST_PointOnSurface(g.geom)) DESC, q.id LIMIT 1)"
                " WHERE g.quarter_id IS NULL"
                " AND EXISTS (SELECT 1 FROM quarter q WHERE ST_Intersects(q.boundary, g.geom))"
            )
        ).rowcount
