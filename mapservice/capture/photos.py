"""Photos of observations: content sniffing, metadata stripping, storage by hash, thumbnails.

Why this is careful:

- A phone photo's EXIF carries where it was taken — often a resident's home — plus device
  serials and times. Every stored image is re-encoded from its pixels with no metadata at all
  (only the colour profile is kept), so nothing of the uploaded container survives. The GPS is
  read *before* stripping and handed back to the uploader only, to offer as the position.
- File names and declared content types are whatever the client says. The type is sniffed from
  the bytes and Pillow may parse that one format only, so no obscure decoder sees the upload.
- A tiny file can declare gigapixels (a decompression bomb). Dimensions come from the header and
  are checked before a single pixel is decoded; :data:`MAX_PIXELS` is far below Pillow's own
  warning threshold, so Pillow's ``DecompressionBombWarning`` can never fire on an accepted image
  and its ``DecompressionBombError`` is mapped to the same refusal. (Pillow's global
  ``MAX_IMAGE_PIXELS`` and the process-wide warning filters are left alone: both are shared by
  every thread of the server.)
- Files live on disk by SHA-256 of the stored bytes, outside the database (same content = one
  file). Rows and files are kept consistent under a per-hash advisory lock: a failed upload
  leaves neither a row nor an orphan file, and a delete keeps files another row still uses.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import os
import re
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filetype
from PIL import ExifTags, Image, ImageOps
from sqlalchemy import Connection, Engine, text

from mapservice.access import Viewer
from mapservice.capture.observations import _editable, fetch, visibility
from mapservice.errors import InvalidInput, KarteError, NotFound, PayloadTooLarge

log = logging.getLogger(__name__)

MAX_PIXELS = 40_000_000  # a 40-megapixel photo decodes to ~120 MB of RGB; phones shoot 12–48
THUMBNAIL_PX = 320
JPEG_QUALITY = 88
WEBP_QUALITY = 88
WEBP_METHOD = 2  # 12 MP: method 4 takes 1.7 s, method 2 0.9 s, for ~2 % larger files
THUMBNAIL_QUALITY = 80
SNIFF_BYTES = 8192
# (Pillow format, file extension) of each accepted media type.
FORMATS: dict[str, tuple[str, str]] = {
    "image/jpeg": ("JPEG", "jpg"),
    "image/png": ("PNG", "png"),
    "image/webp": ("WEBP", "webp"),
}
LOCK_NAMESPACE = 0x6B50686F  # first key of pg_advisory_xact_lock(int, int): "kPho"
STALE_TEMP_SECONDS = 3600
_SHA256 = re.compile(r"[0-9a-f]{64}")

PHOTO_COLUMNS = (
    "p.id, p.observation_id, p.sha256, p.media_type, p.size_bytes, p.width, p.height, p.created_at"
)


class UnsupportedMediaType(KarteError):
    status = 415
    code = "unsupported_media_type"


@dataclass(frozen=True)
class Position:
    """A position read from a photo's EXIF GPS block (WGS 84)."""

    lon: float
    lat: float
    accuracy_m: float | None = None

    def as_dict(self) -> dict[str, float | None]:
        return {"lon": self.lon, "lat": self.lat, "accuracy_m": self.accuracy_m}


@dataclass(frozen=True)
class StoredImage:
    """An upload made safe: re-encoded bytes without metadata, a thumbnail, and facts about it."""

    data: bytes
    thumbnail: bytes
    media_type: str
    width: int
    height: int
    sha256: str
    position: Position | None


# --- reading and cleaning images --------------------------------------------------------------


def sniff(data: bytes) -> str:
    """The real media type from the first bytes; anything but JPEG, PNG or WebP is refused."""
    kind = filetype.guess(data[:SNIFF_BYTES])
    found = kind.mime if kind else None
    if found not in FORMATS:
        what = found or "unbekannt / unknown"
        raise UnsupportedMediaType(
            f"Dateityp {what} wird nicht angenommen: nur JPEG, PNG oder WebP "
            "(HEIC-Fotos bitte als JPEG exportieren).",
            f"File type {what} is not accepted: JPEG, PNG or WebP only "
            "(please export HEIC photos as JPEG).",
        )
    return found


