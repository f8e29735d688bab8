"""``karte import`` and ``karte export``: files in and out, with a progress bar and a report.

Registered on the main app by :func:`register` so ``cli.py`` stays one line per concern. An
import prints what was read, written, already present and refused (row, code, German and
English reason) and exits with status 1 when any row was refused (so nothing, or not all of
the file, arrived) — unless ``--skip-invalid`` was given: then 0 and how many rows were
skipped. Scripts can rely on it.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:  # the import machinery loads only when a command runs
    from mapservice.capture.imports.result import ImportResult

console = Console()
err_console = Console(stderr=True)
FORMATS = "auto | geojson | csv | gpx | gpkg | shp | odk | kobo | findings"
SHOWN_REFUSALS = 50
PHASES = {
    "read": "Datei lesen / reading file",
    "stage": "Zeilen laden / loading rows",
    "check": "Prüfen und speichern / checking and writing",
    "done": "Fertig / done",
}


def _engine_and_catalog():  # type: ignore[no-untyped-def]
    from mapservice.catalog import load_catalog
    from mapservice.config import load_settings
    from mapservice.db.session import connect, require_schema

    settings = load_settings()
    engine = connect(settings)
    require_schema(engine)
    return engine, load_catalog(settings.layers_dir)


def import_file(
    file: Annotated[Path, typer.Argument(help="Datei: GeoJSON, CSV, GPX, GeoPackage, Shapefile")],
    format: Annotated[str, typer.Option("--format", help=FORMATS)] = "auto",
    quarter: Annotated[str | None, typer.Option(help="Quartier (Kürzel)")] = None,
    layer: Annotated[str | None, typer.Option(help="Themen- oder Referenzebene")] = None,
    crs: Annotated[str | None, typer.Option(help="EPSG-Code der Koordinaten")] = None,
    x: Annotated[str | None, typer.Option("--x", help="Spalte Rechtswert/x")] = None,
    y: Annotated[str | None, typer.Option("--y", help="Spalte Hochwert/y")] = None,
    lat: Annotated[str | None, typer.Option(help="Spalte Breite")] = None,
    lon: Annotated[str | None, typer.Option(help="Spalte Länge")] = None,
    walkthrough: Annotated[str | None, typer.Option(help="Begehung (UUID)")] = None,
    kind: Annotated[str | None, typer.Option(help="Art, wenn die Datei keine hat")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="nur prüfen")] = False,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="abgelehnte Zeilen überspringen")
    ] = False,
    status: Annotated[str, typer.Option(help="Freigabestatus neuer Einträge")] = "draft",
    id_column: Annotated[
        str | None,
        typer.Option("--id-column", help="eigene Kennung der Datei (Upsert); '-' = keine"),
    ] = None,
    address: Annotated[
        str | None,
        typer.Option(help="Adressspalte(n) ohne Koordinaten: 'Adresse' oder 'Straße+Nr'"),
    ] = None,
) -> None:
    """Datei importieren (alles oder nichts; Bericht je Zeile). / Import a file."""
    from mapservice.access import Viewer
    from mapservice.capture.imports import ImportOptions, parse_walkthrough, run_import

    if not file.is_file():
        raise typer.BadParameter(f"{file} gibt es nicht / does not exist", param_hint="FILE")
    options = ImportOptions(
        format=format, quarter=quarter, layer=layer, crs=crs, x=x, y=y, lat=lat, lon=lon,
        walkthrough=parse_walkthrough(walkthrough), kind=kind, dry_run=dry_run,
        skip_invalid=skip_invalid, status=status, id_column=id_column, address=address,
    )  # fmt: skip
    engine, catalog = _engine_and_catalog()
    viewer = Viewer(role="admin", name=f"cli:{getpass.getuser()}")
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task(PHASES["read"], total=None)

        def progress(phase: str, done: int, total: int | None) -> None:
            bar.update(task, description=PHASES.get(phase, phase), completed=done, total=total)

        result = run_import(engine, catalog, file, options, viewer, on_progress=progress)
    print_report(result)
    code, de, en = outcome(result, skip_invalid=skip_invalid)
    if de:
        (err_console if code else console).print(
            f"{'Fehler: ' if code else ''}{de}\n{'Error: ' if code else ''}{en}",
            style="bold red" if code else "bold yellow", highlight=False, soft_wrap=True,
        )  # fmt: skip
    if code:
        raise typer.Exit(code)


def outcome(result: ImportResult, *, skip_invalid: bool) -> tuple[int, str, str]:
    """Exit status and the closing line: 1 when rows were refused (nothing, or only part of
    the file, arrived) or the file had no rows — unless ``--skip-invalid`` asked to skip the
    refused rows; then 0 and how many were skipped. A dry run with refusals is 1 too: the
    check failed. Re-importing a file whose rows are all present already is success."""
    r = result.report
    refused = len(r.refused)
    if r.read == 0:
        return 1, "Die Datei enthält keine Zeilen; nichts importiert.", (
            "The file has no rows; nothing imported.")  # fmt: skip
    if not refused:
        return 0, "", ""
    if skip_invalid and not r.dry_run:
        return 0, (
            f"{refused} abgelehnte Zeilen übersprungen (--skip-invalid), {result.new} von "
            f"{r.read} neu gespeichert."
        ), (
            f"{refused} refused rows skipped (--skip-invalid), {result.new} of {r.read} "
            "written as new."
        )  # fmt: skip
    if r.dry_run:
        return 1, (
            f"Probelauf: {refused} von {r.read} Zeilen würden abgelehnt."
        ), f"Dry run: {refused} of {r.read} rows would be refused."  # fmt: skip
    return 1, (
        f"{refused} von {r.read} Zeilen abgelehnt – nichts gespeichert. Zeilen korrigieren "
        "oder mit --skip-invalid nur die gültigen importieren."
    ), (
        f"{refused} of {r.read} rows refused – nothing written. Fix the rows or import only "
        "the valid ones with --skip-invalid."
    )  # fmt: skip


def print_report(result: ImportResult) -> None:
    """Counts, then the refused rows (the first 50, and how many more by code)."""
    r = result.report
    table = Table(title=f"Import {result.file} ({result.format} → {result.target})")
    for header in ("gelesen / read", "neu / new", "schon vorhanden / present",
                   "abgelehnt / refused"):  # fmt: skip
        table.add_column(header, justify="right")
    table.add_row(str(r.read), str(result.new), str(r.existing), str(len(r.refused)),
                  style="red" if r.refused else None)  # fmt: skip
    console.print(table)
    if result.key_column:
        unchanged = max(r.existing - r.updated, 0)
        console.print(f"Kennung / id column: {result.key_column} – {r.updated} geändert / "
                      f"updated, {unchanged} unverändert / unchanged")  # fmt: skip
    if result.walkthrough:
        w = result.walkthrough
        console.print(f"Begehung / walkthrough {w['id']} ({'neu' if w.get('created') else 'da'}"
                      f", {w.get('track_points', 0)} Trackpunkte / track points)")  # fmt: skip
    if result.georef:
        methods = ", ".join(f"{k} {v}" for k, v in result.georef.items())
        console.print(f"Verortung / placed by: {methods}; zu prüfen / to review: "
                      f"{result.needs_review}")  # fmt: skip
    for de, en in result.notes:
        console.print(f"Hinweis: {de}\nNote: {en}", style="yellow")
    if r.refused:
        refused = Table(title="Abgelehnte Zeilen / refused rows", show_lines=False)
        for header in ("Zeile / row", "Code", "Grund", "Reason"):
            refused.add_column(header, overflow="fold")
        for item in r.refused[:SHOWN_REFUSALS]:
            refused.add_row(str(item.row), item.code, item.message_de, item.message_en)
        console.print(refused)
        if len(r.refused) > SHOWN_REFUSALS:
            more = ", ".join(f"{k} {v}" for k, v in result.refused_by_code().items())
            console.print(f"… {len(r.refused) - SHOWN_REFUSALS} weitere / more ({more})")
    de, en = result.summary()
    console.print(f"{de}\n{en}", style="bold red" if r.refused else "bold green")


def export_quarter(
    quarter: Annotated[str, typer.Argument(help="Quartier (Kürzel)")],
    out: Annotated[Path, typer.Option("--out", help="Zieldatei")],
    format: Annotated[str, typer.Option("--format", help="gpkg | geojson | csv")] = "gpkg",
    layer: Annotated[str | None, typer.Option(help="nur diese Ebene")] = None,
    public: Annotated[bool, typer.Option("--public", help="wie für die Öffentlichkeit")] = False,
) -> None:
    """Quartier exportieren (GeoPackage, GeoJSON, CSV). / Export a quarter."""
    from mapservice.access import PUBLIC, Viewer
    from mapservice.capture.exports import collect, counts, export_bytes

    if format not in ("gpkg", "geojson", "csv"):
        raise typer.BadParameter("gpkg, geojson oder csv", param_hint="--format")
    engine, catalog = _engine_and_catalog()
    viewer = PUBLIC if public else Viewer(role="admin", name=f"cli:{getpass.getuser()}")
    with engine.connect() as conn:
        exports = collect(conn, catalog, quarter, layer, viewer)
    out.write_bytes(export_bytes(exports, format))
    table = Table("Ebene / layer", "Objekte / features", title=f"{out} ({format})")
    for layer_id, n in counts(exports).items():
        table.add_row(layer_id, str(n))
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add ``import`` and ``export`` to the ``karte`` command."""
    app.command("import")(import_file)
    app.command("export")(export_quarter)
