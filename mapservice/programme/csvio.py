"""CSV export and import of measures in one format, upsert by ``external_id``.

What an export writes, an import reads back (decidim#3190): importing the same file twice
changes nothing and reports 0 changed; editing one row updates exactly that measure
(decidim-barcelona#189). Columns a file leaves out keep their stored values. Every row is
checked before anything is written; one refused row refuses the file, with the line number
(header = line 1) and the reason in German and English for each refused row — nothing
half-written. ``progress_computed`` is written for reading and ignored by the import.

Lists (quarters, layers, dimensions) are separated by ``;``; dates are ISO (``2026-05-04``,
``04.05.2026`` is accepted too); geometry is WKT in EPSG:4326 (what QGIS reads from CSV).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import shapely
from shapely import wkb, wkt
from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.catalog import Catalog
from mapservice.errors import InvalidInput, KarteError
from mapservice.programme.measures import figures, visible_sql
from mapservice.programme.vocab import DIMENSIONS, parse_phase, parse_state
from mapservice.programme.writes import GEOMETRY_TYPES, require_writer

COLUMNS = (
    "external_id",
    "reference",
    "title",
    "description",
    "parent_external_id",
    "quarters",
    "layers",
    "dimensions",
    "responsible",
    "start_date",
    "end_date",
    "budget",
    "phase",
    "status",
    "progress",
    "weight",
    "published",
    "geometry_wkt",
    "progress_computed",
)
READ_ONLY = frozenset({"progress_computed"})
REQUIRED = ("external_id",)
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,79}$")
TRUE, FALSE = {"true", "ja", "yes", "1", "wahr", "x"}, {"false", "nein", "no", "0", "falsch", ""}

EXPORT_SQL = """
SELECT m.id, m.external_id, m.reference, m.title, m.description, m.parent_id,
       p.external_id AS parent_external_id, m.layer_ids, m.dimensions, m.responsible,
       m.start_date, m.end_date, m.budget, m.phase, m.status, m.progress, m.weight,
       m.published, ST_AsText(m.geom) AS wkt, ST_AsBinary(m.geom) AS wkb,
       ARRAY(SELECT q.slug FROM measure_quarter mq JOIN quarter q ON q.id = mq.quarter_id
              WHERE mq.measure_id = m.id ORDER BY q.slug) AS quarters
  FROM measure m LEFT JOIN measure p ON p.id = m.parent_id
