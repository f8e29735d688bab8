"""Reading and writing at once: the file's next chunk is converted while the database checks
and writes the previous one.

Converting text to staged columns is Python work, checking and inserting is database work;
on two cores they can overlap. A writer thread owns the connection while chunks flow through
a short queue; an error on either side stops both and is raised here. The inserts are
optimistic (see :class:`mapservice.capture.bulk.StagedLoad`): the caller rolls the
transaction back unless the report allows writing.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from sqlalchemy import Connection

from mapservice.capture.bulk import ImportReport, StagedLoad
from mapservice.capture.imports.columns import ObservationColumns
from mapservice.capture.imports.options import ImportOptions
from mapservice.capture.imports.sources import ObservationSource
from mapservice.catalog import Catalog
from mapservice.georef.crs import WGS84, area_bounds

Progress = Callable[[str, int, int | None], None]


def load_source(
    conn: Connection, catalog: Catalog, source: ObservationSource, options: ImportOptions,
    progress: Progress,
) -> ImportReport:  # fmt: skip
    """Stage, check and insert every chunk of ``source``; returns the report."""
    load = StagedLoad(
        conn, catalog, srid=source.epsg,
        area_of_use=None if source.epsg == WGS84 else area_bounds(source.epsg),
        dry_run=options.dry_run, skip_invalid=options.skip_invalid, optimistic=True,
        upsert=source.key_column is not None,
    )  # fmt: skip
    chunks: queue.Queue[ObservationColumns | None] = queue.Queue(maxsize=2)
    failures: list[BaseException] = []
    progress("stage", 0, source.total)

    def write() -> None:
        while (chunk := chunks.get()) is not None:
            if failures:
                continue  # keep taking chunks so the reader is never blocked
            try:
                load.add(chunk.rows())
                progress("stage", load.read, source.total)
            except BaseException as exc:  # raised again in the calling thread
                failures.append(exc)

    writer = threading.Thread(target=write, name="import-writer", daemon=True)
    writer.start()
    try:
        for chunk in source.chunks:
            if failures:
                break
            chunks.put(chunk)
    finally:
        chunks.put(None)
        writer.join()
    if failures:
        raise failures[0]
    progress("check", load.read, source.total)
    return load.finish()
