"""``karte export-pmtiles QUARTER|--all --out FILE``: public layers as PMTiles for a CDN.

Registered in ``mapservice.cli``; the work is done by ``mapservice.tiles.archive``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from mapservice.errors import InvalidInput

console = Console()


def export_pmtiles_command(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Zieldatei (.pmtiles), mit --per-layer ein Ordner")
    ],
    quarter: Annotated[
        str | None, typer.Argument(help="Kürzel des Quartiers, z. B. bochum-hamme")
    ] = None,
    all_quarters: Annotated[
        bool, typer.Option("--all", help="Alle Quartiere in einem Archiv")
    ] = False,
    per_layer: Annotated[
        bool, typer.Option("--per-layer", help="Ein Archiv je Ebene statt eines für alle")
    ] = False,
    max_zoom: Annotated[int, typer.Option(min=0, max=22, help="Höchste Zoomstufe")] = 18,
) -> None:
    """Öffentliche Ebenen als PMTiles-Archiv exportieren (MVT, gzip) – für statische Hosts/CDN."""
    from mapservice.catalog import load_catalog
    from mapservice.config import load_settings
    from mapservice.db.session import connect, require_schema
    from mapservice.tiles.archive import ArchiveResult, find_area, write_archives
    from mapservice.tiles.runtime import open_runtime

    if (quarter is None) == (not all_quarters):
        raise InvalidInput(
            "Entweder ein Quartier oder --all angeben (nicht beides, nicht keins).",
            "Give either a quarter or --all (not both, not neither).",
            code="quarter_or_all",
        )
    settings = load_settings()
    catalog = load_catalog(settings.layers_dir)
    engine = connect(settings)
    require_schema(engine)
    area = find_area(engine, None if all_quarters else quarter)
    columns = (TextColumn("Kacheln / tiles"), BarColumn(), MofNCompleteColumn())

    async def run() -> ArchiveResult:
        rt = await open_runtime(engine)
        try:
            with Progress(*columns, console=console, transient=True) as bar:
                task = bar.add_task("tiles", total=None)

                def progress(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                return await write_archives(
                    rt, catalog, area, out, per_layer=per_layer, max_zoom=max_zoom,
                    progress=progress,
                )  # fmt: skip
        finally:
            await rt.close()

    result = asyncio.run(run())
    engine.dispose()
    files = ", ".join(str(p) for p in result.files)
    console.print(
        f"PMTiles fertig / done: {files} ({result.tiles} Kacheln / tiles, "
        f"{result.bytes / 1e6:.1f} MB)"
    )