"""


def _weight(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def export_csv(conn: Connection, viewer: Viewer, quarter: str | None = None) -> str:
    """Every measure the viewer may read (of ``quarter``), ordered by reference."""
    where, params = visible_sql(viewer), {}
    if quarter is not None:
        where += (
            " AND EXISTS (SELECT 1 FROM measure_quarter eq JOIN quarter eqq ON "
            "eqq.id = eq.quarter_id WHERE eq.measure_id = m.id AND eqq.slug = :q)"
        )
        params["q"] = quarter
    rows = conn.execute(
        text(f'{EXPORT_SQL} WHERE {where} ORDER BY m.reference COLLATE "C", m.title, m.id'),
        params,
    ).all()
    figs = figures(conn, viewer)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        parent = r.parent_external_id if r.parent_id in figs else None
        fig = figs.get(r.id)
        values = {
            "external_id": r.external_id,
            "reference": r.reference,
            "title": r.title,
            "description": r.description,
            "parent_external_id": parent,
            "quarters": list(r.quarters),
            "layers": list(r.layer_ids),
            "dimensions": list(r.dimensions),
            "responsible": r.responsible,
            "start_date": r.start_date,
            "end_date": r.end_date,
            "budget": f"{r.budget:.2f}" if r.budget is not None else None,
            "phase": r.phase,
            "status": r.status,
            "progress": r.progress,
            "weight": _weight(r.weight),
            "published": r.published,
            "geometry_wkt": r.wkt,
            "progress_computed": fig.value if fig is not None else None,
        }
        writer.writerow([_cell(values[c]) for c in COLUMNS])
    return out.getvalue()


@dataclass
class Refused:
    row: int
    external_id: str
    code: str
    message_de: str
    message_en: str


@dataclass
class ImportReport:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[Refused] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        de = (
            f"{self.read} gelesen, {self.created} neu, {self.updated} geändert, "
            f"{self.unchanged} unverändert, {len(self.refused)} abgelehnt"
        )
        en = (
            f"{self.read} read, {self.created} new, {self.updated} changed, "
            f"{self.unchanged} unchanged, {len(self.refused)} refused"
        )
        if self.dry_run:
            de, en = de + " (Probelauf, nichts gespeichert)", en + " (dry run, nothing written)"
        elif not self.written:
            de, en = de + " – nichts gespeichert", en + " – nothing written"
        return {
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "written": self.written,
            "dry_run": self.dry_run,
            "summary_de": de,
            "summary_en": en,
            "refused": [vars(r) for r in self.refused[:1000]],
        }


class RowError(Exception):
    def __init__(self, code: str, de: str, en: str) -> None:
        super().__init__(en)
        self.code, self.de, self.en = code, de, en


def _list(value: str) -> list[str]:
    return list(dict.fromkeys(p.strip() for p in re.split(r"[;,]", value) if p.strip()))


def _date(value: str, name: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise RowError(
        "invalid_date",
        f"{name}: kein Datum wie 2026-05-04: {value[:40]}",
        f"{name}: not a date like 2026-05-04: {value[:40]}",
    )


def _number(value: str, name: str) -> Decimal | None:
    value = value.strip().replace(" ", "")
    if not value:
        return None
    if "," in value:  # German: 12.500,50
        value = value.replace(".", "").replace(",", ".")
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise RowError(
            "invalid_number",
            f"{name}: keine Zahl: {value[:40]}",
            f"{name}: not a number: {value[:40]}",
        )
    return number


def _bounded(value: Decimal | None, name: str, lo: float, hi: float, *, lo_open: bool = False):
    if value is None:
        return None
    if value < lo or value > hi or (lo_open and value == lo):
        low = f"über {lo}" if lo_open else f"ab {lo}"
        raise RowError(
            "out_of_range",
            f"{name}: {value} liegt nicht im Bereich ({low} bis {hi})",
            f"{name}: {value} is out of range ({'above' if lo_open else 'from'} {lo} to {hi})",
        )
    return value


def _geometry(value: str) -> Any:
    value = value.strip()
    if not value:
        return None
    try:
        geom = wkt.loads(value)
    except (shapely.errors.ShapelyError, ValueError):
        raise RowError(
            "geometry_malformed",
            "Geometrie (WKT) ist nicht lesbar",
            "Geometry (WKT) cannot be read",
        ) from None
    x0, y0, x1, y1 = geom.bounds if not geom.is_empty else (0, 0, 0, 0)
    if geom.is_empty or geom.geom_type not in GEOMETRY_TYPES:
        raise RowError(
            "geometry_type_not_allowed",
            "Geometrie: Punkt, Linie oder Fläche angeben",
            "Geometry: give a point, line or area",
        )
    if x0 < -180 or x1 > 180 or y0 < -90 or y1 > 90:
        raise RowError(
            "outside_world",
            "Koordinaten außerhalb der Welt (EPSG:4326 erwartet)",
            "Coordinates outside the world (EPSG:4326 expected)",
        )
    if not geom.is_valid:
        raise RowError(
            "geometry_invalid",
            f"Geometrie ist ungültig: {shapely.is_valid_reason(geom)}",
            f"Geometry is invalid: {shapely.is_valid_reason(geom)}",
        )
    return geom


def _flag(value: str) -> bool:
    folded = value.strip().lower()
    if folded in TRUE:
        return True
    if folded in FALSE:
        return False
    raise RowError(
        "invalid_flag",
        f"published: true/false (ja/nein), nicht {value[:20]}",
        f"published: true/false, not {value[:20]}",
    )


def _dimensions(value: str) -> list[str]:
    folded = {d.replace("ö", "oe"): d for d in DIMENSIONS}
    out = []
    for part in _list(value):
        key = part.lower().replace("ö", "oe")
        if key not in folded:
            raise RowError(
                "unknown_dimension",
                f"Unbekannte Dimension: {part[:40]}",
                f"Unknown dimension: {part[:40]}",
            )
        out.append(folded[key])
    return out


def _text(value: str, name: str, limit: int, *, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise RowError(f"{name}_missing", f"{name} fehlt", f"{name} is missing")
    if len(value) > limit:
        raise RowError(
            "text_too_long",
            f"{name} ist länger als {limit} Zeichen",
            f"{name} is longer than {limit} characters",
        )
    return value


def parse_row(raw: dict[str, str], slugs: dict[str, int], catalog: Catalog) -> dict[str, Any]:
    """The row's values in stored form; only the columns the file has."""
    out: dict[str, Any] = {}
    get = {k: (v or "") for k, v in raw.items() if k in COLUMNS and k not in READ_ONLY}
    ext = get["external_id"].strip()
    if not _EXTERNAL_ID.match(ext):
        raise RowError(
            "invalid_external_id",
            "external_id fehlt oder ist ungültig (1–80 Zeichen: A–Z, 0–9, . _ : / -)",
            "external_id is missing or invalid (1–80 characters: A–Z, 0–9, . _ : / -)",
        )
    out["external_id"] = ext
    for name, limit in (("reference", 40), ("description", 10_000), ("responsible", 200)):
        if name in get:
            out[name] = _text(get[name], name, limit)
    if "title" in get:
        out["title"] = _text(get["title"], "title", 200, required=True)
    if "parent_external_id" in get:
        out["parent_external_id"] = get["parent_external_id"].strip() or None
    if "quarters" in get:
        names = _list(get["quarters"])
        unknown = [n for n in names if n not in slugs]
        if unknown or not names:
            shown = ", ".join(unknown)[:120]
            raise RowError(
                "unknown_quarter",
                f"Unbekanntes oder fehlendes Quartier: {shown}",
                f"Unknown or missing quarter: {shown}",
            )
        out["quarters"] = names
    if "layers" in get:
        layers = _list(get["layers"])
        unknown = [lay for lay in layers if lay not in catalog]
        if unknown:
            shown = ", ".join(unknown)[:120]
            raise RowError(
                "unknown_layer", f"Unbekannte Themenebene: {shown}", f"Unknown layer: {shown}"
            )
        out["layers"] = layers
    if "dimensions" in get:
        out["dimensions"] = _dimensions(get["dimensions"])
    for name in ("start_date", "end_date"):
        if name in get:
            out[name] = _date(get[name], name)
    if "budget" in get:
        budget = _bounded(_number(get["budget"], "budget"), "budget", 0, 1e12)
        out["budget"] = budget.quantize(Decimal("0.01")) if budget is not None else None
    for name, parse in (("phase", parse_phase), ("status", parse_state)):
        if name in get and get[name].strip():
            try:
                out[name] = parse(get[name])
            except KarteError as exc:
                raise RowError(exc.code, exc.message_de, exc.message_en) from None
    if "progress" in get:
        value = _bounded(_number(get["progress"], "progress"), "progress", 0, 100)
        if value is not None and value != value.to_integral_value():
            raise RowError(
                "invalid_number", "progress: ganze Zahl 0–100", "progress: a whole number 0–100"
            )
        out["progress"] = int(value) if value is not None else None
    if "weight" in get:
        weight = _bounded(_number(get["weight"], "weight"), "weight", 0, 1000, lo_open=True)
        out["weight"] = _weight(float(weight)) if weight is not None else None
    if "published" in get:
        out["published"] = _flag(get["published"])
    if "geometry_wkt" in get:
        out["geometry"] = _geometry(get["geometry_wkt"])
    start, end = out.get("start_date"), out.get("end_date")
    if start is not None and end is not None and end < start:
        raise RowError(
            "end_before_start",
            f"Ende ({end}) liegt vor dem Beginn ({start})",
            f"End ({end}) lies before the start ({start})",
        )
    return out


