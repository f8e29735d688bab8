"""Photos of observations: content sniffing, metadata stripping, storage by hash, thumbnails.

This module stores and serves; ``photo_images`` looks inside the uploaded bytes.

Why this is careful:

- A phone photo's EXIF carries where it was taken — often a resident's home — plus device
  serials and times. Every stored image is re-encoded from its pixels with no metadata at all
  (only the colour profile is kept), so nothing of the uploaded container survives. The GPS is
  read *before* stripping and handed back to the uploader only, to offer as the position.
- File names and declared content types are whatever the client says. The type is sniffed from
  the bytes and Pillow may parse that one format only, so no obscure decoder sees the upload.
- A tiny file can declare gigapixels (a decompression bomb). Dimensions come from the header
  and are checked before a single pixel is decoded; ``photo_images.MAX_PIXELS`` is far below
  Pillow's own warning threshold, so Pillow's ``DecompressionBombWarning`` can never fire on
  an accepted image and its ``DecompressionBombError`` is mapped to the same refusal.
  (Pillow's global ``MAX_IMAGE_PIXELS`` and the process-wide warning filters are left alone:
  both are shared by every thread of the server.)
- Files live on disk by SHA-256 of the stored bytes, outside the database (same content = one
  file). Rows and files are kept consistent under a per-hash advisory lock: a failed upload
  leaves neither a row nor an orphan file, and a delete keeps files another row still uses.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text

from mapservice.access import Viewer
from mapservice.capture import revisions
from mapservice.capture.observations import _editable, fetch, visibility
from mapservice.capture.photo_images import (  # re-exported: callers use photos.<name>
    FORMATS,
    StoredImage,
)
from mapservice.errors import NotFound

log = logging.getLogger(__name__)

LOCK_NAMESPACE = 0x6B50686F  # first key of pg_advisory_xact_lock(int, int): "kPho"
STALE_TEMP_SECONDS = 3600
_SHA256 = re.compile(r"[0-9a-f]{64}")

PHOTO_COLUMNS = (
    "p.id, p.observation_id, p.sha256, p.media_type, p.size_bytes, p.width, p.height, "
    "p.created_at, p.revision_id IS NOT NULL AS pending"
)


def _pending_photos(viewer: Viewer) -> str:
    """A photo waiting in a revision is for planners and the entry's author only."""
    if viewer.sees_everything:
        return "true"
    if viewer.role == "field":
        return "(p.revision_id IS NULL OR o.author = :viewer_name)"
    return "p.revision_id IS NULL"


# --- files on disk ----------------------------------------------------------------------------


