"""``karte render QUARTER --out DIR``: a quarter's map as a self-contained static site.

Registered in ``mapservice.cli``; the work is done by ``mapservice.maps.export``. Expected
failures (unknown quarter, assets not installed, no database) are ``KarteError``s that the
``karte`` entry point prints as one German and English paragraph.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

console = Console()


def render_command(
    quarter: Annotated[str, typer.Argument(help="Kürzel des Quartiers, z. B. bochum-hamme")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Zielordner (wird angelegt)")],
    pmtiles: Annotated[
        bool,
        typer.Option(
            "--pmtiles",
            help="Kacheln als ein PMTiles-Archiv (data/tiles.pmtiles) statt eines Ordners; "
            "der Webserver muss Range-Anfragen können",
        ),
    ] = False,
) -> None:
    """Karte eines Quartiers als statische Website exportieren (HTML, Assets, Kacheln)."""
    from mapservice.catalog import load_catalog
    from mapservice.config import load_settings
    from mapservice.db.session import connect, require_schema
    from mapservice.maps.export import run_export

    settings = load_settings()
    catalog = load_catalog(settings.layers_dir)
    engine = connect(settings)
    require_schema(engine)
    columns = (TextColumn("Kacheln / tiles"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("tiles", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        export = run_export(settings, engine, catalog, quarter, out, progress, pmtiles=pmtiles)
        result = asyncio.run(export)
    engine.dispose()
    console.print(
        f"Export fertig / done: {out}  ({result.pages} Seiten, {result.tiles} Kacheln, "
        f"{result.features} Einträge, {result.assets} Asset-Dateien, "
        f"{result.bytes / 1e6:.1f} MB). Ansehen / view: "
        f"python3 -m http.server --directory {out} 8000"
    )