def _stored(conn: Connection) -> dict[str, dict[str, Any]]:
    """Every measure in the comparison form of ``parse_row`` (all of them: an external id
    is unique across the database, whoever may read the row)."""
    rows = conn.execute(text(EXPORT_SQL)).all()
    out = {}
    for r in rows:
        out[r.external_id] = {
            "id": r.id,
            "external_id": r.external_id,
            "reference": r.reference,
            "title": r.title,
            "description": r.description,
            "parent_external_id": r.parent_external_id,
            "quarters": list(r.quarters),
            "layers": list(r.layer_ids),
            "dimensions": list(r.dimensions),
            "responsible": r.responsible,
            "start_date": r.start_date,
            "end_date": r.end_date,
            "budget": r.budget,
            "phase": r.phase,
            "status": r.status,
            "progress": r.progress,
            "weight": _weight(r.weight),
            "published": r.published,
            "geometry": wkb.loads(bytes(r.wkb)) if r.wkb is not None else None,
        }
    return out


def _same(name: str, new: Any, old: Any) -> bool:
    if name == "geometry":
        if new is None or old is None:
            return new is old
        return new.geom_type == old.geom_type and new.equals_exact(old, 1e-9)
    if name == "quarters":
        return sorted(new) == sorted(old)
    return new == old