def _unreadable() -> InvalidInput:
    return InvalidInput(
        "Das Bild ist beschädigt oder unvollständig und kann nicht gelesen werden.",
        "The image is damaged or incomplete and cannot be read.",
        code="image_unreadable",
    )


def _too_many_pixels(size: tuple[int, int] | None, limit: int) -> PayloadTooLarge:
    megapixels = f"{limit / 1e6:g}"
    if size is None:
        shown = "sehr viele / very many"
    else:
        shown = f"{size[0]}×{size[1]} = {size[0] * size[1] / 1e6:.1f} M"
    return PayloadTooLarge(
        f"Das Bild hat zu viele Pixel ({shown}); höchstens {megapixels} Megapixel. "
        "Bitte verkleinern.",
        f"The image has too many pixels ({shown}); at most {megapixels} megapixels. "
        "Please scale it down.",
        code="too_many_pixels",
    )


def open_image(data: bytes, media_type: str, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Open with the sniffed format's decoder only and check dimensions before decoding."""
    try:
        image = Image.open(io.BytesIO(data), formats=[FORMATS[media_type][0]])
    except Image.DecompressionBombError:
        raise _too_many_pixels(None, max_pixels) from None
    except MemoryError:
        raise
    except Exception as exc:  # Pillow raises a zoo of types on hostile input
        log.info("photo header unreadable: %r", exc)
        raise _unreadable() from None
    width, height = image.size
    if width < 1 or height < 1:
        raise _unreadable()
    if width * height > max_pixels:
        raise _too_many_pixels((width, height), max_pixels)
    return image


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if math.isfinite(number) else None


def _degrees(value: Any, ref: Any, refs: str) -> float | None:
    """EXIF degrees/minutes/seconds with a hemisphere letter; None when anything is off."""
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    letter = str(ref or "").strip().upper()[:1]
    if not letter or letter not in refs:  # without N/S or E/W the sign is unknown
        return None
    parts = value if isinstance(value, tuple | list) else (value,)
    numbers = [_number(part) for part in parts[:3]]
    if not numbers or any(n is None or n < 0 for n in numbers):
        return None
    deg, minutes, seconds = [*(n for n in numbers if n is not None), 0.0, 0.0][:3]
    if minutes >= 60 or seconds >= 60:
        return None
    total = deg + minutes / 60 + seconds / 3600
    return -total if letter == refs[1] else total


def position_from_gps(gps: dict[int, Any]) -> Position | None:
    """Interpret an EXIF GPS IFD. Void fixes (status V) and 0/0 (no fix) give None."""
    if not gps or str(gps.get(9, "A")).upper().startswith("V"):
        return None
    lat = _degrees(gps.get(2), gps.get(1), "NS")
    lon = _degrees(gps.get(4), gps.get(3), "EW")
    if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180 or lat == lon == 0:
        return None
    error = _number(gps.get(31))  # GPSHPositioningError, metres
    accuracy = round(error, 1) if error is not None and 0 <= error < 100_000 else None
    return Position(lon=round(lon, 7), lat=round(lat, 7), accuracy_m=accuracy)


def read_position(image: Image.Image) -> Position | None:
    """The GPS position in the image's EXIF, read from the original before it is stripped."""
    try:
        gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    except MemoryError:
        raise
    except Exception as exc:  # broken EXIF is common and must never fail an upload
        log.info("photo EXIF unreadable: %r", exc)
        return None
    return position_from_gps(dict(gps))


def position_of(data: bytes, max_pixels: int = MAX_PIXELS) -> Position | None:
    """EXIF GPS position of an upload without storing anything (same checks as an upload)."""
    return read_position(open_image(data, sniff(data), max_pixels))


def _without_metadata(image: Image.Image) -> tuple[Image.Image, bytes | None]:
    """Drop every info entry (EXIF, XMP, comments, text chunks …); keep ICC and transparency.

    Savers read some entries from ``image.info`` (the JPEG comment, the PNG ICC profile and
    transparency), so emptying ``info`` is what keeps them out of the stored file.
    """
    icc = image.info.get("icc_profile") or None
    if image.mode == "CMYK":  # print-shop JPEGs: browsers and re-encoding handle RGB better
        image, icc = image.convert("RGB"), None
    kept = {"transparency": image.info["transparency"]} if "transparency" in image.info else {}
    image.info = kept
    return image, icc


def _encode(image: Image.Image, media_type: str, icc: bytes | None) -> bytes:
    options: dict[str, Any] = {"icc_profile": icc} if icc else {}
    if media_type == "image/jpeg":
        options["quality"] = JPEG_QUALITY
    elif media_type == "image/webp":
        options.update(quality=WEBP_QUALITY, method=WEBP_METHOD)
    buffer = io.BytesIO()
    image.save(buffer, FORMATS[media_type][0], **options)
    return buffer.getvalue()


def _flat(image: Image.Image) -> Image.Image:
    """RGB or L for a JPEG thumbnail: transparency onto white, 16-bit and float scaled down."""
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if has_alpha:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode in ("RGB", "L"):
        return image
    if image.mode.startswith("I") or image.mode == "F":
        return image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    return image.convert("RGB")


def _thumbnail(image: Image.Image, icc: bytes | None) -> bytes:
    width, height = image.size
    scale = min(THUMBNAIL_PX / width, THUMBNAIL_PX / height, 1.0)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    source = image if image.mode not in ("1", "P", "PA") else _flat(image)
    small = _flat(source.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0))
    options: dict[str, Any] = {"quality": THUMBNAIL_QUALITY}
    if icc and small.mode == image.mode:  # the profile still describes these colours
        options["icc_profile"] = icc
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def process(data: bytes, max_pixels: int = MAX_PIXELS) -> StoredImage:
    """Sniff, check, read the GPS, upright by EXIF orientation, strip, re-encode, thumbnail."""
    media_type = sniff(data)
    image = open_image(data, media_type, max_pixels)
    position = read_position(image)
    try:
        upright = ImageOps.exif_transpose(image)  # a new image, never the original
        clean, icc = _without_metadata(upright)
        stored = _encode(clean, media_type, icc)
        thumbnail = _thumbnail(clean, icc)
    except Image.DecompressionBombError:
        raise _too_many_pixels(image.size, max_pixels) from None
    except MemoryError:
        raise
    except Exception as exc:  # truncated data, broken chunks, decoder errors
        log.info("photo undecodable: %r", exc)
        raise _unreadable() from None
    return StoredImage(
        data=stored,
        thumbnail=thumbnail,
        media_type=media_type,
        width=clean.width,
        height=clean.height,
        sha256=hashlib.sha256(stored).hexdigest(),
        position=position,
    )


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
                conn.execute(
                    text(
                        "UPDATE observation SET status = 'review', version = version + 1, "
                        "updated_at = now() WHERE id = :o"
                    ),
                    {"o": oid},
                )
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
                f"JOIN observation o ON o.id = p.observation_id WHERE p.id = :id AND {where}"
            ),
            {"id": pid, **params},
        )
        .mappings()
        .first()
    )
    if row is None:
        raise photo_not_found(pid)
    return dict(row)


def list_photos(conn: Connection, viewer: Viewer, oid: uuid.UUID) -> list[dict[str, Any]]:
    fetch(conn, oid, viewer)  # 404 unless the observation is visible to the caller
    rows = conn.execute(
        text(
            f"SELECT {PHOTO_COLUMNS} FROM photo p WHERE p.observation_id = :o "
            "ORDER BY p.created_at, p.id"
        ),
        {"o": oid},
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
