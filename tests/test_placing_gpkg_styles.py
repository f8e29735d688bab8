"""GeoPackage exports carry the map's style per layer in ``layer_styles`` (QGIS's convention),
as QML and SLD built from the layer's TOML, so QGIS opens every table styled."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pyogrio

from mapservice.catalog import Catalog, load_catalog
from mapservice.config import Settings

COLUMNS = ["id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column",
           "styleName", "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui",
           "update_time"]  # fmt: skip
SE = "{http://www.opengis.net/se}"


def _rgb(colour: str) -> str:
    return ",".join(str(int(colour[i : i + 2], 16)) for i in (1, 3, 5))


def _styles(path: Path) -> dict[str, dict]:
    with sqlite3.connect(path) as db:
        names = [r[1] for r in db.execute("PRAGMA table_info(layer_styles)")]
        assert names == COLUMNS
        rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM layer_styles").fetchall()
        contents = {r[0] for r in db.execute("SELECT table_name FROM gpkg_contents")}
    assert "layer_styles" in contents
    return {r[3]: dict(zip(COLUMNS, r, strict=True)) for r in rows}


def _colours(qml: str) -> dict[str, str]:
    """Category value → fill colour "r,g,b" of its symbol (or "single" → colour)."""
    root = ET.fromstring(qml)
    renderer = root.find("renderer-v2")
    assert renderer is not None
    symbols = {}
    for symbol in renderer.iter("symbol"):
        options = {o.get("name"): o.get("value") for o in symbol.iter("Option") if o.get("name")}
        colour = options.get("color") or options.get("line_color") or ""
        symbols[symbol.get("name")] = ",".join(colour.split(",")[:3])
    if renderer.get("type") == "singleSymbol":
        return {"single": symbols["0"]}
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "kind"
    return {c.get("value"): symbols[c.get("symbol")] for c in renderer.iter("category")}


def test_all_layers_gpkg_has_a_default_style_per_table(
    http: httpx.Client, settings: Settings, demo_loaded: dict[str, int], tmp_path: Path
) -> None:
    catalog: Catalog = load_catalog(settings.layers_dir)
    r = http.get("/api/exports/bochum-hamme/alle.gpkg")
    assert r.status_code == 200, r.text
    path = tmp_path / "hamme.gpkg"
    path.write_bytes(r.content)
    tables = {name for name, _ in pyogrio.list_layers(path)} - {"layer_styles"}
    styles = _styles(path)
    assert set(styles) == tables and "mobilitaet" in tables and "referenz-schulen" in tables
    for name, row in styles.items():
        assert row["useAsDefault"] == 1 and row["styleName"] == catalog.get(name).title_de
        assert row["f_geometry_column"] == "geom" and row["update_time"]
        ET.fromstring(row["styleSLD"])  # parses
    mobility = catalog.get("mobilitaet").style.colors
    assert mobility is not None
    assert _colours(styles["mobilitaet"]["styleQML"]) == {
        str(k.value if hasattr(k, "value") else k): _rgb(c) for k, c in mobility.items()
    }
    qml = ET.fromstring(styles["mobilitaet"]["styleQML"])
    labels = {c.get("value"): c.get("label") for c in qml.iter("category")}
    assert labels["problem"] == "Problem" and labels["strength"] == "Stärke"
    schools = catalog.get("referenz-schulen").style
    assert _colours(styles["referenz-schulen"]["styleQML"]) == {
        "single": _rgb(schools.fill_color or "")
    }
    routes = ET.fromstring(styles["begehungen"]["styleQML"])
    (symbol,) = routes.iter("symbol")
    assert symbol.get("type") == "line"
    options = {o.get("name"): o.get("value") for o in symbol.iter("Option")}
    assert options["use_custom_dash"] == "1" and options["customdash"] == "6;6"
    sld = ET.fromstring(styles["mobilitaet"]["styleSLD"])
    fills = [p.text for p in sld.iter(f"{SE}SvgParameter") if p.get("name") == "fill"]
    assert mobility["problem"] in fills  # type: ignore[index]
    # GDAL still reads the layers (the style table is an attributes table of its own).
    frame = pyogrio.read_dataframe(path, layer="mobilitaet")
    assert len(frame) > 0


def test_single_layer_export_is_styled_too(
    http: httpx.Client, demo_loaded: dict[str, int], tmp_path: Path
) -> None:
    r = http.get("/api/exports/bochum-hamme/gruen-freiraum.gpkg")
    assert r.status_code == 200
    path = tmp_path / "gruen.gpkg"
    path.write_bytes(r.content)
    styles = _styles(path)
    assert list(styles) == ["gruen-freiraum"]
    assert "213,94,0" in styles["gruen-freiraum"]["styleQML"]  # problem: #D55E00