DEFAULTS = {
    "reference": "",
    "description": "",
    "responsible": "",
    "layers": [],
    "dimensions": [],
    "phase": "idee",
    "status": "laeuft",
    "published": False,
}


def too_large() -> InvalidInput:
    return InvalidInput(
        f"Datei größer als {MAX_BYTES // 2**20} MB.",
        f"File larger than {MAX_BYTES // 2**20} MB.",
        code="too_large",
    )


def read_rows(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of the file, or a refusal of the whole file."""
    if len(data) > MAX_BYTES:
        raise too_large()
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
    sample = content.split("\n", 1)[0]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(content, newline=""), delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    unknown = [h for h in header if h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    if unknown or missing or len(set(header)) != len(header):
        raise InvalidInput(
            f"Spalten passen nicht: unbekannt {', '.join(unknown)[:200] or '–'}, fehlend "
            f"{', '.join(missing) or '–'} (erwartet: {', '.join(COLUMNS)}).",
            f"Columns do not fit: unknown {', '.join(unknown)[:200] or '–'}, missing "
            f"{', '.join(missing) or '–'} (expected: {', '.join(COLUMNS)}).",
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


def _refuse(report: ImportReport, row: int, ext: str, code: str, de: str, en: str) -> None:
    report.refused.append(Refused(row, ext[:80], code, de, en))


def _check_row(
    values: dict[str, Any], old: dict[str, Any] | None, slugs: dict[str, int], viewer: Viewer
) -> None:
    if old is None:
        for name in ("title", "quarters"):
            if name not in values:
                raise RowError(
                    f"{name}_missing",
                    f"neue Maßnahme: {name} fehlt",
                    f"new measure: {name} is missing",
                )
    names = list(values.get("quarters", [])) + (list(old["quarters"]) if old else [])
    for slug in names:
        if not viewer.may_see(quarter_id=slugs[slug]):
            raise RowError(
                "outside_scope",
                f"Quartier {slug} liegt außerhalb Ihres Kontos",
                f"Quarter {slug} lies outside your account's quarters",
            )


def _tree_problems(
    parsed: list[tuple[int, dict[str, Any]]],
    stored: dict[str, dict[str, Any]],
    report: ImportReport,
) -> None:
    """Unknown parents, cycles and hand-set progress on parents, in the tree *after* the
    import (the file's rows over the stored ones)."""
    final = {ext: old["parent_external_id"] for ext, old in stored.items()}
    for _, v in parsed:
        final.setdefault(v["external_id"], None)
        if "parent_external_id" in v:
            final[v["external_id"]] = v["parent_external_id"]
    parents = {p for p in final.values() if p is not None}
    for n, v in parsed:
        ext = v["external_id"]
        parent = final[ext]
        if parent is not None and parent not in final:
            _refuse(
                report,
                n,
                ext,
                "unknown_parent",
                f"übergeordnete Maßnahme {parent[:80]} gibt es weder in der Datei noch "
                "in der Datenbank",
                f"parent measure {parent[:80]} is neither in the file nor in the database",
            )
            continue
        step, seen = parent, 0
        while step is not None and seen < 10_000:
            if step == ext:
                _refuse(
                    report,
                    n,
                    ext,
                    "measure_cycle",
                    f"Zyklus: {ext} läge unter sich selbst (über {parent})",
                    f"Cycle: {ext} would lie below itself (via {parent})",
                )
                break
            step, seen = final.get(step), seen + 1
        old = stored.get(ext)
        value = v.get("progress")
        if ext in parents and value is not None and (old is None or old["progress"] != value):
            _refuse(
                report,
                n,
                ext,
                "progress_computed",
                "progress: diese Maßnahme hat Teilmaßnahmen, ihr Fortschritt wird berechnet",
                "progress: this measure has sub-measures, its progress is computed",
            )


def import_csv(
    conn: Connection,
    catalog: Catalog,
    viewer: Viewer,
    data: bytes,
    *,
    dry_run: bool = False,
    synthetic: bool = False,
) -> ImportReport:
    """Check every row, then write all of them or none (see the module docstring)."""
    require_writer(viewer)
    _, rows = read_rows(data)
    slugs = {s: int(i) for s, i in conn.execute(text("SELECT slug, id FROM quarter")).all()}
    stored = _stored(conn)
    report = ImportReport(read=len(rows), dry_run=dry_run)
    parsed: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(rows, start=2):
        ext = (raw.get("external_id") or "").strip()
        try:
            if "__extra__" in raw:
                raise RowError(
                    "too_many_cells", "mehr Zellen als Spalten", "more cells than columns"
                )
            values = parse_row(raw, slugs, catalog)
            if ext in seen:
                raise RowError(
                    "duplicate_id",
                    f"external_id steht schon in Zeile {seen[ext]}",
                    f"external_id occurs already in line {seen[ext]}",
                )
            seen[ext] = n
            _check_row(values, stored.get(ext), slugs, viewer)
            parsed.append((n, values))
        except RowError as exc:
            _refuse(report, n, ext, exc.code, exc.de, exc.en)
    if not report.refused:
        _tree_problems(parsed, stored, report)
    if report.refused:
        report.refused.sort(key=lambda r: r.row)
        return report
    plan: list[tuple[dict[str, Any] | None, dict[str, Any]]] = []
    for _, values in parsed:
        old = stored.get(values["external_id"])
        if old is None:
            report.created += 1
            plan.append((None, {**DEFAULTS, **values}))
            continue
        changed = {
            k: v for k, v in values.items() if k != "external_id" and not _same(k, v, old[k])
        }
        if changed:
            report.updated += 1
            plan.append((old, {"external_id": values["external_id"], **changed}))
        else:
            report.unchanged += 1
    if not dry_run:
        _write(conn, plan, stored, slugs, synthetic)
        report.written = True
    return report


def _columns(values: dict[str, Any], insert: bool) -> dict[str, Any]:
    out = {}
    for name, value in values.items():
        if name in ("quarters", "parent_external_id", "geometry") or (
            name == "external_id" and not insert
        ):
            continue
        out["layer_ids" if name == "layers" else name] = value
    if values.get("geometry") is not None:
        out["geom"] = wkb.dumps(values["geometry"])
    return out


def _write(
    conn: Connection,
    plan: list[tuple[dict[str, Any] | None, dict[str, Any]]],
    stored: dict[str, dict[str, Any]],
    slugs: dict[str, int],
    synthetic: bool,
) -> None:
    """Rows first, then parents: changed edges are cut before new ones are drawn, so no
    intermediate state has a cycle the trigger would refuse."""
    from mapservice.programme.writes import set_quarters, write_row

    ids = {ext: old["id"] for ext, old in stored.items()}
    edges: list[tuple[str, str | None]] = []
    for old, values in plan:
        columns = _columns(values, old is None)
        if old is None:
            if synthetic:
                columns["synthetic"] = True
            mid = write_row(conn, None, columns)
            ids[values["external_id"]] = mid
        else:
            mid = old["id"]
            if columns:
                write_row(conn, mid, columns)
            if "geometry" in values and values["geometry"] is None:
                conn.execute(text("UPDATE measure SET geom = NULL WHERE id = :i"), {"i": mid})
        if "quarters" in values:
            set_quarters(conn, mid, [slugs[s] for s in values["quarters"]])
        if "parent_external_id" in values:
            edges.append((values["external_id"], values["parent_external_id"]))
    moved = [ids[ext] for ext, _ in edges]
    if moved:
        conn.execute(text("UPDATE measure SET parent_id = NULL WHERE id = ANY(:i)"), {"i": moved})
    for ext, parent in edges:
        if parent is not None:
            conn.execute(
                text("UPDATE measure SET parent_id = :p WHERE id = :i"),
                {"p": ids[parent], "i": ids[ext]},
            )