class PhotoStore:
    """Files by hash: ``root/ab/cd/<sha256>.<ext>`` and the thumbnail ``<sha256>.thumb.jpg``.

    Writes go to a temporary file in the target folder, are fsynced and renamed into place, so
    a reader never sees half a photo and a crash leaves at most a ``.part`` file to sweep.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def _folder(self, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            raise ValueError(f"not a sha256: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4]

    def original(self, sha256: str, media_type: str) -> Path:
        return self._folder(sha256) / f"{sha256}.{FORMATS[media_type][1]}"

    def thumbnail(self, sha256: str) -> Path:
        return self._folder(sha256) / f"{sha256}.thumb.jpg"

    def put(self, image: StoredImage) -> list[Path]:
        """Write whatever of the image is missing; returns the files this call created."""
        created = []
        for path, data in (
            (self.thumbnail(image.sha256), image.thumbnail),
            (self.original(image.sha256, image.media_type), image.data),
        ):
            if not path.is_file():
                _write_atomic(path, data)
                created.append(path)
        return created

    def remove(self, sha256: str, media_type: str) -> None:
        for path in (self.original(sha256, media_type), self.thumbnail(sha256)):
            path.unlink(missing_ok=True)

    def hashes(self) -> dict[str, str]:
        """Every stored original as ``{sha256: media_type}`` (for the orphan sweep)."""
        by_ext = {ext: media_type for media_type, (_, ext) in FORMATS.items()}
        found = {}
        for path in self.root.glob("??/??/*.*"):
            sha, _, ext = path.name.partition(".")
            if _SHA256.fullmatch(sha) and ext in by_ext:
                found[sha] = by_ext[ext]
        return found


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o640)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # make the rename itself durable before the row is committed
    finally:
        os.close(folder)


# --- rows ---------------------------------------------------------------------------------------


def _lock(conn: Connection, sha256: str) -> None:
    """Serialise everything that creates or removes the files of one hash (until commit)."""
    key = int(sha256[:8], 16) - 2**31
    conn.execute(
        text("SELECT pg_advisory_xact_lock(:ns, :key)"), {"ns": LOCK_NAMESPACE, "key": key}
    )


def photo_not_found(pid: object) -> NotFound:
    return NotFound(f"Foto {pid} nicht gefunden.", f"Photo {pid} not found.", code="not_found")


def _row(conn: Connection, where: str, params: dict[str, Any]) -> dict[str, Any] | None:
    row = (
        conn.execute(text(f"SELECT {PHOTO_COLUMNS} FROM photo p WHERE {where}"), params)
        .mappings()
        .first()
    )
    return dict(row) if row else None


def check_can_attach(engine: Engine, viewer: Viewer, oid: uuid.UUID) -> None:
    """Refuse early — before the body is read — when the caller may not touch the entry."""
    with engine.begin() as conn:
        _editable(conn, viewer, oid)


def attach(
    engine: Engine, store: PhotoStore, viewer: Viewer, oid: uuid.UUID, image: StoredImage
) -> tuple[dict[str, Any], bool]:
    """Store ``image`` for an observation; ``(row, created)`` — False when it was there already.

    A field account adding a photo to its own published entry sends the entry back to review,
    as any edit of a published entry does: a new photo is new public content.
    """
    created: list[Path] = []
    try:
        with engine.begin() as conn:
            entry = _editable(conn, viewer, oid)
            _lock(conn, image.sha256)
            created = store.put(image)  # also restores files of an existing row if lost
            where = "p.observation_id = :o AND p.sha256 = :s"
            existing = _row(conn, where, {"o": oid, "s": image.sha256})
            if existing is not None:
                return existing, False
            conn.execute(
                text(
                    "INSERT INTO photo (id, observation_id, quarter_id, sha256, media_type, "
                    "size_bytes, width, height) SELECT :id, o.id, o.quarter_id, :s, :t, :n, "
                    ":w, :h FROM observation o WHERE o.id = :o"
                ),
                {"id": uuid.uuid4(), "o": oid, "s": image.sha256, "t": image.media_type,
                 "n": len(image.data), "w": image.width, "h": image.height},
            )  # fmt: skip
            if entry["status"] == "published" and not viewer.sees_everything:
                # new public content waits in the entry's revision; the entry stays public
                rid = revisions.stage(conn, viewer, "observation", oid, {}, source="photo")
                conn.execute(
                    text("UPDATE photo SET revision_id = :r WHERE observation_id = :o "
                         "AND sha256 = :s"),
                    {"r": rid, "o": oid, "s": image.sha256},
                )  # fmt: skip
            row = _row(conn, where, {"o": oid, "s": image.sha256})
            assert row is not None
            return row, True
    except BaseException:
        if created:
            _collect_quietly(engine, store, image.sha256, image.media_type)
        raise


def collect(engine: Engine, store: PhotoStore, sha256: str, media_type: str) -> bool:
    """Remove the files of ``sha256`` unless a row still uses them; True when removed."""
    with engine.begin() as conn:
        _lock(conn, sha256)
        used = conn.execute(
            text("SELECT 1 FROM photo WHERE sha256 = :s LIMIT 1"), {"s": sha256}
        ).first()
        if used:
            return False
        store.remove(sha256, media_type)
        return True


def _collect_quietly(engine: Engine, store: PhotoStore, sha256: str, media_type: str) -> None:
    """Clean-up after a failed upload must not hide the failure that caused it."""
    try:
        collect(engine, store, sha256, media_type)
    except Exception:
        log.exception("could not clean up photo files of %s", sha256)


def collect_orphans(engine: Engine, store: PhotoStore) -> int:
    """Remove photos no row references any more and stale ``.part`` files; returns how many.

    Needed because deleting an observation cascades to its photo rows inside PostgreSQL,
    which cannot remove files; run it after deleting observations or periodically.
    """
    with engine.connect() as conn:
        used = {r[0] for r in conn.execute(text("SELECT DISTINCT sha256 FROM photo"))}
    removed = sum(
        collect(engine, store, sha, media_type)
        for sha, media_type in store.hashes().items()
        if sha not in used
    )
    cutoff = time.time() - STALE_TEMP_SECONDS
    for temp in store.root.glob("??/??/.tmp-*.part"):
        if temp.stat().st_mtime < cutoff:
            temp.unlink(missing_ok=True)
            removed += 1
    return removed


def fetch_photo(conn: Connection, viewer: Viewer, pid: uuid.UUID) -> dict[str, Any]:
    """A photo row with its observation's status, if the caller may see that observation."""
    where, params = visibility(viewer)
    row = (
        conn.execute(
            text(
                f"SELECT {PHOTO_COLUMNS}, o.status FROM photo p "
                f"JOIN observation o ON o.id = p.observation_id WHERE p.id = :id AND {where} "
                f"AND {_pending_photos(viewer)}"
            ),
            {"id": pid, **params},
        )
        .mappings()
        .first()
    )
    if row is None:
        raise photo_not_found(pid)
    out = dict(row)
    if out["pending"]:
        out["status"] = "review"  # not public yet: never cached as public
    return out


def list_photos(conn: Connection, viewer: Viewer, oid: uuid.UUID) -> list[dict[str, Any]]:
    fetch(conn, oid, viewer)  # 404 unless the observation is visible to the caller
    rows = conn.execute(
        text(
            f"SELECT {PHOTO_COLUMNS} FROM photo p JOIN observation o ON o.id = p.observation_id "
            f"WHERE p.observation_id = :o AND {_pending_photos(viewer)} "
            "ORDER BY p.created_at, p.id"
        ),
        {"o": oid, **({"viewer_name": viewer.name} if viewer.role == "field" else {})},
    ).mappings()
    return [dict(r) for r in rows]


def delete_photo(engine: Engine, store: PhotoStore, viewer: Viewer, pid: uuid.UUID) -> None:
    """Delete a photo (author of the entry, planners, admins); its files go when unused."""
    with engine.begin() as conn:
        row = conn.execute(
            text("SELECT observation_id, sha256, media_type FROM photo WHERE id = :id"),
            {"id": pid},
        ).first()
        if row is None:
            raise photo_not_found(pid)
        try:
            _editable(conn, viewer, row.observation_id)
        except NotFound:  # do not reveal which observation an invisible photo belongs to
            raise photo_not_found(pid) from None
        conn.execute(text("DELETE FROM photo WHERE id = :id"), {"id": pid})
    collect(engine, store, row.sha256, row.media_type)
