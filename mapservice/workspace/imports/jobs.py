"""Imports started from the workspace run as jobs: the upload is answered at once with a job
id, the import runs in a worker thread, and its phase and row counts are written to
``import_job`` so the page can draw a progress bar from any API worker.

The import itself is :func:`mapservice.capture.imports.run_import` — the same transaction,
checks and report as ``karte import`` and ``POST /api/imports``. Progress is written on a
connection of its own (autocommit), never inside the import's transaction, and at most a few
times per second, so a 100,000-row file does not spend its time reporting. A job whose worker
process died stays ``running``; a planner sees its age and can start the import again.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import shutil
import threading
import time
import uuid
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from mapservice.access import Viewer
from mapservice.capture.imports import ImportOptions
from mapservice.catalog import Catalog
from mapservice.db import models_imports  # noqa: F401  (the import_job table in the metadata)
from mapservice.errors import KarteError, NotFound

log = logging.getLogger(__name__)
EVERY_S = 0.25  # at most four progress writes a second
REPORT_ROWS = 100_000  # rows of a job's report kept for its CSV
KEEP = timedelta(days=30)  # jobs and their reports are kept this long
STALE = timedelta(minutes=15)  # a running job silent this long lost its worker
PHASES = {
    "upload": ("Hochladen", "Uploading"),
    "read": ("Datei lesen", "Reading the file"),
    "stage": ("Zeilen laden", "Loading rows"),
    "check": ("Prüfen und speichern", "Checking and writing"),
    "done": ("Fertig", "Done"),
}


def create_job(engine: Engine, viewer: Viewer, name: str, options: ImportOptions) -> uuid.UUID:
    job_id = uuid.uuid4()
    shown = {k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in asdict(options).items()}
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM import_job WHERE created_at < now() - :keep"),
                     {"keep": KEEP})  # fmt: skip
        conn.execute(
            text("INSERT INTO import_job (id, account, file, options) "
                 "VALUES (:id, :a, :f, CAST(:o AS jsonb))"),
            {"id": job_id, "a": viewer.name, "f": name, "o": json.dumps(shown)},
        )  # fmt: skip
    return job_id


class _Reporter:
    """Writes a job's phase and counts, throttled; the last call of a phase always lands."""

    def __init__(self, engine: Engine, job_id: uuid.UUID) -> None:
        self.engine, self.job_id = engine, job_id
        self.last, self.phase = 0.0, ""

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if phase == self.phase and now - self.last < EVERY_S:
            return
        self.last, self.phase = now, phase
        self.write(state="running", phase=phase, done=done, total=total)

    def write(self, **values: Any) -> None:
        sets = ", ".join(f"{k} = :{k}" if k not in ("result", "error") else
                         f"{k} = CAST(:{k} AS jsonb)" for k in values)  # fmt: skip
        params = {k: json.dumps(v) if k in ("result", "error") else v for k, v in values.items()}
        with self.engine.begin() as conn:
            conn.execute(text(f"UPDATE import_job SET {sets}, updated_at = now() WHERE id = :id"),
                         {**params, "id": self.job_id})  # fmt: skip


def run_job(
    engine: Engine, catalog: Catalog, job_id: uuid.UUID, path: Path, options: ImportOptions,
    viewer: Viewer, name: str,
) -> None:  # fmt: skip
    """Run the import and record its outcome; removes the uploaded file's folder at the end."""
    from mapservice.capture.imports import run_import

    reporter = _Reporter(engine, job_id)
    try:
        result = run_import(engine, catalog, path, options, viewer, name=name,
                            on_progress=reporter)  # fmt: skip
        body = result.as_dict()
        # the report CSV lists every row (the JSON answer of POST /api/imports stops at 1000)
        body["refused"] = [vars(r) for r in result.refused[:REPORT_ROWS]]
        body["placed"] = result.placed[:REPORT_ROWS]
        refused = bool(result.refused) and not options.skip_invalid
        reporter.write(state="refused" if refused else "done", phase="done",
                       done=result.report.read, total=result.report.read, result=body)  # fmt: skip
    except KarteError as exc:
        reporter.write(state="failed", error=exc.as_dict())
    except Exception:  # recorded for the planner, logged in full for the operator
        log.exception("import job %s failed", job_id)
        reporter.write(state="failed", error={
            "code": "import_failed",
            "message_de": "Der Import ist unerwartet abgebrochen; nichts gespeichert.",
            "message_en": "The import stopped unexpectedly; nothing was written.",
        })  # fmt: skip
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)


