"""Reading import files into rows of plain values: CSV, GeoJSON and OSM extracts.

Each file becomes numbered rows (CSV: line, header = 1; GeoJSON: feature, first = 1) of the
values an ``ActorIn`` takes; what a row cannot say is a ``RowError`` with German and English
text. OSM features (overpass-turbo / osmtogeojson, ``@id`` = ``node/123``) map ``name``,
``opening_hours``, ``contact:phone``/``phone``, ``contact:email``/``email``,
``website``/``contact:website`` and ``addr:*`` to the consent-guarded fields; the other OSM
tags (``amenity``, ``social_facility``, ``social_facility:for`` …) stay tags.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from shapely.geometry import mapping, shape

from mapservice.errors import InvalidInput
from mapservice.programme.actors.vocab import (
    CONTACT_KEYS,
    KINDS,
    MAX_TAGS,
    TAG_KEY,
    kind_from_tags,
)
from mapservice.programme.csvio import too_large

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
COLUMNS = (
    "external_id",
    "osm_id",
    "name",
    "kind",
    "description",
    "quarters",
    "address",
    "lon",
    "lat",
    "phone",
    "email",
    "website",
    "tags",
    "public_fields",
    "published",
    "offer_what",
    "offer_for_whom",
    "offer_opening_hours",
)
OSM_ID = re.compile(r"^(node|way|relation)/[0-9]{1,15}$")
_KIND_NAMES = {name.casefold(): kid for kid, labels in KINDS.items() for name in (kid, *labels)} | {
    "qm-büro": "qm_buero",
    "person": "person",
    "kümmerer*in": "person",
}
_FLAG = {
    "true": True,
    "ja": True,
    "yes": True,
    "1": True,
    "x": True,
    "false": False,
    "nein": False,
    "no": False,
    "0": False,
    "": False,
}


@dataclass
class Row:
    number: int  # line (CSV, header = 1) or feature number (GeoJSON, first = 1)
    key: str  # osm_id or external_id, as given
    values: dict[str, Any]
    fields: set[str]  # which fields the file gives (others keep their stored values)


class RowError(Exception):
    def __init__(self, code: str, de: str, en: str) -> None:
        super().__init__(en)
        self.code, self.de, self.en = code, de, en


def _kind(value: str) -> str:
    found = _KIND_NAMES.get(value.strip().casefold())
    if found is None:
        raise RowError(
            "unknown_kind",
            f"unbekannte Art „{value[:40]}“ (möglich: {', '.join(KINDS)})",
            f"unknown kind '{value[:40]}' (possible: {', '.join(KINDS)})",
        )
    return found


def _tags(value: str) -> dict[str, str]:
    out = {}
    for part in filter(None, (p.strip() for p in value.split(";"))):
        key, sep, val = part.partition("=")
        if not sep:
            raise RowError(
                "invalid_tag", f"Merkmal „{part[:40]}“ ohne =", f"tag '{part[:40]}' without ="
            )
        out[key.strip()] = val.strip()
    return out


def _point(lon: str, lat: str) -> dict[str, Any] | None:
    if not lon.strip() and not lat.strip():
        return None
    try:
        x, y = float(lon.replace(",", ".")), float(lat.replace(",", "."))
    except ValueError:
        raise RowError(
            "invalid_coordinates", "lon/lat sind keine Zahlen", "lon/lat are not numbers"
        ) from None
    return {"type": "Point", "coordinates": [x, y]}


def _plain_row(raw: dict[str, Any], geometry: dict[str, Any] | None) -> dict[str, Any]:
    """CSV cells or GeoJSON properties (our own names) → ActorIn values."""
    get = lambda k: str(raw.get(k) or "").strip()  # noqa: E731
    values: dict[str, Any] = {
        k: get(k)
        for k in (
            "external_id",
            "osm_id",
            "name",
            "description",
            "address",
            "phone",
            "email",
            "website",
        )
    }
    values = {k: v for k, v in values.items() if v or k in raw}
    for k in ("external_id", "osm_id"):
        if not values.get(k):
            values.pop(k, None)
    if "kind" in raw:
        values["kind"] = _kind(get("kind"))
    if "quarters" in raw:
        values["quarters"] = [q.strip() for q in get("quarters").split(";") if q.strip()]
    if "tags" in raw:
        values["tags"] = raw["tags"] if isinstance(raw["tags"], dict) else _tags(get("tags"))
    if isinstance(raw.get("public_fields"), list):
        values["public_fields"] = raw["public_fields"]
    elif "public_fields" in raw:
        values["public_fields"] = [f.strip() for f in get("public_fields").split(";") if f.strip()]
    if "published" in raw:
        flag = _FLAG.get(get("published").lower())
        if flag is None:
            raise RowError("invalid_flag", "published: ja/nein erwartet", "published: yes/no")
        values["published"] = flag
    if geometry is not None:
        values["location"] = geometry
    elif "lon" in raw or "lat" in raw:
        values["location"] = _point(get("lon"), get("lat"))
    if isinstance(raw.get("offers"), list):  # GeoJSON: a list of {what, for_whom, …}
        values["offers"] = raw["offers"]
    elif get("offer_what"):
        values["offers"] = [
            {
                "what": get("offer_what"),
                "for_whom": get("offer_for_whom"),
                "opening_hours": get("offer_opening_hours"),
            }
        ]
    elif "offer_what" in raw:
        values["offers"] = []
    return values


def _osm_row(props: dict[str, Any], fid: Any, geometry: dict[str, Any] | None) -> dict[str, Any]:
    """One overpass-turbo / osmtogeojson feature → ActorIn values."""
    tags = {str(k): str(v) for k, v in props.items() if not str(k).startswith("@")}
    osm_id = str(props.get("@id") or props.get("id") or fid or "")
    if not OSM_ID.match(osm_id):
        raise RowError(
            "invalid_osm_id",
            f"keine OSM-Kennung (node/…, way/…): „{osm_id[:40]}“",
            f"no OSM id (node/…, way/…): '{osm_id[:40]}'",
        )
    pick = lambda *keys: next((tags[k].strip() for k in keys if tags.get(k)), "")  # noqa: E731
    street = " ".join(x for x in (pick("addr:street"), pick("addr:housenumber")) if x)
    town = " ".join(x for x in (pick("addr:postcode"), pick("addr:city")) if x)
    rest = {
        k: v
        for k, v in tags.items()
        if not CONTACT_KEYS.match(k)
        and TAG_KEY.match(k)
        and k not in ("name", "opening_hours", "id", "description")
        and len(k) <= 64
    }
    rest = dict(sorted(rest.items())[:MAX_TAGS])
    values: dict[str, Any] = {
        "osm_id": osm_id,
        "external_id": "osm-" + osm_id.replace("/", "-"),
        "name": pick("name", "operator"),
        "kind": kind_from_tags(tags),
        "description": pick("description"),
        "address": ", ".join(x for x in (street, town) if x),
        "phone": pick("contact:phone", "phone"),
        "email": pick("contact:email", "email"),
        "website": pick("contact:website", "website", "url"),
        "tags": rest,
    }
    if geometry is not None:
        values["location"] = geometry
    hours = pick("opening_hours")
    what = pick("social_facility", "amenity", "healthcare", "leisure", "office")
    if hours or tags.get("social_facility"):
        values["offers"] = [
            {
                "what": what.replace("_", " ") or values["name"] or "Angebot",
                "for_whom": pick("social_facility:for").replace(";", ", "),
                "opening_hours": hours,
            }
        ]
    else:
        values["offers"] = []
    return values


def _as_point(geometry: Any) -> dict[str, Any] | None:
    if geometry is None:
        return None
    try:
        geom = shape(geometry)
    except Exception:
        raise RowError(
            "invalid_geometry", "Geometrie nicht lesbar", "geometry not readable"
        ) from None
    if geom.is_empty:
        return None
    if geom.geom_type != "Point":
        geom = geom.representative_point() if geom.geom_type.endswith("Polygon") else geom.centroid
    return dict(mapping(geom))


def read_file(data: bytes, filename: str = "") -> tuple[str, list[tuple[int, Any]]]:
    """('csv'|'geojson'|'osm', [(number, raw or RowError)])."""
    if len(data) > MAX_BYTES:
        raise too_large()
    head = data.lstrip()[:1]
    if head == b"{" or filename.lower().endswith((".geojson", ".json")):
        try:
            doc = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise InvalidInput(
                f"Kein lesbares GeoJSON ({str(exc)[:100]}).",
                f"Not readable GeoJSON ({str(exc)[:100]}).",
                code="invalid_geojson",
            ) from None
        feats = doc.get("features") if isinstance(doc, dict) else None
        if not isinstance(feats, list):
            raise InvalidInput(
                "GeoJSON braucht eine FeatureCollection mit features.",
                "GeoJSON needs a FeatureCollection with features.",
                code="invalid_geojson",
            )
        osm = any(
            isinstance(f, dict)
            and ("@id" in (f.get("properties") or {}) or OSM_ID.match(str(f.get("id", ""))))
            for f in feats
        )
        return ("osm" if osm else "geojson"), list(enumerate(feats, start=1))
    _, rows = read_rows_any(data)
    return "csv", list(enumerate(rows, start=2))


def read_rows_any(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV with our columns (UTF-8, ``,`` or ``;``), or a refusal."""
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            "Die Datei ist kein UTF-8-Text.", "The file is not UTF-8 text.", code="not_utf8"
        ) from None
    if "\x00" in content:
        raise InvalidInput(
            "Die Datei enthält NUL-Zeichen.",
            "The file contains NUL characters.",
            code="nul_character",
        )
    first = content.split("\n", 1)[0]
    reader = csv.DictReader(
        io.StringIO(content, newline=""),
        delimiter=";" if first.count(";") > first.count(",") else ",",
    )
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    unknown = [h for h in header if h not in COLUMNS]
    if unknown or "name" not in header or len(set(header)) != len(header):
        raise InvalidInput(
            f"Spalten passen nicht: unbekannt {', '.join(unknown)[:200] or '–'} "
            f"(erwartet: name und {', '.join(COLUMNS)}).",
            f"Columns do not fit: unknown {', '.join(unknown)[:200] or '–'} "
            f"(expected: name and {', '.join(COLUMNS)}).",
            code="csv_columns",
        )
    rows = []
    for raw in reader:
        if None in raw:  # more cells than the header has
            raw.pop(None)
            raw["__extra__"] = "1"
        rows.append(raw)
        if len(rows) > MAX_ROWS:
            raise InvalidInput(
                f"Mehr als {MAX_ROWS} Zeilen; bitte aufteilen.",
                f"More than {MAX_ROWS} rows; please split the file.",
                code="too_many_rows",
            )
    return header, rows


def _unguard(value: str | None) -> str | None:
    """Undo the export's CSV-injection guard (a ``'`` before ``= + - @``): "+49 …" again."""
    if value and len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def values_of(fmt: str, raw: Any) -> dict[str, Any]:
    if fmt == "csv":
        if "__extra__" in raw:
            raise RowError("too_many_cells", "mehr Zellen als Spalten", "more cells than columns")
        return _plain_row({k: _unguard(v) for k, v in raw.items()}, None)
    if not isinstance(raw, dict) or raw.get("type") != "Feature":
        raise RowError("not_a_feature", "kein GeoJSON-Feature", "not a GeoJSON feature")
    props = raw.get("properties") or {}
    if not isinstance(props, dict):
        raise RowError(
            "invalid_properties", "properties ist kein Objekt", "properties is not an object"
        )
    point = _as_point(raw.get("geometry"))
    if fmt == "osm":
        return _osm_row(props, raw.get("id"), point)
    return _plain_row(props, point)
