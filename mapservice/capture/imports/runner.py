"""One import from start to end: check options, read, stage, check, write — or write nothing.

The whole file is one transaction: it is committed only when every row passed (or the caller
allowed skipping refused rows) and it is not a dry run; otherwise it is rolled back, so a
refused file leaves no walkthrough, interview or observation behind. The CLI and the planner
endpoint both call :func:`run_import`.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, text

from mapservice.access import Viewer
from mapservice.capture.bulk import ImportReport
from mapservice.capture.imports.addresses import (
    Placement,
    address_columns,
    place_addresses,
    placed_frame,
)
from mapservice.capture.imports.detect import detect_format
from mapservice.capture.imports.findings_csv import import_findings, personal_columns
from mapservice.capture.imports.geofile import read_geofile
from mapservice.capture.imports.gpx import import_gpx
from mapservice.capture.imports.keys import key_texts
from mapservice.capture.imports.options import ImportOptions, check_options
from mapservice.capture.imports.pipeline import Progress, load_source
from mapservice.capture.imports.reference_layer import frame_from_table, load_reference
from mapservice.capture.imports.result import ImportResult
from mapservice.capture.imports.sources import key_column, observation_source
from mapservice.capture.imports.table import read_table
from mapservice.capture.reasons import refuse
from mapservice.catalog import Catalog, LayerSource, UnknownLayer
from mapservice.errors import InvalidInput
from mapservice.georef.crs import WGS84


def _noop(phase: str, done: int, total: int | None) -> None:
    return None


def run_import(
    engine: Engine,
    catalog: Catalog,
    path: Path,
    options: ImportOptions,
    viewer: Viewer,
    *,
    name: str | None = None,
    on_progress: Progress | None = None,
) -> ImportResult:
    """Import the file at ``path`` (called ``name`` by the caller) in one transaction."""
    options = check_options(options)
    name = name or path.name
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            result = import_into(conn, catalog, path, name, options, viewer,
                                 on_progress or _noop)  # fmt: skip
            if result.written:
                transaction.commit()
            else:
                transaction.rollback()
        except BaseException:
            transaction.rollback()
            raise
    return result


def import_into(
    conn: Connection, catalog: Catalog, path: Path, name: str, options: ImportOptions,
    viewer: Viewer, progress: Progress,
) -> ImportResult:  # fmt: skip
    """Read and load the file inside ``conn``'s transaction; ``written`` says whether the
    caller should commit."""
    _check_targets(conn, catalog, options)
    with open(path, "rb") as handle:
        head = handle.read(4096)
    fmt = detect_format(name, head, options.format)
    layer = catalog.get(options.layer) if options.layer else None
    progress("read", 0, None)
    if layer is not None and layer.source == LayerSource.REFERENCE:
        result = _reference(conn, catalog, path, name, fmt, options)
    elif fmt == "gpx":
        report, info = import_gpx(conn, catalog, viewer, path.read_bytes(), name, options)
        result = ImportResult(name, fmt, "walkthrough", report, walkthrough=info, crs=WGS84)
    elif fmt == "findings":
        table = read_table(path.read_bytes(), name)
        report, methods, review = import_findings(conn, catalog, table, options)
        result = ImportResult(name, fmt, "findings", report, georef=methods, needs_review=review)
        dropped = personal_columns(table)
        if dropped:
            result.notes.append((
                f"Spalten mit persönlichen Daten nicht übernommen: {', '.join(dropped)}.",
                f"Columns with personal data not imported: {', '.join(dropped)}.",
            ))  # fmt: skip
    else:
        source = observation_source(path, name, fmt, options, conn=conn)
        report = load_source(conn, catalog, source, options, progress)
        result = ImportResult(name, fmt, "observations", report, crs=source.epsg,
                              key_column=source.key_column)  # fmt: skip
        if source.placement is not None:
            _placed(result, source.placement)
    result.layer = options.layer
    result.written = not options.dry_run and (result.ok or options.skip_invalid)
    progress("done", result.report.read, result.report.read)
    return result


def _check_targets(conn: Connection, catalog: Catalog, options: ImportOptions) -> None:
    """An unknown quarter or layer in the options refuses the file before it is read."""
    if options.layer:
        try:
            catalog.get(options.layer)
        except UnknownLayer:
            raise refuse("unknown_layer", options.layer) from None
    if (
        options.quarter
        and not conn.execute(
            text("SELECT 1 FROM quarter WHERE slug = :s"), {"s": options.quarter}
        ).first()
    ):
        raise refuse("unknown_quarter", options.quarter)


def _reference(
    conn: Connection, catalog: Catalog, path: Path, name: str, fmt: str, options: ImportOptions
) -> ImportResult:
    layer_id = str(options.layer)
    placement: Placement | None = None
    if fmt in ("csv", "odk", "kobo", "findings"):
        table = read_table(path.read_bytes(), name)
        epsg = options.epsg or WGS84
        if options.x and not options.crs:
            raise InvalidInput(
                "Für --x/--y fehlt --crs.", "--x/--y need --crs.", code="crs_missing"
            )
        try:
            frame = frame_from_table(table, epsg=epsg, x=options.x, y=options.y,
                                     lat=options.lat, lon=options.lon)  # fmt: skip
        except InvalidInput as exc:
            columns = address_columns(list(table.columns), options.address)
            if exc.code != "csv_columns_missing" or columns is None:
                raise
            placement = place_addresses(conn, table, columns, options.quarter)
            frame, epsg = placed_frame(table, placement), WGS84
    elif fmt in ("gpkg", "shp", "geojson"):
        frame, epsg = read_geofile(path, name, epsg=options.epsg)
    else:
        raise InvalidInput(
            f"Referenzebenen lassen sich nicht aus {fmt} laden.",
            f"Reference layers cannot be loaded from {fmt}.",
            code="invalid_option",
        )
    attributes = {c: frame[c] for c in frame.columns if c != frame.geometry.name}
    column = key_column(attributes, options)
    problems = None
    if placement is not None and placement.geometry.problem is not None:
        problems = (placement.geometry.problem, placement.geometry.detail or [])
    report, replaced = load_reference(
        conn, catalog, layer_id, frame, epsg=epsg, source=f"import:{name}",
        dry_run=options.dry_run, skip_invalid=options.skip_invalid,
        keys=key_texts(list(frame[column])) if column else None,
        methods=placement.methods if placement else None, problems=problems,
    )  # fmt: skip
    result = ImportResult(name, fmt, "reference", report, crs=epsg, key_column=column)
    if placement is not None:
        _placed(result, placement)
    if replaced and column:
        result.notes.append((
            f"{replaced} Objekte eines früheren Imports derselben Datei entfernt (nicht mehr "
            "in der Datei).",
            f"{replaced} features of an earlier import of the same file removed (no longer "
            "in the file).",
        ))  # fmt: skip
    elif replaced:
        result.notes.append((
            f"{replaced} Objekte eines früheren Imports derselben Datei ersetzt.",
            f"{replaced} features of an earlier import of the same file replaced.",
        ))  # fmt: skip
    return result


def _placed(result: ImportResult, placement: Placement) -> None:
    """Counts per method and, per placed row, how precisely (for the report and its CSV)."""
    result.georef = placement.counts
    result.placed = [
        {"row": i + 1, "address": placement.texts[i], "method": method,
         "matched": placement.matched[i]}
        for i, method in enumerate(placement.methods) if method
    ]  # fmt: skip


__all__ = ["ImportReport", "Progress", "run_import"]