def start_job(
    engine: Engine, catalog: Catalog, job_id: uuid.UUID, path: Path, options: ImportOptions,
    viewer: Viewer, name: str,
) -> threading.Thread:  # fmt: skip
    thread = threading.Thread(
        target=run_job, args=(engine, catalog, job_id, path, options, viewer, name),
        name=f"import-{job_id}", daemon=True,
    )  # fmt: skip
    thread.start()
    return thread


def _not_found(job_id: str) -> NotFound:
    return NotFound(f"Import {job_id[:40]} gibt es nicht.", f"Import {job_id[:40]} does not exist.",
                    code="import_not_found")  # fmt: skip


def get_job(engine: Engine, viewer: Viewer, job_id: str) -> dict[str, Any]:
    """A job as JSON; planners see their own jobs, admins every job (404 otherwise)."""
    try:
        key = uuid.UUID(job_id)
    except ValueError:
        raise _not_found(job_id) from None
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT id, account, file, state, phase, done, total, result, error, "
                 "created_at, updated_at FROM import_job WHERE id = :id"), {"id": key},
        ).mappings().first()  # fmt: skip
    if row is None or (viewer.role != "admin" and row["account"] != viewer.name):
        raise _not_found(job_id)
    de, en = PHASES.get(row["phase"], (row["phase"], row["phase"]))
    state, error = row["state"], row["error"]
    if state in ("queued", "running") and datetime.now(UTC) - row["updated_at"] > STALE:
        state, error = "failed", {
            "code": "import_lost",
            "message_de": "Der Import meldet sich nicht mehr (Server neu gestartet?); bitte "
                          "erneut starten – ein abgebrochener Import hat nichts gespeichert.",
            "message_en": "The import stopped reporting (server restarted?); please start it "
                          "again – an interrupted import wrote nothing.",
        }  # fmt: skip
    return {
        "id": str(row["id"]), "file": row["file"], "state": state,
        "phase": row["phase"], "phase_de": de, "phase_en": en, "done": row["done"],
        "total": row["total"], "result": row["result"], "error": error,
        "created_at": row["created_at"].isoformat(), "updated_at": row["updated_at"].isoformat(),
        "report_url": f"/api/imports/jobs/{row['id']}/report.csv",
    }  # fmt: skip


REPORT_HEADER = ["Zeile / row", "Ergebnis / outcome", "Code", "Genauigkeit / precision",
                 "Gefunden / matched", "Grund", "Reason"]  # fmt: skip


def report_csv(job: dict[str, Any]) -> str:
    """The per-row report: refused rows with their reason, placed rows with their precision.

    Semicolon-separated with a BOM, so Excel in Germany opens it with umlauts intact."""
    result = job.get("result") or {}
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(REPORT_HEADER)
    rows: list[tuple[int, list[str]]] = []
    for r in result.get("refused", []):
        rows.append((r["row"], [str(r["row"]), "abgelehnt / refused", r["code"], "", "",
                                r["message_de"], r["message_en"]]))  # fmt: skip
    for p in result.get("placed", []):
        rows.append((p["row"], [str(p["row"]), "verortet / placed", "", p["method"],
                                p.get("matched") or "", p.get("address") or "", ""]))  # fmt: skip
    if job.get("error"):
        e = job["error"]
        rows.append((0, ["", "Datei abgelehnt / file refused", e["code"], "", "",
                         e["message_de"], e["message_en"]]))  # fmt: skip
    for _, row in sorted(rows, key=lambda item: item[0]):
        writer.writerow(row)
    return out.getvalue()
